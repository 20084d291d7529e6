"""Reads of the training offer. Places taken are counted with subqueries so that a list's
queries stay the same however many bookings there are."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from sightline.accounts.models import User
from sightline.core.counting import counted, counts_of
from sightline.core.policies import is_administrator
from sightline.core.roles import Role

from .models import Booking, Course, DelegateProfile, Evaluation, EventSeries, Session
from .own_bookings import BookingFacts, sort_bookings
from .tokens import approval_booking_id
from .vocabulary import (
    GOOD_OR_EXCELLENT,
    LIVE_STATUSES,
    MIN_RESPONSES,
    PLACE_HOLDING_STATUSES,
    PRESENT,
    Applied,
    BookingStatus,
    Rating,
)


def _count(status_filter: Q) -> Subquery:
    """The session's bookings matching ``status_filter``: ``COUNT(*)`` in a subquery, which
    gives 0 for none (no grouping, so no ``COALESCE``)."""
    return counted(Booking.objects.filter(status_filter, session=OuterRef("pk")))


def with_places(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Each session with ``taken`` (places held) and ``waiting`` (on the waiting list)."""
    return sessions.annotate(
        taken=_count(Q(status__in=PLACE_HOLDING_STATUSES)),
        waiting=_count(Q(status=BookingStatus.WAITING)),
    )


def _with_places_and_mine(sessions: QuerySet[Session], user: Any) -> QuerySet[Session]:
    """``with_places``, and ``mine``: the status of the user's live booking, if any."""
    mine = Booking.objects.filter(
        session=OuterRef("pk"), delegate=user, status__in=LIVE_STATUSES
    ).values("status")[:1]
    return with_places(sessions).annotate(mine=Subquery(mine))


@dataclass(frozen=True)
class CatalogueFilters:
    audience: str = ""
    level: str = ""
    theme: Any = None
    series: Any = None
    search: str = ""


def catalogue(*, filters: CatalogueFilters, user: Any) -> list[Session]:
    """Sessions still to come, soonest first, with the places left and the user's own
    booking on each (``mine``)."""
    sessions = Session.objects.filter(
        starts_at__gt=timezone.now(), is_cancelled=False, course__is_active=True
    )
    if filters.audience:
        sessions = sessions.filter(course__audience__in=[filters.audience, "both"])
    if filters.level:
        sessions = sessions.filter(course__level=filters.level)
    if filters.theme is not None:
        sessions = sessions.filter(course__themes=filters.theme)
    if filters.series is not None:
        sessions = sessions.filter(series=filters.series)
    if filters.search:
        sessions = sessions.filter(course__title__icontains=filters.search.strip())
    return list(
        _with_places_and_mine(sessions, user)
        .select_related("course", "series")
        .order_by("starts_at", "pk")
    )


def course_list(*, include_retired: bool) -> list[Course]:
    upcoming = (
        Session.objects.filter(
            course=OuterRef("pk"), starts_at__gt=timezone.now(), is_cancelled=False
        )
        .order_by()
        .values("course")
        .annotate(n=Count("pk"))
        .values("n")
    )
    courses = Course.objects.annotate(
        upcoming=Coalesce(Subquery(upcoming, output_field=IntegerField()), Value(0))
    )
    if not include_retired:
        courses = courses.filter(is_active=True)
    return list(courses.order_by("title"))


def course_get(*, pk: int) -> Course:
    course = Course.objects.filter(pk=pk).prefetch_related("themes", "priorities").first()
    if course is None:
        raise Http404("No such course")
    return course


def course_sessions(*, course: Course, user: Any) -> list[Session]:
    return list(
        _with_places_and_mine(course.sessions.filter(starts_at__gt=timezone.now()), user)
        .select_related("series", "trainer")
        .order_by("starts_at")
    )


def series_list() -> list[EventSeries]:
    sessions = (
        Session.objects.filter(series=OuterRef("pk"), is_cancelled=False)
        .order_by()
        .values("series")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        EventSeries.objects.annotate(
            session_count=Coalesce(Subquery(sessions, output_field=IntegerField()), Value(0))
        ).order_by("-starts_on")
    )


def series_get(*, pk: int) -> EventSeries:
    series = EventSeries.objects.filter(pk=pk).first()
    if series is None:
        raise Http404("No such event")
    return series


def series_sessions(*, series: EventSeries, user: Any) -> list[Session]:
    return list(
        _with_places_and_mine(series.sessions.all(), user)
        .select_related("course")
        .order_by("starts_at")
    )


