"""Reading a case file (CSV or XLSX) into checked rows (pure: no ORM).

Section 1 of the case review data contract: every problem is reported as
``line N, column C: what is wrong``, with line numbers as a spreadsheet shows them.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .vocabulary import MILESTONES, Route

COLUMNS = ("reference", "route", "pseudonym", "outcome", *MILESTONES)
REQUIRED = ("reference", "route")
MAX_BYTES = 10 * 1024 * 1024
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class FileProblem(Exception):
    """The file as a whole cannot be read (wrong type, not UTF-8, too big, empty)."""


@dataclass
class ParsedFile:
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def problem(line: int, column: str, message: str) -> str:
    return f"line {line}, column {column}: {message}"


def parse_date(value: Any) -> datetime.date | None:
    """A date from a cell: a real spreadsheet date, ``YYYY-MM-DD`` or UK ``DD/MM/YYYY``."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    if ISO.match(text):
        return datetime.date.fromisoformat(text)
    match = UK.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return datetime.date(year, month, day)
    raise ValueError(text)


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(
            "The file is not UTF-8 text. Save it from your spreadsheet as 'CSV UTF-8' "
            "and try again."
        ) from error
    yield from csv.reader(io.StringIO(text, newline=""))


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileProblem("The file could not be read as an Excel workbook (.xlsx).") from error
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def read_table(name: str, content: bytes) -> Iterator[list[Any]]:
    if len(content) > MAX_BYTES:
        raise FileProblem(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it.")
    lower = name.lower()
    if lower.endswith(".csv"):
        return _csv_rows(content)
    if lower.endswith(".xlsx"):
        if not content.startswith(b"PK"):
            raise FileProblem("The file ends in .xlsx but is not an Excel workbook.")
        return _xlsx_rows(content)
    raise FileProblem("The file must be a .csv or .xlsx file.")


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


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
