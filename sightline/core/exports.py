"""Spreadsheet-safe exports (no ORM): cells that a spreadsheet would run as formulas are
defused; CSV files people download start with a byte-order mark and workbooks hold real
dates under a frozen, filterable header row."""

import csv
import datetime
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel on Windows reads a CSV file without it in the computer's old code page, so names
# such as "Zoë" or "Łukasz" come out garbled. Sightline's imports accept files with or without.
CSV_BOM = "\ufeff"
DATE_FORMAT = "DD/MM/YYYY"
MIN_WIDTH, MAX_WIDTH = 10, 60


def neutralise(value: Any) -> Any:
    """Prefix a text cell that starts like a formula with an apostrophe, so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False) -> str:
    """CSV text; ``bom`` for a file people download and open in a spreadsheet (the commands'
    output, read by other tools, goes without)."""
    buffer = io.StringIO()
    if bom:
        buffer.write(CSV_BOM)
    writer = csv.writer(buffer)
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def write_table(
    sheet: Any,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    above: Sequence[Sequence[Any]] = (),
) -> None:
    """Write a table to a write-only worksheet: any ``above`` rows (a title, say), then the
    header in bold, frozen so it stays in view and with filters on, then the rows. Dates are
    real dates shown as DD/MM/YYYY, never text, so a spreadsheet can sort and filter them."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    header_row = len(above) + 1
    sheet.freeze_panes = f"A{header_row + 1}"
    for index, heading in enumerate(header, start=1):
        width = min(max(len(str(heading)) + 2, MIN_WIDTH), MAX_WIDTH)
        sheet.column_dimensions[_column_letter(index)].width = width
    for row in above:
        sheet.append([neutralise(cell) for cell in row])
    bold = Font(bold=True)
    cells = []
    for heading in header:
        cell = WriteOnlyCell(sheet, value=neutralise(heading))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    last = header_row
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        last += 1
    if header:
        sheet.auto_filter.ref = f"A{header_row}:{_column_letter(len(header))}{last}"


def _cell(sheet: Any, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return neutralise(value)


def xlsx_bytes(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    headings: Mapping[str, str] | None = None,
) -> bytes:
    """A one-sheet workbook, written as it streams (see ``write_table``). ``headings`` gives
    a readable heading for each column name; a download meant to be imported back passes
    none, and keeps the import format's column names."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    labels = headings or {}
    write_table(sheet, [labels.get(name, name) for name in header], rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
