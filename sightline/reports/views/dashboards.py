"""The role dashboards: each reads its figures through one selector and renders them."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from sightline.accounts.selectors import agency_get_for
from sightline.core.views import PolicyView

from ..selectors import dashboards as selectors


class DashboardView(PolicyView):
    """A dashboard page: ``template`` rendered with ``figures(request)``, and links to the
    other dashboards its reader has."""

    template: str

    def figures(self, request: HttpRequest) -> dict[str, Any]:
        raise NotImplementedError

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        here = request.path
        others = [item for item in selectors.dashboard_links(user=request.user) if item.url != here]
        return render(
            request,
            self.template,
            {
                **self.figures(request),
                "other_dashboards": others,
                "reports": selectors.report_links(user=request.user),
                "today": selectors.today(),
            },
        )


class DashboardHomeView(PolicyView):
    """ "Dashboard" in the navigation: the dashboard of the person's main role."""

    permission = "reports.view_dashboard"

    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect(selectors.dashboard_links(user=request.user)[0].url)


class BusinessUnitDashboardView(DashboardView):
    permission = "reports.view_business_unit_dashboard"
    template = "reports/dashboards/business_unit.html"

    def figures(self, request: HttpRequest) -> dict[str, Any]:
        return {"dashboard": selectors.business_unit_dashboard(user=request.user)}


class AgencyDashboardView(DashboardView):
    permission = "reports.view_agency_dashboard"
    template = "reports/dashboards/agency.html"

    def get_permission_object(self) -> Any:
        return agency_get_for(user=self.request.user, pk=self.kwargs["pk"])

    def figures(self, request: HttpRequest) -> dict[str, Any]:
        return {
            "card": selectors.agency_scorecard(user=request.user, agency=self.object),
            "can_compare": request.user.has_perm("reports.view_agency_comparison"),
        }


class AgencyComparisonView(DashboardView):
    permission = "reports.view_agency_comparison"
    template = "reports/dashboards/agencies.html"

    def figures(self, request: HttpRequest) -> dict[str, Any]:
        return {"partnership": selectors.partnership_scores()}


class ReviewGroupDashboardView(DashboardView):
    permission = "reports.view_review_group_dashboard"
    template = "reports/dashboards/review_group.html"

    def figures(self, request: HttpRequest) -> dict[str, Any]:
        return {"dashboard": selectors.review_group_dashboard(user=request.user)}


class TrainerDashboardView(DashboardView):
    permission = "reports.view_trainer_dashboard"
    template = "reports/dashboards/trainer.html"

    def figures(self, request: HttpRequest) -> dict[str, Any]:
        return {"dashboard": selectors.trainer_dashboard(user=request.user)}


class PractitionerDashboardView(DashboardView):
    permission = "reports.view_practitioner_dashboard"
    template = "reports/dashboards/practitioner.html"

    def figures(self, request: HttpRequest) -> dict[str, Any]:
        return {"dashboard": selectors.practitioner_dashboard(user=request.user)}


urlpatterns = [
    path("reports/dashboards/", DashboardHomeView.as_view(), name="dashboard"),
    path(
        "reports/dashboards/business-unit/",
        BusinessUnitDashboardView.as_view(),
        name="business_unit_dashboard",
    ),
    path(
        "reports/dashboards/agency/<int:pk>/",
        AgencyDashboardView.as_view(),
        name="agency_dashboard",
    ),
    path("reports/dashboards/agencies/", AgencyComparisonView.as_view(), name="agency_comparison"),
    path(
        "reports/dashboards/review-group/",
        ReviewGroupDashboardView.as_view(),
        name="review_group_dashboard",
    ),
    path("reports/dashboards/trainer/", TrainerDashboardView.as_view(), name="trainer_dashboard"),
    path(
        "reports/dashboards/your-training/",
        PractitionerDashboardView.as_view(),
        name="practitioner_dashboard",
    ),
]
