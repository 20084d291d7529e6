"""sightline import_reviews PATH [--dry-run]: bring a case data tracker into Sightline."""

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.core import bounded
from sightline.core.tabular import FileProblem, ImportRejected
from sightline.reviews import services


class Command(BaseCommand):
    help = (
        "Import a case file (.csv or .xlsx) in the case data format. All or nothing: on any "
        "problem nothing is written, every problem is listed and the exit status is 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The .csv or .xlsx file to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report, but save nothing."
        )

    def handle(self, *args: Any, path: str, dry_run: bool, **options: Any) -> None:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"There is no file at {path}.", returncode=2)
        if file.suffix.lower() not in {".csv", ".xlsx"}:
            raise CommandError("The file must end in .csv or .xlsx.", returncode=2)
        try:
            result = services.import_cases(
                actor=None,
                name=file.name,
                content=bounded.read_path(file),
                dry_run=dry_run,
                # Who ran it, for the audit trail: the account on this machine.
                actor_label=f"command line ({getpass.getuser()})",
            )
        except bounded.LimitExceeded as error:
            raise CommandError(str(error), returncode=1) from error
        except FileProblem as error:
            raise CommandError(str(error), returncode=1) from error
        except ImportRejected as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Nothing was imported: {len(error.problems)} problem(s) to correct.", returncode=1
            ) from error
        prefix = "Dry run, nothing saved: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{len(result.created)} created, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged."
        )
