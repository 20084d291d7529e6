"""sightline recount_trends: count the past quarters' trend figures again, now."""

from typing import Any

from django.core.management.base import BaseCommand

from sightline.reports import services


class Command(BaseCommand):
    help = (
        "Count again the last twelve closed quarters' trend figures (deadlines met, learning "
        "actions overdue, risks above appetite), which the dashboards and the Executive pack "
        "read. The worker does this every night; run it to see a correction to an earlier "
        "quarter at once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = services.quarter_snapshots_refresh()
        self.stdout.write(f"{done['quarters']} quarters' trend figures counted.")
