"""The indexes the dashboards' training counts rely on (PostgreSQL)."""

import copy
import datetime

import pytest
from django.db import connection
from django.utils import timezone

from sightline.core.tests.plans import plans_of, postgresql_only
from sightline.training.models import Session
from sightline.training.selectors import people_trained_by_agency

from .factories import BookingFactory, SessionFactory

pytestmark = [pytest.mark.django_db, postgresql_only]


def test_people_trained_by_agency_reads_the_index_of_who_came_not_the_bookings():
    BookingFactory.create_batch(3)
    since = timezone.now() - datetime.timedelta(days=365)
    [plan] = plans_of(lambda: people_trained_by_agency(since=since), reading="training_booking")
    assert "booking_present_session" in plan, plan
    assert "Seq Scan on training_booking" not in plan, plan


def _a_trainers_history(trainer, marked: int = 200) -> None:
    """Sessions the trainer held whose registers are marked, and the statistics of them:
    with the few rows of a test alone, PostgreSQL's choice between the trainer's index and
    the partial one of unmarked registers turns on statistics other tests left behind."""
    starts = timezone.now() - datetime.timedelta(days=30)
    held = SessionFactory.create(
        trainer=trainer, starts_at=starts, ends_at=starts + datetime.timedelta(hours=3)
    )
    copies = []
    for _ in range(marked):
        session = copy.copy(held)
        session.pk = None
        session.register_marked_at = timezone.now()
        copies.append(session)
    Session.objects.bulk_create(copies)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE training_session")


def test_a_trainers_registers_are_counted_from_the_partial_index(make_user):
    from sightline.core.roles import Role
    from sightline.training.selectors import registers_to_mark_count

    trainer = make_user(Role.TRAINER)
    _a_trainers_history(trainer)
    [registers] = plans_of(
        lambda: registers_to_mark_count(user=trainer), reading="training_session"
    )
    assert "session_unmarked_idx" in registers, registers


def test_the_trainers_counts_in_one_query_still_read_the_partial_indexes(make_user):
    from sightline.core.roles import Role
    from sightline.training.selectors import trainer_counts

    trainer = make_user(Role.TRAINER)
    BookingFactory.create_batch(3)
    _a_trainers_history(trainer)
    today = timezone.localdate()
    [plan] = plans_of(
        lambda: trainer_counts(user=trainer, since=today, today=today), reading="training_booking"
    )
    assert "booking_impact_awaited" in plan, plan
    assert "session_unmarked_idx" in plan, plan
