"""sightline send_reminders: email about deadlines due within two working days or overdue."""

from typing import Any

from django.core.management.base import BaseCommand

from sightline.core.outbox import outbox_deliver_all
from sightline.reviews import services


class Command(BaseCommand):
    help = (
        "Email the person responsible for each milestone due within 2 working days or overdue. "
        "At most once a day per milestone and person. The worker does this every day by "
        "itself; this command is for running it by hand."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        written = services.reminders_send()
        self.stdout.write(f"{written} reminder{'s' if written != 1 else ''} written.")
        self.stdout.write(outbox_deliver_all().summary())
