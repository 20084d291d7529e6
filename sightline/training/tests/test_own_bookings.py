"""A person's bookings under the headings of their training: the pure sorting, checked case
by case and as properties, and the overview the home page and the dashboard read, against
the full list the "Your training" page reads."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from sightline.accounts.tests.factories import UserFactory
from sightline.training import selectors
from sightline.training.models import Booking
from sightline.training.own_bookings import BookingFacts, sort_bookings
from sightline.training.vocabulary import PRESENT, Attendance, BookingStatus

from .factories import BookingFactory, SessionFactory

NOW = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def facts(
    hours: int,
    status: str = BookingStatus.CONFIRMED,
    attendance: str = Attendance.NOT_MARKED,
    *,
    evaluated: bool = False,
    asked: bool = False,
    answered: bool = False,
) -> BookingFacts:
    return BookingFacts(
        starts_at=NOW + hours * HOUR,
        status=status,
        attendance=attendance,
        evaluated_on=NOW.date() if evaluated else None,
        impact_requested_at=NOW if asked else None,
        impact_answered_on=NOW.date() if answered else None,
    )


def test_each_booking_goes_under_its_headings():
    bookings = [
        facts(-48, attendance=Attendance.ATTENDED, asked=True),  # 0: impact due
        facts(-24, attendance=Attendance.DID_NOT_ATTEND),  # 1: past, not attended
        facts(-12, attendance=Attendance.LEFT_EARLY, evaluated=True, asked=True, answered=True),
        facts(-6, BookingStatus.CANCELLED, Attendance.ATTENDED),  # 3: nowhere
        facts(0, attendance=Attendance.ATTENDED),  # 4: starting now counts as started
        facts(2, BookingStatus.WAITING),  # 5
        facts(3, BookingStatus.AWAITING_APPROVAL),  # 6
        facts(4),  # 7
        facts(5, BookingStatus.DECLINED),  # 8: nowhere
        facts(-1, BookingStatus.WAITING),  # 9: a waiting list that has started: nowhere
    ]
    found = sort_bookings(bookings, now=NOW)
    assert found.places == [6, 7]
    assert found.waiting == [5]
    assert found.past == [4, 2, 1, 0]  # newest first
    assert found.attended == [4, 2, 0]
    assert found.to_evaluate == [4, 0]
    assert found.impact_due == [0]


def test_nothing_booked_sorts_to_nothing():
    found = sort_bookings([], now=NOW)
    assert (found.places, found.past, found.attended) == ([], [], [])


booking_facts = st.builds(
    facts,
    st.integers(-500, 500),
    st.sampled_from(BookingStatus.values),
    st.sampled_from(Attendance.values),
    evaluated=st.booleans(),
    asked=st.booleans(),
    answered=st.booleans(),
)


@given(st.lists(booking_facts, max_size=30))
def test_the_headings_follow_their_definitions(bookings):
    bookings.sort(key=lambda booking: booking.starts_at)
    found = sort_bookings(bookings, now=NOW)
    upcoming = {p for p, b in enumerate(bookings) if b.starts_at > NOW}
    for position in found.places:
        assert position in upcoming
        assert bookings[position].status in (
            BookingStatus.CONFIRMED,
            BookingStatus.AWAITING_APPROVAL,
        )
    assert all(p in upcoming and bookings[p].status == "waiting" for p in found.waiting)
    assert all(p not in upcoming and bookings[p].status == "confirmed" for p in found.past)
    # Every booking is under one of the three, or is one none of them holds.
    placed = found.places + found.waiting + found.past
    assert len(placed) == len(set(placed))
    for position, booking in enumerate(bookings):
        if position not in placed:
            assert booking.status in ("cancelled", "declined") or (
                position not in upcoming and booking.status != "confirmed"
            )
    # Soonest first to come, newest first once past.
    assert found.places == sorted(found.places)
    assert found.past == sorted(found.past, reverse=True)
    assert found.attended == [p for p in found.past if bookings[p].attendance in PRESENT]
    assert found.to_evaluate == [p for p in found.attended if not bookings[p].evaluated_on]
    assert found.impact_due == [
        p
        for p in found.attended
        if bookings[p].impact_requested_at and not bookings[p].impact_answered_on
    ]


# --- In the database ------------------------------------------------------------------------


def _book(person, *, days: int, **fields):
    starts = timezone.now() + datetime.timedelta(days=days)
    session = SessionFactory.create(starts_at=starts, ends_at=starts + 3 * HOUR)
    return BookingFactory.create(delegate=person, session=session, **fields)


def _history(person, times: int) -> None:
    for n in range(times):
        _book(person, days=n + 1)
        _book(person, days=n + 2, status=BookingStatus.WAITING, waiting_since=timezone.now())
        _book(person, days=-n - 1, attendance=Attendance.ATTENDED)
        _book(
            person,
            days=-n - 30,
            attendance=Attendance.LEFT_EARLY,
            evaluated_on=timezone.localdate(),
            impact_requested_at=timezone.now(),
        )
        _book(person, days=-n - 60, attendance=Attendance.DID_NOT_ATTEND)


@pytest.mark.django_db
def test_the_overview_lists_what_the_full_list_has_a_few_at_a_time():
    person = UserFactory.create()
    _history(person, 4)
    _book(UserFactory.create(), days=3)  # someone else's
    full = selectors.bookings_of(user=person)
    overview = selectors.booking_overview_of(user=person, listed=3)
    for heading in ("places", "waiting", "to_evaluate"):
        listed = getattr(overview, heading)
        assert listed.items == tuple(full[heading][:3])
        assert listed.total == len(full[heading]) == 4
    attended = [b for b in full["past"] if b.attendance in PRESENT]
    assert overview.attended.items == tuple(attended[:3])
    assert overview.attended.total == 8
    assert overview.impact_due.total == 4
    assert all(booking.impact_due for booking in overview.impact_due.items)
    # The listed bookings come with their sessions and courses.
    with CaptureQueriesContext(connection) as queries:
        titles = [booking.session.course.title for booking in overview.places.items]
    assert titles
    assert not queries.captured_queries


@pytest.mark.django_db
def test_the_overview_reads_twice_however_many_bookings_there_are():
    person, newcomer = UserFactory.create(), UserFactory.create()
    _history(person, 2)
    with CaptureQueriesContext(connection) as few:
        selectors.booking_overview_of(user=person, listed=5)
    _history(person, 6)
    with CaptureQueriesContext(connection) as many:
        selectors.booking_overview_of(user=person, listed=5)
    assert len(few.captured_queries) == len(many.captured_queries) == 2
    with CaptureQueriesContext(connection) as none:
        overview = selectors.booking_overview_of(user=newcomer, listed=5)
    assert len(none.captured_queries) == 1
    assert overview.places.total == 0
    assert overview.places.items == ()


@pytest.mark.django_db
def test_a_booking_removed_between_the_two_reads_is_left_out(monkeypatch):
    person = UserFactory.create()
    kept, gone = _book(person, days=2), _book(person, days=3)
    read_in_full = Booking.objects.select_related

    def removed_first(*fields):
        Booking.objects.filter(pk=gone.pk).delete()  # as retention might, meanwhile
        return read_in_full(*fields)

    monkeypatch.setattr(Booking.objects, "select_related", removed_first)
    overview = selectors.booking_overview_of(user=person, listed=5)
    assert overview.places.items == (kept,)
    assert overview.places.total == 2  # as the first read counted them
