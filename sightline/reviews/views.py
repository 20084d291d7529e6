"""Case review pages: the tracker, case pages and their forms, deadlines, import, the
timeliness report, and referrals for review. Thin: forms in, services and selectors called,
templates out."""

import datetime
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sightline.core.downloads import logged_export, table_download
from sightline.core.govuk import error_summary
from sightline.core.models import AccessLogEntry
from sightline.core.once import submit_once
from sightline.core.pagination import paginate
from sightline.core.progress import NO_PROGRESS, Progress
from sightline.core.services import access_log_record
from sightline.core.views import (
    ConfirmActionView,
    Confirmation,
    ObjectFormView,
    PolicyView,
    PreviewedImportView,
    apply_errors,
)

from . import calendar_feed, selectors, services
from .forms import (
    AssignmentForm,
    CaseFilterForm,
    CaseForm,
    DecisionForm,
    ImportForm,
    PauseForm,
    ReferralCloseForm,
    ReferralConvertForm,
    ReferralFilterForm,
    ReferralForm,
    RelatedCaseForm,
    RestrictedDetailsForm,
    RouteDetailsForm,
    StandardForm,
    ThemeForm,
    TimelinessFilterForm,
)
from .models import Case, PracticeTheme, Referral
from .timeliness import STATUS_ORDER
from .vocabulary import MILESTONES, HarmType, Route

# --- The tracker -------------------------------------------------------------


def _case_filters(request: HttpRequest) -> tuple[CaseFilterForm, selectors.CaseFilters]:
    form = CaseFilterForm(request.GET or None, years=selectors.case_years())
    if form.is_bound and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
        return form, selectors.CaseFilters(**data)
    return form, selectors.CaseFilters()


class CaseListView(PolicyView):
    permission = "reviews.view_case_list"

    def get(self, request: HttpRequest) -> HttpResponse:
        form, filters = _case_filters(request)
        cases = selectors.case_list_for(user=request.user, filters=filters)
        results = paginate(request, selectors.CaseRows(cases))
        return render(
            request,
            "reviews/case_list.html",
            {
                "form": form,
                "cases": results.items,
                "page": results.page,
                "pagination": results.pagination,
                "today": selectors.today(),
                "query": request.GET.urlencode(),
                "can_manage": request.user.has_perm("reviews.manage_case"),
                "can_import": request.user.has_perm("reviews.import_cases"),
                "can_triage": request.user.has_perm("reviews.triage_referrals"),
                "can_export": request.user.has_perm("reviews.export_cases"),
            },
        )


TRACKER_HEADER = [
    "reference",
    "route",
    "pseudonym",
    "outcome",
    "stage",
    *MILESTONES,
    "next_due",
    "officer",
    "lead_reviewer",
    "themes",
    "agencies",
]


class CaseExportView(PolicyView):
    permission = "reviews.export_cases"

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in {"csv", "xlsx"}:
            raise Http404
        _, filters = _case_filters(request)
        cases = selectors.case_list_for(user=request.user, filters=filters).prefetch_related(
            "themes", "agencies"
        )
        rows = (
            [
                case.reference,
                case.route,
                case.pseudonym,
                case.outcome,
                case.get_stage_display(),
                *(getattr(case, field) for field in MILESTONES),
                case.next_due_on,
                case.officer.email if case.officer else "",
                case.lead_reviewer,
                "; ".join(theme.name for theme in case.themes.all()),
                "; ".join(agency.name for agency in case.agencies.all()),
            ]
            for case in cases.iterator(chunk_size=2000)
        )
        return logged_export(
            request,
            table_download(
                fmt=fmt,
                name="sightline-case-tracker",
                title="Cases",
                header=TRACKER_HEADER,
                rows=rows,
            ),
            object_type="reviews.case",
            object_repr=f"Case data tracker ({fmt.upper()})",
            detail=request.GET.urlencode(),
        )


# --- One case ----------------------------------------------------------------


class CaseView(PolicyView):
    """A view of one case: fetched through the selector (not found outside the user's scope)."""

    permission = "reviews.view_case"

    def get_permission_object(self) -> Case:
        return selectors.case_get_for(user=self.request.user, pk=self.kwargs["pk"])


