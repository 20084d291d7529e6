"""Reads for the training reports. Everything is counted in the database, grouped by
sector, agency, course or theme, so the number of queries is fixed and the work in Python
grows with the groups, not the bookings; ``reporting`` turns the groups into the reports
(its docstring defines every figure)."""

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from sightline.accounts.models import Sector
from sightline.reviews.models import Case, PracticeTheme

from . import reporting
from .models import AttendanceMark, Booking, Course, Evaluation, SectorWorkforce, Session
from .selectors import courses_past_review
from .vocabulary import GOOD_OR_EXCELLENT, PRESENT, Attendance, BookingStatus

LONDON = ZoneInfo("Europe/London")
MARKED = (*PRESENT, Attendance.DID_NOT_ATTEND)
# Over ``_marked_bookings``: the attendance as it stood at the report's date.
PRESENT_Q = Q(attendance_then__in=PRESENT)
NO_SHOW_Q = Q(attendance_then=Attendance.DID_NOT_ATTEND)


def period_bounds(
    *, date_from: datetime.date, date_to: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """From midnight starting ``date_from`` to midnight ending ``date_to``, in London."""
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=LONDON)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=LONDON
    )
    return start, end


def _in_period(prefix: str, date_from: datetime.date, date_to: datetime.date) -> Q:
    start, end = period_bounds(date_from=date_from, date_to=date_to)
    return Q(
        **{
            f"{prefix}starts_at__gte": start,
            f"{prefix}starts_at__lt": end,
            f"{prefix}is_cancelled": False,
        }
    )


def sessions_in_period(*, date_from: datetime.date, date_to: datetime.date) -> QuerySet[Session]:
    """Sessions starting in the period (London dates), cancelled ones left out."""
    return Session.objects.filter(_in_period("", date_from, date_to))


def _end_of(as_at: datetime.date | None) -> datetime.datetime:
    """The moment the figures stand at: midnight ending ``as_at`` in London, or now."""
    if as_at is None:
        return timezone.now()
    return period_bounds(date_from=as_at, date_to=as_at)[1]


def _attendance_then(as_at: datetime.date | None) -> Any:
    """Each booking's attendance as its register stood at the end of ``as_at``: the latest
    mark made by then (unmarked when there was none). A booking with no marks at all
    (written outside the services) is read by its own attendance and the time it was marked.
    With no ``as_at``, the attendance now."""
    if as_at is None:
        return F("attendance")
    end = _end_of(as_at)
    marks = AttendanceMark.objects.filter(booking=OuterRef("pk"))
    latest = marks.filter(marked_at__lt=end).order_by("-marked_at", "-pk")
    return models.Case(
        When(
            Exists(marks),
            then=Coalesce(Subquery(latest.values("attendance")[:1]), Value(Attendance.NOT_MARKED)),
        ),
        When(
            Q(attendance_marked_at__isnull=True) | Q(attendance_marked_at__lt=end),
            then=F("attendance"),
        ),
        default=Value(Attendance.NOT_MARKED),
        output_field=models.CharField(),
    )


def _marked_bookings(
    date_from: datetime.date, date_to: datetime.date, as_at: datetime.date | None = None
) -> QuerySet[Booking]:
    # Only a confirmed booking can have its attendance marked; every figure below counts
    # marked bookings, so the rest are left out before anything is grouped. Sessions cannot
    # be cancelled, nor bookings cancelled or confirmed, once a session starts: only the
    # marks can change after it.
    return (
        Booking.objects.filter(
            _in_period("session__", date_from, date_to), status=BookingStatus.CONFIRMED
        )
        .alias(attendance_then=_attendance_then(as_at))
        .filter(attendance_then__in=MARKED)
        .order_by()
    )


