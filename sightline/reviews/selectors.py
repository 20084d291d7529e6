"""Reads of case reviews. Visibility by role and agency is applied here, once."""

import datetime
import functools
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth, Upper
from django.http import Http404
from django.utils import timezone

from sightline.accounts.models import Agency, User
from sightline.core.exceptions import NotVisibleError
from sightline.core.history import HistoryEntry
from sightline.core.roles import Role
from sightline.core.selectors import (
    ViewingDay,
    cached_figures,
    history_for_object,
    viewing_days_for_object,
    working_calendar,
)

from . import timeliness
from .models import (
    CalendarFeed,
    Case,
    CaseAssignment,
    CaseDeadline,
    Pause,
    PracticeTheme,
    Referral,
    ReferralStatus,
    RestrictedDetailsRevision,
    TimelinessStandard,
)
from .policies import sees_agency_cases, sees_every_case
from .vocabulary import MILESTONES, Outcome, Route

SORTS: dict[str, tuple[str, ...]] = {
    "opened": ("-opened_on", "reference"),
    "oldest": ("opened_on", "reference"),
    "reference": ("reference",),
    "next_due": ("next_due_on", "reference"),
    "stage": ("stage", "-opened_on", "reference"),
}


def today() -> datetime.date:
    return timezone.localdate()


def visible_case_filter(*, user: Any, field: str = "pk") -> Q:
    """The condition on ``field`` (a case's key, or a foreign key to a case) that keeps the
    cases the user may know exists; empty for those who see every case.

    Each part is ``IN`` a subquery that does not refer to the outer row, so PostgreSQL reads
    the person's assignments and their agencies' cases once and probes them by hash (or
    starts from them), rather than running two correlated ``EXISTS`` for every case: with
    53,000 cases the correlated form took 390 ms for one agency lead's deadline count."""
    if sees_every_case(user):
        return Q()
    condition = Q(
        **{f"{field}__in": CaseAssignment.objects.filter(user_id=user.pk).values("case_id")}
    )
    if sees_agency_cases(user):
        involved = Case.agencies.through.objects.filter(agency_id__in=user.agency_ids)
        condition |= Q(**{f"{field}__in": involved.values("case_id")})
    return condition


def _case_links(*, user: Any, case: Any) -> list[QuerySet[Any]]:
    """The rows that let ``user`` know of ``case`` (an ``OuterRef`` to a case's key): their
    assignment to it and, for those who see their agencies' cases, its involvement of one
    of their agencies. Each gives the case's key; ``visible_case_filter`` says the same of
    every case at once."""
    links: list[QuerySet[Any]] = [
        CaseAssignment.objects.filter(case_id=case, user_id=user.pk).values("case_id")
    ]
    if sees_agency_cases(user):
        involved = Case.agencies.through.objects.filter(case_id=case, agency_id__in=user.agency_ids)
        links.append(involved.values("case_id"))
    return links


def visible_case_exists(*, user: Any, case: Any) -> Q:
    """The same condition as ``visible_case_filter`` for one case at a time: ``case`` (an
    ``OuterRef`` to a case's key) is one the user may know exists. Correlated ``EXISTS``,
    each an index probe, for the few rows of a page (the filter's hashed form reads every
    assignment and involvement of the user's agencies first); empty for those who see
    every case."""
    if sees_every_case(user):
        return Q()
    return functools.reduce(
        operator.or_, (Q(Exists(link)) for link in _case_links(user=user, case=case))
    )


def visible_case_probe(*, user: Any, case: Any) -> Q:
    """``visible_case_exists`` as one correlated ``EXISTS`` over its parts (``UNION ALL``),
    for a query that walks an index under a ``LIMIT`` and stops after a few rows.
    PostgreSQL turns two ``EXISTS`` joined by ``OR`` into hashed subplans when it expects
    many rows, reading every case of the person's agencies before the first row (10,888
    cases, 3 ms, for one agency of the benchmark's); a union it cannot hash, so each row
    walked is an index probe for each part and the walk ends at the ``LIMIT``. Empty for
    those who see every case."""
    if sees_every_case(user):
        return Q()
    first, *others = _case_links(user=user, case=case)
    return Q(Exists(first.union(*others, all=True) if others else first))


def case_agency_pairs(*, case_ids: Iterable[int]) -> set[tuple[int, int]]:
    """Which of these cases each agency was involved in, as (case, agency) keys."""
    return set(
        Case.agencies.through.objects.filter(case_id__in=list(case_ids)).values_list(
            "case_id", "agency_id"
        )
    )


