"""Replace the database with an encrypted backup (docs/operations.md, "Backup and restore")."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore the database from a backup made by `sightline backup`. Stop the service "
        "first. Everything in the database is replaced by the backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup file (.slbackup).")
        parser.add_argument(
            "--yes", action="store_true", help="Confirm that the database is to be replaced."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even though the database holds data, which is lost.",
        )

    def handle(self, *args: Any, file: Path, yes: bool, force: bool, **options: Any) -> None:
        if not yes:
            raise CommandError(
                "Restoring replaces what the database holds with the backup. Stop the service, "
                "then run again with --yes to go ahead."
            )
        try:
            result = backup_restore(path=file, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        if result.mismatches:
            raise CommandError(
                "The restored database does not match the backup's manifest: "
                + "; ".join(result.mismatches)
            )
        self.stdout.write(
            f"Restored {manifest['total_rows']} rows in {len(manifest['tables'])} tables from "
            f"{file} (made {manifest['created_at']}) in {result.seconds:.1f} s; every "
            "table matches the backup's manifest."
        )
        self.stdout.write(
            "Next: run `sightline migrate` if the code is newer than the backup, then start "
            "the service."
        )
