"""Reading spreadsheets that people upload (pure: no ORM): CSV or XLSX, dates as they write
them, and problems named by the line and column a spreadsheet shows. Every import uses it."""

import csv
import datetime
import io
import re
from collections.abc import Iterator
from typing import Any

MAX_BYTES = 10 * 1024 * 1024
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class FileProblem(Exception):
    """The file as a whole cannot be read (wrong type, not UTF-8, too big, empty)."""


class ImportRejected(Exception):
    """The file has problems: nothing was written. ``problems`` names each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the file")
        self.problems = problems


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