def visible_cases(*, user: Any) -> QuerySet[Case]:
    """Every case the user may know exists."""
    return Case.objects.filter(visible_case_filter(user=user))


@dataclass(frozen=True)
class CaseFilters:
    search: str = ""
    route: str = ""
    stage: str = ""
    year: int | None = None
    theme: PracticeTheme | None = None
    agency: Any = None
    overdue: bool = False
    sort: str = "opened"


def next_due() -> Subquery:
    """The case's earliest deadline (a correlated subquery): what ``Case.next_due_on`` holds,
    for the services that write it. Lists read the stored field instead."""
    return Subquery(
        CaseDeadline.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(first=Min("due"))
        .values("first")
    )


def case_list_for(*, user: Any, filters: CaseFilters) -> QuerySet[Case]:
    cases = visible_cases(user=user)
    if filters.search:
        term = filters.search.strip()
        cases = cases.filter(Q(reference__icontains=term) | Q(pseudonym__icontains=term))
    if filters.route:
        cases = cases.filter(route=filters.route)
    if filters.stage:
        cases = cases.filter(stage=filters.stage)
    if filters.year:
        cases = cases.filter(opened_on__year=filters.year)
    if filters.theme:
        cases = cases.filter(
            Exists(
                Case.themes.through.objects.filter(case=OuterRef("pk"), practicetheme=filters.theme)
            )
        )
    if filters.agency:
        cases = cases.filter(
            Exists(Case.agencies.through.objects.filter(case=OuterRef("pk"), agency=filters.agency))
        )
    if filters.overdue:
        # A deadline before today is there exactly when the earliest one is before today.
        cases = cases.filter(next_due_on__lt=today())
    return cases.select_related("officer").order_by(*SORTS.get(filters.sort, SORTS["opened"]))


class CaseRows:
    """The tracker's cases for a paginator, one query a page. One of the first pages, which
    are most of what people open, reads its rows directly (skipping a few hundred rows costs
    little). A deep page reads them by key: the page's ids are chosen in a subquery that
    walks the sort's index alone, however deep the page, and only those cases' rows are
    read, rather than reading and skipping every earlier case's row."""

    # Pages starting before this row read their rows directly; later ones by key.
    DIRECT_ROWS = 1000
    # What the tracker shows of each case and its officer (reviews/case_list.html).
    SHOWN = (
        "reference",
        "pseudonym",
        "route",
        "opened_on",
        "stage",
        "next_due_on",
        "officer__full_name",
    )

    def __init__(self, cases: QuerySet[Case]) -> None:
        self.cases = cases

    def count(self) -> int:
        return self.cases.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Case]:
        shown = self.cases.only(*self.SHOWN)
        if (index.start or 0) < self.DIRECT_ROWS:
            return list(shown[index])
        keys = self.cases.select_related(None).values("pk")[index]
        by_key = Case.objects.filter(pk__in=keys).select_related("officer").only(*self.SHOWN)
        return list(by_key.order_by(*self.cases.query.order_by))


def case_years() -> list[int]:
    """Every year from the newest case back to the oldest (two index lookups, not a scan)."""
    span = Case.objects.aggregate(first=Min("opened_on"), last=Max("opened_on"))
    if span["first"] is None:
        return []
    return list(range(span["last"].year, span["first"].year - 1, -1))


def cases_by_reference_key(keys: list[str]) -> QuerySet[Case]:
    """Cases whose upper-cased reference is among ``keys`` (uses the case-insensitive index)."""
    return Case.objects.annotate(reference_key=Upper("reference")).filter(reference_key__in=keys)


def case_get_for(*, user: Any, pk: int) -> Case:
    """The case, or not found when it does not exist or the user may not know of it."""
    case = visible_cases(user=user).select_related("officer").filter(pk=pk).first()
    if case is None:
        raise NotVisibleError("No such case.")
    case.assigned_user_ids = set(  # type: ignore[attr-defined]
        case.assignments.values_list("user_id", flat=True)
    )
    return case


def standard_specs(*, route: str | None = None) -> list[timeliness.StandardSpec]:
    standards = TimelinessStandard.objects.filter(is_active=True)
    if route:
        standards = standards.filter(route=route)
    return [standard.spec() for standard in standards.order_by("position", "code")]


