"""The assurance home page and the strategic plan's pages: priorities, their quarterly status,
action plans, measures and scrutiny findings. Thin: forms in, services and selectors out."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from sightline.core.once import submit_once
from sightline.core.views import ObjectFormView, PolicyView, apply_errors

from ..forms.plan import (
    ActionLinkForm,
    PriorityForm,
    PriorityMeasureForm,
    PriorityUpdateForm,
    ScrutinyFindingForm,
)
from ..quarters import Quarter
from ..selectors import plan as selectors
from ..services import plan as services


@dataclass(frozen=True)
class Tile:
    title: str
    url_name: str
    permission: str
    description: str


TILES = (
    Tile(
        "Risk register",
        "assurance:risk_list",
        "assurance.view_risks",
        "The partnership's risks, scored before and after their controls.",
    ),
    Tile(
        "Risk heat map",
        "assurance:risk_heatmap",
        "assurance.view_risks",
        "Open risks on the likelihood and impact matrix, against the appetite.",
    ),
    Tile(
        "Inspections",
        "assurance:inspection_list",
        "assurance.view",
        "Inspections of the partnership's agencies and what they asked for.",
    ),
    Tile(
        "Quarterly inspection update",
        "assurance:inspection_update",
        "assurance.view",
        "Progress on inspection recommendations for the Executive.",
    ),
    Tile(
        "Groups",
        "assurance:group_list",
        "assurance.view",
        "The Executive, its subgroups and boards, their members and meetings.",
    ),
    Tile(
        "Assurance returns",
        "assurance:assurance_rollup",
        "assurance.view",
        "How assured each group is this quarter, with its exceptions.",
    ),
    Tile(
        "Data",
        "assurance:measure_list",
        "assurance.view",
        "The measures the partnership watches, quarter by quarter, against thresholds.",
    ),
    Tile(
        "Multi-agency audits",
        "assurance:audit_list",
        "assurance.view",
        "The audit programme, agencies' returns and what the audits found.",
    ),
    Tile(
        "Strategic plan",
        "assurance:plan",
        "assurance.view",
        "The priorities, their action plans, measures and red, amber or green status.",
    ),
    Tile(
        "Executive pack",
        "reports:pack",
        "reports.view_pack",
        "One document for a quarter: risks, inspections, exceptions, reviews, learning "
        "and priorities, on screen and as a PDF.",
    ),
)


class OverviewView(PolicyView):
    """System assurance's home: a link to each part the person may use."""

    permission = "assurance.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        tiles = [tile for tile in TILES if request.user.has_perm(tile.permission)]
        return render(request, "assurance/overview.html", {"tiles": tiles})


class PlanView(PolicyView):
    permission = "assurance.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        rows = selectors.plan_rows(today=today)
        return render(
            request,
            "assurance/plan/plan.html",
            {
                "current": [row for row in rows if row.priority.is_active],
                "former": [row for row in rows if not row.priority.is_active],
                "quarter": Quarter.containing(today),
                "can_manage": request.user.has_perm("assurance.manage_plan"),
                "can_record": request.user.has_perm("assurance.record_priority_status"),
                "can_see_pack": request.user.has_perm("reports.view_pack"),
            },
        )


class PriorityView(PolicyView):
    permission = "assurance.view"

    def get_permission_object(self) -> Any:
        return selectors.priority_get(pk=self.kwargs["pk"])