class CaseDetailView(CaseView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case: Case = self.object
        restricted = request.user.has_perm("reviews.view_restricted", case)
        access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.VIEW,
            obj=case,
            restricted_shown=restricted,
        )
        page = selectors.case_page(case=case)
        return render(
            request,
            "reviews/case_detail.html",
            {
                "page": page,
                "case": case,
                "restricted": restricted,
                "can_manage": request.user.has_perm("reviews.manage_case", case),
                "harm_labels": [
                    HarmType(value).label for value in case.harm_types if value in HarmType.values
                ],
                "today": selectors.today(),
            },
        )


def _as_initial(form: Any) -> dict[str, Any]:
    """A bound form's submitted values as another form's initial values: the page is shown
    again with what was typed, but without error messages (nothing was saved or checked)."""
    return {name: form[name].data for name in form.fields}


class CaseFormView(PolicyView):
    """The case form asks the route first, then that route's outcome and milestones.

    Every route's questions are on the page, those of the routes not chosen hidden: a script
    shows the chosen route's as the route changes. Without the script the form works in two
    steps: choose the route and continue (or, when changing the route, save), and the page
    comes back with that route's questions, keeping what was typed."""

    permission = "reviews.manage_case"
    template_name = "reviews/case_form.html"

    def _details(self, case: Case | None, data: Any = None) -> dict[str, RouteDetailsForm]:
        return {
            route: RouteDetailsForm(
                data,
                route=route,
                initial=RouteDetailsForm.initial_for(case, route) if case else None,
            )
            for route in Route.values
        }

    def _render(
        self,
        form: CaseForm,
        details: dict[str, RouteDetailsForm],
        case: Case | None,
        *,
        route: str,
        status: int = 200,
    ) -> HttpResponse:
        shown = details.get(route)
        summary = error_summary(form) + (error_summary(shown) if shown and shown.is_bound else [])
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "case": case,
                "route": route,
                "details": list(details.values()),
                "error_list": summary,
                "route_changed": case is not None and bool(route) and route != case.route,
            },
            status=status,
        )

    def _show_route(
        self, form: CaseForm, details: dict[str, RouteDetailsForm], case: Case | None, route: str
    ) -> HttpResponse:
        """The page again, with ``route``'s questions and what was typed, unchecked."""
        initial = _as_initial(form) | {"shown_route": route}
        unbound = CaseForm(initial=initial, case=case)
        return self._render(
            unbound,
            {
                name: RouteDetailsForm(route=name, initial=_as_initial(each))
                for name, each in details.items()
            },
            case,
            route=route,
        )

    def _post(self, case: Case | None) -> HttpResponse:
        form = CaseForm(self.request.POST, case=case)
        details = self._details(case, self.request.POST)
        route = self.request.POST.get("route", "")
        shown = self.request.POST.get("shown_route", "")
        if route in Route.values and ("choose_route" in self.request.POST or route != shown):
            return self._show_route(form, details, case, route)
        if route not in Route.values and not shown:
            # The first step: only the route was asked, so only its answer is checked.
            form.is_valid()
            for name in [name for name in form.errors if name != "route"]:
                del form.errors[name]
            return self._render(form, self._details(case), case, route="", status=400)
        chosen = details.get(route)
        form_valid = form.is_valid()
        if chosen is None or not chosen.is_valid() or not form_valid:
            return self._render(form, details, case, route=shown, status=400)
        data = {key: value for key, value in form.cleaned_data.items() if key != "shown_route"} | {
            "outcome": chosen.cleaned_data["outcome"]
        }
        # Milestones the route does not use are cleared: the case history keeps their dates.
        data |= {field: chosen.cleaned_data.get(field) for field in MILESTONES}
        try:
            case = services.case_save(actor=self.request.user, case=case, data=data)
        except ValidationError as error:
            route_fields = {"outcome", *MILESTONES}
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    target: Any = chosen if field in route_fields else form
                    for item in errors:
                        target.add_error(
                            field if field in target.fields else None, item.messages[0]
                        )
            else:
                apply_errors(form, error)
            return self._render(form, details, case, route=route, status=400)
        messages.success(self.request, f"{case.reference} has been saved.")
        return redirect(case)


