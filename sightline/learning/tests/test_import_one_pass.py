"""A learning tracker file with several bad rows: every problem is named at once, each once."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.tabular import ImportRejected
from sightline.learning.models import Action, Recommendation
from sightline.learning.services import import_learning
from tests.contract import EXAMPLES

ROWS = [
    # impossible due date; a source that is not a case in Sightline
    "R1,case_review,NO-SUCH,Text,2024-01-01,accepted,,R1/A1,Police,Do it,,2024-06-31,on_track,,,,",
    # an agency Sightline does not know; completed before the recommendation was made
    "R2,other,Audit,Text,2024-01-01,,,R2/A1,Nowhere,Do it,,2024-06-30,complete,2023-12-01,,,",
    # unknown source type; impossible made date
    "R3,elsewhere,Audit,Text,2024-02-30,,,R3/A1,Police,Do it,,2024-03-01,on_track,,,,",
    # due before the recommendation was made
    "R4,other,Audit,Text,2024-03-01,,,R4/A1,Police,Do it,,2024-02-01,on_track,,,,",
    # the same recommendation again (its unknown case named once, on line 2); complete, no date
    "R1,case_review,NO-SUCH,Text,2024-01-01,accepted,,R1/A2,Police,Do it,,2024-06-30,complete,,,,",
    # an unknown status, named once (not also "only a complete action has a completed date")
    "R5,other,Audit,Text,2024-01-01,,,R5/A1,Police,Do it,,2024-06-30,compelte,2024-05-01,,,",
    # fine
    "R6,other,Audit,Text,2024-01-01,,,R6/A1,Police,Do it,,2024-06-30,complete,2024-05-01,,,",
]
EXPECTED = [
    (2, "due_date", "'2024-06-31' is not a date"),
    (2, "source", "NO-SUCH is not a case in Sightline"),
    (3, "completed_date", "before the recommendation was made"),
    (3, "agency", "'Nowhere' is not an agency Sightline knows"),
    (4, "made_date", "'2024-02-30' is not a date"),
    (4, "source_type", "'elsewhere' is not a source type"),
    (5, "due_date", "is before the recommendation was made"),
    (6, "completed_date", "a complete action needs the date"),
    (7, "status", "'compelte' is not a status"),
]


@pytest.fixture
def content(db) -> bytes:
    AgencyFactory.create(name="Police")
    header = (EXAMPLES / "learning.csv").read_text().splitlines()[0]
    return "\n".join([header, *ROWS]).encode()


def check(problems: list[str]) -> None:
    named = []
    for text in problems:
        match = re.match(r"line (\d+), column (\w+): (.*)", text)
        assert match, text
        named.append((int(match.group(1)), match.group(2)))
    assert sorted(named) == sorted((line, column) for line, column, _ in EXPECTED), problems
    assert [line for line, _ in named] == sorted(line for line, _ in named)  # in line order
    said = dict(zip(named, problems, strict=True))
    for line, column, words in EXPECTED:
        assert words in said[line, column]


def test_every_rule_runs_on_every_row_and_names_each_problem_once(content):
    with pytest.raises(ImportRejected) as raised:
        import_learning(actor=None, name="learning.csv", content=content)
    check(raised.value.problems)
    assert not Recommendation.objects.exists()
    assert not Action.objects.exists()


def test_the_command_lists_every_problem(content, tmp_path, capsys):
    path = tmp_path / "learning.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError) as raised:
        call_command("import_learning", str(path))
    assert raised.value.returncode == 1
    err = capsys.readouterr().err
    check([line.strip(" -") for line in err.splitlines() if "line " in line])


def test_the_upload_page_lists_every_problem(content, admin_client):
    response = admin_client.post(
        reverse("learning:import"), {"file": SimpleUploadedFile("learning.csv", content)}
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    check(re.findall(r"line \d+, column \w+: [^<\n]*", page))