@dataclass(frozen=True)
class CasePage:
    case: Case
    timeline: list[timeliness.TimelineEntry]
    milestones: list[tuple[str, str, datetime.date | None]]
    pauses: list[Any]
    decisions: list[Any]
    relations: list[Any]
    assignments: list[Any]
    themes: list[Any]
    agencies: list[Any]
    history: list[HistoryEntry]
    viewers: list[ViewingDay]


def case_page(*, case: Case) -> CasePage:
    """Everything the case page shows, read up front so the template runs no queries. The
    history says which restricted details changed, never their values (whoever reads it)."""
    from .vocabulary import MILESTONES_BY_ROUTE

    specs = standard_specs(route=case.route)
    facts = case.facts()
    return CasePage(
        case=case,
        timeline=timeliness.timeline(specs, facts, today=today(), calendar=working_calendar()),
        milestones=[
            (field, MILESTONES[field], facts[field]) for field in MILESTONES_BY_ROUTE[case.route]
        ],
        pauses=list(case.pauses.select_related("recorded_by")),
        decisions=list(case.decisions.select_related("recorded_by")),
        relations=list(case.relations.select_related("linked_case")),
        assignments=list(case.assignments.select_related("user").order_by("user__full_name")),
        themes=list(case.themes.order_by("name")),
        agencies=list(case.agencies.order_by("name")),
        history=history_for_object(object_type="reviews.case", object_id=str(case.pk)),
        viewers=viewing_days_for_object(object_type="reviews.case", object_id=str(case.pk)),
    )


REPORT_FIELDS = ("reference", "route", "outcome", *MILESTONES)


