"""sightline send_reminders: email about deadlines due within two working days or overdue."""

from typing import Any

from django.core.management.base import BaseCommand

from sightline.reviews import services


class Command(BaseCommand):
    help = (
        "Email the person responsible for each milestone due within 2 working days or overdue. "
        "At most once a day per milestone and person: run it as often as you like."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = services.reminders_send()
        self.stdout.write(f"{sent} reminder{'s' if sent != 1 else ''} sent.")
