"""The risk register's pages: the register and its heat map, a risk's page with its score
history, adding and changing risks, reviews, acceptance above appetite, closing, mitigating
actions, the download and the settings. Thin: forms in, services and selectors out."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from sightline.core.downloads import table_download
from sightline.core.govuk import error_summary
from sightline.core.models import AccessLogEntry
from sightline.core.once import submit_once
from sightline.core.pagination import paginate
from sightline.core.services import access_log_record
from sightline.core.views import ObjectFormView, PolicyView, apply_errors, bad_request

from .. import scoring
from ..forms.risks import (
    AcceptForm,
    ActionLinkForm,
    CloseForm,
    ReviewForm,
    RiskFilterForm,
    RiskForm,
    SettingsForm,
    control_formset,
)
from ..selectors import risks as selectors
from ..services import risks as services
from ..vocabulary import RiskStatus

EXPORT_FORMATS = ("csv", "xlsx")


def _filters(form: RiskFilterForm) -> selectors.RiskFilters:
    data = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
    data.setdefault("status", RiskStatus.OPEN)
    return selectors.RiskFilters(**data)


class RiskListView(PolicyView):
    permission = "assurance.view_risks"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        matrix = selectors.risk_matrix()
        form = RiskFilterForm(request.GET or None, owners=selectors.risk_owner_choices())
        context: dict[str, Any] = {
            "form": form,
            "matrix": matrix,
            "today": today,
            "can_manage": request.user.has_perm("assurance.manage_risks"),
            "can_settings": request.user.has_perm("assurance.manage_settings"),
            "query": request.GET.urlencode(),
        }
        if form.is_bound and not form.is_valid():
            return render(request, "assurance/risks/list.html", context, status=400)
        filters = _filters(form) if form.is_bound else selectors.RiskFilters()
        results = paginate(
            request,
            selectors.risk_list_for(user=request.user, filters=filters, matrix=matrix, today=today),
        )
        return render(
            request,
            "assurance/risks/list.html",
            context
            | {
                "rows": selectors.risk_rows(risks=results.items, matrix=matrix, today=today),
                "page": results.page,
                "pagination": results.pagination,
                "filters": filters,
                "cell": _cell_text(matrix, filters),
            },
        )


def _cell_text(matrix: scoring.Matrix, filters: selectors.RiskFilters) -> str:
    """What a heat map cell's link asked for, in words."""
    parts = []
    if filters.likelihood is not None:
        parts.append(f"likelihood {scoring.likelihood_label(matrix, filters.likelihood).lower()}")
    if filters.impact is not None:
        parts.append(f"impact {scoring.impact_label(matrix, filters.impact).lower()}")
    if not parts:
        return ""
    return f"{filters.scores.capitalize()} {' and '.join(parts)}"


class RiskHeatMapView(PolicyView):
    permission = "assurance.view_risks"

    def get(self, request: HttpRequest) -> HttpResponse:
        scores = request.GET.get("scores", "residual")
        if scores not in selectors.SCORES:
            return bad_request(
                request,
                title="The heat map cannot show those scores",
                then="Choose inherent or residual scores: go back to the heat map and try again.",
            )
        matrix = selectors.risk_matrix()
        return render(
            request,
            "assurance/risks/heatmap.html",
            {
                "scores": scores,
                "matrix": matrix,
                "heat_map": selectors.risk_heat_map(matrix=matrix, scores=scores),
            },
        )


class RiskExportView(PolicyView):
    """The register as a spreadsheet, with the list's filters; written to the access log."""

    permission = "assurance.view_risks"

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in EXPORT_FORMATS:
            raise Http404("Downloads are CSV or XLSX.")
        form = RiskFilterForm(request.GET or None, owners=selectors.risk_owner_choices())
        if form.is_bound and not form.is_valid():
            return bad_request(
                request,
                title="The register could not be downloaded",
                problems=form,
                then="Go back to the risk register and filter again.",
            )
        filters = _filters(form) if form.is_bound else selectors.RiskFilters()
        today = timezone.localdate()
        access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.EXPORT,
            object_type="assurance.risk",
            object_repr=f"Risk register ({fmt.upper()})",
            detail=request.GET.urlencode(),
        )
        return table_download(
            fmt=fmt,
            name=f"sightline-risk-register-{today.isoformat()}",
            title="Risk register",
            header=selectors.EXPORT_HEADER,
            rows=selectors.risk_export_rows(
                user=request.user, filters=filters, matrix=selectors.risk_matrix(), today=today
            ),
        )


