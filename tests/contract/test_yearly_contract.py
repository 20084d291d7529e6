"""The yearly report on the spec's example case file: exactly the spec's example for 2023-24,
and for any year and any ``--since`` the timeliness report's own position and the cases
received and published, counted here straight from the file."""

import csv
import datetime
import json

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.reports.yearly.contents import CONTENT_IDS
from tests.contract import EXAMPLES

ROUTES = ("child", "adult", "dhr", "local")


@pytest.fixture
def examples(db):
    call_command("import_reviews", str(EXAMPLES / "cases.csv"))


def _without_extra_keys(timeliness: dict) -> dict:
    for standard in timeliness["standards"]:
        standard.pop("description", None)
    return timeliness


def _run(capsys, *arguments: str) -> dict:
    capsys.readouterr()
    call_command(*arguments, "--format", "json")
    return json.loads(capsys.readouterr().out)


def _day(text: str) -> datetime.date | None:
    """A date as the file writes it: ISO, or day/month/year (as the importer accepts)."""
    if not text:
        return None
    if "/" in text:
        day, month, year = (int(part) for part in text.split("/"))
        return datetime.date(year, month, day)
    return datetime.date.fromisoformat(text)


def _rows() -> list[dict[str, str]]:
    with (EXAMPLES / "cases.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_2023_24_gives_exactly_the_spec_example(examples, capsys):
    report = _run(capsys, "yearly_report", "--year", "2023-24")
    expected = json.loads((EXAMPLES / "expected-yearly-2023-24.json").read_text())
    _without_extra_keys(report["case_reviews"]["timeliness"])
    assert {key: report[key] for key in ("year", "from", "to")} == {
        key: expected[key] for key in ("year", "from", "to")
    }
    assert {
        key: report["case_reviews"][key] for key in ("timeliness", "received", "published")
    } == expected["case_reviews"]
    assert [item["id"] for item in report["statutory_contents"]] == list(CONTENT_IDS)
    for item in report["statutory_contents"]:
        assert set(item) == {"id", "covered", "where"}
        assert (item["where"] is not None) == item["covered"]


def test_any_year_and_since_agree_with_the_timeliness_report_and_the_file(examples, capsys):
    rows = _rows()

    @settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        start_year=st.integers(min_value=2020, max_value=2027),
        since=st.none() | st.dates(datetime.date(2022, 1, 1), datetime.date(2026, 12, 31)),
    )
    def check(start_year: int, since: datetime.date | None) -> None:
        label = f"{start_year}-{(start_year + 1) % 100:02d}"
        first, last = datetime.date(start_year, 4, 1), datetime.date(start_year + 1, 3, 31)
        since_args = ["--since", since.isoformat()] if since else []
        report = _run(capsys, "yearly_report", "--year", label, *since_args)
        position = _run(capsys, "timeliness_report", "--as-at", last.isoformat(), *since_args)
        assert report["case_reviews"]["timeliness"] == position

        received = dict.fromkeys(ROUTES, 0)
        published = []
        for row in rows:
            start = _day(row["incident_aware_date" if row["route"] == "child" else "referral_date"])
            if start and first <= start <= last:
                received[row["route"]] += 1
            day = _day(row["published_date"])
            if day and first <= day <= last:
                published.append((day.isoformat(), row["reference"], row["route"]))
        assert report["case_reviews"]["received"] == received
        assert report["case_reviews"]["published"] == [
            {"reference": reference, "route": route, "published_date": day}
            for day, reference, route in sorted(published)
        ]
        assert [item["id"] for item in report["statutory_contents"]] == list(CONTENT_IDS)

    check()