class CaseCreateView(CaseFormView):
    def get(self, request: HttpRequest) -> HttpResponse:
        route = request.GET.get("route", "")
        route = route if route in Route.values else ""
        form = CaseForm(initial={"route": route or None, "shown_route": route})
        return self._render(form, self._details(None), None, route=route)

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        return self._post(None)


class CaseEditView(CaseView, CaseFormView):
    permission = "reviews.manage_case"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.object
        form = CaseForm(initial=CaseForm.initial_for(case), case=case)
        return self._render(form, self._details(case), case, route=case.route)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._post(self.object)


class CaseSubformView(CaseView, ObjectFormView):
    """A small form about one case (a decision, a pause...), saved through one service."""

    permission = "reviews.manage_case"

    def caption(self) -> str:
        case = self.object
        return f"{case.reference}: {case.pseudonym}" if case.pseudonym else case.reference


class RestrictedEditView(CaseSubformView):
    heading = "Restricted details"
    success = "The restricted details have been saved."

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        # The form shows every restricted value as it stands: a read, logged as one.
        access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.VIEW,
            obj=self.object,
            detail="Restricted details form",
            restricted_shown=True,
        )
        return super().get(request, **kwargs)

    def make_form(self, data: Any = None) -> RestrictedDetailsForm:
        fields = RestrictedDetailsForm.base_fields
        return RestrictedDetailsForm(
            data, initial={name: getattr(self.object, name) for name in fields}
        )

    def save(self, form: RestrictedDetailsForm) -> None:
        services.case_save(actor=self.request.user, case=self.object, data=dict(form.cleaned_data))


class RestrictedHistoryView(CaseView):
    """Every saved version of the case's restricted details, for those who need to know
    them; each read is written to the access log."""

    permission = "reviews.view_restricted_history"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case: Case = self.object
        revisions = selectors.restricted_history(case=case)
        access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.VIEW,
            obj=case,
            detail="Restricted details history",
            restricted_shown=True,
        )
        return render(
            request,
            "reviews/restricted_history.html",
            {
                "case": case,
                "revisions": [(revision, _restricted_rows(revision)) for revision in revisions],
                "can_manage": request.user.has_perm("reviews.manage_case", case),
            },
        )


def _restricted_rows(revision: Any) -> list[tuple[str, str, bool]]:
    """Each restricted detail of ``revision``: its label, its value in words, and whether
    this save changed it."""
    rows = []
    for name, label in RESTRICTED_LABELS:
        value = getattr(revision, name)
        shown = (
            getattr(revision, f"get_{name}_display")() if name != "restricted_summary" else value
        )
        rows.append((label, shown or "Not recorded", name in revision.changed_fields))
    return rows


# The restricted details' names on the history page, in the order the case page lists them.
RESTRICTED_LABELS = (
    ("restricted_summary", "Summary"),
    ("age_band", "Age band"),
    ("sex", "Sex"),
    ("ethnicity", "Ethnicity"),
    ("disability", "Disability or learning disability"),
    ("legal_status", "Legal status"),
)


class DecisionCreateView(CaseSubformView):
    heading = "Record a decision"
    success = "The decision has been recorded."

    def make_form(self, data: Any = None) -> DecisionForm:
        return DecisionForm(data)

    def save(self, form: DecisionForm) -> None:
        services.decision_record(actor=self.request.user, case=self.object, **form.cleaned_data)


class PauseCreateView(CaseSubformView):
    heading = "Record a reason for delay"
    success = "The reason for delay has been recorded."

    def make_form(self, data: Any = None) -> PauseForm:
        codes = [spec.code for spec in selectors.standard_specs(route=self.object.route)]
        return PauseForm(data, codes=codes)

    def save(self, form: PauseForm) -> None:
        services.pause_record(actor=self.request.user, case=self.object, **form.cleaned_data)


class PauseEndView(CaseView):
    permission = "reviews.manage_case"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, pause_pk: int) -> HttpResponse:
        pause = selectors.pause_get(case=self.object, pk=pause_pk)
        try:
            services.pause_end(actor=request.user, pause=pause, ended_on=selectors.today())
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "The pause has ended today.")
        return redirect(self.object)


