"""A trainer's counts (``trainer_counts``): all four in one query, each counting every row
and not only those the dashboard lists (the sessions with new evaluations once stopped at
the ten listed), and each only of the trainer's own sessions."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sightline.core.roles import Role
from sightline.reports.selectors.dashboards import trainer_dashboard, trainer_follow_up
from sightline.training.selectors import (
    EVALUATED_LISTED,
    REGISTERS_LISTED,
    TrainerCounts,
    courses_due_for_review,
    registers_to_mark,
    registers_to_mark_count,
    sessions_with_new_evaluations,
    trainer_counts,
)
from sightline.training.vocabulary import Attendance

from .factories import BookingFactory, CourseFactory, EvaluationFactory, SessionFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _held(trainer, days_ago: int):
    starts = timezone.now() - days_ago * DAY
    return SessionFactory.create(
        trainer=trainer, starts_at=starts, ends_at=starts + datetime.timedelta(hours=3)
    )


def _history(trainer, times: int) -> None:
    """``times`` sessions with an unmarked register, ``times`` with a new evaluation, and
    ``times`` people who came and were sent an impact survey they have not answered."""
    for n in range(times):
        _held(trainer, n + 2)
        evaluated = _held(trainer, n + 3)
        evaluated.register_marked_at = timezone.now()
        evaluated.save()
        EvaluationFactory.create(session=evaluated)
        BookingFactory.create(
            session=evaluated,
            attendance=Attendance.ATTENDED,
            impact_requested_at=timezone.now(),
        )


@pytest.mark.parametrize("times", [0, 3, max(REGISTERS_LISTED, EVALUATED_LISTED) + 2])
def test_every_row_is_counted_in_one_query(make_user, times):
    trainer = make_user(Role.TRAINER)
    _history(trainer, times)
    _history(make_user(Role.TRAINER), 2)  # someone else's sessions
    CourseFactory.create(review_date=timezone.localdate() - DAY)
    CourseFactory.create(review_date=timezone.localdate() + DAY)
    CourseFactory.create(review_date=timezone.localdate() - DAY, is_active=False)
    today = timezone.localdate()
    since = today - 30 * DAY
    assert Role.TRAINER in trainer.role_set  # the roles are read once a request, before
    with CaptureQueriesContext(connection) as queries:
        counts = trainer_counts(user=trainer, since=since, today=today)
    assert len(queries.captured_queries) == 1
    assert counts == TrainerCounts(
        registers_to_mark=times,
        evaluated_sessions=times,
        impact_surveys_awaited=times,
        courses_due_for_review=1,
    )
    # The same as each count on its own, and more than the lists hold.
    assert counts.registers_to_mark == registers_to_mark_count(user=trainer)
    assert len(registers_to_mark(user=trainer)) == min(times, REGISTERS_LISTED)
    listed = sessions_with_new_evaluations(user=trainer, since=since)
    assert len(listed) == min(times, EVALUATED_LISTED)


def test_the_dashboard_and_the_home_panel_show_the_counts(make_user):
    trainer = make_user(Role.TRAINER)
    times = EVALUATED_LISTED + 1
    _history(trainer, times)
    label = "Sessions with evaluations in the last 30 days"
    dashboard = {figure.label: figure.count for figure in trainer_dashboard(user=trainer).figures}
    assert dashboard[label] == times
    assert dashboard["Registers to mark"] == times
    panel = {figure.label: figure.count for figure in trainer_follow_up(user=trainer)}
    assert panel[label] == times
    assert panel["Impact surveys waiting for an answer"] == times


def test_courses_due_for_review_are_limited_in_the_database_longest_overdue_first():
    today = timezone.localdate()
    for days in (5, 30, 1, 12):
        CourseFactory.create(title=f"{days} days over", review_date=today - days * DAY)
    CourseFactory.create(title="Due tomorrow", review_date=today + DAY)
    CourseFactory.create(title="Retired", review_date=today - 60 * DAY, is_active=False)

    with CaptureQueriesContext(connection) as queries:
        listed = courses_due_for_review(today=today, listed=3)
        titles = [course.title for course in listed]
        dates = [course.review_date for course in listed]

    assert titles == ["30 days over", "12 days over", "5 days over"]
    assert dates == [today - 30 * DAY, today - 12 * DAY, today - 5 * DAY]
    # One query, limited there: the title and date need no second read.
    assert len(queries.captured_queries) == 1
    sql = queries.captured_queries[0]["sql"]
    assert "LIMIT 3" in sql
    assert "outline" not in sql
    assert "learning_outcomes" not in sql


def test_a_dashboards_session_lists_read_what_they_show_in_one_query_each(make_user):
    trainer = make_user(Role.TRAINER)
    _history(trainer, 3)
    soon = timezone.now() + 2 * DAY
    SessionFactory.create(trainer=trainer, starts_at=soon, ends_at=soon + DAY / 8)
    assert Role.TRAINER in trainer.role_set  # the roles are read once a request, before

    with CaptureQueriesContext(connection) as queries:
        dashboard = trainer_dashboard(user=trainer)
        shown = [
            (session.pk, session.course.title, session.starts_at, session.capacity)
            for session in (*dashboard.teaching, *dashboard.to_mark, *dashboard.evaluations)
        ]
        teaching: Any = dashboard.teaching  # annotated with their places
        places = [(session.taken, session.waiting) for session in teaching]

    assert len(dashboard.teaching) == 1
    assert places == [(0, 0)]
    assert len(shown) == 1 + 3 + 3
    # Sessions to teach, the counts, registers to mark, sessions with new evaluations; no
    # course is past its review date, so that list is not read.
    assert len(queries.captured_queries) == 4
    # The lists read neither the courses' long texts nor the sessions' venues and links.
    lists = [queries.captured_queries[n]["sql"] for n in (0, 2, 3)]
    for column in ("outline", "learning_outcomes", "venue", "joining_link"):
        assert not any(column in sql for sql in lists), column
