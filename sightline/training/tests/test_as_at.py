"""The training figures as they stood at the end of a day: registers marked or corrected,
and evaluations given, after it do not change them."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from sightline.core.models import AppendOnlyError
from sightline.training import report_selectors, services
from sightline.training.models import AttendanceMark
from sightline.training.vocabulary import Attendance

from .factories import BookingFactory, EvaluationFactory, SessionFactory

D = datetime.date
YEAR = {"date_from": D(2023, 4, 1), "date_to": D(2024, 3, 31)}


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


def session_on(day: datetime.date):
    return SessionFactory.create(starts_at=at(day, 9), ends_at=at(day, 12))


@pytest.fixture
def registers(db):
    """A session on 20 March marked that day, one delegate corrected on 5 April; a session
    on 28 March marked on 3 April; an evaluation given on 2 April."""
    first = session_on(D(2024, 3, 20))
    came, missed = BookingFactory.create_batch(2, session=first, booked_at=at(D(2024, 3, 1)))
    second = session_on(D(2024, 3, 28))
    late = BookingFactory.create(session=second, booked_at=at(D(2024, 3, 1)))
    with time_machine.travel(at(D(2024, 3, 20), 14), tick=False):
        services.register_mark(
            actor=first.trainer,
            session=first,
            marks={came.pk: Attendance.ATTENDED, missed.pk: Attendance.DID_NOT_ATTEND},
        )
    with time_machine.travel(at(D(2024, 4, 3)), tick=False):
        services.register_mark(
            actor=second.trainer, session=second, marks={late.pk: Attendance.ATTENDED}
        )
    with time_machine.travel(at(D(2024, 4, 5)), tick=False):
        services.register_mark(
            actor=first.trainer, session=first, marks={missed.pk: Attendance.LEFT_EARLY}
        )
    EvaluationFactory.create(session=first, submitted_on=D(2024, 4, 2))
    return first


@time_machine.travel(at(D(2024, 4, 10)), tick=False)
def test_the_year_end_figures_count_only_what_was_marked_and_given_by_then(registers):
    then = report_selectors.training_report(**YEAR, today=D(2024, 3, 31), as_at=D(2024, 3, 31))
    now = report_selectors.training_report(**YEAR, today=D(2024, 4, 10))
    assert (then["headline"]["attendances"], then["headline"]["no_shows"]) == (1, 1)
    assert (now["headline"]["attendances"], now["headline"]["no_shows"]) == (3, 0)
    assert then["headline"]["sessions"] == now["headline"]["sessions"] == 2
    assert then["headline"]["evaluations"] == 0
    assert now["headline"]["evaluations"] == 1
    # As at a later day, the same as now.
    later = report_selectors.training_report(**YEAR, today=D(2024, 4, 10), as_at=D(2024, 4, 10))
    assert later == now


@time_machine.travel(at(D(2024, 4, 10)), tick=False)
def test_a_correction_after_the_date_leaves_the_figures_then(registers):
    before = report_selectors.training_report(**YEAR, today=D(2024, 4, 4), as_at=D(2024, 4, 4))
    assert (before["headline"]["attendances"], before["headline"]["no_shows"]) == (2, 1)
    marks = AttendanceMark.objects.filter(booking__session=registers).order_by("marked_at", "pk")
    assert [mark.attendance for mark in marks] == ["attended", "did_not_attend", "left_early"]


@time_machine.travel(at(D(2024, 4, 10)), tick=False)
def test_bookings_marked_outside_the_services_are_read_by_their_own_marking_time(db):
    session = session_on(D(2024, 3, 20))
    BookingFactory.create(
        session=session,
        attendance=Attendance.ATTENDED,
        attendance_marked_at=at(D(2024, 4, 2)),
    )
    then = report_selectors.training_report(**YEAR, today=D(2024, 3, 31), as_at=D(2024, 3, 31))
    assert then["headline"]["attendances"] == 0
    assert (
        report_selectors.training_report(**YEAR, today=D(2024, 4, 10))["headline"]["attendances"]
        == 1
    )


def test_the_marks_are_append_only(registers):
    mark = AttendanceMark.objects.filter(attendance=Attendance.ATTENDED).earliest("pk")
    mark.attendance = Attendance.DID_NOT_ATTEND
    with pytest.raises(AppendOnlyError):
        mark.save()


@time_machine.travel(at(D(2024, 4, 10)), tick=False)
def test_the_command_gives_the_figures_as_at_a_date_in_the_same_shape(registers):
    def run(*extra: str) -> dict:
        out = io.StringIO()
        call_command(
            "training_report",
            "--from",
            "2023-04-01",
            "--to",
            "2024-03-31",
            "--format",
            "json",
            *extra,
            stdout=out,
        )
        return json.loads(out.getvalue())

    now, then = run(), run("--as-at", "2024-03-31")
    assert list(now) == list(then)
    assert (then["headline"]["attendances"], now["headline"]["attendances"]) == (1, 3)
    with pytest.raises(CommandError) as raised:
        run("--as-at", "2024-04-11")
    assert raised.value.returncode == 2


@time_machine.travel(at(D(2024, 4, 10)), tick=False)
def test_the_report_as_at_a_date_takes_the_same_queries_for_ten_times_the_bookings(
    db, django_assert_num_queries
):
    def grow(count: int) -> None:
        for _ in range(count):
            session = session_on(D(2024, 3, 20))
            bookings = BookingFactory.create_batch(2, session=session)
            with time_machine.travel(at(D(2024, 3, 21)), tick=False):
                services.register_mark(
                    actor=session.trainer,
                    session=session,
                    marks={booking.pk: Attendance.ATTENDED for booking in bookings},
                )

    grow(1)
    with django_assert_num_queries(7):
        report_selectors.training_report(**YEAR, today=D(2024, 3, 31), as_at=D(2024, 3, 31))
    grow(10)
    with django_assert_num_queries(7):
        report = report_selectors.training_report(
            **YEAR, today=D(2024, 3, 31), as_at=D(2024, 3, 31)
        )
    assert report["headline"]["attendances"] == 22