class AssignmentAddView(CaseSubformView):
    heading = "Add a person to the case"
    success = "The person has been added to the case."

    def make_form(self, data: Any = None) -> AssignmentForm:
        return AssignmentForm(data)

    def save(self, form: AssignmentForm) -> None:
        services.assignment_add(
            actor=self.request.user, case=self.object, user=form.cleaned_data["user"]
        )


class AssignmentRemoveView(CaseView, ConfirmActionView):
    """Taking someone off a case asks first: they lose sight of its restricted details."""

    permission = "reviews.manage_case"

    @property
    def assignment(self) -> Any:
        return selectors.assignment_get(case=self.object, pk=self.kwargs["assignment_pk"])

    def confirmation(self) -> Confirmation:
        assignment, case = self.assignment, self.object
        name = assignment.user.full_name or assignment.user.email
        return Confirmation(
            caption=case.reference,
            heading=f"Are you sure you want to take {name} off {case.reference}?",
            facts=[("Person", name), ("Case", case.reference)],
            happens=[
                f"{name} will no longer be one of the people on the case, so will no longer see "
                "its restricted details (unless their role lets them see every case's).",
                "The change is recorded in the case's history. You can add them again later.",
            ],
            button="Take them off the case",
            keep="Keep them on the case",
        )

    def act(self) -> str:
        assignment = self.assignment
        services.assignment_remove(actor=self.request.user, assignment=assignment)
        return f"{assignment.user.full_name} is no longer on the case."

    def done_url(self) -> str:
        return str(self.object.get_absolute_url())


class RelatedCaseAddView(CaseSubformView):
    heading = "Add a related case"
    success = "The related case has been added."

    def make_form(self, data: Any = None) -> RelatedCaseForm:
        return RelatedCaseForm(data)

    def save(self, form: RelatedCaseForm) -> None:
        services.related_case_add(actor=self.request.user, case=self.object, **form.cleaned_data)


# --- Deadlines and calendar feeds ------------------------------------------------


class DeadlinesView(PolicyView):
    permission = "reviews.view_deadlines"

    def get(self, request: HttpRequest) -> HttpResponse:
        mine = request.GET.get("mine") == "1"
        # Two weeks when asked (the dashboards' "due soon"), else the month ahead.
        within = 14 if request.GET.get("within") == "14" else 30
        deadlines = list(
            selectors.deadline_list(user=request.user, mine=mine, within_days=within)[:500]
        )
        feed = selectors.calendar_feed_of(user=request.user)
        return render(
            request,
            "reviews/deadlines.html",
            {
                "deadlines": deadlines,
                "mine": mine,
                "within": within,
                "today": selectors.today(),
                "feed_url": request.build_absolute_uri(
                    reverse("reviews:calendar_feed", kwargs={"token": feed.token})
                )
                if feed
                else None,
            },
        )


class CalendarFeedResetView(PolicyView):
    permission = "reviews.use_calendar_feed"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        services.calendar_feed_reset(user=request.user)
        messages.success(
            request, "Your calendar address is ready. Any address you had before no longer works."
        )
        return redirect(f"{reverse('reviews:deadlines')}?mine=1")


