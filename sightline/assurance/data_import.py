"""Reading a partnership dataset file into checked figures (pure: no ORM).

One row per figure: the measure's code, the financial quarter (``2025-26 Q1``), the value
and an optional note; a ``measure_name`` column may be kept to make the file readable and is
not read. Files are read as every other import reads them (CSV or XLSX) and each problem is
named by its line and column. The caller passes the measures Sightline knows, so that an
unknown code is a problem on its row like any other.
"""

import datetime
import decimal
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sightline.core.tabular import FileProblem, cell_text, problem, read_table

from .quarters import Quarter

COLUMNS = ("measure_code", "measure_name", "quarter", "value", "note")
REQUIRED = ("measure_code", "quarter", "value")
IGNORED = ("measure_name",)
NOTE_LENGTH = 300
LARGEST = Decimal("9999999999.99")
CENTS = Decimal("0.01")  # what the value column holds: 12 digits, 2 decimal places
THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")

__all__ = ["COLUMNS", "FileProblem", "ParsedDataset", "Row", "parse", "parse_value"]


@dataclass(frozen=True)
class Row:
    line: int
    code: str  # as the file writes it
    measure_id: int
    quarter: Quarter
    value: Decimal
    note: str


@dataclass
class ParsedDataset:
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def has_notes(self) -> bool:
        return "note" in self.columns


def column_key(cell: Any) -> str:
    """A header as a column name: ``Measure code`` and ``measure_code`` are the same column."""
    return re.sub(r"[\s-]+", "_", cell_text(cell).lower())


def parse_value(cell: Any) -> Decimal:
    """A figure from a cell: a spreadsheet number, or text like ``42``, ``1,234`` or
    ``12.5%``. ValueError saying what to write instead otherwise."""
    if isinstance(cell, bool):
        raise ValueError(f"'{cell}' is not a number: write the figure, like 42 or 12.5")
    text = cell_text(cell)
    if not text:
        raise ValueError("the value is blank: enter the figure, or remove the row")
    written = text
    if text.endswith("%"):
        text = text[:-1].strip()
    if THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except decimal.InvalidOperation:
        raise ValueError(
            f"'{written}' is not a number: write the figure in digits, like 42 or 12.5"
        ) from None
    if not value.is_finite():
        raise ValueError(f"'{written}' is not a number: write the figure in digits, like 42")
    if abs(value) > LARGEST:
        raise ValueError(f"'{written}' is too large: the largest figure is 9,999,999,999.99")
    rounded = value.quantize(CENTS)
    if rounded != value:
        raise ValueError(f"'{written}' has more than 2 decimal places: round it to 2")
    return rounded


def _header(cells: list[Any], parsed: ParsedDataset) -> None:
    header = [column_key(cell) for cell in cells]
    while header and header[-1] == "":
        header.pop()
    parsed.columns = header
    for index, column in enumerate(header):
        if column not in COLUMNS:
            written = cell_text(cells[index]) or "(blank)"
            parsed.errors.append(
                problem(
                    1,
                    written,
                    "unknown column: the columns are measure_code, quarter, value and "
                    "(if you want) note and measure_name",
                )
            )
    for column in sorted({column for column in header if header.count(column) > 1}):
        parsed.errors.append(problem(1, column, "this column appears twice: keep one"))
    for column in REQUIRED:
        if column not in header:
            parsed.errors.append(problem(1, column, "this column is missing: add it"))


def parse(
    name: str, content: bytes, *, measures: Mapping[str, int], today: datetime.date
) -> ParsedDataset:
    """The figures in the file, or every problem with it. ``measures`` maps each measure's
    code, in capitals, to its id; ``today`` decides which quarters have begun."""
    table = read_table(name, content)
    first = next(table, None)
    if first is None:
        raise FileProblem(
            "The file is empty: it needs a header row (measure_code, quarter, value, note) "
            "and a row for each figure."
        )
    parsed = ParsedDataset(columns=[])
    _header(list(first), parsed)
    if parsed.errors:
        return parsed

    position = {column: parsed.columns.index(column) for column in parsed.columns}
    current = Quarter.containing(today)
    seen: dict[tuple[int, Quarter], int] = {}
    for line, cells in enumerate(table, start=2):
        if all(cell_text(cell) == "" for cell in cells):
            continue

        def cell(column: str, cells: list[Any] = cells) -> Any:
            index = position.get(column)
            return cells[index] if index is not None and index < len(cells) else None

        before = len(parsed.errors)
        code = cell_text(cell("measure_code"))
        measure_id = measures.get(code.upper())
        if not code:
            parsed.errors.append(problem(line, "measure_code", "enter the measure's code"))
        elif measure_id is None:
            parsed.errors.append(
                problem(
                    line,
                    "measure_code",
                    f"'{code}' is not a measure in Sightline: check the code against the "
                    "template, or ask an administrator to add the measure",
                )
            )
        quarter_text = cell_text(cell("quarter"))
        quarter: Quarter | None = None
        if not quarter_text:
            parsed.errors.append(
                problem(line, "quarter", "enter the quarter, written like 2025-26 Q1")
            )
        else:
            try:
                quarter = Quarter.parse(quarter_text)
            except ValueError as error:
                parsed.errors.append(problem(line, "quarter", str(error)))
            else:
                if quarter > current:
                    parsed.errors.append(
                        problem(
                            line,
                            "quarter",
                            f"{quarter.label} has not begun yet: figures can be given once "
                            "the quarter has started",
                        )
                    )
        value: Decimal | None = None
        try:
            value = parse_value(cell("value"))
        except ValueError as error:
            parsed.errors.append(problem(line, "value", str(error)))
        note = cell_text(cell("note"))
        if len(note) > NOTE_LENGTH:
            parsed.errors.append(
                problem(line, "note", f"the note is longer than {NOTE_LENGTH} characters")
            )
        if measure_id is not None and quarter is not None:
            earlier = seen.get((measure_id, quarter))
            if earlier is not None:
                parsed.errors.append(
                    problem(
                        line,
                        "quarter",
                        f"{code} for {quarter.label} is already on line {earlier}: give each "
                        "measure one figure a quarter",
                    )
                )
            else:
                seen[(measure_id, quarter)] = line
        ok = len(parsed.errors) == before
        if ok and measure_id is not None and quarter is not None and value is not None:
            parsed.rows.append(
                Row(
                    line=line,
                    code=code,
                    measure_id=measure_id,
                    quarter=quarter,
                    value=value,
                    note=note,
                )
            )
    if not parsed.rows and not parsed.errors:
        raise FileProblem("The file has a header row but no figures: add a row for each figure.")
    return parsed
