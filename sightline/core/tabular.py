"""Reading spreadsheets that people upload (pure: no ORM): CSV or XLSX, dates as they write
them, and problems named by the line and column a spreadsheet shows. Every import uses it."""

import datetime
import re
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from . import bounded
from .progress import EVERY, NO_PROGRESS, Progress

MAX_BYTES = bounded.Limits().upload_bytes  # the default; settings may change it
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class FileProblem(Exception):
    """The file as a whole cannot be read (wrong type, not UTF-8, too big, empty)."""


class ImportRejected(Exception):
    """The file has problems: nothing was written. ``problems`` names each one once, in the
    order of the lines they are on (and, on one line, in the order they were found)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = in_line_order(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the file")


LINE = re.compile(r"^line (\d+), ")


def in_line_order(problems: Iterable[str]) -> list[str]:
    """Each problem once, by line number (a stable sort); problems naming no line first."""

    def line_of(text: str) -> int:
        match = LINE.match(text)
        return int(match.group(1)) if match else 0

    return sorted(dict.fromkeys(problems), key=line_of)


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


def _guarded(rows: Iterator[list[Any]], bound: bounded.Limits) -> Iterator[list[Any]]:
    """The rows, each checked against the limits as it is read; a refusal is a
    ``FileProblem`` saying which limit and what to do."""
    guard = bounded.RowGuard(bound)
    try:
        for line, cells in enumerate(rows, start=1):
            guard.check(line, cells)
            yield cells
    except bounded.LimitExceeded as error:
        raise FileProblem(str(error)) from error
    except UnicodeDecodeError as error:
        raise FileProblem(
            "The file is not UTF-8 text. Save it from your spreadsheet as 'CSV UTF-8' "
            "and try again."
        ) from error


def read_table(
    name: str, content: bytes, *, bound: bounded.Limits | None = None
) -> Iterator[list[Any]]:
    """The rows of a .csv or .xlsx file, read within the limits (``bounded.limits()``
    unless ``bound`` is given): a file beyond them is a ``FileProblem`` naming the limit."""
    bound = bound or bounded.limits()
    try:
        bounded.check_size(len(content), bound)
    except bounded.LimitExceeded as error:
        raise FileProblem(str(error)) from error
    lower = name.lower()
    if lower.endswith(".csv"):
        return _guarded(bounded.csv_rows(content, bound), bound)
    if lower.endswith(".xlsx"):
        if not content.startswith(b"PK"):
            raise FileProblem("The file ends in .xlsx but is not an Excel workbook.")
        try:
            bounded.check_workbook(content, bound)
        except bounded.LimitExceeded as error:
            raise FileProblem(str(error)) from error
        return _guarded(bounded.worksheet_rows(content, bound), bound)
    raise FileProblem("The file must be a .csv or .xlsx file.")


def check_bounds(name: str, content: bytes) -> None:
    """Reads the whole file within the limits, keeping nothing: a ``FileProblem`` naming the
    limit if it is beyond one. Done before a file is held or handed to background work, so
    the refusal is an answer to the upload itself."""
    for _row in read_table(name, content):
        pass


def line_count(name: str, content: bytes) -> int | None:
    """About how many rows a file has, for a progress count: a CSV's lines, less its
    header; None for a workbook, which cannot be counted without reading it."""
    if not name.lower().endswith(".csv"):
        return None
    return max(content.count(b"\n") - (1 if content.endswith(b"\n") else 0), 0)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_header(
    table: Iterator[list[Any]], *, columns: Collection[str], required: Collection[str], empty: str
) -> tuple[list[str], list[str]]:
    """The header row's column names (blank cells at its end dropped) and its problems:
    unknown, repeated and missing columns. A file with no rows at all is a ``FileProblem``
    saying ``empty``."""
    cells = next(table, None)
    if cells is None:
        raise FileProblem(empty)
    header = [cell_text(cell) for cell in cells]
    while header and header[-1] == "":
        header.pop()
    problems: list[str] = []
    seen: set[str] = set()
    for name in header:
        if name not in columns:
            problems.append(
                problem(1, name or "(blank)", "unknown column: remove it or fix its name")
            )
        elif name in seen:
            problems.append(problem(1, name, "this column appears twice"))
        seen.add(name)
    problems += [
        problem(1, name, "required column is missing") for name in required if name not in seen
    ]
    return header, problems


def read_rows(
    table: Iterator[list[Any]],
    header: list[str],
    *,
    dates: Collection[str],
    problems: list[str],
    progress: Progress = NO_PROGRESS,
) -> Iterator[tuple[int, dict[str, Any], set[str]]]:
    """Each row under the header that is not blank, as its line number, its cells by column
    (text, or a date in a ``dates`` column) and the date columns that could not be read:
    those are None, and each adds to ``problems``. Reports the rows read to ``progress``."""
    for line, cells in enumerate(table, start=2):
        if line % EVERY == 0:
            progress.advance(line - 1)
        if all(cell_text(cell) == "" for cell in cells):
            continue
        row: dict[str, Any] = {}
        unreadable: set[str] = set()
        for index, column in enumerate(header):
            cell = cells[index] if index < len(cells) else None
            if column not in dates:
                row[column] = cell_text(cell)
                continue
            try:
                row[column] = parse_date(cell)
            except ValueError:
                problems.append(
                    problem(
                        line,
                        column,
                        f"'{cell_text(cell)}' is not a date: use YYYY-MM-DD or DD/MM/YYYY",
                    )
                )
                row[column] = None
                unreadable.add(column)
        yield line, row, unreadable