class PriorityDetailView(PriorityView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        priority = self.object
        return render(
            request,
            "assurance/plan/priority_detail.html",
            {
                "priority": priority,
                **selectors.priority_page(user=request.user, priority=priority),
                "can_manage": request.user.has_perm("assurance.manage_plan"),
                "can_record": request.user.has_perm("assurance.record_priority_status")
                and priority.is_active,
            },
        )


class PriorityFormView(PolicyView):
    """Add a priority, or change one's description, lead and whether it is current."""

    permission = "assurance.manage_plan"

    def get_permission_object(self) -> Any:
        pk = self.kwargs.get("pk")
        return selectors.priority_get(pk=pk) if pk else None

    def _render(self, form: PriorityForm, status: int = 200) -> HttpResponse:
        priority = self.object
        return render(
            self.request,
            "core/form_page.html",
            {
                "form": form,
                "heading": "Change the priority" if priority else "Add a priority",
                "caption": str(priority) if priority else "Strategic plan",
                "cancel_url": priority.get_absolute_url()
                if priority
                else reverse("assurance:plan"),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        priority = self.object
        initial = {"is_active": True}
        if priority:
            initial = {
                "description": priority.description,
                "lead": priority.lead,
                "is_active": priority.is_active,
            }
        return self._render(PriorityForm(initial=initial, creating=priority is None))

    @submit_once
    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        priority = self.object
        form = PriorityForm(request.POST, creating=priority is None)
        if form.is_valid():
            try:
                if priority is None:
                    priority = services.priority_create(actor=request.user, **form.cleaned_data)
                else:
                    services.priority_edit(
                        actor=request.user, priority=priority, **form.cleaned_data
                    )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"{priority} has been saved.")
                return redirect(priority.get_absolute_url())
        return self._render(form, status=400)


class PrioritySubformView(PriorityView, ObjectFormView):
    """A small form about one priority, on the shared form page."""

    def caption(self) -> str:
        return str(self.object)


class PriorityUpdateView(PrioritySubformView):
    permission = "assurance.record_priority_status"
    heading = "Record the priority's status"
    button = "Record the status"

    def make_form(self, data: Any = None) -> PriorityUpdateForm:
        return PriorityUpdateForm(data, today=timezone.localdate())

    def save(self, form: Any) -> None:
        quarter = form.cleaned_data["quarter"]
        services.priority_update_record(
            actor=self.request.user, priority=self.object, **form.cleaned_data
        )
        self.success = f"The status of {self.object} for {quarter.label} has been recorded."


class PriorityMeasureAddView(PrioritySubformView):
    permission = "assurance.manage_plan"
    heading = "Add a measure"
    button = "Add the measure"
    success = "The measure has been added."

    def make_form(self, data: Any = None) -> PriorityMeasureForm:
        return PriorityMeasureForm(data)

    def save(self, form: Any) -> None:
        services.priority_measure_add(
            actor=self.request.user, priority=self.object, **form.cleaned_data
        )


class ScrutinyFindingAddView(PrioritySubformView):
    permission = "assurance.manage_plan"
    heading = "Record a scrutiny finding"
    button = "Record the finding"
    success = "The scrutiny finding has been recorded."

    def make_form(self, data: Any = None) -> ScrutinyFindingForm:
        return ScrutinyFindingForm(data)

    def save(self, form: Any) -> None:
        services.scrutiny_finding_add(
            actor=self.request.user, priority=self.object, **form.cleaned_data
        )


class PriorityActionsView(PriorityView):
    """The priority's action plan: learning tracker actions added by reference, or taken out."""

    permission = "assurance.manage_plan"

    def _render(self, form: ActionLinkForm, status: int = 200) -> HttpResponse:
        priority = self.object
        return render(
            self.request,
            "assurance/plan/priority_actions.html",
            {
                "priority": priority,
                "form": form,
                "actions": selectors.action_plan_rows(user=self.request.user, priority=priority),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(ActionLinkForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        priority = self.object
        if "unlink" in request.POST:
            try:
                action_pk = int(request.POST["unlink"])
            except ValueError:
                action_pk = 0
            action = selectors.priority_action_get(priority=priority, pk=action_pk)
            services.priority_action_unlink(actor=request.user, priority=priority, action=action)
            messages.success(request, f"{action.reference} has been taken out of the action plan.")
            return redirect("assurance:priority_actions", pk=priority.pk)
        form = ActionLinkForm(request.POST)
        if form.is_valid():
            try:
                added = services.priority_actions_link(
                    actor=request.user,
                    priority=priority,
                    references=services.parse_references(form.cleaned_data["references"]),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{added} action{'' if added == 1 else 's'} added to the action plan.",
                )
                return redirect("assurance:priority_actions", pk=priority.pk)
        return self._render(form, status=400)


urlpatterns = [
    path("assurance/", OverviewView.as_view(), name="overview"),
    path("assurance/plan/", PlanView.as_view(), name="plan"),
    path("assurance/plan/new/", PriorityFormView.as_view(), name="priority_create"),
    path("assurance/plan/<int:pk>/", PriorityDetailView.as_view(), name="priority_detail"),
    path("assurance/plan/<int:pk>/edit/", PriorityFormView.as_view(), name="priority_edit"),
    path("assurance/plan/<int:pk>/status/", PriorityUpdateView.as_view(), name="priority_update"),
    path(
        "assurance/plan/<int:pk>/actions/", PriorityActionsView.as_view(), name="priority_actions"
    ),
    path(
        "assurance/plan/<int:pk>/measures/new/",
        PriorityMeasureAddView.as_view(),
        name="priority_measure_add",
    ),
    path(
        "assurance/plan/<int:pk>/findings/new/",
        ScrutinyFindingAddView.as_view(),
        name="scrutiny_finding_add",
    ),
]