def training_report(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    today: datetime.date,
    as_at: datetime.date | None = None,
) -> dict[str, Any]:
    """The training report for the period; courses past review are those before ``today``.
    With ``as_at``, the figures as they stood at the end of that day: the registers as
    marked by then, the evaluations given by then and the sessions held by then (a report
    made later gives the same figures). Seven queries, whatever the number of bookings."""
    marked = _marked_bookings(date_from, date_to, as_at)
    totals = marked.aggregate(
        practitioners=Count("delegate", distinct=True, filter=PRESENT_Q),
        attendances=Count("pk", filter=PRESENT_Q),
        no_shows=Count("pk", filter=NO_SHOW_Q),
        marked=Count("pk"),
    )
    totals["sessions"] = (
        sessions_in_period(date_from=date_from, date_to=date_to)
        .filter(starts_at__lte=min(timezone.now(), _end_of(as_at)))
        .count()
    )
    evaluated = Evaluation.objects.filter(_in_period("session__", date_from, date_to))
    if as_at is not None:
        evaluated = evaluated.filter(submitted_on__lte=as_at)
    evaluations = evaluated.aggregate(
        evaluations=Count("pk"),
        good_or_excellent=Count("pk", filter=Q(rating__in=GOOD_OR_EXCELLENT)),
    )
    sector_groups = marked.values("sector").annotate(
        delegates=Count("delegate", distinct=True, filter=PRESENT_Q),
        attendances=Count("pk", filter=PRESENT_Q),
    )
    agency_groups = marked.values("agency__name", "sector").annotate(
        delegates=Count("delegate", distinct=True, filter=PRESENT_Q),
        attendances=Count("pk", filter=PRESENT_Q),
        no_shows=Count("pk", filter=NO_SHOW_Q),
        marked=Count("pk"),
    )
    courses_due = courses_past_review(today=today).values("title", "review_date", course_id=F("pk"))
    return reporting.training_report(
        date_from=date_from,
        date_to=date_to,
        as_at=today,
        sectors=Sector.choices,
        totals=totals,
        evaluations=evaluations,
        sector_groups=list(sector_groups),
        workforce=list(SectorWorkforce.objects.values("sector", "headcount", "source")),
        agency_groups=[
            {
                "agency": group["agency__name"],
                "sector": group["sector"],
                "delegates": group["delegates"],
                "attendances": group["attendances"],
                "no_shows": group["no_shows"],
                "marked": group["marked"],
            }
            for group in agency_groups
        ],
        courses_due=list(courses_due),
    )


def learning_loop(
    *, date_from: datetime.date, date_to: datetime.date, as_at: datetime.date | None = None
) -> dict[str, Any]:
    """Themes of the cases opened in the period against the active courses that cover them;
    attendances as the registers stood at the end of ``as_at`` when given. Four queries,
    whatever the number of cases, courses or bookings."""
    opened = Q(cases__opened_on__gte=date_from, cases__opened_on__lte=date_to)
    themes = (
        PracticeTheme.objects.filter(opened)
        .values("pk", "name")
        .annotate(case_count=Count("cases", distinct=True))
        .order_by()
    )
    raised = PracticeTheme.objects.filter(opened).values("pk")
    links = (
        Course.themes.through.objects.filter(course__is_active=True, practicetheme__in=raised)
        .values("practicetheme_id", "course_id", "course__title")
        .order_by()
    )
    attendances = (
        _marked_bookings(date_from, date_to, as_at)
        .filter(PRESENT_Q)
        .values("session__course_id")
        .annotate(n=Count("pk"))
    )
    return reporting.learning_loop(
        date_from=date_from,
        date_to=date_to,
        cases=Case.objects.filter(opened_on__gte=date_from, opened_on__lte=date_to).count(),
        theme_groups=[
            {"theme_id": row["pk"], "theme": row["name"], "cases": row["case_count"]}
            for row in themes
        ],
        course_links=[
            {
                "theme_id": row["practicetheme_id"],
                "course_id": row["course_id"],
                "course": row["course__title"],
            }
            for row in links
        ],
        course_attendances={row["session__course_id"]: row["n"] for row in attendances},
    )


def workforce_by_sector() -> dict[str, dict[str, Any]]:
    """Each sector's known headcount and its source, by sector code."""
    rows = SectorWorkforce.objects.values("sector", "headcount", "source")
    return {row["sector"]: dict(row) for row in rows}


@dataclass(frozen=True)
class ReachInPeriod:
    """The training report's overall reach for a period: delegates of the sectors whose
    workforce is known, over those sectors' headcount (``percent`` None when none is known)."""

    date_from: datetime.date
    date_to: datetime.date
    delegates: int
    headcount: int
    percent: float | None


def reach_by_period(*, periods: list[tuple[datetime.date, datetime.date]]) -> list[ReachInPeriod]:
    """For each period (first and last day): the overall reach, as the training report
    defines it (``reporting``). Two queries for every period together: the known headcounts,
    and the delegates of each sector grouped once with a distinct count for each period."""
    if not periods:
        return []
    known = dict(SectorWorkforce.objects.values_list("sector", "headcount"))
    headcount = sum(known.values())
    first = min(start for start, _ in periods)
    last = max(end for _, end in periods)
    names = [f"delegates_{n}" for n in range(len(periods))]
    grouped = (
        _marked_bookings(first, last)
        .filter(PRESENT_Q, sector__in=list(known))
        .values("sector")
        .annotate(
            **{
                name: Count("delegate", distinct=True, filter=_in_period("session__", start, end))
                for name, (start, end) in zip(names, periods, strict=True)
            }
        )
        .values_list(*names)
    )
    totals = [0] * len(periods)
    for row in grouped:
        for n, delegates in enumerate(row):
            totals[n] += delegates
    return [
        ReachInPeriod(
            date_from=start,
            date_to=end,
            delegates=totals[n],
            headcount=headcount,
            percent=reporting.percent(totals[n], headcount) if headcount else None,
        )
        for n, (start, end) in enumerate(periods)
    ]
