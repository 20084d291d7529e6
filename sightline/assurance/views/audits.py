"""The multi-agency audit programme's pages: the programme by quarter, an audit with its
questionnaire, returns and findings, asking agencies for returns, an agency's return, and
adding a finding to the learning tracker. Thin: forms in, services and selectors out."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from sightline.core.once import submit_once
from sightline.core.views import ObjectFormView, PolicyView, apply_errors

from ..forms.audits import AuditForm, AuditReturnForm, ReturnRequestForm, YearForm
from ..models import Audit, AuditReturn
from ..quarters import Quarter
from ..selectors import audits as selectors
from ..services import audits as services
from .inspections import SourceRecommendationView


class AuditListView(PolicyView):
    """The audit programme for a financial year, quarter by quarter."""

    permission = "assurance.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = YearForm(request.GET)
        can_manage = request.user.has_perm("assurance.manage_audits")
        if not form.is_valid():
            context: dict[str, Any] = {
                "form": form,
                "year": None,
                "programme": [],
                "can_manage": can_manage,
            }
            return render(request, "assurance/audits/list.html", context, status=400)
        year = form.cleaned_data["year"] or Quarter.containing(timezone.localdate()).year
        label = selectors.financial_year_label
        return render(
            request,
            "assurance/audits/list.html",
            {
                "form": YearForm(initial={"year": label(year)}),
                "year": label(year),
                "previous": label(year - 1),
                "next": label(year + 1),
                "programme": selectors.audit_programme(year=year),
                "can_manage": can_manage,
            },
        )


class AuditFormView(ObjectFormView):
    """Plan an audit, or change one."""

    permission = "assurance.manage_audits"

    def get_permission_object(self) -> Any:
        pk = self.kwargs.get("pk")
        return selectors.audit_get(pk=pk) if pk else None

    @property
    def heading(self) -> str:  # type: ignore[override]
        return "Change the audit" if self.object else "Plan an audit"

    def caption(self) -> str:
        return self.object.title if self.object else "Multi-agency audit programme"

    def object_url(self) -> str:
        if self.object is not None:
            return str(self.object.get_absolute_url())
        return reverse("assurance:audit_list")

    def make_form(self, data: Any = None) -> Form:
        audit = self.object
        return AuditForm(
            data,
            initial=selectors.audit_form_initial(audit=audit) if audit else None,
            options=selectors.audit_form_options(),
            editing=audit is not None,
        )

    def save(self, form: Any) -> None:
        if self.object is None:
            self.object = services.audit_create(actor=self.request.user, data=form.cleaned_data)
        else:
            self.object = services.audit_edit(
                actor=self.request.user, audit=self.object, data=form.cleaned_data
            )
        self.success = f"{self.object.title} has been saved."


class AuditView(PolicyView):
    def get_permission_object(self) -> Audit:
        return selectors.audit_get(pk=self.kwargs["pk"])

    def render_detail(self, request_form: Any = None, status: int = 200) -> HttpResponse:
        audit, user = self.object, self.request.user
        page = selectors.audit_page(audit=audit)
        can_manage = user.has_perm("assurance.manage_audits")
        return render(
            self.request,
            "assurance/audits/detail.html",
            {
                "audit": audit,
                **page,
                "request_form": request_form or ReturnRequestForm(agencies=page["not_asked"]),
                "can_manage": can_manage,
                "can_add_actions": user.has_perm("learning.manage_recommendations"),
                # The returns this person may make, as the policy decides for each one.
                "may_submit": {
                    row["item"].pk
                    for row in page["returns"]
                    if user.has_perm("assurance.submit_audit_return", row["item"])
                },
            },
            status=status,
        )


class AuditDetailView(AuditView):
    permission = "assurance.view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_detail()


class AuditRequestReturnsView(AuditView):
    """Ask the chosen agencies for their return; their leads are emailed."""

    permission = "assurance.manage_audits"
    http_method_names = ["post"]

    @submit_once
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = ReturnRequestForm(
            request.POST, agencies=selectors.agencies_not_asked(audit=self.object)
        )
        if form.is_valid():
            try:
                created = services.audit_returns_request(
                    actor=request.user, audit=self.object, agencies=form.cleaned_data["agencies"]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                count = len(created)
                message = (
                    f"{count} {'agency has' if count == 1 else 'agencies have'} been asked for "
                    "a return. Their agency leads have been emailed."
                )
                unreachable = selectors.agencies_without_leads(returns=created)
                if unreachable:
                    message += (
                        f" Nobody was emailed at {', '.join(unreachable)}: "
                        "add an agency lead there, or ask them another way."
                    )
                messages.success(request, message)
                return redirect(self.object.get_absolute_url())
        return self.render_detail(request_form=form, status=400)


class AuditReturnSubmitView(PolicyView):
    """An agency's answers to an audit's questionnaire, made by one of its leads."""

    permission = "assurance.submit_audit_return"

    def get_permission_object(self) -> AuditReturn:
        return selectors.audit_return_get(pk=self.kwargs["pk"])

    def _render(self, form: AuditReturnForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "assurance/audits/return.html",
            {"form": form, "item": self.object, "audit": self.object.audit},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = self.object
        questions = item.audit.questions
        initial: dict[str, Any] = {"cases_audited": item.cases_audited}
        for number, answer in enumerate(item.answers_to(questions) or [], 1):
            initial[f"answer_{number}"] = answer
        return self._render(AuditReturnForm(initial=initial, questions=questions))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = self.object
        form = AuditReturnForm(request.POST, questions=item.audit.questions)
        if form.is_valid():
            try:
                services.audit_return_submit(
                    actor=request.user,
                    item=item,
                    answers=form.answers,
                    cases_audited=form.cleaned_data["cases_audited"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Thank you: the return from {item.agency} is saved.")
                return redirect(item.audit.get_absolute_url())
        return self._render(form, status=400)


class AuditFindingCreateView(SourceRecommendationView):
    permission = "assurance.manage_audits"
    noun = "finding"
    prefix = "AUD"

    def get_permission_object(self) -> Audit:
        return selectors.audit_get(pk=self.kwargs["pk"])

    def add(self, data: dict[str, Any]) -> Any:
        return services.audit_finding_add(actor=self.request.user, audit=self.object, data=data)


urlpatterns = [
    path("assurance/audits/", AuditListView.as_view(), name="audit_list"),
    path("assurance/audits/new/", AuditFormView.as_view(), name="audit_create"),
    path("assurance/audits/<int:pk>/", AuditDetailView.as_view(), name="audit_detail"),
    path("assurance/audits/<int:pk>/edit/", AuditFormView.as_view(), name="audit_edit"),
    path(
        "assurance/audits/<int:pk>/returns/request/",
        AuditRequestReturnsView.as_view(),
        name="audit_request_returns",
    ),
    path(
        "assurance/audits/returns/<int:pk>/",
        AuditReturnSubmitView.as_view(),
        name="audit_return_submit",
    ),
    path(
        "assurance/audits/<int:pk>/findings/new/",
        AuditFindingCreateView.as_view(),
        name="audit_finding_create",
    ),
]
