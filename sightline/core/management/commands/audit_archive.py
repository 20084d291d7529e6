"""``sightline audit_archive --before YYYY-MM-DD --to DIR``: move whole sealed blocks of the
audit trail and access log from before a date out of the database, into a checked file."""

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from sightline.core.audit_seals import ArchiveError, archive_before


def _date(value: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a date: give it as YYYY-MM-DD") from error
    if not datetime.date(1900, 1, 1) <= day <= datetime.date(2100, 12, 31):
        raise ValueError("The date must be between 1900 and 2100")
    return day


class Command(BaseCommand):
    help = "Archive the audit trail's sealed blocks from before a date to a file, then remove them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--before", required=True, help="YYYY-MM-DD: blocks sealed before this day"
        )
        parser.add_argument("--to", required=True, help="The folder to write the archive file in")

    def handle(self, *args: Any, before: str, to: str, **options: Any) -> None:
        try:
            day = _date(before)
        except ValueError as error:
            self.stderr.write(str(error))
            raise SystemExit(2) from error
        if day > datetime.date.today():
            self.stderr.write("--before cannot be after today")
            raise SystemExit(2)
        try:
            made = archive_before(before=day, to=Path(to), actor=None)
        except ArchiveError as error:
            self.stderr.write(str(error))
            raise SystemExit(1) from error
        except (DatabaseError, OSError) as error:
            self.stderr.write(f"Nothing was archived: {error}")
            raise SystemExit(2) from error
        self.stdout.write(
            f"Archived {made.events} events in {made.seals} seals to {made.path}; "
            f"the chain now starts at seal {made.checkpoint.seal_id}"
        )
