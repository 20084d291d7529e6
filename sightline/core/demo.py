"""The demo's background work: one email the mail server refused, so that administrators see
what an email not sent looks like and how to send it again."""

import datetime
from typing import Any

from django.utils import timezone

from .models import OutboxMessage

REFUSED_KEY = "demo:refused-reminder"


def seed(*, password: str, stdout: Any) -> None:
    if OutboxMessage.objects.filter(key=REFUSED_KEY).exists():
        return
    written = timezone.now() - datetime.timedelta(days=1, hours=2)
    OutboxMessage.objects.create(
        key=REFUSED_KEY,
        kind="learning.action_reminder",
        recipient="j.morgan.leaver@fenmoor-college.demo.sightline.test",
        subject="Overdue: learning action NR-2020-1/R1/A1",
        body="This demo email was refused by the mail server: the person has left.",
        status=OutboxMessage.Status.DEAD,
        attempts=1,
        created_at=written,
        next_attempt_at=written,
        last_error="The mail server answered 550 5.1.1 No such mailbox here (the address "
        "does not exist)",
    )
    stdout.write("Demo background work: one email the mail server refused.")
