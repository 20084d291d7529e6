"""Bounded reading of uploaded spreadsheets (pure: no ORM): a hostile or huge file is refused
with a message naming the limit and what to do, before anything big is held in memory.

- Size: the file itself (``MAX_UPLOAD_BYTES``), on the upload pages and the command line.
- A workbook (.xlsx is a zip): before openpyxl opens it, every member's declared size is
  checked (number of members, total unpacked size, compression ratio, and the parts openpyxl
  loads whole: the shared-strings table and the rest, all but the worksheets it streams),
  then each member is decompressed in small chunks to check its actual size matches.
- While reading rows: the number of rows, the columns a value is in, each cell's length, the
  total text held, and the time spent (checked after every row).
- A CSV is decoded as it is read, never as one string; a field longer than the cell limit
  stops the reader (``csv.field_size_limit``) rather than being built.

Every refusal is a ``LimitExceeded``, whose text is meant for the person who uploaded.
"""

from __future__ import annotations

import csv
import io
import os
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings

MB = 1024 * 1024
CHUNK = 64 * 1024
# A part smaller than this is never refused for its compression ratio: small XML parts of
# ordinary workbooks compress far better than large ones.
RATIO_FLOOR_BYTES = 1 * MB
SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
WORKSHEET_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
    "application/vnd.ms-excel.worksheet",
)


class LimitExceeded(ValueError):
    """The file is beyond one of the limits; ``str()`` says which, and what to do."""


@dataclass(frozen=True)
class Limits:
    upload_bytes: int = 10 * MB
    unpacked_bytes: int = 50 * MB
    members: int = 1000
    ratio: int = 250
    shared_strings_bytes: int = 10 * MB
    part_bytes: int = 10 * MB
    rows: int = 20_000
    columns: int = 100
    cell_chars: int = 32_767
    seconds: float = 120.0


def limits() -> Limits:
    """The limits as settings give them (``SIGHTLINE_IMPORT_MAX_*``), else the defaults."""
    default = Limits()

    def get(name: str, fallback: Any) -> Any:
        return getattr(settings, f"SIGHTLINE_IMPORT_MAX_{name}", fallback)

    return Limits(
        upload_bytes=int(get("UPLOAD_BYTES", default.upload_bytes)),
        unpacked_bytes=int(get("UNPACKED_BYTES", default.unpacked_bytes)),
        members=int(get("MEMBERS", default.members)),
        ratio=int(get("RATIO", default.ratio)),
        shared_strings_bytes=int(get("SHARED_STRINGS_BYTES", default.shared_strings_bytes)),
        part_bytes=int(get("PART_BYTES", default.part_bytes)),
        rows=int(get("ROWS", default.rows)),
        columns=int(get("COLUMNS", default.columns)),
        cell_chars=int(get("CELL_CHARS", default.cell_chars)),
        seconds=float(get("SECONDS", default.seconds)),
    )


def megabytes(size: int) -> str:
    value = size / MB
    return f"{value:g} MB" if value >= 1 else f"{size:,} bytes"


def check_size(size: int, bound: Limits) -> None:
    if size > bound.upload_bytes:
        raise LimitExceeded(
            f"The file is larger than {megabytes(bound.upload_bytes)}, the limit for an "
            f"import: split it into smaller files of at most {bound.rows:,} rows and import "
            "each one."
        )


def _unpacked_refusal(bound: Limits) -> LimitExceeded:
    return LimitExceeded(
        f"The workbook unpacks to more than {megabytes(bound.unpacked_bytes)}, the limit for an "
        f"import: split it into files of at most {bound.rows:,} rows, or save it as CSV, and "
        "import each one."
    )


def _damaged() -> LimitExceeded:
    return LimitExceeded(
        "The file could not be read as an Excel workbook (.xlsx): it is damaged. Open it in "
        "your spreadsheet, save it again as .xlsx or CSV, and upload that."
    )


