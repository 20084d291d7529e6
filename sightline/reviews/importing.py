"""Reading a case file (CSV or XLSX) into checked rows (pure: no ORM).

Section 1 of the case review data contract: every problem is reported as
``line N, column C: what is wrong``, with line numbers as a spreadsheet shows them.
"""

from dataclasses import dataclass, field
from typing import Any

from sightline.core.progress import NO_PROGRESS, Progress
from sightline.core.tabular import FileProblem, problem, read_header, read_rows, read_table

from .validation import ROUTES
from .vocabulary import MILESTONES

COLUMNS = ("reference", "route", "pseudonym", "outcome", *MILESTONES)
REQUIRED = ("reference", "route")

__all__ = ["COLUMNS", "FileProblem", "ParsedFile", "parse"]


@dataclass
class ParsedFile:
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # (line, column) of each cell already named in ``errors`` as unreadable: a date that is
    # not a date, a route that is not a route. The rules checked later skip those cells.
    named: set[tuple[int, str]] = field(default_factory=set)


def parse(name: str, content: bytes, *, progress: Progress = NO_PROGRESS) -> ParsedFile:
    """Read and check a case file's cells. Every row that is not blank is kept, with its
    unreadable cells None or as written, so that the rules checked later (which need the
    stored cases: the route's outcomes and milestones, their order, dates in the future)
    run on every row, whatever problems other rows or cells have."""
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
    for line, row, unreadable in read_rows(
        table, header, dates=MILESTONES, problems=parsed.errors, progress=progress
    ):
        parsed.named.update((line, column) for column in unreadable)
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
        if route not in ROUTES:
            parsed.errors.append(
                problem(line, "route", f"'{route}' is not a route: use child, adult, dhr or local")
            )
            parsed.named.add((line, "route"))
        parsed.rows.append((line, row))
    return parsed
