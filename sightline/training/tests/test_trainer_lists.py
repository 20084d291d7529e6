"""A trainer's counts (``trainer_counts``): all four in one query, each counting every row
and not only those the dashboard lists (the sessions with new evaluations once stopped at
the ten listed), and each only of the trainer's own sessions."""

import datetime

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
