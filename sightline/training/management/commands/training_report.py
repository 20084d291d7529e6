"""sightline training_report: reach, ratings, no-shows, courses past review and the learning
loop, for a period (the definitions are in ``sightline.training.reporting``)."""

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sightline.training import report_selectors, reporting


def _date(value: str | None, option: str) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"{option} '{value}' is not a date: use YYYY-MM-DD, like 2025-04-01.", returncode=2
        ) from error


class Command(BaseCommand):
    help = (
        "The training report and the learning loop for the sessions starting in a period "
        "(default: the current financial year, 1 April to 31 March)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", help="YYYY-MM-DD, the first day")
        parser.add_argument("--to", dest="date_to", help="YYYY-MM-DD, the last day")
        parser.add_argument(
            "--as-at",
            dest="as_at",
            help="YYYY-MM-DD: the figures as they stood at the end of that day (default: now)",
        )
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        default_from, default_to = reporting.financial_year(today)
        date_from = _date(options["date_from"], "--from") or default_from
        date_to = _date(options["date_to"], "--to") or default_to
        problem = reporting.period_problem(date_from, date_to)
        if problem and date_from > date_to:
            problem = (
                f"--from {date_from.isoformat()} is after --to {date_to.isoformat()}: "
                "the first day must be the same as or before the last day"
            )
        if problem:
            raise CommandError(f"{problem}.", returncode=2)
        as_at = _date(options["as_at"], "--as-at")
        if as_at is not None and as_at > today:
            raise CommandError(
                f"--as-at {as_at.isoformat()} is in the future: give today or an earlier day.",
                returncode=2,
            )
        report = report_selectors.training_report(
            date_from=date_from, date_to=date_to, today=as_at or today, as_at=as_at
        )
        loop = report_selectors.learning_loop(date_from=date_from, date_to=date_to, as_at=as_at)
        if options["format"] == "json":
            self.stdout.write(json.dumps({**report, "learning_loop": loop}, indent=1))
            return
        title = (
            f"Training report, {reporting.long_date(date_from)} to {reporting.long_date(date_to)}"
        )
        tables = reporting.report_tables(report, loop)
        if options["format"] == "csv":
            self.stdout.write(reporting.tables_csv(title, tables), ending="")
            return
        self.stdout.write(reporting.tables_text(title, tables), ending="")
