"""sightline send_learning_reminders [--digest]: learning actions and dissemination returns."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sightline.core.outbox import outbox_deliver_all
from sightline.learning import services


class Command(BaseCommand):
    help = (
        "Email about learning actions due within 5 working days or overdue, and outstanding "
        "dissemination returns, at most once a day each; on Mondays (or with --digest) send "
        "each agency lead a digest of their agency's open actions. The worker does this by "
        "itself; this command is for running it by hand."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--digest", action="store_true", help="Send the digest today.")

    def handle(self, *args: Any, digest: bool, **options: Any) -> None:
        written = services.learning_reminders_send(digest=True if digest else None)
        self.stdout.write(
            f"{written['actions']} action reminders, {written['returns']} return reminders and "
            f"{written['digests']} digests written."
        )
        self.stdout.write(outbox_deliver_all().summary())
