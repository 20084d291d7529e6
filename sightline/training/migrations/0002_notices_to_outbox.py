"""Training emails already sent once per booking (reminders, evaluation requests) become
sent messages in core's outbox, under the keys the outbox gives them, so none is sent again
on the day this is deployed."""

from django.db import migrations

KINDS = {
    "reminder": "training.reminder",
    "evaluation_request": "training.evaluation_request",
}


def carry_over(apps, schema_editor):
    TrainingNotice = apps.get_model("training", "TrainingNotice")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    batch = [
        OutboxMessage(
            key=f"training:{row.kind}:{row.booking_id}",
            kind=KINDS.get(row.kind, f"training.{row.kind}"),
            recipient=row.booking.delegate.email,
            subject="Training email (sent before the outbox)",
            status="sent",
            attempts=1,
            created_at=row.sent_at,
            next_attempt_at=row.sent_at,
            sent_at=row.sent_at,
        )
        for row in TrainingNotice.objects.select_related("booking__delegate").iterator()
    ]
    OutboxMessage.objects.bulk_create(batch, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_courses_sessions_bookings"),
        ("core", "0004_outbox_and_schedules"),
    ]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.DeleteModel(name="TrainingNotice"),
    ]