@login_not_required
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The private iCalendar feed: the unguessable token in the address is the credential."""
    feed = selectors.calendar_feed_by_token(token=token)
    if feed is None or not secrets.compare_digest(feed.token, token) or not feed.user.is_active:
        raise Http404
    if not feed.user.has_perm("reviews.use_calendar_feed"):
        raise Http404
    deadlines = list(selectors.calendar_deadlines(user=feed.user))
    body = calendar_feed.ics(deadlines, base_url=request.build_absolute_uri("/")[:-1])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sightline-deadlines.ics"'
    # Each fetch is a read of case data by the feed's owner: logged, never with the token
    # (the address is the credential).
    access_log_record(
        user=feed.user,
        action=AccessLogEntry.Action.VIEW,
        object_type="reviews.casedeadline",
        object_repr=f"Calendar feed ({len(deadlines)} deadlines)",
        detail="Calendar feed fetched",
    )
    return response


# --- Import --------------------------------------------------------------------


class ImportView(PreviewedImportView):
    permission = "reviews.import_cases"
    template_name = "reviews/import.html"
    preview_template = "reviews/import_preview.html"
    form_class = ImportForm
    done_url = "reviews:case_list"
    done_label = "Go to the cases"
    job_kind = "reviews.import"
    what = "case file"

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
        return services.import_cases(
            actor=actor,
            name=name,
            content=content,
            dry_run=dry_run,
            progress=progress,
            on_write=on_write,
        )

    @staticmethod
    def preview_data(result: Any) -> dict[str, Any]:
        """The counts, and the first 300 new and changed cases: what the preview shows."""
        return {
            "file_name": result.file_name,
            "summary": result.summary(),
            "created": result.created[:300],
            "created_count": len(result.created),
            "updated": list(result.updated.items())[:300],
            "updated_count": len(result.updated),
            "unchanged_count": len(result.unchanged),
        }


# --- Timeliness ----------------------------------------------------------------


def _report_dates(
    request: HttpRequest,
) -> tuple[TimelinessFilterForm, datetime.date, datetime.date | None]:
    as_at, since = selectors.today(), None
    form = TimelinessFilterForm(request.GET or None, initial={"as_at": as_at})
    if form.is_bound and form.is_valid():
        as_at = form.cleaned_data["as_at"] or as_at
        since = form.cleaned_data["since"]
    return form, as_at, since


class TimelinessView(PolicyView):
    permission = "reviews.view_timeliness"

    def get(self, request: HttpRequest) -> HttpResponse:
        form, as_at, since = _report_dates(request)
        report = selectors.timeliness_report(as_at=as_at, since=since, with_cases=False)
        query = {"as_at": as_at.isoformat(), **({"since": since.isoformat()} if since else {})}
        return render(
            request,
            "reviews/timeliness.html",
            {
                "form": form,
                "report": report,
                "as_at": as_at,
                "since": since,
                "statuses": [str(status) for status in STATUS_ORDER],
                "query": query,
                "can_export": request.user.has_perm("reviews.export_cases"),
                "can_manage_standards": request.user.has_perm("reviews.manage_standards"),
            },
        )


class TimelinessCasesView(PolicyView):
    permission = "reviews.view_timeliness"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        as_at = _parse_iso(request.GET.get("as_at")) or selectors.today()
        since = _parse_iso(request.GET.get("since"))
        report = selectors.timeliness_report(as_at=as_at, since=since)
        standard = next((s for s in report["standards"] if s["code"] == code), None)
        if standard is None:
            raise Http404
        status = request.GET.get("status", "")
        rows = [row for row in standard["cases"] if not status or row["status"] == status]
        hidden = 0
        if request.user.has_perm("reviews.export_cases"):
            references = [row["reference"] for row in rows[:1000]]
            ids = selectors.case_ids_by_reference(user=request.user, references=references)
        else:
            # Partnership-wide figures, but only the cases this person may know are listed.
            ids = selectors.visible_case_ids(user=request.user)
            hidden = sum(1 for row in rows if row["reference"] not in ids)
            rows = [row for row in rows if row["reference"] in ids]
        return render(
            request,
            "reviews/timeliness_cases.html",
            {
                "standard": standard,
                "hidden": hidden,
                "rows": rows,
                "status": status,
                "as_at": as_at,
                "since": since,
                "ids": ids,
            },
        )


def _parse_iso(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError as error:
        raise Http404("Dates in the address must be YYYY-MM-DD.") from error


class TimelinessExportView(PolicyView):
    permission = "reviews.export_cases"

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        _, as_at, since = _report_dates(request)
        if fmt not in {"csv", "xlsx"}:
            raise Http404("Downloads are CSV or XLSX.")
        report = selectors.timeliness_report(as_at=as_at, since=since)
        header = [
            "code",
            "description",
            "applicable",
            "met",
            "missed",
            "pending",
            "overdue",
            "reference",
            "status",
            "start",
            "due",
            "done",
            "working_days",
            "days_late",
        ]
        rows = (
            [
                standard["code"],
                standard["description"],
                standard["applicable"],
                standard["met"],
                standard["missed"],
                standard["pending"],
                standard["overdue"],
                case["reference"],
                case["status"],
                _date(case["start"]),
                _date(case["due"]),
                _date(case["done"]),
                case["working_days"],
                case["days_late"],
            ]
            for standard in report["standards"]
            for case in standard["cases"]
        )
        return logged_export(
            request,
            table_download(
                fmt=fmt,
                name=f"sightline-timeliness-{as_at.isoformat()}",
                title="Timeliness",
                header=header,
                rows=rows,
                headings=TIMELINESS_HEADINGS,
            ),
            object_type="reviews.case",
            object_repr=f"Timeliness report ({fmt.upper()}) as at {as_at:%d/%m/%Y}",
        )


# The workbook's headings for the timeliness download's columns (the CSV keeps the names).
TIMELINESS_HEADINGS = {
    "code": "Standard",
    "description": "What the standard asks",
    "applicable": "Cases it applies to",
    "met": "Met",
    "missed": "Missed",
    "pending": "Pending",
    "overdue": "Overdue",
    "reference": "Case reference",
    "status": "Status for this case",
    "start": "Counted from",
    "due": "Due",
    "done": "Done",
    "working_days": "Working days taken",
    "days_late": "Calendar days late",
}


def _date(value: str | None) -> datetime.date | None:
    """A report's ISO date as a date, so a workbook holds a real date."""
    return datetime.date.fromisoformat(value) if value else None


