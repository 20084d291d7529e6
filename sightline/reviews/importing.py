"""Reading a case file (CSV or XLSX) into checked rows (pure: no ORM).

Section 1 of the case review data contract: every problem is reported as
``line N, column C: what is wrong``, with line numbers as a spreadsheet shows them.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from sightline.core.progress import NO_PROGRESS, Progress
from sightline.core.tabular import FileProblem, problem, read_header, read_rows, read_table

from .vocabulary import MILESTONES, Route

COLUMNS = ("reference", "route", "pseudonym", "outcome", *MILESTONES)
REQUIRED = ("reference", "route")

__all__ = ["COLUMNS", "FileProblem", "ParsedFile", "parse"]


@dataclass
class ParsedFile:
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse(
    name: str, content: bytes, *, today: datetime.date, progress: Progress = NO_PROGRESS
) -> ParsedFile:
    """Read and check a case file's cells; checks that need the stored cases come later."""
    table = read_table(name, content)
    header, errors = read_header(
        table,
        columns=COLUMNS,
        required=REQUIRED,
        empty="The file is empty: it needs a header row and a row for each case.",
    )
    parsed = ParsedFile(columns=header, errors=errors)
    if parsed.errors:
        return parsed

    references: dict[str, int] = {}
    for line, row, _unreadable in read_rows(
        table, header, dates=MILESTONES, problems=parsed.errors, progress=progress
    ):
        for column in MILESTONES:
            value = row.get(column)
            if value is not None and value > today:
                parsed.errors.append(problem(line, column, f"{value:%d/%m/%Y} is in the future"))
        reference = row.get("reference", "")
        if not reference:
            parsed.errors.append(problem(line, "reference", "every case needs a reference"))
        elif reference.upper() in references:
            parsed.errors.append(
                problem(
                    line,
                    "reference",
                    f"{reference} is already on line {references[reference.upper()]}",
                )
            )
        else:
            references[reference.upper()] = line
        route = row.get("route", "")
        if route not in Route.values:
            parsed.errors.append(
                problem(line, "route", f"'{route}' is not a route: use child, adult, dhr or local")
            )
        parsed.rows.append((line, row))
    return parsed
