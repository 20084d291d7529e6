"""sightline send_training_reminders: session reminders and impact surveys."""

from typing import Any

from django.core.management.base import BaseCommand

from sightline.core.outbox import outbox_deliver_all
from sightline.training import services


class Command(BaseCommand):
    help = (
        "Email delegates a reminder two days before each session they have a place on, and "
        "the impact survey the course's set number of weeks after a session they attended; "
        "release places whose manager did not approve them within 14 days. "
        "Each is sent once per booking, so it is safe to run as often as you like; run it "
        "at least daily. The worker does this every hour by itself; this command is for "
        "running it by hand."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = services.training_reminders_send()
        self.stdout.write(
            f"{sent['reminders']} session reminders, {sent['evaluation_requests']} evaluation "
            f"requests and {sent['impact_surveys']} impact surveys written; {sent['released']} "
            "places awaiting approval released."
        )
        self.stdout.write(outbox_deliver_all().summary())