# --- One risk ------------------------------------------------------------------------------


class RiskView(PolicyView):
    permission = "assurance.view_risks"

    def get_permission_object(self) -> Any:
        return selectors.risk_get(pk=self.kwargs["pk"])


class RiskDetailView(RiskView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        risk = self.object
        matrix = selectors.risk_matrix()
        user = request.user
        today = timezone.localdate()
        return render(
            request,
            "assurance/risks/detail.html",
            {
                "risk": risk,
                "page": selectors.risk_page(risk=risk, matrix=matrix, today=today),
                "matrix": matrix,
                "today": today,
                "can_edit": user.has_perm("assurance.manage_risks"),
                "can_review": user.has_perm("assurance.review_risk", risk),
                "can_accept": user.has_perm("assurance.accept_risk", risk),
            },
        )


def _error_list(form: Form, controls: Any) -> list[dict[str, str]]:
    """The error summary for the risk's form and its controls together."""
    items = error_summary(form)
    for problem in controls.non_form_errors():
        items.append({"text": str(problem), "href": "#controls"})
    for control in controls.forms:
        items.extend(error_summary(control))
    return items


class RiskFormView(PolicyView):
    """Add a risk, or change one's details and controls (scores change through reviews)."""

    permission = "assurance.manage_risks"

    def get_permission_object(self) -> Any:
        pk = self.kwargs.get("pk")
        return selectors.risk_get(pk=pk) if pk else None

    def _forms(self, data: Any = None) -> tuple[RiskForm, Any]:
        risk = self.object
        matrix = selectors.risk_matrix()
        form = RiskForm(
            data,
            matrix=matrix,
            owners=selectors.risk_owner_candidates(),
            creating=risk is None,
            initial=RiskForm.initial_for(risk) if risk else None,
        )
        controls = control_formset(
            data,
            controls=selectors.risk_controls(risk=risk) if risk else None,
            blank=2 if risk else 3,
        )
        return form, controls

    def _render(self, form: RiskForm, controls: Any, status: int = 200) -> HttpResponse:
        risk = self.object
        return render(
            self.request,
            "assurance/risks/form.html",
            {
                "form": form,
                "controls": controls,
                "risk": risk,
                "heading": f"Change {risk.reference}" if risk else "Add a risk",
                "cancel_url": risk.get_absolute_url() if risk else reverse("assurance:risk_list"),
                "error_list": _error_list(form, controls),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        return self._render(*self._forms())

    @submit_once
    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        form, controls = self._forms(request.POST)
        forms_valid = form.is_valid()
        controls_valid = controls.is_valid()
        if forms_valid and controls_valid:
            data = dict(form.cleaned_data)
            try:
                if self.object is None:
                    risk = services.risk_create(
                        actor=request.user, controls=controls.controls(), **data
                    )
                else:
                    risk = services.risk_update(
                        actor=request.user, risk=self.object, controls=controls.controls(), **data
                    )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"{risk.reference} has been saved.")
                return redirect(risk.get_absolute_url())
        return self._render(form, controls, status=400)


class RiskSubformView(RiskView, ObjectFormView):
    """A small form about one risk (a review, an acceptance, closing it) on a page that
    shows the risk's current scores above the form."""

    def caption(self) -> str:
        return str(self.object)

    def intro(self) -> dict[str, Any]:
        matrix = selectors.risk_matrix()
        today = timezone.localdate()
        in_force = selectors.risk_acceptance_in_force(risk=self.object, today=today)
        return {
            "row": selectors.risk_row(
                risk=self.object,
                matrix=matrix,
                today=today,
                accepted_until=in_force.until if in_force else None,
            ),
            "matrix": matrix,
            "acceptance_months": scoring.ACCEPTANCE_MONTHS,
        }

    def _render(self, form: Form, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "assurance/risks/form_page.html",
            {
                "form": form,
                "heading": self.heading,
                "caption": self.caption(),
                "cancel_url": self.object_url(),
                "button": self.button,
                "risk": self.object,
                "intro_template": self.intro_template,
                **self.intro(),
            },
            status=status,
        )

    intro_template = "assurance/risks/intro_scores.html"


class RiskReviewView(RiskSubformView):
    permission = "assurance.review_risk"
    heading = "Review the risk"
    button = "Record the review"
    success = "The review has been recorded."

    def make_form(self, data: Any = None) -> ReviewForm:
        risk = self.object
        initial = {
            name: getattr(risk, name) for name in (*services.SCORE_FIELDS, "residual_reason")
        }
        return ReviewForm(
            data,
            matrix=selectors.risk_matrix(),
            initial=initial | {"assessed_on": timezone.localdate()},
        )

    def save(self, form: Any) -> None:
        services.risk_review(actor=self.request.user, risk=self.object, **form.cleaned_data)


class RiskAcceptView(RiskSubformView):
    permission = "assurance.accept_risk"
    heading = "Accept the risk above appetite"
    button = "Accept the risk"
    success = "The acceptance has been recorded."
    intro_template = "assurance/risks/intro_accept.html"

    def make_form(self, data: Any = None) -> AcceptForm:
        return AcceptForm(data)

    def save(self, form: Any) -> None:
        services.risk_accept(actor=self.request.user, risk=self.object, **form.cleaned_data)


class RiskCloseView(RiskSubformView):
    permission = "assurance.manage_risks"
    heading = "Close the risk"
    button = "Close the risk"
    success = "The risk has been closed."

    def make_form(self, data: Any = None) -> CloseForm:
        return CloseForm(data, initial={"closed_on": timezone.localdate()})

    def save(self, form: Any) -> None:
        services.risk_close(actor=self.request.user, risk=self.object, **form.cleaned_data)


class RiskActionsView(RiskView):
    """The learning tracker's actions that mitigate the risk: link one by its reference,
    or unlink one."""

    permission = "assurance.review_risk"

    def _render(self, form: ActionLinkForm, status: int = 200) -> HttpResponse:
        risk = self.object
        return render(
            self.request,
            "assurance/risks/actions.html",
            {
                "risk": risk,
                "form": form,
                "actions": selectors.risk_mitigations(risk=risk),
                "today": timezone.localdate(),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(ActionLinkForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        url = reverse("assurance:risk_actions", kwargs={"pk": pk})
        form = ActionLinkForm(request.POST)
        if "unlink" in request.POST:
            try:
                action_pk = int(request.POST["unlink"])
            except ValueError:
                raise Http404("No such action.") from None
            action = selectors.risk_action_get(risk=self.object, pk=action_pk)
            try:
                services.risk_action_unlink(actor=request.user, risk=self.object, action=action)
            except ValidationError as error:
                form = ActionLinkForm()
                apply_errors(form, error)
                return self._render(form, status=400)
            messages.success(request, f"{action.reference} is no longer linked to this risk.")
            return redirect(url)
        if form.is_valid():
            try:
                action = services.risk_action_link(
                    actor=request.user, risk=self.object, reference=form.cleaned_data["reference"]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"{action.reference} is now linked to this risk.")
                return redirect(url)
        return self._render(form, status=400)


class RiskSettingsView(PolicyView):
    permission = "assurance.manage_settings"

    def _render(self, form: SettingsForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "assurance/risks/settings.html",
            {"form": form, "cancel_url": reverse("assurance:risk_list")},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(
            SettingsForm(initial=SettingsForm.initial_for(selectors.risk_settings()))
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.risk_settings_update(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "The risk settings have been saved.")
                return redirect("assurance:risk_settings")
        return self._render(form, status=400)


urlpatterns = [
    path("assurance/risks/", RiskListView.as_view(), name="risk_list"),
    path("assurance/risks/new/", RiskFormView.as_view(), name="risk_create"),
    path("assurance/risks/heat-map/", RiskHeatMapView.as_view(), name="risk_heatmap"),
    path("assurance/risks/export.<str:fmt>", RiskExportView.as_view(), name="risk_export"),
    path("assurance/risks/settings/", RiskSettingsView.as_view(), name="risk_settings"),
    path("assurance/risks/<int:pk>/", RiskDetailView.as_view(), name="risk_detail"),
    path("assurance/risks/<int:pk>/edit/", RiskFormView.as_view(), name="risk_edit"),
    path("assurance/risks/<int:pk>/review/", RiskReviewView.as_view(), name="risk_review"),
    path("assurance/risks/<int:pk>/accept/", RiskAcceptView.as_view(), name="risk_accept"),
    path("assurance/risks/<int:pk>/close/", RiskCloseView.as_view(), name="risk_close"),
    path("assurance/risks/<int:pk>/actions/", RiskActionsView.as_view(), name="risk_actions"),
]
