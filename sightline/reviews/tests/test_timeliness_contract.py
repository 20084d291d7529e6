"""The spec's example case file gives exactly the spec's example reports."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.contract import EXAMPLES


def _without_extra_keys(report: dict) -> dict:
    for standard in report["standards"]:
        standard.pop("description", None)
    return report


@pytest.fixture
def examples(db):
    call_command("import_reviews", str(EXAMPLES / "cases.csv"))


@pytest.mark.parametrize(
    ("expected", "arguments"),
    [
        ("expected-2025-04-30.json", ["--as-at", "2025-04-30"]),
        ("expected-2024-06-30.json", ["--as-at", "2024-06-30", "--since", "2024-01-01"]),
    ],
)
def test_report_equals_the_spec_example(examples, capsys, expected, arguments):
    capsys.readouterr()
    call_command("timeliness_report", *arguments, "--format", "json")
    report = json.loads(capsys.readouterr().out)
    assert _without_extra_keys(report) == json.loads((EXAMPLES / expected).read_text())


def test_csv_and_table_formats_carry_the_same_figures(examples, capsys):
    capsys.readouterr()
    call_command("timeliness_report", "--as-at", "2025-04-30", "--format", "csv")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "as_at,since,code,reference,status,start,due,done,working_days,days_late"
    assert "2025-04-30,,child.rapid_review,EX-2025-01,pending,2025-04-14,2025-05-08,,,0" in lines
    call_command("timeliness_report", "--as-at", "2025-04-30")
    table = capsys.readouterr().out
    assert "dhr.completion                        1     0       0        0        1" in table


def test_bad_dates_in_the_command_are_usage_errors(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="is not a date") as raised:
        call_command("timeliness_report", "--as-at", "30/04/2025")
    assert raised.value.returncode == 2


def test_page_shows_the_same_figures_with_links_to_the_cases(examples, admin_client):
    response = admin_client.get(
        reverse("reviews:timeliness"),
        {"as_at_day": "30", "as_at_month": "4", "as_at_year": "2025"},
    )
    page = response.content.decode()
    expected = json.loads((EXAMPLES / "expected-2025-04-30.json").read_text())
    for standard in expected["standards"]:
        assert standard["code"] in page
    cases = admin_client.get(
        reverse("reviews:timeliness_cases", args=["child.publication"]),
        {"as_at": "2025-04-30", "status": "missed"},
    ).content.decode()
    assert "EX-2024-01" in cases
    assert "EX-2023-01" not in cases


def test_page_export_matches_and_is_logged(examples, admin_client):
    from sightline.core.models import AccessLogEntry

    response = admin_client.get(
        reverse("reviews:timeliness_export", args=["csv"]),
        {"as_at_day": "30", "as_at_month": "4", "as_at_year": "2025"},
    )
    body = response.content.decode()
    assert "child.final_report_notice" in body
    assert "EX-2024-01,missed,2025-03-14,2025-03-05" in body
    assert AccessLogEntry.objects.filter(action="export").count() == 1