def report_rows(*, routes: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """The route, outcome and milestones of every case (on ``routes``), streamed.

    The ORM writes the query; the rows are read from the cursor directly, because on SQLite
    Django's per-cell date converters cost more than the whole report's arithmetic.
    """
    cases = Case.objects.order_by()
    if routes is not None:
        cases = cases.filter(route__in=sorted(set(routes)))
    sql, params = cases.values_list(*REPORT_FIELDS).query.sql_with_params()
    as_date = datetime.date.fromisoformat
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            for row in rows:
                # SQLite hands back dates as text; other backends as dates.
                row = (*row[:3], *[as_date(v) if v.__class__ is str else v for v in row[3:]])
                yield dict(zip(REPORT_FIELDS, row, strict=True))


TIMELINESS_FIGURES = "timeliness"  # the topic of the timeliness report's cached figures


def timeliness_report(
    *, as_at: datetime.date, since: datetime.date | None = None, with_cases: bool = True
) -> dict[str, Any]:
    """The timeliness report; ``with_cases=False`` gives the counts alone (for summaries).

    Partnership-wide figures, the same for everyone, so cached (Django's cache) under the
    as-at and since days, ``with_cases`` and the version of the inputs (the cases, their
    milestones, the standards and the closure days): a repeated request costs one query for
    the version and a cache hit, and any change to an input is seen at once."""

    def compute() -> dict[str, Any]:
        specs = standard_specs()
        return timeliness.report(
            specs,
            report_rows(routes=[spec.route for spec in specs]),
            as_at=as_at,
            since=since,
            calendar=working_calendar(),
            with_cases=with_cases,
        )

    since_key = since.isoformat() if since else "-"
    return cached_figures(
        TIMELINESS_FIGURES, f"report:{as_at.isoformat()}:{since_key}:{int(with_cases)}", compute
    )


def _due_within(within_days: int) -> QuerySet[CaseDeadline]:
    """Deadlines falling due within ``within_days`` of today, overdue ones included (a
    ``CaseDeadline`` is kept only while its milestone is not done), in the model's order:
    soonest first, then by the case's reference."""
    return CaseDeadline.objects.filter(due__lte=today() + datetime.timedelta(days=within_days))


def deadline_list(
    *, user: Any, mine: bool = False, within_days: int = 30
) -> QuerySet[CaseDeadline]:
    """Deadlines not yet met that fall due within ``within_days`` (overdue ones included)."""
    deadlines = _due_within(within_days).filter(visible_case_filter(user=user, field="case_id"))
    if mine:
        # Both sides uncorrelated, as in visible_case_filter: the officer's cases and the
        # person's assignments are read once, not tested against every deadline's case.
        deadlines = deadlines.filter(
            Q(case_id__in=Case.objects.filter(officer_id=user.pk).values("pk"))
            | Q(case_id__in=CaseAssignment.objects.filter(user_id=user.pk).values("case_id"))
        )
    return deadlines.select_related("case", "standard", "case__officer")


def deadlines_listed(*, user: Any, within_days: int, listed: int) -> list[CaseDeadline]:
    """``deadline_list``'s first ``listed``, for a dashboard's table: each with its standard
    and its case's reference (``case_reference``), not the whole case and its officer.

    Whether the user may know of each case is asked of the deadlines walked in due order,
    by index probes (``visible_case_probe``), until ``listed`` are found: the hashed form
    of ``deadline_list`` first reads every case of the person's agencies, which a count
    over them all needs but eight rows do not."""
    rows = (
        _due_within(within_days)
        .filter(visible_case_probe(user=user, case=OuterRef("case_id")))
        .select_related("standard")
        .annotate(case_reference=F("case__reference"))
    )
    return list(rows[:listed])


def calendar_deadlines(*, user: Any) -> QuerySet[CaseDeadline]:
    """All the user's own deadlines not yet met, for their calendar feed."""
    return deadline_list(user=user, mine=True, within_days=3650)


def standard_list() -> list[TimelinessStandard]:
    return list(TimelinessStandard.objects.order_by("position", "code"))


def theme_list() -> list[PracticeTheme]:
    """Every theme with how many cases carry it (a counting subquery, not a join)."""
    tagged = Case.themes.through.objects.filter(practicetheme=OuterRef("pk"))
    counts = tagged.order_by().values("practicetheme").annotate(total=Count("case")).values("total")  # type: ignore[misc]
    return list(
        PracticeTheme.objects.annotate(case_count=Coalesce(Subquery(counts), 0)).order_by("name")
    )


def calendar_feed_of(*, user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user_id=user.pk).first()


def _one(queryset: QuerySet[Any], message: str) -> Any:
    found = queryset.first()
    if found is None:
        raise Http404(message)
    return found


def pause_get(*, case: Case, pk: int) -> Pause:
    return _one(Pause.objects.filter(case=case, pk=pk), "No such pause on this case.")


def assignment_get(*, case: Case, pk: int) -> CaseAssignment:
    return _one(
        CaseAssignment.objects.select_related("user", "case").filter(case=case, pk=pk),
        "No such person on this case.",
    )


def standard_get(*, pk: int) -> TimelinessStandard:
    return _one(TimelinessStandard.objects.filter(pk=pk), "No such standard.")


def theme_get(*, pk: int) -> PracticeTheme:
    return _one(PracticeTheme.objects.filter(pk=pk), "No such theme.")


def calendar_feed_by_token(*, token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user").filter(token=token).first()


def case_ids_by_reference(*, user: Any, references: list[str]) -> dict[str, int]:
    """The ids of the cases with these references that the user may know exist."""
    keys = [reference.upper() for reference in references]
    visible = visible_cases(user=user).values("pk")
    return dict(cases_by_reference_key(keys).filter(pk__in=visible).values_list("reference", "pk"))


def review_officer_emails() -> list[str]:
    """Every active review officer: who hears about deadlines on cases with no officer."""
    officers = User.objects.filter(is_active=True, memberships__role=Role.REVIEW_OFFICER)
    return sorted(set(officers.values_list("email", flat=True)))


def visible_case_ids(*, user: Any) -> dict[str, int]:
    """Reference to id of every case the user may know exists (agency-scoped people)."""
    return dict(visible_cases(user=user).values_list("reference", "pk"))


@dataclass(frozen=True)
class StandardTimeliness:
    """One standard's counts in a timeliness report."""

    code: str
    description: str
    applicable: int
    met: int
    missed: int
    pending: int
    overdue: int


def timeliness_counts(
    *, as_at: datetime.date, since: datetime.date | None = None
) -> list[StandardTimeliness]:
    """The timeliness report's counts for each standard, as typed rows."""
    report = timeliness_report(as_at=as_at, since=since, with_cases=False)
    return [
        StandardTimeliness(
            code=row["code"],
            description=row["description"],
            applicable=row["applicable"],
            met=row["met"],
            missed=row["missed"],
            pending=row["pending"],
            overdue=row["overdue"],
        )
        for row in report["standards"]
    ]


@dataclass(frozen=True)
class DeadlinesMet:
    """Of the case review deadlines that fell due from ``start`` to ``as_at``, how many were
    met (the milestone recorded on or before its due date)."""

    start: datetime.date
    as_at: datetime.date
    due: int
    met: int


def deadlines_met_by_period(
    *, periods: list[tuple[datetime.date, datetime.date]]
) -> list[DeadlinesMet]:
    """For each period (first day, as-at day): the deadlines of every standard whose due date
    falls in the period and whose clock had started by the as-at day, and how many of them
    were met.

    One timeliness report, as at the latest day, gives every deadline's due date and status:
    a deadline is met when its milestone was recorded on or before its due date, which is
    the same as at any later day, so that one report answers every period. Cached, like
    the report, under the version of its inputs (the home page of the Executive reads it)."""
    if not periods:
        return []
    key = ",".join(f"{first.isoformat()}/{as_at.isoformat()}" for first, as_at in periods)
    return cached_figures(
        TIMELINESS_FIGURES, f"deadlines_met:{key}", lambda: _deadlines_met_by_period(periods)
    )


def _deadlines_met_by_period(
    periods: list[tuple[datetime.date, datetime.date]],
) -> list[DeadlinesMet]:
    latest = max(as_at for _, as_at in periods)
    report = timeliness_report(as_at=latest, with_cases=True)
    deadlines = [
        (
            datetime.date.fromisoformat(case["start"]),
            datetime.date.fromisoformat(case["due"]),
            case["status"] == timeliness.Status.MET,
        )
        for standard in report["standards"]
        for case in standard["cases"]
    ]
    results = []
    for first, as_at in periods:
        due = met = 0
        for start, due_on, was_met in deadlines:
            if first <= due_on <= as_at and start <= as_at:
                due += 1
                met += was_met
        results.append(DeadlinesMet(start=first, as_at=as_at, due=due, met=met))
    return results


# --- For the yearly report -----------------------------------------------------------------


@dataclass(frozen=True)
class CaseStart:
    """A case and the day it started: the incident on the child route, the referral on the
    others (the yearly report's "received")."""

    reference: str
    route: str
    started_on: datetime.date


@dataclass(frozen=True)
class CasePublication:
    reference: str
    route: str
    published_date: datetime.date


@dataclass(frozen=True)
class AdultReviewRow:
    """A safeguarding adult review (a case on the adult route decided to be a review)."""

    reference: str
    outcome: str
    decision_date: datetime.date | None
    review_initiated_date: datetime.date | None
    published_date: datetime.date | None


def _started_between(date_from: datetime.date, date_to: datetime.date) -> Q:
    return Q(
        route=Route.CHILD, incident_aware_date__gte=date_from, incident_aware_date__lte=date_to
    ) | (~Q(route=Route.CHILD) & Q(referral_date__gte=date_from, referral_date__lte=date_to))


def cases_started_between(*, date_from: datetime.date, date_to: datetime.date) -> list[CaseStart]:
    """Every case whose start falls from ``date_from`` to ``date_to`` (both included)."""
    rows = (
        Case.objects.filter(_started_between(date_from, date_to))
        .order_by("reference")
        .values_list("reference", "route", "incident_aware_date", "referral_date")
    )
    starts = []
    for reference, route, incident, referral in rows:
        started_on = incident if route == Route.CHILD else referral
        assert started_on is not None  # the filter matched on it
        starts.append(CaseStart(reference, route, started_on))
    return starts


def cases_published_between(
    *, date_from: datetime.date, date_to: datetime.date
) -> list[CasePublication]:
    """Every case published from ``date_from`` to ``date_to``, by date then reference."""
    rows = (
        Case.objects.filter(published_date__gte=date_from, published_date__lte=date_to)
        .order_by("published_date", "reference")
        .values_list("reference", "route", "published_date")
    )
    return [
        CasePublication(reference, route, published)
        for reference, route, published in rows
        if published is not None
    ]


def adult_reviews_open_during(
    *, date_from: datetime.date, date_to: datetime.date
) -> list[AdultReviewRow]:
    """Safeguarding adult reviews decided by ``date_to`` and not published before
    ``date_from``: those concluded in the period and those still going at its end."""
    rows = (
        Case.objects.filter(
            route=Route.ADULT,
            outcome__in=[Outcome.SAR_MANDATORY, Outcome.SAR_DISCRETIONARY],
            decision_date__lte=date_to,
        )
        .filter(Q(published_date__isnull=True) | Q(published_date__gte=date_from))
        .order_by("reference")
        .values_list(
            "reference", "outcome", "decision_date", "review_initiated_date", "published_date"
        )
    )
    return [AdultReviewRow(*row) for row in rows]


@dataclass(frozen=True)
class DeadlineCounts:
    """Deadlines not yet met: past their date, and falling due from today to the horizon."""

    overdue: int
    due_soon: int


def deadline_counts(*, user: Any, mine: bool = False, within_days: int = 14) -> DeadlineCounts:
    """``deadline_list``'s deadlines counted in one query: overdue (before today) and due
    soon (today to ``within_days`` days ahead)."""
    day = today()
    counts = (
        deadline_list(user=user, mine=mine, within_days=within_days)
        .select_related(None)
        .order_by()
        .aggregate(
            overdue=Count(Value(1), filter=Q(due__lt=day)),
            due_soon=Count(Value(1), filter=Q(due__gte=day)),
        )
    )
    return DeadlineCounts(overdue=counts["overdue"], due_soon=counts["due_soon"])


# --- Referrals ------------------------------------------------------------------


def referral_agencies_for(*, user: Any) -> list[Agency]:
    """The active agencies a person may refer on behalf of: those they belong to."""
    return list(Agency.objects.filter(pk__in=user.agency_ids, is_active=True).order_by("name"))


def referral_by_submission(*, referrer: Any, key: str) -> Referral | None:
    """The referral already made from this one form, if any (a second post of it)."""
    return Referral.objects.filter(referrer=referrer, submission_key=key).first()


# Lists show no narrative: it is read only on a referral's page, where reading it is logged.
LIST_DEFERRED = ("what_happened", "why_review", "closing_reason")


def referral_list_own(*, user: Any) -> QuerySet[Referral]:
    """The referrals the person made, and those of the agencies they lead (status only)."""
    led = user.agency_ids_with_role(Role.AGENCY_LEAD)
    mine = Q(referrer=user) | Q(referring_agency_id__in=led) if led else Q(referrer=user)
    return (
        Referral.objects.filter(mine)
        .select_related("referring_agency", "referrer", "case")
        .defer(*LIST_DEFERRED)
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class ReferralFilters:
    status: str = ""
    agency: Agency | None = None


def referral_triage_list(*, filters: ReferralFilters) -> QuerySet[Referral]:
    """Every referral for the review officers' triage, the undecided first, newest first."""
    referrals = Referral.objects.select_related("referring_agency", "referrer", "case").defer(
        *LIST_DEFERRED
    )
    if filters.status:
        referrals = referrals.filter(status=filters.status)
    if filters.agency is not None:
        referrals = referrals.filter(referring_agency=filters.agency)
    return referrals.order_by("-created_at", "-id")


def referral_get_for(*, user: Any, pk: int) -> Referral:
    """The referral, or not found when it does not exist or the user may not know of it."""
    referral = (
        Referral.objects.select_related("referring_agency", "referrer", "decided_by", "case")
        .prefetch_related("agencies")
        .filter(pk=pk)
        .first()
    )
    if referral is None or not user.has_perm("reviews.view_referral", referral):
        raise NotVisibleError("No such referral.")
    return referral


def new_referral_count() -> int:
    return Referral.objects.filter(status=ReferralStatus.NEW).count()


@dataclass(frozen=True)
class ReferralMonthRow:
    """How many referrals one agency made in one month."""

    agency_id: int
    agency_name: str
    month: datetime.date  # the first of the month
    count: int


def referrals_by_agency_and_month(
    *, since: datetime.date, until: datetime.date
) -> list[ReferralMonthRow]:
    """Referrals made from ``since`` to ``until`` (both included, London days), counted by
    referring agency and month: one grouped query, however many referrals."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    rows = (
        Referral.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("referring_agency_id", "referring_agency__name", "month")
        .annotate(count=Count("id"))
        .order_by("referring_agency__name", "month")
    )
    return [
        ReferralMonthRow(
            agency_id=row["referring_agency_id"],
            agency_name=row["referring_agency__name"],
            month=_first_of(row["month"]),
            count=row["count"],
        )
        for row in rows
    ]


def _first_of(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


# --- redact: restricted details' own history ------------------------------------------------


def restricted_history(*, case: Case) -> list[RestrictedDetailsRevision]:
    """Every saved version of the case's restricted details, the latest first, with who saved
    each: for the restricted history page (the caller has checked the need to know)."""
    return list(case.restricted_revisions.select_related("saved_by").order_by("-saved_at", "-id"))
