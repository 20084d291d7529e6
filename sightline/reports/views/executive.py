"""The executive member's dashboard. Thin: the rows from the selector, the figures from
``executive.assemble``."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from sightline.core.views import PolicyView

from ..selectors.dashboards import dashboard_links, report_links
from ..selectors.executive import executive_dashboard


class ExecutiveDashboardView(PolicyView):
    permission = "reports.view_executive_dashboard"

    def get(self, request: HttpRequest) -> HttpResponse:
        dashboard = executive_dashboard(user=request.user, today=timezone.localdate())
        others = [item for item in dashboard_links(user=request.user) if item.url != request.path]
        context = {
            "dashboard": dashboard,
            "other_dashboards": others,
            "reports": report_links(user=request.user),
        }
        return render(request, "reports/dashboards/executive.html", context)


urlpatterns = [
    path(
        "reports/dashboards/executive/",
        ExecutiveDashboardView.as_view(),
        name="executive_dashboard",
    ),
]
