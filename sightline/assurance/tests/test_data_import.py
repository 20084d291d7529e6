"""Reading a dataset file (no database): a hand-written CSV, an XLSX workbook, and every kind
of bad input, each problem named by its line and column."""

import datetime
import io
from decimal import Decimal

import pytest

from sightline.assurance.data_import import FileProblem, parse, parse_value
from sightline.assurance.quarters import Quarter

TODAY = datetime.date(2025, 11, 15)  # in 2025-26 Q3
MEASURES = {"SAC-S42-NEGLECT": 1, "SAC-S42-FINANCIAL": 2, "GP-ATTENDANCE": 3}


def read(text: str, name: str = "figures.csv"):
    return parse(name, text.encode(), measures=MEASURES, today=TODAY)


# A file as someone might type it by hand: headers as they would write them, a blank line,
# codes in any case, a thousands separator, a percentage, the other way of writing a year,
# and the readable measure names the template carries.
HAND_WRITTEN = """\
Measure code,Measure name,Quarter,Value,Note
SAC-S42-NEGLECT,Neglect enquiries,2025-26 Q1,42,
sac-s42-financial,Financial abuse enquiries,2025-26 Q1,"1,204",Includes a large fraud

 GP-Attendance ,GPs at conferences, 2025/26 Q2 ,72.5%,
SAC-S42-NEGLECT,Neglect enquiries,2024-2025 Q4,-3,Correction
"""


def test_a_hand_written_csv_is_read_row_by_row():
    parsed = read(HAND_WRITTEN)

    assert parsed.errors == []
    assert parsed.has_notes
    assert [
        (row.line, row.measure_id, row.quarter, row.value, row.note) for row in parsed.rows
    ] == [
        (2, 1, Quarter(2025, 1), Decimal("42.00"), ""),
        (3, 2, Quarter(2025, 1), Decimal("1204.00"), "Includes a large fraud"),
        (5, 3, Quarter(2025, 2), Decimal("72.50"), ""),
        (6, 1, Quarter(2024, 4), Decimal("-3.00"), "Correction"),
    ]
    assert parsed.rows[2].code == "GP-Attendance"


def test_the_note_column_may_be_left_out():
    parsed = read("measure_code,quarter,value\nGP-ATTENDANCE,2025-26 Q3,60\n")
    assert parsed.errors == []
    assert not parsed.has_notes
    assert parsed.rows[0].note == ""


def test_an_xlsx_workbook_is_read_with_its_numbers():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["measure_code", "quarter", "value", "note"])
    sheet.append(["SAC-S42-NEGLECT", "2025-26 Q2", 17, None])
    sheet.append(["SAC-S42-FINANCIAL", "2025-26 Q2", 12.25, "Rounded"])
    sheet.append([None, None, None, None])
    sheet.append(["GP-ATTENDANCE", "2025-26 Q2", True, None])
    buffer = io.BytesIO()
    book.save(buffer)

    parsed = parse("figures.xlsx", buffer.getvalue(), measures=MEASURES, today=TODAY)

    assert [(row.line, row.value, row.note) for row in parsed.rows] == [
        (2, Decimal("17.00"), ""),
        (3, Decimal("12.25"), "Rounded"),
    ]
    assert parsed.errors == [
        "line 5, column value: 'True' is not a number: write the figure, like 42 or 12.5"
    ]


