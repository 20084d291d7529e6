"""sightline yearly_report: the yearly report for a financial year, as JSON, HTML, a tagged
PDF or a Word file (``docs/reports/yearly-report.md``)."""

import datetime
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sightline.reports.selectors import yearly as selectors
from sightline.reports.yearly import document, render_docx, render_html
from sightline.reports.yearly.coverage import statutory_contents
from sightline.reports.yearly.narrative import approved_chapters
from sightline.reports.yearly.years import FinancialYear

USAGE = (
    "Use: sightline yearly_report --year 2023-24 [--since YYYY-MM-DD] "
    "--format json|html|pdf|docx [--output PATH]"
)


def _usage_error(message: str) -> CommandError:
    return CommandError(f"{message}\n{USAGE}", returncode=2)


def _write_atomically(path: Path, content: bytes) -> None:
    """Write beside ``path`` and rename, so no one ever sees half a file."""
    folder = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        # mkstemp makes the file readable by its owner only; give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "The yearly report for a financial year (1 April to 31 March)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", required=True, help="The financial year, like 2023-24")
        parser.add_argument(
            "--since",
            help="YYYY-MM-DD: the first day of the case review position "
            "(default: the partnership's setting, or every case)",
        )
        parser.add_argument("--format", choices=["json", "html", "pdf", "docx"], default="json")
        parser.add_argument("--output", help="The file to write (needed for pdf and docx)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            year = FinancialYear.parse(options["year"])
        except ValueError as error:
            raise _usage_error(f"--year: {error}.") from error
        since: datetime.date | None
        if options["since"]:
            try:
                since = datetime.date.fromisoformat(options["since"])
            except ValueError as error:
                raise _usage_error(
                    f"--since '{options['since']}' is not a date: write it as YYYY-MM-DD, "
                    "like 2018-06-01."
                ) from error
        else:
            since = selectors.position_since()
        fmt, output = options["format"], options["output"]
        if fmt in ("pdf", "docx") and not output:
            raise _usage_error(f"--format {fmt} writes a file: give it with --output PATH.")
        figures, narratives = selectors.yearly_report(year=year, since=since)
        if fmt == "json":
            data = figures.as_json()
            data["statutory_contents"] = [
                item.as_json()
                for item in statutory_contents(
                    figures=figures, approved_chapters=approved_chapters(narratives)
                )
            ]
            self._emit(json.dumps(data, indent=1), output)
            return
        report = document.build(
            figures=figures,
            narratives=narratives,
            partnership=settings.SIGHTLINE_PARTNERSHIP_NAME,
            produced=document.long_date(timezone.localdate()),
        )
        if fmt == "html":
            self._emit(render_html.standalone_html(report), output)
        elif fmt == "pdf":
            _write_atomically(Path(output), render_html.pdf_bytes(report))
        else:
            _write_atomically(Path(output), render_docx.docx_bytes(report))

    def _emit(self, text: str, output: str | None) -> None:
        if output:
            _write_atomically(Path(output), text.encode())
        else:
            self.stdout.write(text)
