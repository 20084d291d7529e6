"""sightline yearly_report: the year's report as JSON, HTML, PDF or Word; usage errors say the
form to use and exit with status 2."""

import datetime
import io
import json

import pikepdf
import pytest
from django.core.management import CommandError, call_command
from docx import Document

from sightline.reports.models import ReportSettings
from sightline.reports.yearly.contents import CHAPTERS, CONTENT_IDS
from sightline.reviews.tests.factories import CaseFactory


def run(*arguments: str) -> str:
    out = io.StringIO()
    call_command("yearly_report", *arguments, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--year", "2023"], "write it like 2023-24"),
        (["--year", "2023-25"], "write it like 2023-24"),
        (["--year", "2023-24", "--since", "01/06/2018"], "write it as YYYY-MM-DD"),
        (["--year", "2023-24", "--format", "pdf"], "give it with --output PATH"),
        (["--year", "2023-24", "--format", "docx"], "give it with --output PATH"),
    ],
)
def test_usage_errors_exit_2_and_say_the_form_to_use(db, arguments, message):
    with pytest.raises(CommandError, match=message) as raised:
        run(*arguments)
    assert raised.value.returncode == 2
    assert "Use: sightline yearly_report --year 2023-24" in str(raised.value)


def test_json_has_the_year_and_every_statutory_content(db):
    CaseFactory(reference="IN-YEAR", incident_aware_date=datetime.date(2023, 9, 1))
    data = json.loads(run("--year", "2023-24", "--format", "json"))
    assert list(data)[:4] == ["year", "from", "to", "case_reviews"]
    assert {"learning", "training", "assurance", "statutory_contents"} <= set(data)
    assert data["case_reviews"]["received"]["child"] == 1
    assert [item["id"] for item in data["statutory_contents"]] == list(CONTENT_IDS)


def test_since_defaults_to_the_partnership_setting(db):
    settings_row = ReportSettings.current()
    settings_row.position_since = datetime.date(2018, 6, 1)
    settings_row.save()
    data = json.loads(run("--year", "2023-24"))
    assert data["case_reviews"]["timeliness"]["since"] == "2018-06-01"
    data = json.loads(run("--year", "2023-24", "--since", "2020-01-01"))
    assert data["case_reviews"]["timeliness"]["since"] == "2020-01-01"


def test_since_is_null_when_the_partnership_has_not_set_it(db):
    data = json.loads(run("--year", "2023-24"))
    assert data["case_reviews"]["timeliness"]["since"] is None


def test_html_goes_to_standard_output_or_the_file(db, tmp_path):
    html = run("--year", "2023-24", "--format", "html")
    assert html.startswith("<!DOCTYPE html>")
    for chapter in CHAPTERS:
        assert chapter.title.replace("'", "&#39;") in html
    target = tmp_path / "report.html"
    assert run("--year", "2023-24", "--format", "html", "--output", str(target)) == ""
    assert target.read_text().startswith("<!DOCTYPE html>")


def test_pdf_and_word_are_written_whole_to_the_output(db, tmp_path):
    pdf_path, docx_path = tmp_path / "report.pdf", tmp_path / "report.docx"
    run("--year", "2023-24", "--format", "pdf", "--output", str(pdf_path))
    run("--year", "2023-24", "--format", "docx", "--output", str(docx_path))
    assert pikepdf.open(pdf_path).Root.MarkInfo.Marked is True
    assert Document(str(docx_path)).core_properties.title.endswith("yearly report 2023-24")
    # Written beside the target and renamed: nothing half-written is left behind.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.docx", "report.pdf"]
