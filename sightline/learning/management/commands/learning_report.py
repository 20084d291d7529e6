"""sightline learning_report: recommendations and actions, by source and by agency."""

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sightline.core.exports import csv_text
from sightline.learning import selectors
from sightline.learning.reporting import ACTION_FIGURES, RECOMMENDATION_FIGURES


class Command(BaseCommand):
    help = "The learning report as at a date (section 2 of the learning tracker contract)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-at", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_at = (
                datetime.date.fromisoformat(options["as_at"])
                if options["as_at"]
                else timezone.localdate()
            )
        except ValueError as error:
            raise CommandError(
                f"'{options['as_at']}' is not a date: use YYYY-MM-DD.", returncode=2
            ) from error
        report = selectors.learning_report(as_at=as_at)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, indent=1))
            return
        figures = [*RECOMMENDATION_FIGURES, *ACTION_FIGURES]
        rows = [["totals", "", *(report["totals"][f] for f in figures)]]
        rows += [
            [s["source_type"], s["source"], *(s[f] for f in figures)] for s in report["by_source"]
        ]
        rows += [
            ["agency", a["agency"], *(a.get(f, "") for f in figures)] for a in report["by_agency"]
        ]
        if options["format"] == "csv":
            self.stdout.write(csv_text(["group", "name", *figures], rows), ending="")
            return
        short = [
            "recs",
            "acc",
            "part",
            "not",
            "undec",
            "actions",
            "done",
            "on time",
            "closed",
            "overdue",
            "open",
            "dissem",
            "impact",
        ]
        self.stdout.write(f"Learning report as at {report['as_at']}")
        self.stdout.write(f"{'':<48}" + "".join(f"{name:>8}" for name in short))
        for group, name, *values in rows:
            label = f"{group} {name}".strip()[:47]
            self.stdout.write(f"{label:<48}" + "".join(f"{value:>8}" for value in values))
        for item in report["not_accepted"]:
            self.stdout.write(
                f"Not accepted: {item['recommendation_ref']} ({item['source']}): {item['reason']}"
            )