def check_workbook(content: bytes, bound: Limits) -> None:
    """Refuses a workbook beyond the limits, judged on its zip directory first (declared
    sizes), then on its members decompressed a chunk at a time (actual sizes). Nothing is
    held but one chunk."""
    deadline = time.monotonic() + bound.seconds
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise _damaged() from error
    if len(members) > bound.members:
        raise LimitExceeded(
            f"The workbook has more than {bound.members:,} parts inside it, the limit for an "
            "import; an ordinary spreadsheet has a few dozen. Copy the data into a new "
            "workbook, or save it as CSV, and upload that."
        )
    if sum(member.file_size for member in members) > bound.unpacked_bytes:
        raise _unpacked_refusal(bound)
    worksheets, shared_strings = _part_kinds(archive, members, bound)
    for member in members:
        name = member.filename
        if name in shared_strings or name.lower().endswith("sharedstrings.xml"):
            if member.file_size > bound.shared_strings_bytes:
                raise LimitExceeded(
                    f"The workbook's table of text (its shared strings) unpacks to more than "
                    f"{megabytes(bound.shared_strings_bytes)}, the limit for an import: "
                    "remove very long text from the cells, or save it as CSV, and try again."
                )
        elif name not in worksheets and member.file_size > bound.part_bytes:
            raise LimitExceeded(
                f"The part {name} of the workbook unpacks to more than "
                f"{megabytes(bound.part_bytes)}, the limit for an import: copy the data "
                "into a new workbook, or save it as CSV, and upload that."
            )
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > bound.ratio * max(
            member.compress_size, 1
        ):
            raise LimitExceeded(
                f"The part {name} of the workbook is compressed more than {bound.ratio} to 1, "
                "the limit for an import, which ordinary spreadsheets never reach: delete the "
                "empty rows and columns after your data, or save it as CSV, and try again."
            )
    if any(member.flag_bits & 0x1 for member in members):
        raise LimitExceeded(
            "The workbook is protected with a password: remove the password and upload it again."
        )
    total = 0
    for member in members:
        total += _actual_size(archive, member, bound, deadline)
        if total > bound.unpacked_bytes:
            raise _unpacked_refusal(bound)


def _part_kinds(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], bound: Limits
) -> tuple[set[str], set[str]]:
    """The names of the worksheet parts (which openpyxl streams) and of the shared-strings
    parts (which it loads whole), as ``[Content_Types].xml`` declares them."""
    from lxml import etree

    declared = {member.filename: member for member in members}
    types = declared.get("[Content_Types].xml")
    if types is None:
        raise _damaged()
    if types.file_size > bound.part_bytes:
        raise _unpacked_refusal(bound)
    try:
        with archive.open(types) as handle:
            data = handle.read(types.file_size + 1)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(data, parser)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, zlib.error) as error:
        raise _damaged() from error
    except etree.LxmlError as error:
        raise _damaged() from error
    worksheets: set[str] = set()
    shared: set[str] = set()
    for override in root.iter("{*}Override"):
        part = override.get("PartName", "").lstrip("/")
        kind = override.get("ContentType", "")
        if kind in WORKSHEET_TYPES:
            worksheets.add(part)
        elif kind == SHARED_STRINGS_TYPE:
            shared.add(part)
    return worksheets, shared


def _actual_size(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, bound: Limits, deadline: float
) -> int:
    """The member's size when decompressed, read a chunk at a time; a member that unpacks to
    more than it declares, or fails its checksum, is a damaged (or forged) file."""
    size = 0
    try:
        with archive.open(member) as handle:
            while chunk := handle.read(CHUNK):
                size += len(chunk)
                if size > member.file_size:
                    raise _damaged()
                if size > bound.unpacked_bytes:
                    raise _unpacked_refusal(bound)
                if time.monotonic() > deadline:
                    raise time_refusal(bound)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, zlib.error) as error:
        raise _damaged() from error
    return size


def time_refusal(bound: Limits) -> LimitExceeded:
    return LimitExceeded(
        f"Reading the file took longer than {bound.seconds:g} seconds, the limit for an "
        f"import: split it into files of at most {bound.rows:,} rows and import each one."
    )


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


