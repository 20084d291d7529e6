"""sightline recount_deadlines: recount every case's due dates (after upgrading `holidays`)."""

from typing import Any

from django.core.management.base import BaseCommand

from sightline.reviews import services


class Command(BaseCommand):
    help = (
        "Recount every open deadline from the standards and working days. Sightline does this "
        "itself when a standard or closure day changes; run it after upgrading the holidays "
        "package, which may add a newly announced bank holiday."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.deadlines_refresh()
        self.stdout.write(f"{count} open deadlines recounted.")
