"""The restore drill: restore the latest backup into a scratch database and compare it."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.core.backup import BackupError, backup_verify_restore


class Command(BaseCommand):
    help = (
        "Restore the latest backup (or --file) into a scratch database, removed afterwards, "
        "and compare its rows per table and its audit trail's head with its manifest and "
        "with the live database. Exits 1 if they do not match."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, help="This backup rather than the latest.")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Fail on any difference from the live database, not only on rows lost from "
            "the audit trail or access log (for a drill right after a backup).",
        )

    def handle(self, *args: Any, file: Path | None, strict: bool, **options: Any) -> None:
        try:
            report = backup_verify_restore(path=file, strict=strict)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = report.manifest
        self.stdout.write(
            f"Restored {report.path.name} (made {manifest['created_at']}) into a scratch "
            f"database in {report.seconds:.1f} s: {sum(report.restored.values())} rows in "
            f"{len(report.restored)} tables."
        )
        if options["verbosity"] > 1:
            for table in sorted(set(report.restored) | set(report.live)):
                self.stdout.write(
                    f"  {table}: {report.restored.get(table, '-')} restored, "
                    f"{report.live.get(table, '-')} live"
                )
        self.stdout.write(f"Audit trail head: {report.restored_head} restored")
        self.stdout.write(f"                  {report.live_head} live")
        for note in report.notes:
            self.stdout.write(f"Changed since the backup: {note}")
        for problem in report.problems:
            self.stderr.write(f"Problem: {problem}")
        if not report.passed:
            raise CommandError(f"The restore drill failed: {len(report.problems)} problem(s).")
        self.stdout.write(self.style.SUCCESS("The restore drill passed."))