def session_get(*, pk: int) -> Session:
    session = (
        with_places(Session.objects.filter(pk=pk))
        .select_related("course", "series", "trainer")
        .first()
    )
    if session is None:
        raise Http404("No such session")
    return session


@dataclass
class SessionPage:
    session: Session
    mine: Booking | None
    bookings: list[Booking] = field(default_factory=list)
    waiting: list[Booking] = field(default_factory=list)
    others: list[Booking] = field(default_factory=list)
    evaluations: int = 0


def session_page(*, session: Session, user: Any, runs: bool) -> SessionPage:
    """What a session's page shows: the user's own booking, and for those who run it the
    delegates, the waiting list in order, and cancelled or declined bookings."""
    mine = session.bookings.filter(delegate=user).order_by("-booked_at", "-pk").first()
    page = SessionPage(session=session, mine=mine)
    if runs:
        rows = list(
            session.bookings.select_related("delegate", "agency").order_by(
                "waiting_since", "booked_at", "pk"
            )
        )
        page.bookings = [b for b in rows if b.status in PLACE_HOLDING_STATUSES]
        page.waiting = [b for b in rows if b.status == BookingStatus.WAITING]
        page.others = [b for b in rows if b.status not in LIVE_STATUSES]
        page.evaluations = session.evaluations.count()
    return page


def session_list_for(
    *, user: Any, upcoming: bool, mine_only: bool, unmarked_only: bool = False
) -> QuerySet[Session]:
    """Sessions for the people who run them: a trainer's own or, for an administrator, all;
    past sessions show whether their register is marked (``unmarked_only``: past sessions
    whose register is still to mark)."""
    now = timezone.now()
    sessions = unmarked_registers() if unmarked_only else Session.objects.all()
    if mine_only or not is_administrator(user):
        sessions = sessions.filter(trainer=user)
    if upcoming:
        sessions = sessions.filter(ends_at__gte=now).order_by("starts_at", "pk")
    else:
        sessions = sessions.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    return with_places(sessions).select_related("course", "trainer")


def trainers() -> QuerySet[User]:
    return (
        User.objects.filter(
            is_active=True, memberships__role__in=[Role.TRAINER, Role.ADMINISTRATOR]
        )
        .distinct()
        .order_by("full_name")
    )


def profile_of(*, user: Any) -> DelegateProfile | None:
    return DelegateProfile.objects.filter(user=user).select_related("agency").first()


_FACTS = (
    "session__starts_at",
    "status",
    "attendance",
    "evaluated_on",
    "impact_requested_at",
    "impact_answered_on",
)


def _own_bookings(user: Any) -> QuerySet[Booking]:
    return Booking.objects.filter(delegate=user).order_by("session__starts_at", "pk")


def bookings_of(*, user: Any) -> dict[str, list[Booking]]:
    """A person's training: places to come, waiting lists, and what they have done, every
    booking in full (``own_bookings`` says which goes where)."""
    rows = list(_own_bookings(user).select_related("session__course"))
    facts = [
        BookingFacts(
            b.session.starts_at,
            b.status,
            b.attendance,
            b.evaluated_on,
            b.impact_requested_at,
            b.impact_answered_on,
        )
        for b in rows
    ]
    found = sort_bookings(facts, now=timezone.now())
    return {
        heading: [rows[position] for position in getattr(found, heading)]
        for heading in ("places", "waiting", "past", "to_evaluate")
    }


@dataclass(frozen=True)
class Listed:
    """The first few of a heading's bookings, and how many it has in all."""

    items: tuple[Booking, ...]
    total: int


@dataclass(frozen=True)
class BookingOverview:
    """A person's bookings under each heading of ``own_bookings``, a few of each."""

    places: Listed
    waiting: Listed
    attended: Listed
    to_evaluate: Listed
    impact_due: Listed


def booking_overview_of(*, user: Any, listed: int) -> BookingOverview:
    """The first ``listed`` bookings under each heading, in full, and how many there are.
    Two queries however many bookings the person has: a few columns of every booking to
    sort them, then the listed ones with their sessions and courses (someone who has been
    to 160 sessions no longer builds 480 model instances for the home page)."""
    rows = list(_own_bookings(user).values_list("pk", *_FACTS))
    facts = [BookingFacts(*row[1:]) for row in rows]
    found = sort_bookings(facts, now=timezone.now())
    headings = ("places", "waiting", "attended", "to_evaluate", "impact_due")
    shown = {
        heading: [rows[position][0] for position in getattr(found, heading)[:listed]]
        for heading in headings
    }
    wanted = {pk for pks in shown.values() for pk in pks}
    full = Booking.objects.select_related("session__course").in_bulk(wanted) if wanted else {}
    return BookingOverview(
        **{
            heading: Listed(
                # One removed between the two reads (retention) is left out, not an error.
                items=tuple(full[pk] for pk in shown[heading] if pk in full),
                total=len(getattr(found, heading)),
            )
            for heading in headings
        }
    )