# --- Standards and themes ------------------------------------------------------


class StandardListView(PolicyView):
    permission = "reviews.manage_standards"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request, "reviews/standard_list.html", {"standards": selectors.standard_list()}
        )


class StandardFormView(PolicyView):
    permission = "reviews.manage_standards"

    def get_permission_object(self) -> Any:
        pk = self.kwargs.get("pk")
        return selectors.standard_get(pk=pk) if pk else None

    def _render(self, form: StandardForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "reviews/standard_form.html",
            {"form": form, "standard": self.object},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        initial = StandardForm.initial_for(self.object) if self.object else None
        return self._render(StandardForm(initial=initial))

    @submit_once
    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        form = StandardForm(request.POST)
        if form.is_valid():
            try:
                standard = services.standard_save(
                    actor=request.user, standard=self.object, data=dict(form.cleaned_data)
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, f"{standard.code} has been saved and every case's deadlines recounted."
                )
                return redirect("reviews:standard_list")
        return self._render(form, status=400)


class ThemeListView(PolicyView):
    permission = "reviews.manage_themes"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "reviews/theme_list.html",
            {"themes": selectors.theme_list(), "form": ThemeForm()},
        )

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        form = ThemeForm(request.POST)
        if form.is_valid():
            try:
                services.theme_save(actor=request.user, theme=None, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"{form.cleaned_data['name']} has been added.")
                return redirect("reviews:theme_list")
        return render(
            request,
            "reviews/theme_list.html",
            {"themes": selectors.theme_list(), "form": form},
            status=400,
        )


