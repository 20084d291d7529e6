"""A case file with several bad rows: every problem is named at once, each once."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from sightline.core.tabular import ImportRejected
from sightline.reviews import services
from sightline.reviews.models import Case

HEADER = (
    "reference,route,pseudonym,outcome,incident_aware_date,panel_notified_date,"
    "rapid_review_sent_date,referral_date,decision_date"
)
ROWS = [
    "CR-1,child,P,,31/02/2021,2021-04-08,,,",  # impossible date
    "CR-2,children,Q,,2021-04-03,,,,",  # unknown route
    "CR-3,child,R,no_dhr,2021-04-10,2021-04-01,,,",  # another route's outcome, out of order
    "CR-4,adult,S,,,,,2021-05-10,2021-05-01",  # out of order
    "CR-5,child,T,lcspr,next week,,2021-04-01,2021-04-01,",  # bad date, milestone not used
    "CR-6,dhr,U,no_review,,,,2999-01-01,",  # another route's outcome, in the future
    "CR-7,nope,V,no_dhr,,,,2999-01-01,",  # unknown route, in the future
    "CR-8,adult,W,no_sar,,,,2021-06-01,2021-06-02",  # fine
]
CONTENT = "\n".join([HEADER, *ROWS]).encode()
# (line, column) of each problem, in the order they are listed.
EXPECTED = [
    (2, "incident_aware_date", "'31/02/2021' is not a date"),
    (3, "route", "'children' is not a route"),
    (4, "outcome", "No domestic homicide review is not an outcome of a child serious incident"),
    (4, "panel_notified_date", "must be the same as or after local authority aware"),
    (5, "decision_date", "must be the same as or after referral received"),
    (6, "incident_aware_date", "'next week' is not a date"),
    (6, "referral_date", "Referral received is not a milestone of a child serious incident"),
    (7, "outcome", "No learning review is not an outcome of a domestic homicide review"),
    (7, "referral_date", "must be today or in the past (it says 1 January 2999)"),
    (8, "route", "'nope' is not a route"),
    (8, "referral_date", "must be today or in the past (it says 1 January 2999)"),
]


def check(problems: list[str]) -> None:
    named = []
    for text in problems:
        match = re.match(r"line (\d+), column (\w+): (.*)", text)
        assert match, text
        named.append((int(match.group(1)), match.group(2)))
    assert named == [(line, column) for line, column, _ in EXPECTED], problems
    for text, (_, _, words) in zip(problems, EXPECTED, strict=True):
        assert words in text


def test_every_rule_runs_on_every_row_and_names_each_problem_once(db):
    with pytest.raises(ImportRejected) as raised:
        services.import_cases(actor=None, name="cases.csv", content=CONTENT)
    check(raised.value.problems)
    assert not Case.objects.exists()


def test_the_command_lists_every_problem(db, tmp_path, capsys):
    path = tmp_path / "cases.csv"
    path.write_bytes(CONTENT)
    with pytest.raises(CommandError) as raised:
        call_command("import_reviews", str(path))
    assert raised.value.returncode == 1
    err = capsys.readouterr().err
    check([line.strip(" -") for line in err.splitlines() if "line " in line])


def test_the_upload_page_lists_every_problem(admin_client):
    response = admin_client.post(
        reverse("reviews:import"), {"file": SimpleUploadedFile("cases.csv", CONTENT)}
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    check(re.findall(r"line \d+, column \w+: [^<\n]*", page))