def booking_get(*, pk: int) -> Booking:
    booking = (
        Booking.objects.filter(pk=pk)
        .select_related("session__course", "session__trainer", "delegate", "agency")
        .first()
    )
    if booking is None:
        raise Http404("No such booking")
    return booking


def waiting_position(*, booking: Booking) -> int | None:
    if booking.status != BookingStatus.WAITING:
        return None
    ahead = Booking.objects.filter(
        session_id=booking.session_id, status=BookingStatus.WAITING
    ).filter(
        Q(waiting_since__lt=booking.waiting_since)
        | Q(waiting_since=booking.waiting_since, pk__lt=booking.pk)
    )
    return ahead.count() + 1


def booking_by_token(*, token: str) -> Booking:
    """The booking a manager's approval link is about (ValidationError when the link is bad
    or out of date, Http404 when the booking is gone)."""
    return booking_get(pk=approval_booking_id(token))


def register_bookings(*, session: Session) -> list[Booking]:
    return list(
        session.bookings.filter(status=BookingStatus.CONFIRMED)
        .select_related("delegate", "agency")
        .order_by("delegate__full_name", "pk")
    )


@dataclass(frozen=True)
class EvaluationSummary:
    responses: int
    shown: bool
    ratings: list[tuple[str, int]]
    good_or_excellent: int
    confidence_before: float | None
    confidence_after: float | None
    will_do_differently: list[str]
    comments: list[str]
    impact: list[tuple[str, int]]
    impact_examples: list[str]

    @property
    def threshold(self) -> int:
        return MIN_RESPONSES


def evaluation_summary(*, session: Session) -> EvaluationSummary:
    """A session's evaluations, pooled. Below MIN_RESPONSES answers nothing but the count is
    shown, and free text is shuffled out of submission order, so no answer points to a
    person."""
    rows = list(
        session.evaluations.order_by("will_do_differently").values_list(
            "rating", "confidence_before", "confidence_after", "will_do_differently", "comments"
        )
    )
    impact_rows = list(
        session.impact_responses.order_by("example").values_list("applied", "example")
    )
    shown = len(rows) >= MIN_RESPONSES
    counted = Counter(rating for rating, *_ in rows) if shown else Counter()
    ratings = [(label, counted[value]) for value, label in Rating.choices]
    good = sum(counted[rating] for rating in GOOD_OR_EXCELLENT)
    before = [row[1] for row in rows]
    after = [row[2] for row in rows]
    show_impact = len(impact_rows) >= MIN_RESPONSES
    applied = Counter(value for value, _ in impact_rows) if show_impact else Counter()
    return EvaluationSummary(
        responses=len(rows),
        shown=shown,
        ratings=ratings,
        good_or_excellent=round(100 * good / len(rows)) if shown else 0,
        confidence_before=round(sum(before) / len(before), 1) if shown else None,
        confidence_after=round(sum(after) / len(after), 1) if shown else None,
        will_do_differently=sorted(row[3] for row in rows) if shown else [],
        comments=sorted(row[4] for row in rows if row[4]) if shown else [],
        impact=[(label, applied[value]) for value, label in Applied.choices],
        impact_examples=sorted(example for _, example in impact_rows if example)
        if show_impact
        else [],
    )


