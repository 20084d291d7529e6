import datetime
from typing import Any

import pytest
from django.test import RequestFactory

from sightline.core.exports import csv_text, neutralise
from sightline.core.forms import GovukDateField
from sightline.core.pagination import _numbers, paginate


@pytest.mark.parametrize("cell", ["=1+1", "+44", "-2", "@SUM(A1)", "\tx"])
def test_formula_like_cells_are_prefixed(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Family N", "", 12, None, "a=b"])
def test_other_cells_are_left_alone(cell):
    assert neutralise(cell) == cell


def test_csv_text_writes_header_and_blank_for_none():
    assert csv_text(["a", "b"], [["=x", None]]).splitlines() == ["a,b", "'=x,"]


@pytest.mark.parametrize(
    ("current", "last", "expected"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (5, 10, [1, None, 4, 5, 6, None, 10]),
        (10, 10, [1, None, 9, 10]),
    ],
)
def test_page_numbers_show_neighbours_and_ends(current, last, expected):
    assert _numbers(current, last) == expected


def test_paginate_keeps_other_query_parameters():
    request = RequestFactory().get("/", {"role": "trainer", "page": "2"})
    result = paginate(request, list(range(60)), per_page=25)
    assert result.items == list(range(25, 50))
    assert result.pagination is not None
    assert result.pagination["previous"]["href"] == "?role=trainer&page=1"
    assert result.pagination["next"]["href"] == "?role=trainer&page=3"


def test_one_page_needs_no_pagination():
    assert paginate(RequestFactory().get("/"), [1, 2]).pagination is None


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (["", "4", "2024"], "Date must include a day"),
        (["1", "", ""], "Date must include a month and a year"),
        (["x", "4", "2024"], "Date must be a real date, in numbers"),
        (["31", "4", "2024"], "Date must be a real date"),
        (["1", "4", "24"], "the year must include 4 numbers"),
        (["1", "1", "0001"], "the year must be between 1900 and 2100"),
        (["1", "1", "9999"], "the year must be between 1900 and 2100"),
        (["1" * 20, "4", "2024"], "Date must be a real date"),
        (["1", "9" * 20, "2024"], "Date must be a real date"),
    ],
)
def test_date_field_says_what_to_fix(parts, message):
    field = GovukDateField(label="Date", required=False)
    with pytest.raises(Exception, match=message):
        field.clean(parts)


def test_date_field_reads_a_real_date_and_refuses_the_future_when_asked():
    assert GovukDateField(label="Date").clean(["3", "4", "2021"]) == datetime.date(2021, 4, 3)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(Exception, match="today or in the past"):
        GovukDateField(label="Date", allow_future=False).clean(
            [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]
        )


@pytest.mark.parametrize(
    ("trusted", "forwarded", "remote", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1", "10.0.0.1"),
        (1, "203.0.113.9", "10.0.0.1", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "10.0.0.1", "203.0.113.9"),
        (2, "198.51.100.1, 203.0.113.9", "10.0.0.1", "198.51.100.1"),
        (1, "not-an-address", "10.0.0.1", "10.0.0.1"),
        (1, "", "10.0.0.1", "10.0.0.1"),
    ],
)
def test_client_address_reads_through_trusted_proxies(
    settings, trusted, forwarded, remote, expected
):
    from sightline.core.middleware import client_address

    settings.SIGHTLINE_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_address(request) == expected


def test_a_multiple_choice_is_drawn_as_checkboxes_and_a_single_one_as_radios():
    from django import forms

    from sightline.core.govuk import field_params

    class Choices(forms.Form):
        many = forms.MultipleChoiceField(
            choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
        )
        one = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    form = Choices()
    assert field_params(form["many"])[0] == "checkboxes"
    assert field_params(form["one"])[0] == "radios"


def test_a_header_names_each_unknown_repeated_and_missing_column():
    from sightline.core.tabular import read_header

    table = iter([["id", "when", "colour", "id", "", None]])
    header, problems = read_header(
        table, columns=("id", "when", "name"), required=("id", "name"), empty="Empty"
    )
    assert header == ["id", "when", "colour", "id"]
    assert problems == [
        "line 1, column colour: unknown column: remove it or fix its name",
        "line 1, column id: this column appears twice",
        "line 1, column name: required column is missing",
    ]


def test_an_empty_table_is_a_file_problem():
    from sightline.core.tabular import FileProblem, read_header

    with pytest.raises(FileProblem, match="Empty"):
        read_header(iter([]), columns=("id",), required=("id",), empty="Empty")


def test_rows_skip_blank_lines_and_name_each_unreadable_date():
    from sightline.core.tabular import read_rows

    problems: list[str] = []
    cells: list[list[Any]] = [["A", "2024-01-02"], ["", None], ["B", "next week"]]
    table = iter(cells)
    rows = list(read_rows(table, ["id", "when"], dates=("when",), problems=problems))
    assert rows == [
        (2, {"id": "A", "when": datetime.date(2024, 1, 2)}, set()),
        (4, {"id": "B", "when": None}, {"when"}),
    ]
    assert problems == [
        "line 4, column when: 'next week' is not a date: use YYYY-MM-DD or DD/MM/YYYY"
    ]


def test_a_rejected_import_names_each_problem_once_in_line_order():
    from sightline.core.tabular import ImportRejected

    rejected = ImportRejected(
        [
            "line 10, column route: 'x' is not a route",
            "line 2, column outcome: wrong",
            "line 10, column referral_date: in the future",
            "line 2, column outcome: wrong",
            "line 1, column colour: unknown column",
        ]
    )
    assert rejected.problems == [
        "line 1, column colour: unknown column",
        "line 2, column outcome: wrong",
        "line 10, column route: 'x' is not a route",
        "line 10, column referral_date: in the future",
    ]
    assert str(rejected) == "4 problem(s) in the file"


def test_a_downloaded_csv_starts_with_a_byte_order_mark_and_a_command_s_does_not():
    assert csv_text(["name"], [["Zoë"]], bom=True) == "\ufeffname\r\nZoë\r\n"
    assert csv_text(["name"], [["Zoë"]]) == "name\r\nZoë\r\n"


def test_a_workbook_holds_real_dates_under_a_frozen_filtered_readable_header():
    import datetime
    import io

    from openpyxl import load_workbook

    from sightline.core.exports import xlsx_bytes

    content = xlsx_bytes(
        "Cases",
        ["reference", "due"],
        [["=1+1", datetime.date(2024, 2, 29)], ["CR-2", None]],
        headings={"due": "Due"},
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert [cell.value for cell in sheet[1]] == ["reference", "Due"]
    assert sheet["A1"].font.b
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:B3")
    assert sheet["A2"].value == "'=1+1"
    assert sheet["B2"].is_date
    assert sheet["B2"].value == datetime.datetime(2024, 2, 29)
    assert sheet["B2"].number_format == "DD/MM/YYYY"
    assert sheet["B3"].value is None
