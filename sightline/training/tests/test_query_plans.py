"""The indexes the dashboards' training counts rely on (PostgreSQL)."""

import datetime

import pytest
from django.utils import timezone

from sightline.core.tests.plans import plans_of, postgresql_only
from sightline.training.selectors import people_trained_by_agency

from .factories import BookingFactory

pytestmark = [pytest.mark.django_db, postgresql_only]


def test_people_trained_by_agency_reads_the_index_of_who_came_not_the_bookings():
    BookingFactory.create_batch(3)
    since = timezone.now() - datetime.timedelta(days=365)
    [plan] = plans_of(lambda: people_trained_by_agency(since=since), reading="training_booking")
    assert "booking_present_session" in plan, plan
    assert "Seq Scan on training_booking" not in plan, plan


def test_a_trainers_registers_are_counted_from_the_partial_index(make_user):
    from sightline.core.roles import Role
    from sightline.training.selectors import registers_to_mark_count

    trainer = make_user(Role.TRAINER)
    BookingFactory.create_batch(3)
    [registers] = plans_of(
        lambda: registers_to_mark_count(user=trainer), reading="training_session"
    )
    assert "session_unmarked_idx" in registers, registers


def test_the_trainers_counts_in_one_query_still_read_the_partial_indexes(make_user):
    from sightline.core.roles import Role
    from sightline.training.selectors import trainer_counts

    trainer = make_user(Role.TRAINER)
    BookingFactory.create_batch(3)
    today = timezone.localdate()
    [plan] = plans_of(
        lambda: trainer_counts(user=trainer, since=today, today=today), reading="training_booking"
    )
    assert "booking_impact_awaited" in plan, plan
    assert "session_unmarked_idx" in plan, plan