class ThemeEditView(PolicyView):
    permission = "reviews.manage_themes"

    def get_permission_object(self) -> PracticeTheme:
        return selectors.theme_get(pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = ThemeForm(initial={"name": self.object.name, "is_active": self.object.is_active})
        return render(request, "reviews/theme_form.html", {"form": form, "theme": self.object})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = ThemeForm(request.POST)
        if form.is_valid():
            try:
                services.theme_save(actor=request.user, theme=self.object, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "The theme has been saved.")
                return redirect("reviews:theme_list")
        return render(
            request, "reviews/theme_form.html", {"form": form, "theme": self.object}, status=400
        )


# --- Referrals -------------------------------------------------------------------


class ReferralCreateView(PolicyView):
    """ "Refer a case for review", for anyone in a partner agency."""

    permission = "reviews.refer_case"

    def _form(self, data: Any = None) -> ReferralForm:
        user = self.request.user
        return ReferralForm(
            data,
            agencies=selectors.referral_agencies_for(user=user),
            initial={
                "submission_key": secrets.token_urlsafe(32),
                "contact_email": getattr(user, "email", ""),
            },
        )

    def _render(self, form: ReferralForm, status: int = 200) -> HttpResponse:
        return render(self.request, "reviews/referral_form.html", {"form": form}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(self._form())

    @submit_once
    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            key, agency = data.pop("submission_key"), data.pop("referring_agency")
            try:
                referral, _ = services.referral_make(
                    actor=request.user, agency=agency, submission_key=key, data=data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return redirect("reviews:referral_done", pk=referral.pk)
        return self._render(form, status=400)


class ReferralView(PolicyView):
    """A view of one referral: fetched through the selector (not found outside its readers)."""

    permission = "reviews.view_referral"

    def get_permission_object(self) -> Referral:
        return selectors.referral_get_for(user=self.request.user, pk=self.kwargs["pk"])


class ReferralDoneView(ReferralView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "reviews/referral_done.html", {"referral": self.object})


class ReferralOwnListView(PolicyView):
    """The referrals a person made (and, for an agency lead, their agencies'), with status."""

    permission = "reviews.view_own_referrals"

    def get(self, request: HttpRequest) -> HttpResponse:
        results = paginate(request, selectors.referral_list_own(user=request.user))
        return render(
            request,
            "reviews/referral_mine.html",
            {"referrals": results.items, "page": results.page, "pagination": results.pagination},
        )


class ReferralTriageView(PolicyView):
    permission = "reviews.triage_referrals"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ReferralFilterForm(request.GET or None)
        filters = selectors.ReferralFilters()
        if form.is_bound and form.is_valid():
            filters = selectors.ReferralFilters(
                status=form.cleaned_data["status"], agency=form.cleaned_data["agency"]
            )
        results = paginate(request, selectors.referral_triage_list(filters=filters))
        return render(
            request,
            "reviews/referral_list.html",
            {
                "form": form,
                "referrals": results.items,
                "page": results.page,
                "pagination": results.pagination,
            },
            status=400 if form.is_bound and form.errors else 200,
        )


class ReferralDetailView(ReferralView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        referral: Referral = self.object
        narrative = request.user.has_perm("reviews.view_referral_narrative", referral)
        if narrative:
            # Every read of what the referral says is logged, the referrer's own included.
            access_log_record(
                user=request.user,
                action=AccessLogEntry.Action.VIEW,
                obj=referral,
                restricted_shown=True,
            )
        return render(
            request,
            "reviews/referral_detail.html",
            {
                "referral": referral,
                "narrative": narrative,
                "agencies": list(referral.agencies.all()),
                "triage": request.user.has_perm("reviews.triage_referrals"),
                "can_decide": request.user.has_perm("reviews.decide_referral", referral)
                and not referral.is_decided,
            },
        )


class ReferralConsiderView(ReferralView):
    permission = "reviews.decide_referral"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            services.referral_consider(actor=request.user, referral=self.object)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"{self.object.reference} is under consideration.")
        return redirect(self.object)


class ReferralDecisionView(ReferralView, ObjectFormView):
    """A decision on a referral: refused, with the reason, once it has been decided."""

    permission = "reviews.decide_referral"
    template_name = "reviews/referral_decision.html"

    def caption(self) -> str:
        return f"Referral {self.object.reference}: {self.object.pseudonym}"

    def extra_context(self) -> dict[str, Any]:
        return {"referral": self.object}


class ReferralConvertView(ReferralDecisionView):
    heading = "Make it a case"
    button = "Make it a case"

    def make_form(self, data: Any = None) -> ReferralConvertForm:
        return ReferralConvertForm(data, initial={"route": self.object.route or None})

    def save(self, form: ReferralConvertForm) -> None:
        self.case = services.referral_convert(
            actor=self.request.user, referral=self.object, **form.cleaned_data
        )
        self.success = f"{self.case.reference} has been made from referral {self.object.reference}."

    def object_url(self) -> str:
        case = getattr(self, "case", None)
        return str(case.get_absolute_url() if case else self.object.get_absolute_url())


class ReferralCloseView(ReferralDecisionView):
    heading = "Close with a reason"
    button = "Close the referral"

    def make_form(self, data: Any = None) -> ReferralCloseForm:
        return ReferralCloseForm(data)

    def save(self, form: ReferralCloseForm) -> None:
        services.referral_close(
            actor=self.request.user, referral=self.object, reason=form.cleaned_data["reason"]
        )
        self.success = f"{self.object.reference} is closed. The referrer has been sent the reason."
