"""Deadline reminders already sent become sent messages in core's outbox, under the key the
outbox gives them, so none is sent again on the day this is deployed."""

from django.db import migrations


def carry_over(apps, schema_editor):
    ReminderSent = apps.get_model("reviews", "ReminderSent")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    batch = []
    for row in ReminderSent.objects.iterator():
        key = (
            f"reviews.deadline:{row.case_id}:{row.standard_code}:"
            f"{row.recipient.lower()}:{row.sent_on.isoformat()}"
        )
        batch.append(
            OutboxMessage(
                key=key,
                kind="reviews.deadline_reminder",
                recipient=row.recipient,
                subject="Deadline reminder (sent before the outbox)",
                status="sent",
                attempts=1,
                created_at=row.created_at,
                next_attempt_at=row.created_at,
                sent_at=row.created_at,
            )
        )
    OutboxMessage.objects.bulk_create(batch, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0003_case_reference_unique_whatever_case"),
        ("core", "0004_outbox_and_schedules"),
    ]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.DeleteModel(name="ReminderSent"),
    ]
