"""The upgrade that brings the outbox: every reminder already sent becomes a sent message
under the key the outbox gives it now, so nothing is sent again on the day of deployment."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sightline.core.models import OutboxMessage
from sightline.core.outbox import message_key
from sightline.reviews.tests.factories import CaseFactory
from sightline.training import notices
from sightline.training.tests.factories import BookingFactory

BEFORE = [
    ("reviews", "0003_case_reference_unique_whatever_case"),
    ("learning", "0006_action_list_indexes"),
    ("training", "0001_courses_sessions_bookings"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_reminders_sent_before_the_outbox_are_not_sent_again():
    case = CaseFactory.create()
    booking = BookingFactory.create()
    today = timezone.localdate()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(BEFORE)
    try:
        old.get_model("reviews", "ReminderSent").objects.create(
            case_id=case.pk,
            standard_code="child.notification",
            recipient="Officer@Example.test",
            sent_on=today,
        )
        old.get_model("learning", "ReminderLog").objects.create(
            subject="action:7", recipient="lead@example.test", sent_on=today
        )
        old.get_model("training", "TrainingNotice").objects.create(
            booking_id=booking.pk, kind="evaluation_request", sent_at=timezone.now()
        )
    finally:
        migrate(latest)

    # Each key is the one the services write today, so they find it and write nothing.
    assert set(OutboxMessage.objects.values_list("key", flat=True)) == {
        message_key(
            "reviews.deadline", case.pk, "child.notification", "officer@example.test", today
        ),
        message_key("learning.action", 7, "lead@example.test", today),
        notices.once_per_booking_key(notices.EVALUATION_REQUEST, booking.pk),
    }
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert OutboxMessage.objects.get(kind="training.evaluation_request").recipient == (
        booking.delegate.email
    )
