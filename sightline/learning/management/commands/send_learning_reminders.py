"""sightline send_learning_reminders [--digest]: learning actions and dissemination returns."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sightline.learning import services


class Command(BaseCommand):
    help = (
        "Email about learning actions due within 5 working days or overdue, and outstanding "
        "dissemination returns, at most once a day each; on Mondays (or with --digest) send "
        "each agency lead a digest of their agency's open actions. Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--digest", action="store_true", help="Send the digest today.")

    def handle(self, *args: Any, digest: bool, **options: Any) -> None:
        sent = services.learning_reminders_send(digest=True if digest else None)
        self.stdout.write(
            f"{sent['actions']} action reminders, {sent['returns']} return reminders and "
            f"{sent['digests']} digests sent."
        )
