"""Reading a case file (CSV or XLSX) into checked rows (pure: no ORM).

Section 1 of the case review data contract: every problem is reported as
``line N, column C: what is wrong``, with line numbers as a spreadsheet shows them.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from sightline.core.tabular import FileProblem, cell_text, parse_date, problem, read_table

from .vocabulary import MILESTONES, Route

COLUMNS = ("reference", "route", "pseudonym", "outcome", *MILESTONES)
REQUIRED = ("reference", "route")

__all__ = ["COLUMNS", "FileProblem", "ParsedFile", "parse"]


@dataclass
class ParsedFile:
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse(name: str, content: bytes, *, today: datetime.date) -> ParsedFile:
    """Read and check a case file's cells; checks that need the stored cases come later."""
    table = read_table(name, content)
    header_cells = next(table, None)
    if header_cells is None:
        raise FileProblem("The file is empty: it needs a header row and a row for each case.")
    header = [cell_text(cell) for cell in header_cells]
    while header and header[-1] == "":
        header.pop()
    parsed = ParsedFile(columns=header)
    seen_columns: set[str] = set()
    for name_ in header:
        if name_ not in COLUMNS:
            parsed.errors.append(
                problem(1, name_ or "(blank)", "unknown column: remove it or fix its name")
            )
        elif name_ in seen_columns:
            parsed.errors.append(problem(1, name_, "this column appears twice"))
        seen_columns.add(name_)
    for required in REQUIRED:
        if required not in seen_columns:
            parsed.errors.append(problem(1, required, "required column is missing"))
    if parsed.errors:
        return parsed

    references: dict[str, int] = {}
    for line, cells in enumerate(table, start=2):
        if all(cell_text(cell) == "" for cell in cells):
            continue
        row: dict[str, Any] = {}
        for index, column in enumerate(header):
            cell = cells[index] if index < len(cells) else None
            if column in MILESTONES:
                try:
                    row[column] = parse_date(cell)
                except ValueError:
                    parsed.errors.append(
                        problem(
                            line,
                            column,
                            f"'{cell_text(cell)}' is not a date: use YYYY-MM-DD or DD/MM/YYYY",
                        )
                    )
                    continue
                if row[column] is not None and row[column] > today:
                    parsed.errors.append(
                        problem(line, column, f"{row[column]:%d/%m/%Y} is in the future")
                    )
            else:
                row[column] = cell_text(cell)
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
