"""Make an encrypted backup of the database (docs/operations.md, "Backup and restore")."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.core import backup_crypto
from sightline.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database, encrypted with the key in SIGHTLINE_BACKUP_KEY, into "
        "SIGHTLINE_BACKUP_DIR, keeping the SIGHTLINE_BACKUP_KEEP newest backups."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="Print a new random key for SIGHTLINE_BACKUP_KEY and make no backup.",
        )
        parser.add_argument(
            "--dir", type=Path, help="Write into this folder instead of SIGHTLINE_BACKUP_DIR."
        )

    def handle(self, *args: Any, new_key: bool, dir: Path | None, **options: Any) -> None:
        if new_key:
            self.stdout.write(backup_crypto.new_key())
            return
        try:
            result = backup_create(directory=dir)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        self.stdout.write(
            f"Backed up {manifest['total_rows']} rows in {len(manifest['tables'])} tables to "
            f"{result.path} ({result.size:,} bytes, {result.seconds:.1f} s)."
        )
        self.stdout.write(f"Audit trail head: {manifest['audit_head']}")
        for path in result.removed:
            self.stdout.write(f"Removed the older backup {path.name}")
