"""sightline timeliness_report: the case reviews' timeliness against the standards."""

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sightline.core.exports import csv_text
from sightline.reviews import selectors


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"'{value}' is not a date: use YYYY-MM-DD.", returncode=2) from error


class Command(BaseCommand):
    help = "Timeliness against the national and local standards, as at a date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-at", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--since", help="Only cases whose start is on or after YYYY-MM-DD")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        as_at = _date(options["as_at"]) if options["as_at"] else timezone.localdate()
        since = _date(options["since"]) if options["since"] else None
        report = selectors.timeliness_report(as_at=as_at, since=since)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, indent=1))
        elif options["format"] == "csv":
            self.stdout.write(self._csv(report), ending="")
        else:
            self.stdout.write(self._table(report))

    @staticmethod
    def _csv(report: dict[str, Any]) -> str:
        columns = ["reference", "status", "start", "due", "done", "working_days", "days_late"]
        return csv_text(
            ["as_at", "since", "code", *columns],
            (
                [report["as_at"], report["since"], standard["code"], *(case[c] for c in columns)]
                for standard in report["standards"]
                for case in standard["cases"]
            ),
        )

    @staticmethod
    def _table(report: dict[str, Any]) -> str:
        lines = [
            f"Timeliness as at {report['as_at']}"
            + (f", cases starting on or after {report['since']}" if report["since"] else ""),
            "",
            f"{'standard':<28}{'applicable':>11}{'met':>6}{'missed':>8}{'pending':>9}{'overdue':>9}",
        ]
        for s in report["standards"]:
            lines.append(
                f"{s['code']:<28}{s['applicable']:>11}{s['met']:>6}{s['missed']:>8}"
                f"{s['pending']:>9}{s['overdue']:>9}"
            )
        return "\n".join(lines)