def _as_listed(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """``sessions`` as a dashboard's or the home page's list shows them: the course's title,
    when, and the places. The rest of a session and its course (outline, outcomes, venue and
    links) is not read for such a list."""
    return sessions.select_related("course").only("starts_at", "capacity", "course__title")


def sessions_to_teach(*, user: Any, within_days: int = 14) -> list[Session]:
    """The user's own sessions in the next ``within_days`` days, with places taken
    (``_as_listed``)."""
    now = timezone.now()
    sessions = Session.objects.filter(
        trainer=user,
        is_cancelled=False,
        starts_at__gt=now,
        starts_at__lte=now + datetime.timedelta(days=within_days),
    )
    return list(_as_listed(with_places(sessions)).order_by("starts_at"))


def unmarked_registers() -> QuerySet[Session]:
    """Sessions that have happened but whose register is not marked yet."""
    return Session.objects.filter(
        is_cancelled=False, ends_at__lt=timezone.now(), register_marked_at__isnull=True
    )


def _registers_of(user: Any) -> QuerySet[Session]:
    """``unmarked_registers``: every one for an administrator, their own for a trainer."""
    sessions = unmarked_registers()
    if not is_administrator(user):
        sessions = sessions.filter(trainer=user)
    return sessions


REGISTERS_LISTED = 10


def registers_to_mark(*, user: Any) -> list[Session]:
    """Sessions that have happened but whose register is not marked yet, the latest
    ``REGISTERS_LISTED`` (``_as_listed``)."""
    return list(_as_listed(_registers_of(user)).order_by("-starts_at")[:REGISTERS_LISTED])


def registers_to_mark_count(*, user: Any) -> int:
    """How many registers ``registers_to_mark`` would list, without its limit."""
    return _registers_of(user).count()


EVALUATED_LISTED = 10


def _evaluated_sessions(user: Any, since: datetime.date) -> QuerySet[Session]:
    """The user's sessions with an evaluation given on or after ``since``: a semi-join from
    the evaluations given since then (index ``evaluation_submitted_idx``), not a count for
    each of the trainer's sessions."""
    given = Evaluation.objects.filter(session=OuterRef("pk"), submitted_on__gte=since)
    return Session.objects.filter(Exists(given), trainer=user)


def sessions_with_new_evaluations(*, user: Any, since: datetime.date) -> list[Session]:
    """The user's own sessions with evaluations given on or after ``since``, each with how
    many (``new_evaluations``), newest session first: the latest ``EVALUATED_LISTED``
    (``_as_listed``)."""
    fresh = Evaluation.objects.filter(session=OuterRef("pk"), submitted_on__gte=since)
    evaluated = _evaluated_sessions(user, since).annotate(new_evaluations=counted(fresh))
    return list(_as_listed(evaluated).order_by("-starts_at")[:EVALUATED_LISTED])


def courses_past_review(*, today: datetime.date) -> QuerySet[Course]:
    """Courses on offer whose content was due for review before ``today``."""
    return Course.objects.filter(is_active=True, review_date__lt=today)


def courses_due_for_review(*, today: datetime.date, listed: int) -> list[Course]:
    """``courses_past_review``, longest overdue first: the first ``listed``, with their
    title and review date only."""
    rows = courses_past_review(today=today).only("title", "review_date")
    return list(rows.order_by("review_date", "pk")[:listed])


def _impact_awaited(trainer: Any) -> QuerySet[Booking]:
    """Impact surveys sent to people who came to ``trainer``'s sessions, not answered yet."""
    return Booking.objects.filter(
        session__trainer=trainer,
        attendance__in=PRESENT,
        impact_requested_at__isnull=False,
        impact_answered_on__isnull=True,
    )


@dataclass(frozen=True)
class TrainerCounts:
    """What a trainer's dashboard counts beyond the sessions it lists."""

    registers_to_mark: int  # ``registers_to_mark`` without its limit
    evaluated_sessions: int  # ``sessions_with_new_evaluations`` without its limit
    impact_surveys_awaited: int
    courses_due_for_review: int


def trainer_counts(*, user: Any, since: datetime.date, today: datetime.date) -> TrainerCounts:
    """The four counts in one query, each a subquery that reads its own index (the partial
    indexes of training 0005 for the registers and the surveys): one query for the figures
    rather than one each, which on the home page and the dashboard cost more in Django than
    in PostgreSQL."""
    counts = counts_of(
        User.objects.filter(pk=user.pk),
        registers=_registers_of(user),
        evaluated=_evaluated_sessions(user, since),
        impact=_impact_awaited(user),
        courses=courses_past_review(today=today),
    )
    return TrainerCounts(
        registers_to_mark=counts["registers"],
        evaluated_sessions=counts["evaluated"],
        impact_surveys_awaited=counts["impact"],
        courses_due_for_review=counts["courses"],
    )


@dataclass(frozen=True)
class AgencyTrainingCount:
    """How many different people from one agency came to training in a period."""

    agency_id: int
    people: int


def people_trained_by_agency(*, since: datetime.datetime) -> list[AgencyTrainingCount]:
    """For each agency, the different people who came to a session starting from ``since``
    (counted for the agency they worked for when they booked), in one grouped query."""
    rows = (
        Booking.objects.filter(attendance__in=PRESENT, session__starts_at__gte=since)
        .order_by()
        .values("agency_id")
        .annotate(people=Count("delegate", distinct=True))
        .values_list("agency_id", "people")
    )
    return [AgencyTrainingCount(*row) for row in rows]