class RowGuard:
    """Checks each row as it is read: the rows counted, the columns a value is in, each
    cell's length, the text held in all, and the time since reading began."""

    def __init__(self, bound: Limits) -> None:
        self.bound = bound
        self.deadline = time.monotonic() + bound.seconds
        self.rows = 0
        self.chars = 0

    def check(self, line: int, cells: list[Any]) -> None:
        bound = self.bound
        if time.monotonic() > self.deadline:
            raise time_refusal(bound)
        self.rows = line
        filled = [index for index, cell in enumerate(cells) if cell not in (None, "")]
        if not filled:
            return
        if line > bound.rows + 1:
            raise rows_refusal(bound)
        if filled[-1] >= bound.columns:
            raise columns_refusal(bound, line, filled[-1] + 1)
        for index in filled:
            cell = cells[index]
            if not isinstance(cell, str):
                continue
            if len(cell) > bound.cell_chars:
                raise cell_refusal(bound, line, column_letters(index + 1))
            self.chars += len(cell)
        if self.chars > bound.unpacked_bytes:
            raise LimitExceeded(
                f"The cells of the file hold more than {megabytes(bound.unpacked_bytes)} of "
                f"text, the limit for an import: split it into smaller files and import each "
                "one."
            )


def rows_refusal(bound: Limits) -> LimitExceeded:
    return LimitExceeded(
        f"The file has more than {bound.rows:,} rows under its header, the limit for one "
        f"import: split the file into parts of at most {bound.rows:,} rows and import each one."
    )


def columns_refusal(bound: Limits, line: int, column: int) -> LimitExceeded:
    return LimitExceeded(
        f"line {line}, column {column_letters(column)}: the file has a value beyond column "
        f"{column_letters(bound.columns)} ({bound.columns} columns), the limit for an import: "
        "delete the columns you do not need and try again."
    )


def cell_refusal(bound: Limits, line: int, column: str) -> LimitExceeded:
    return LimitExceeded(
        f"line {line}, column {column}: the cell has more than {bound.cell_chars:,} "
        "characters (Excel's own limit for a cell): shorten it and try again."
    )


def csv_rows(content: bytes, bound: Limits) -> Iterator[list[str]]:
    """A CSV's rows, decoded as they are read; no field longer than the cell limit is built.
    A ``UnicodeDecodeError`` is left to the caller."""
    if csv.field_size_limit() < bound.cell_chars + 1:
        # Only ever raised (it is the process's setting): never lowered under other readers.
        csv.field_size_limit(bound.cell_chars + 1)
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise LimitExceeded(
                    f"line {reader.line_num}: a cell has more than {bound.cell_chars:,} "
                    "characters (Excel's own limit for a cell): shorten it, and check its "
                    "quotation marks are paired, and try again."
                ) from error
            raise LimitExceeded(
                f"line {reader.line_num}: the file could not be read as CSV ({error}): save it "
                "from your spreadsheet as 'CSV UTF-8' and try again."
            ) from error
        yield row


def worksheet_rows(content: bytes, bound: Limits) -> Iterator[list[Any]]:
    """The first worksheet's rows as values, streamed from its XML: each row is built from
    the cells it really has (a declared size such as A1:XFD1048576 is ignored), a value beyond
    the column limit or the row limit is refused before the row is built, and empty rows
    past the row limit are skipped."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise _damaged() from error
    try:
        yield from _sheet_rows(book, bound)
    except LimitExceeded:
        raise
    except Exception as error:  # a damaged sheet trips the XML parser in many ways
        raise _damaged() from error
    finally:
        book.close()


def _sheet_rows(book: Any, bound: Limits) -> Iterator[list[Any]]:
    from openpyxl.worksheet._reader import WorkSheetParser

    sheet = book.worksheets[0]
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        line = 0
        for index, cells in parser.parse():
            values = [cell for cell in cells if cell["value"] not in (None, "")]
            if index > bound.rows + 1 and values:
                raise rows_refusal(bound)
            if index > bound.rows + 1 or index <= line:
                continue
            widest = max((cell["column"] for cell in values), default=0)
            if widest > bound.columns:
                raise columns_refusal(bound, index, widest)
            while line < index - 1:
                line += 1
                yield []
            row: list[Any] = [None] * widest
            for cell in values:
                row[cell["column"] - 1] = cell["value"]
            line = index
            yield row


def read_path(path: Any, bound: Limits | None = None) -> bytes:
    """A file's bytes for a command-line import, refused unread when it is larger than an
    upload may be (and never more than that read, should it grow meanwhile)."""
    bound = bound or limits()
    with open(path, "rb") as handle:
        check_size(os.fstat(handle.fileno()).st_size, bound)
        content = handle.read(bound.upload_bytes + 1)
    check_size(len(content), bound)
    return content