# --- The file as a whole ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("figures.csv", b"", "The file is empty"),
        (
            "figures.csv",
            b"measure_code,quarter,value\n",
            "The file has a header row but no figures",
        ),
        ("figures.csv", b"measure_code,quarter,value\n,,\n", "The file has a header row but no"),
        ("figures.csv", "measure_code,quarter,value\nX,\xa3,1\n".encode("latin-1"), "not UTF-8"),
        ("figures.txt", b"measure_code,quarter,value\n", "must be a .csv or .xlsx file"),
        ("figures.xlsx", b"measure_code,quarter,value\n", "is not an Excel workbook"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(name, content, message):
    with pytest.raises(FileProblem, match=message):
        parse(name, content, measures=MEASURES, today=TODAY)


def test_missing_unknown_and_repeated_columns_are_each_named_and_no_row_is_read():
    parsed = read("Code,quarter,quarter,amount\nSAC-S42-NEGLECT,2025-26 Q1,2025-26 Q1,4\n")
    assert parsed.rows == []
    assert parsed.errors == [
        "line 1, column Code: unknown column: the columns are measure_code, quarter, value and "
        "(if you want) note and measure_name",
        "line 1, column amount: unknown column: the columns are measure_code, quarter, value and "
        "(if you want) note and measure_name",
        "line 1, column quarter: this column appears twice: keep one",
        "line 1, column measure_code: this column is missing: add it",
        "line 1, column value: this column is missing: add it",
    ]


# --- Bad rows ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (",2025-26 Q1,4", "line 2, column measure_code: enter the measure's code"),
        (
            "SAC-S42-PHYSICAL,2025-26 Q1,4",
            "line 2, column measure_code: 'SAC-S42-PHYSICAL' is not a measure in Sightline: "
            "check the code against the template, or ask an administrator to add the measure",
        ),
        (
            "SAC-S42-NEGLECT,,4",
            "line 2, column quarter: enter the quarter, written like 2025-26 Q1",
        ),
        (
            "SAC-S42-NEGLECT,Q1 2025,4",
            "line 2, column quarter: 'Q1 2025' is not a quarter: write it like 2025-26 Q1",
        ),
        (
            "SAC-S42-NEGLECT,2025-26 Q5,4",
            "line 2, column quarter: '2025-26 Q5' is not a quarter: write it like 2025-26 Q1",
        ),
        (
            "SAC-S42-NEGLECT,2025-27 Q1,4",
            "line 2, column quarter: '2025-27 Q1' is not a financial year: write it like 2025-26 Q1",
        ),
        (
            "SAC-S42-NEGLECT,2025-04-01,4",
            "line 2, column quarter: '2025-04-01' is not a quarter: write it like 2025-26 Q1",
        ),
        (
            "SAC-S42-NEGLECT,2025-26 Q4,4",
            "line 2, column quarter: 2025-26 Q4 has not begun yet: figures can be given once the "
            "quarter has started",
        ),
        (
            "SAC-S42-NEGLECT,2025-26 Q1,",
            "line 2, column value: the value is blank: enter the figure, or remove the row",
        ),
        (
            "SAC-S42-NEGLECT,2025-26 Q1,about 40",
            "line 2, column value: 'about 40' is not a number: write the figure in digits, "
            "like 42 or 12.5",
        ),
        (
            "SAC-S42-NEGLECT,2025-26 Q1,1.5.2",
            "line 2, column value: '1.5.2' is not a number: write the figure in digits, "
            "like 42 or 12.5",
        ),
        (
            "SAC-S42-NEGLECT,2025-26 Q1,NaN",
            "line 2, column value: 'NaN' is not a number: write the figure in digits, like 42",
        ),
        (
            "SAC-S42-NEGLECT,2025-26 Q1,Infinity",
            "line 2, column value: 'Infinity' is not a number: write the figure in digits, like 42",
        ),
        (
            "SAC-S42-NEGLECT,2025-26 Q1,12.345",
            "line 2, column value: '12.345' has more than 2 decimal places: round it to 2",
        ),
        (
            "SAC-S42-NEGLECT,2025-26 Q1,10000000000",
            "line 2, column value: '10000000000' is too large: the largest figure is "
            "9,999,999,999.99",
        ),
        (
            "SAC-S42-NEGLECT,2025-26 Q1,1e400",
            "line 2, column value: '1e400' is too large: the largest figure is 9,999,999,999.99",
        ),
        (
            'SAC-S42-NEGLECT,2025-26 Q1,"12,34"',
            "line 2, column value: '12,34' is not a number: write the figure in digits, "
            "like 42 or 12.5",
        ),
        (
            "SAC-S42-NEGLECT,2025-26 Q1,4," + "x" * 301,
            "line 2, column note: the note is longer than 300 characters",
        ),
    ],
)
def test_each_bad_row_is_named_by_line_and_column_and_left_out(row, problem):
    parsed = read("measure_code,quarter,value,note\n" + row + "\n")
    assert parsed.errors == [problem]
    assert parsed.rows == []


def test_a_measure_given_twice_for_a_quarter_is_refused_on_the_second_line():
    parsed = read(
        "measure_code,quarter,value\n"
        "SAC-S42-NEGLECT,2025-26 Q1,4\n"
        "GP-ATTENDANCE,2025-26 Q1,50\n"
        "sac-s42-neglect,2025/26 Q1,5\n"
    )
    assert parsed.errors == [
        "line 4, column quarter: sac-s42-neglect for 2025-26 Q1 is already on line 2: give each "
        "measure one figure a quarter"
    ]


def test_every_problem_in_the_file_is_listed_not_just_the_first():
    parsed = read(
        "measure_code,quarter,value\n"
        "SAC-S42-NEGLECT,2025-26 Q1,4\n"
        "UNKNOWN,spring,lots\n"
        "GP-ATTENDANCE,2025-26 Q1,50\n"
        "SAC-S42-FINANCIAL,2030-31 Q1,\n"
    )
    assert parsed.errors == [
        "line 3, column measure_code: 'UNKNOWN' is not a measure in Sightline: check the code "
        "against the template, or ask an administrator to add the measure",
        "line 3, column quarter: 'spring' is not a quarter: write it like 2025-26 Q1",
        "line 3, column value: 'lots' is not a number: write the figure in digits, like 42 or 12.5",
        "line 5, column quarter: 2030-31 Q1 has not begun yet: figures can be given once the "
        "quarter has started",
        "line 5, column value: the value is blank: enter the figure, or remove the row",
    ]
    assert [row.line for row in parsed.rows] == [2, 4]


def test_the_current_quarter_may_be_given():
    parsed = read("measure_code,quarter,value\nSAC-S42-NEGLECT,2025-26 Q3,4\n")
    assert parsed.errors == []


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        (42, Decimal("42.00")),
        (12.5, Decimal("12.50")),
        ("0", Decimal("0.00")),
        (" 7 ", Decimal("7.00")),
        ("1,234,567.89", Decimal("1234567.89")),
        ("-1,000", Decimal("-1000.00")),
        ("12.50", Decimal("12.50")),
        ("12.500", Decimal("12.50")),
        ("35%", Decimal("35.00")),
        ("9999999999.99", Decimal("9999999999.99")),
        (Decimal("3.1"), Decimal("3.10")),
    ],
)
def test_figures_are_read_as_people_write_them(cell, value):
    assert parse_value(cell) == value


@pytest.mark.parametrize("cell", [None, "", "  ", "n/a", "%", "1,23,4", False, "1e-3"])
def test_anything_else_is_not_a_figure(cell):
    with pytest.raises(ValueError, match=r"not a number|is blank|decimal places"):
        parse_value(cell)
