"""The learning tracker's pages: recommendations, actions, evidence, sign-off, returns, the
report and the import of existing trackers. Thin: forms in, services and selectors out."""

import dataclasses
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sightline.core.downloads import logged_export, table_download
from sightline.core.once import submit_once, unique_save
from sightline.core.pagination import paginate
from sightline.core.progress import NO_PROGRESS, Progress
from sightline.core.views import (
    ObjectFormView,
    PolicyView,
    PreviewedImportView,
    apply_errors,
)
from sightline.reviews.selectors import case_get_for, today

from . import selectors, services
from .forms import (
    ActionFilterForm,
    ActionForm,
    CloseForm,
    EvidenceForm,
    ProgressForm,
    RecommendationFilterForm,
    RecommendationForm,
    ReportDateForm,
    ReturnFilterForm,
    ReturnForm,
    TrackerFileForm,
)
from .importing import COLUMNS
from .reporting import ACTION_FIGURES


class LearningReportView(PolicyView):
    permission = "learning.view_report"

    def get(self, request: HttpRequest) -> HttpResponse:
        as_at = today()
        form = ReportDateForm(request.GET or None, initial={"as_at": as_at})
        if form.is_bound and form.is_valid():
            as_at = form.cleaned_data["as_at"] or as_at
        return render(
            request,
            "learning/report.html",
            {
                "form": form,
                "as_at": as_at,
                "report": selectors.learning_report_for(user=request.user, as_at=as_at),
                "action_figures": ACTION_FIGURES,
                "can_import": request.user.has_perm("learning.import"),
            },
        )


class LearningImportView(PreviewedImportView):
    permission = "learning.import"
    template_name = "learning/import.html"
    preview_template = "learning/import_preview.html"
    form_class = TrackerFileForm
    done_url = "learning:report"
    carried_options = ("create_agencies",)
    done_label = "Go to the learning report"
    job_kind = "learning.import"
    what = "learning tracker"

    @staticmethod
    def do_import(
        *,
        actor: Any,
        name: str,
        content: bytes,
        dry_run: bool,
        progress: Progress = NO_PROGRESS,
        on_write: Callable[[Any], None] | None = None,
        **options: bool,
    ) -> Any:
        return services.import_learning(
            actor=actor,
            name=name,
            content=content,
            dry_run=dry_run,
            create_agencies=options.get("create_agencies", False),
            progress=progress,
            on_write=on_write,
        )


# --- Recommendations and actions ---------------------------------------------------


def _filters(form: forms.Form, cls: Any) -> Any:
    if form.is_bound and form.is_valid():
        return cls(
            **{key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
        )
    return cls()


class RecommendationListView(PolicyView):
    permission = "learning.view_tracker"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = RecommendationFilterForm(request.GET or None)
        filters = _filters(form, selectors.RecommendationFilters)
        results = paginate(
            request, selectors.recommendation_list(user=request.user, filters=filters)
        )
        return render(
            request,
            "learning/recommendation_list.html",
            {
                "form": form,
                "recommendations": results.items,
                "page": results.page,
                "pagination": results.pagination,
                "query": request.GET.urlencode(),
                "can_manage": request.user.has_perm("learning.manage_recommendations"),
                "can_report": request.user.has_perm("learning.view_report"),
            },
        )


class ActionListView(PolicyView):
    permission = "learning.view_tracker"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ActionFilterForm(request.GET or None)
        filters = _filters(form, selectors.ActionFilters)
        mine = request.GET.get("mine") == "1"
        filters = dataclasses.replace(filters, mine=mine)
        results = paginate(request, selectors.action_list_for(user=request.user, filters=filters))
        return render(
            request,
            "learning/action_list.html",
            {
                "form": form,
                "actions": results.items,
                "page": results.page,
                "pagination": results.pagination,
                "mine": mine,
                "overdue_by_agency": selectors.overdue_by_agency(
                    user=request.user, own_agencies=mine
                ),
                "today": today(),
            },
        )


class ThemeProgressView(PolicyView):
    permission = "learning.view_tracker"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request, "learning/themes.html", {"rows": selectors.theme_progress(user=request.user)}
        )


class LearningExportView(PolicyView):
    permission = "learning.view_report"

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        # Logged once the file is made: an unknown format (404) exports nothing.
        return logged_export(
            request,
            table_download(
                fmt=fmt,
                name="sightline-learning-tracker",
                title="Learning tracker",
                header=list(COLUMNS),
                rows=selectors.tracker_rows(user=request.user),
            ),
            object_type="learning.action",
            object_repr=f"Learning tracker ({fmt.upper()})",
        )


