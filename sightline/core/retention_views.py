"""Settings → Retention: periods, legal holds, the monthly review and subject access requests.
Administrators only (``core.manage_retention``)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from . import retention_services as service
from . import selectors
from .exports import csv_text
from .forms import field_of
from .models import RETENTION_MONTHS_MAX, RETENTION_MONTHS_MIN, LegalHold
from .once import submit_once
from .pagination import paginate
from .retention import Disposal, SubjectQuery, kind_named
from .views import PolicyView, apply_errors

PERMISSION = "core.manage_retention"


# --- forms ---


class RetentionPeriodForm(forms.Form):
    months = forms.IntegerField(
        label="Keep for (months)",
        required=False,
        min_value=RETENTION_MONTHS_MIN,
        max_value=RETENTION_MONTHS_MAX,
        error_messages={
            "invalid": "Enter the period as a whole number of months",
            "min_value": f"Enter a period of at least {RETENTION_MONTHS_MIN} month",
            "max_value": f"Enter a period of at most {RETENTION_MONTHS_MAX} months",
        },
        help_text="A whole number of months, for example 72 for six years. Leave it empty to "
        "use the default.",
    )


class LegalHoldForm(forms.Form):
    covers = forms.ChoiceField(
        label="What the hold covers",
        choices=LegalHold.Covers.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the hold covers a case or a person"},
    )
    case_reference = forms.CharField(
        label="Case reference",
        required=False,
        max_length=40,
        help_text="For a hold on a case, for example CR-2021-02.",
    )
    person_email = forms.EmailField(
        label="The person's email address",
        required=False,
        max_length=254,
        help_text="For a hold on a person: their Sightline account's address.",
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    reason = forms.CharField(
        label="Why the records must be kept",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: a claim, a complaint, an inquiry or a court order.",
        error_messages={"required": "Enter why the records must be kept"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["person"] = None
        if cleaned.get("covers") == LegalHold.Covers.PERSON:
            email = cleaned.get("person_email")
            if not email:
                self.add_error("person_email", "Enter the person's email address")
            else:
                person = selectors.user_with_email(email)
                if person is None:
                    self.add_error("person_email", "No one in Sightline has that email address")
                cleaned["person"] = person
        elif cleaned.get("covers") == LegalHold.Covers.CASE and not cleaned.get("case_reference"):
            self.add_error("case_reference", "Enter the case's reference")
        return cleaned


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label="Why the hold can be released",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the hold can be released"},
    )


class SubjectAccessForm(forms.Form):
    name = forms.CharField(label="Name", required=False, max_length=150)
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    case_reference = forms.CharField(label="Case reference", required=False, max_length=40)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(
            (cleaned.get(name) or "").strip() for name in ("name", "email", "case_reference")
        ):
            raise ValidationError("Enter a name, an email address or a case reference")
        return cleaned

    def query(self) -> SubjectQuery:
        data = self.cleaned_data
        return SubjectQuery(
            name=(data.get("name") or "").strip(),
            email=(data.get("email") or "").strip(),
            case_reference=(data.get("case_reference") or "").strip(),
        )


# --- views ---


class RetentionView(PolicyView):
    """How long each kind of record is kept, its default and where that comes from."""

    permission = PERMISSION

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "core/retention/periods.html",
            {"periods": service.retention_periods(), "disposals": Disposal.LABELS},
        )


class RetentionPeriodView(PolicyView):
    permission = PERMISSION

    def get_permission_object(self) -> Any:
        kind = kind_named(self.kwargs["kind"])
        if kind is None:
            raise Http404("No such kind of record")
        return kind

    def _render(self, form: RetentionPeriodForm, status: int = 200) -> HttpResponse:
        kind = self.object
        field = field_of(form, "months")
        field.min_value, field.max_value = kind.min_months, kind.max_months
        return render(
            self.request,
            "core/retention/period_form.html",
            {"form": form, "kind": kind, "disposals": Disposal.LABELS},
            status=status,
        )

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        months = service.retention_period(kind)
        is_default = months == self.object.default_months
        return self._render(RetentionPeriodForm(initial={"months": None if is_default else months}))

    def post(self, request: HttpRequest, kind: str) -> HttpResponse:
        form = RetentionPeriodForm(request.POST)
        if form.is_valid():
            try:
                service.retention_setting_save(
                    actor=request.user, key=kind, months=form.cleaned_data["months"]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"The retention period of {self.object.label} is saved.")
                return redirect("core:retention")
        return self._render(form, status=400)


class LegalHoldListView(PolicyView):
    permission = PERMISSION

    def _render(self, form: LegalHoldForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "core/retention/holds.html",
            {"form": form, "holds": service.legal_hold_list()},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(LegalHoldForm())

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        form = LegalHoldForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                service.legal_hold_add(
                    actor=request.user,
                    covers=data["covers"],
                    case_reference=data.get("case_reference") or "",
                    person=data.get("person"),
                    reason=data["reason"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    "The legal hold is in place: nothing it covers will be "
                    "disposed of until it is released.",
                )
                return redirect("core:legal_holds")
        return self._render(form, status=400)


class LegalHoldReleaseView(PolicyView):
    permission = PERMISSION

    def get_permission_object(self) -> Any:
        return service.legal_hold_get(pk=self.kwargs["pk"])

    def _render(self, form: ReleaseForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "core/retention/release.html",
            {"form": form, "hold": self.object},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(ReleaseForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = ReleaseForm(request.POST)
        if form.is_valid():
            try:
                service.legal_hold_release(
                    actor=request.user, hold=self.object, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "The legal hold is released.")
                return redirect("core:legal_holds")
        return self._render(form, status=400)


class RetentionReviewListView(PolicyView):
    permission = PERMISSION

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request, "core/retention/reviews.html", {"reviews": service.retention_review_list()}
        )


class RetentionReviewView(PolicyView):
    """One month's list: approve disposal of chosen items, or of all those waiting."""

    permission = PERMISSION

    def get_permission_object(self) -> Any:
        return service.retention_review_get(pk=self.kwargs["pk"])

    def _render(self, error: str = "", status: int = 200) -> HttpResponse:
        results = paginate(self.request, service.retention_review_items(self.object))
        labels = {}
        for item in results.items:
            kind = kind_named(item.kind)
            labels[item.kind] = kind.label if kind else item.kind
        return render(
            self.request,
            "core/retention/review.html",
            {
                "review": self.object,
                "items": results.items,
                "pagination": results.pagination,
                "kind_labels": labels,
                "pending": service.retention_review_pending(self.object),
                "error": error,
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ids: list[int] | None = None
        if request.POST.get("all") != "1":
            try:
                ids = [int(value) for value in request.POST.getlist("items")]
            except ValueError:
                return self._render("Choose records from the list", status=400)
            if not ids:
                return self._render("Choose at least one record to dispose of", status=400)
        try:
            done = service.retention_dispose(actor=request.user, review=self.object, item_ids=ids)
        except ValidationError as error:
            return self._render(error.messages[0], status=400)
        count = sum(done.values())
        messages.success(
            request,
            f"{count} record{'s' if count != 1 else ''} disposed of."
            if count
            else "Nothing was disposed of: the records chosen are kept by a legal hold or no "
            "longer past their period.",
        )
        return redirect("core:retention_review", pk=self.object.pk)


class SubjectAccessView(PolicyView):
    """Find everything held about a person, then download it as a spreadsheet. Posted, so
    that the person's name and address never appear in an address or a server's log."""

    permission = PERMISSION

    def _render(self, form: SubjectAccessForm, status: int = 200) -> HttpResponse:
        summary: list[tuple[str, int]] = []
        searched = form.is_bound and form.is_valid()
        if searched:
            counts: dict[str, int] = {}
            for label, _ in service.subject_access_rows(form.query()):
                counts[label] = counts.get(label, 0) + 1
            summary = sorted(counts.items())
        return render(
            self.request,
            "core/retention/subject_access.html",
            {"form": form, "summary": summary, "searched": searched},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(SubjectAccessForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SubjectAccessForm(request.POST)
        return self._render(form, status=200 if form.is_valid() else 400)


class SubjectAccessExportView(PolicyView):
    """The download (posted from the search's results). A visit by address goes to the
    search page."""

    permission = PERMISSION

    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect("core:subject_access")

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SubjectAccessForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Enter a name, an email address or a case reference")
            return redirect(reverse("core:subject_access"))
        query = form.query()
        rows = service.subject_access_rows(query)
        body = csv_text(
            ["kind of record", "record", "record id", "field", "value"],
            ([kind, row.record, row.object_id, row.field, row.value] for kind, row in rows),
            bom=True,
        )
        service.subject_access_exported(actor=request.user, query=query, rows=len(rows))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="sightline-subject-access-{stamp}.csv"'
        )
        return response
