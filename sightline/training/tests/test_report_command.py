"""sightline training_report: each format against the hand-counted fixture, and bad input."""

import csv
import datetime
import io
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from .test_reporting import hand_counted

PERIOD = ["--from", "2025-04-01", "--to", "2026-03-31"]
NOW = datetime.datetime(2026, 4, 15, 12, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def fixture(db):
    return hand_counted()


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("training_report", *args, stdout=out)
    return out.getvalue()


def test_json_has_stable_snake_case_keys_and_the_hand_counted_figures(fixture):
    data = json.loads(run(*PERIOD, "--format", "json"))
    assert list(data) == [
        "period",
        "as_at",
        "headline",
        "overall_reach_percent",
        "sectors",
        "under_represented",
        "agencies",
        "courses_past_review",
        "learning_loop",
    ]
    assert data["period"] == {"from": "2025-04-01", "to": "2026-03-31"}
    assert data["as_at"] == "2026-04-15"
    assert data["headline"]["practitioners_attended"] == 5
    assert data["headline"]["attendances"] == 6
    assert data["headline"]["good_or_excellent_percent"] == 71.4
    assert data["headline"]["no_show_rate_percent"] == 33.3
    assert data["under_represented"] == ["Health or integrated care board", "Education"]
    assert list(data["sectors"][0]) == [
        "sector",
        "sector_name",
        "delegates",
        "attendances",
        "headcount",
        "workforce_source",
        "reach_percent",
        "under_represented",
    ]
    assert list(data["agencies"][0]) == [
        "agency",
        "sector",
        "sector_name",
        "delegates",
        "attendances",
        "no_shows",
        "marked",
        "no_show_rate_percent",
    ]
    assert [row["course"] for row in data["courses_past_review"]] == [
        "Working with families",
        "Online safety",
    ]
    loop = data["learning_loop"]
    assert list(loop) == ["period", "cases", "themes", "themes_without_course"]
    assert list(loop["themes"][0]) == [
        "theme",
        "cases",
        "courses",
        "attendances",
        "no_course",
        "flag",
    ]
    assert (loop["cases"], loop["themes_without_course"]) == (4, 1)


def test_csv_puts_each_table_under_its_title(fixture):
    rows = list(csv.reader(io.StringIO(run(*PERIOD, "--format", "csv"))))
    assert rows[0] == ["Training report, 1 April 2025 to 31 March 2026"]
    titles = [rows[i + 1][0] for i, row in enumerate(rows[:-1]) if row == []]
    assert titles == [
        "Summary",
        "Reach by sector",
        "Delegates and no-shows by agency",
        "Courses past their review date (as at 2026-04-15)",
        "Learning loop: practice themes from case reviews and the courses that cover them",
    ]
    assert ["Practitioners attended", "5"] in rows
    assert ["No-show rate (%)", "33.3"] in rows
    assert ["Health or integrated care board", "0", "0", "50", "Census 2025", "0.0", "Yes"] in rows
    assert ["Housing", "1", "1", "not known", "", "not known", "not known"] in rows
    assert ["Working with families", "2025-06-01", "318"] in rows
    assert [
        "Loop theme: neglect",
        "2",
        "Neglect awareness (3); Working with families (3)",
        "6",
        "",
    ] in rows


def test_table_is_the_default_and_aligned(fixture):
    text = run(*PERIOD)
    lines = text.splitlines()
    assert lines[0] == "Training report, 1 April 2025 to 31 March 2026"
    assert "Practitioners attended                          5" in lines
    agencies = lines.index("Delegates and no-shows by agency")
    header, police = lines[agencies + 2], lines[agencies + 5]
    assert header.startswith("Agency ")
    assert police.startswith("Northshire Police ")
    # Numbers line up on the right edge of their column.
    assert header.index("Delegates") + len("Delegates") == police.index("2") + 1


def test_no_dates_means_the_current_financial_year(db):
    data = json.loads(run("--format", "json"))
    assert data["period"] == {"from": "2026-04-01", "to": "2027-03-31"}
    assert data["headline"]["good_or_excellent_percent"] is None
    assert data["headline"]["evaluations"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2025-13-01"], "--from '2025-13-01' is not a date: use YYYY-MM-DD"),
        (["--to", "31/03/2026"], "--to '31/03/2026' is not a date: use YYYY-MM-DD"),
        (
            ["--from", "2026-04-01", "--to", "2026-03-31"],
            "--from 2026-04-01 is after --to 2026-03-31",
        ),
        (["--to", "9999-12-31"], "Enter dates from 2000 to 2099"),
    ],
)
def test_bad_dates_stop_with_a_clear_message(db, args, message):
    with pytest.raises(CommandError, match=message) as raised:
        run(*args)
    assert raised.value.returncode == 2


def test_an_unknown_format_is_refused(db):
    with pytest.raises(CommandError, match="invalid choice: 'pdf'"):
        run("--format", "pdf")