class RecommendationView(PolicyView):
    permission = "learning.view_tracker"

    def get_permission_object(self) -> Any:
        return selectors.recommendation_get(user=self.request.user, pk=self.kwargs["pk"])


class RecommendationDetailView(RecommendationView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        rec = self.object
        return render(
            request,
            "learning/recommendation_detail.html",
            {
                "rec": rec,
                **selectors.recommendation_page(user=request.user, recommendation=rec),
                "can_manage": request.user.has_perm("learning.manage_recommendations"),
            },
        )


class RecommendationFormView(PolicyView):
    permission = "learning.manage_recommendations"

    def get_permission_object(self) -> Any:
        pk = self.kwargs.get("pk")
        return selectors.recommendation_get(user=self.request.user, pk=pk) if pk else None

    def _render(self, form: RecommendationForm, status: int = 200) -> HttpResponse:
        rec = self.object
        return render(
            self.request,
            "core/form_page.html",
            {
                "form": form,
                "heading": f"Change {rec.reference}" if rec else "Add a recommendation",
                "caption": "Learning tracker",
                "cancel_url": reverse("learning:recommendation_detail", args=[rec.pk])
                if rec
                else reverse("learning:recommendation_list"),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        rec = self.object
        initial = None
        if rec:
            initial = {
                "reference": rec.reference,
                "source_type": rec.source_type,
                "source": rec.source,
                "text": rec.text,
                "made_date": rec.made_date,
                "decision": rec.decision,
                "decision_reason": rec.decision_reason,
                "lead": rec.lead,
                "themes": list(rec.themes.all()),
                "agencies": list(rec.agencies.all()),
            }
        return self._render(RecommendationForm(initial=initial))

    @submit_once
    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        form = RecommendationForm(request.POST)
        if form.is_valid():
            try:
                rec = services.recommendation_save(
                    actor=request.user, recommendation=self.object, data=dict(form.cleaned_data)
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"{rec.reference} has been saved.")
                return redirect("learning:recommendation_detail", pk=rec.pk)
        return self._render(form, status=400)


class ActionCreateView(RecommendationView):
    permission = "learning.manage_recommendations"

    def _render(self, form: ActionForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "core/form_page.html",
            {
                "form": form,
                "heading": "Add an action",
                "caption": self.object.reference,
                "cancel_url": reverse("learning:recommendation_detail", args=[self.object.pk]),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(ActionForm())

    @submit_once
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = ActionForm(request.POST)
        if form.is_valid():
            reference = form.cleaned_data["reference"].strip()
            try:
                action = unique_save(
                    form,
                    lambda: services.action_save(
                        actor=request.user,
                        action=None,
                        recommendation=self.object,
                        data=dict(form.cleaned_data),
                    ),
                    f"An action with the reference {reference} already exists",
                    "reference",
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                if action is not None:
                    messages.success(request, f"{action.reference} has been added.")
                    return redirect("learning:recommendation_detail", pk=self.object.pk)
        return self._render(form, status=400)


class ActionView(PolicyView):
    permission = "learning.view_tracker"

    def get_permission_object(self) -> Any:
        return selectors.action_get(user=self.request.user, pk=self.kwargs["pk"])


class ActionDetailView(ActionView):
    permission = "learning.view_action"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = self.object
        return render(
            request,
            "learning/action_detail.html",
            {
                "action": action,
                **selectors.action_page(action=action),
                "can_view_tracker": request.user.has_perm("learning.view_tracker"),
                "can_update": request.user.has_perm("learning.update_action", action),
                "can_edit": request.user.has_perm("learning.manage_recommendations"),
                "can_close": request.user.has_perm("learning.close_action", action),
            },
        )


class ActionEditView(ActionView):
    permission = "learning.manage_recommendations"

    def _render(self, form: ActionForm, status: int = 200, current: Any = None) -> HttpResponse:
        return render(
            self.request,
            "learning/action_edit.html",
            {"form": form, "action": self.object, "current": current},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = self.object
        initial = {
            "agency": action.agency,
            "description": action.description,
            "owner": action.owner,
            "due_date": action.due_date,
            "next_review_date": action.next_review_date,
            "version": action.version,
        }
        return self._render(ActionForm(initial=initial, editing=True))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = ActionForm(request.POST, editing=True)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.action_save(
                    actor=request.user,
                    action=self.object,
                    recommendation=self.object.recommendation,
                    data=data,
                    version=data.pop("version"),
                )
            except services.StaleActionError as error:
                # Sending the form again now means: replace the saved version with mine.
                data = request.POST.copy()
                data["version"] = str(error.current.version)
                form = ActionForm(data, editing=True)
                form.is_valid()
                form.add_error(None, error.messages[0])
                return self._render(form, status=409, current=error.current)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "The action has been saved.")
                return redirect("learning:action_detail", pk=pk)
        return self._render(form, status=400)


class ActionSubformView(ActionView, ObjectFormView):
    """A small form about one action (an update, evidence, the closure)."""

    def caption(self) -> str:
        return str(self.object.shown_reference)

    def object_url(self) -> str:
        return reverse("learning:action_detail", args=[self.object.pk])


class ProgressCreateView(ActionSubformView):
    permission = "learning.update_action"
    heading = "Record progress"
    success = "The update has been recorded."

    def make_form(self, data: Any = None) -> ProgressForm:
        return ProgressForm(data, initial={"status": self.object.status, "on": today()})

    def save(self, form: ProgressForm) -> None:
        services.progress_record(actor=self.request.user, action=self.object, **form.cleaned_data)


class EvidenceCreateView(ActionSubformView):
    permission = "learning.update_action"
    heading = "Record evidence"
    success = "The evidence has been recorded."

    def make_form(self, data: Any = None) -> EvidenceForm:
        return EvidenceForm(data, initial={"dated": today()})

    def save(self, form: EvidenceForm) -> None:
        fields = {
            key: ("" if value is None and key != "staff_reached" else value)
            for key, value in form.cleaned_data.items()
        }
        services.evidence_record(actor=self.request.user, action=self.object, **fields)


class ActionCloseView(ActionSubformView):
    permission = "learning.close_action"
    heading = "Close the action"
    success = "The action has been closed and signed off."

    def make_form(self, data: Any = None) -> CloseForm:
        return CloseForm(data, initial={"on": today()})

    def save(self, form: CloseForm) -> None:
        services.action_close(actor=self.request.user, action=self.object, **form.cleaned_data)


# --- Dissemination returns ---------------------------------------------------------


class ReturnListView(PolicyView):
    permission = "learning.view_tracker"

    def get(self, request: HttpRequest) -> HttpResponse:
        can_request = request.user.has_perm("learning.manage_recommendations")
        form = ReturnFilterForm(request.GET or None)
        wanted = form.cleaned_data if form.is_bound and form.is_valid() else {}
        returns = list(
            selectors.returns_for(
                user=request.user,
                outstanding_only=bool(wanted.get("outstanding")),
                agency=wanted.get("agency"),
            )[:500]
        )
        return render(
            request,
            "learning/returns.html",
            {
                "form": form,
                "filtered": bool(wanted.get("outstanding") or wanted.get("agency")),
                "returns": returns,
                "not_asked": selectors.published_cases_without_returns() if can_request else [],
                "can_request": can_request,
                # The returns this person may make, as the policy decides for each one.
                "may_submit": {
                    item.pk
                    for item in returns
                    if request.user.has_perm("learning.submit_return", item)
                },
            },
        )


class ReturnRequestView(PolicyView):
    permission = "learning.manage_recommendations"
    http_method_names = ["post"]

    @submit_once
    def post(self, request: HttpRequest, case_pk: int) -> HttpResponse:
        case = case_get_for(user=request.user, pk=case_pk)
        try:
            created = services.returns_request(actor=request.user, case=case)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request, f"{len(created)} agencies have been asked for a dissemination return."
            )
        return redirect("learning:returns")


class ReturnSubmitView(ObjectFormView):
    permission = "learning.submit_return"
    button = "Send the return"
    success = "Thank you: the return has been sent."
    template_name = "learning/return_form.html"

    def extra_context(self) -> dict[str, Any]:
        case = self.object.case
        return {"review": case, "recommendations": selectors.review_learning(case=case)}

    def get_permission_object(self) -> Any:
        return selectors.return_get(user=self.request.user, pk=self.kwargs["pk"])

    @property
    def heading(self) -> str:  # type: ignore[override]
        return f"How {self.object.agency.name} spread the learning"

    def caption(self) -> str:
        return f"Dissemination return: {self.object.case.reference}"

    def object_url(self) -> str:
        return reverse("learning:returns")

    def make_form(self, data: Any = None) -> ReturnForm:
        item = self.object
        initial = {
            "returned_on": item.returned_on or today(),
            "methods": item.methods,
            "staff_reached": item.staff_reached,
            "summary": item.summary,
        }
        return ReturnForm(data, initial=initial)

    def save(self, form: ReturnForm) -> None:
        services.return_submit(actor=self.request.user, item=self.object, **form.cleaned_data)
