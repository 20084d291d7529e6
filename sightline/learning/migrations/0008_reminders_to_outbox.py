"""Learning reminders and digests already sent become sent messages in core's outbox, under
the keys the outbox gives them, so none is sent again on the day this is deployed."""

import datetime

from django.db import migrations

KINDS = {
    "action": "learning.action_reminder",
    "return": "learning.return_reminder",
    "digest": "learning.digest",
}


def carry_over(apps, schema_editor):
    ReminderLog = apps.get_model("learning", "ReminderLog")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    batch = []
    for row in ReminderLog.objects.iterator():
        # "action:12", "return:3", "digest:4": the outbox's key puts the prefix first.
        what, _, record = row.subject.partition(":")
        key = f"learning.{what}:{record}:{row.recipient.lower()}:{row.sent_on.isoformat()}"
        sent_at = datetime.datetime.combine(row.sent_on, datetime.time(7), tzinfo=datetime.UTC)
        batch.append(
            OutboxMessage(
                key=key,
                kind=KINDS.get(what, f"learning.{what}"),
                recipient=row.recipient,
                subject="Learning reminder (sent before the outbox)",
                status="sent",
                attempts=1,
                created_at=sent_at,
                next_attempt_at=sent_at,
                sent_at=sent_at,
            )
        )
    OutboxMessage.objects.bulk_create(batch, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0007_return_methods_several"),
        ("core", "0004_outbox_and_schedules"),
    ]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.DeleteModel(name="ReminderLog"),
    ]
