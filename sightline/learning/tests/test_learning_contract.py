"""The learning tracker contract's example file gives exactly its example reports."""

import json

import pytest
from django.core.management import CommandError, call_command

from sightline.core.models import AuditEvent
from sightline.core.tabular import ImportRejected
from sightline.learning.models import Action, Evidence, Recommendation
from tests.contract import EXAMPLES


@pytest.fixture
def imported(db):
    call_command("import_reviews", str(EXAMPLES / "cases.csv"))
    call_command("import_learning", str(EXAMPLES / "learning.csv"), "--create-agencies")


@pytest.mark.parametrize("as_at", ["2025-04-30", "2024-06-30"])
def test_report_equals_the_spec_example(imported, capsys, as_at):
    capsys.readouterr()
    call_command("learning_report", "--as-at", as_at, "--format", "json")
    report = json.loads(capsys.readouterr().out)
    assert report.pop("dissemination_returns_outstanding") == []
    assert report == json.loads((EXAMPLES / f"expected-learning-{as_at}.json").read_text())


def test_agencies_match_ignoring_case_and_spaces(imported):
    assert sorted(set(Action.objects.values_list("agency__name", flat=True))) == [
        "Eastmere Council Children's Services",
        "Eastmere Integrated Care Board",
        "Eastmere Police",
    ]


def test_imported_completions_and_evidence(imported):
    action = Action.objects.get(reference="EX-2023-01/R1/A1")
    assert action.completion_imported
    evidence = list(Evidence.objects.filter(action=action).values_list("kind", "dated", "imported"))
    assert [(kind, str(dated), imported) for kind, dated, imported in evidence] == [
        ("dissemination", "2024-03-15", True),
        ("impact", "2024-03-15", True),
    ]


def test_reimporting_changes_nothing(imported, capsys):
    counts = (Recommendation.objects.count(), Action.objects.count(), Evidence.objects.count())
    capsys.readouterr()
    call_command("import_learning", str(EXAMPLES / "learning.csv"))
    out = capsys.readouterr().out
    assert "recommendations: 0 created, 0 updated, 5 unchanged" in out
    assert "actions: 0 created, 0 updated, 5 unchanged" in out
    assert counts == (
        Recommendation.objects.count(),
        Action.objects.count(),
        Evidence.objects.count(),
    )
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).count() == 3


def test_unknown_agency_or_case_is_refused_without_create_agencies(db, tmp_path, capsys):
    call_command("import_reviews", str(EXAMPLES / "cases.csv"))
    with pytest.raises(CommandError) as raised:
        call_command("import_learning", str(EXAMPLES / "learning.csv"))
    assert raised.value.returncode == 1
    err = capsys.readouterr().err
    assert (
        "line 2, column agency: 'Eastmere Council Children's Services' is not an agency Sightline knows"
        in err
    )
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "R1,case_review,NO-SUCH,Text,2024-01-01,,,,,,,,,,,,",
            "line 2, column source: NO-SUCH is not a case in Sightline",
        ),
        (
            "R1,other,Audit,Text,2024-01-01,not_accepted,,,,,,,,,,,",
            "line 2, column decision_reason: give the reason",
        ),
        (
            "R1,other,Audit,Text,2024-01-01,,,A1,Police,Do it,,2023-12-01,on_track,,,,",
            "line 2, column due_date: 01/12/2023 is before the recommendation was made",
        ),
        (
            "R1,other,Audit,Text,2024-01-01,,,A1,Police,Do it,,2024-02-01,complete,,,,",
            "line 2, column completed_date: a complete action needs the date",
        ),
        (
            "R1,other,Audit,Text,2024-01-01,,,A1,Police,Do it,,2024-02-01,on_track,2024-01-10,,,",
            "line 2, column completed_date: only a complete action",
        ),
        (
            "R1,other,Audit,Text,2024-01-01,,,A1,Police,Do it,,2024-02-01,closed_incomplete,,,,",
            "line 2, column closed_reason: give the reason",
        ),
        (
            "R1,other,Audit,Text,2024-01-01,,,A1,,Do it,,2024-02-01,on_track,,,,",
            "line 2, column agency: every action needs",
        ),
        (
            "R1,elsewhere,Audit,Text,2024-01-01,,,,,,,,,,,,",
            "line 2, column source_type: 'elsewhere' is not a source type",
        ),
        (
            "R1,other,Audit,Text,2024-01-01,,,A1,Police,Do it,someone,2024-02-01,on_track,,,,",
            "line 2, column owner: 'someone' is not an email address",
        ),
    ],
)
def test_each_problem_is_named_by_line_and_column(db, row, expected):
    from sightline.accounts.tests.factories import AgencyFactory
    from sightline.learning.services import import_learning

    AgencyFactory.create(name="Police")
    header = (EXAMPLES / "learning.csv").read_text().splitlines()[0]
    with pytest.raises(ImportRejected) as raised:
        import_learning(actor=None, name="t.csv", content=f"{header}\n{row}\n".encode())
    assert any(problem.startswith(expected) for problem in raised.value.problems), (
        raised.value.problems
    )


def test_rows_of_one_recommendation_must_agree(db):
    from sightline.learning.services import import_learning

    header = (EXAMPLES / "learning.csv").read_text().splitlines()[0]
    rows = [
        "R1,other,Audit,Text,2024-01-01,,,,,,,,,,,,",
        "R1,other,Audit,Other text,2024-01-01,,,,,,,,,,,,",
    ]
    with pytest.raises(ImportRejected) as raised:
        import_learning(actor=None, name="t.csv", content="\n".join([header, *rows]).encode())
    assert raised.value.problems == [
        "line 3, column recommendation: differs from line 2 for the same recommendation_ref"
    ]


def test_demo_learning_covers_every_state(db):
    call_command("seed_demo", "--password", "demo-password-1")
    statuses = set(Action.objects.values_list("status", flat=True))
    assert {"complete", "closed_incomplete"} <= statuses
    assert statuses & {"not_started", "on_track", "at_risk"}
    assert Recommendation.objects.filter(decision="not_accepted").exists()
    assert Recommendation.objects.filter(source_type="national_review").count() >= 2
    before = Action.objects.count()
    call_command("seed_demo")
    assert Action.objects.count() == before


def test_actions_may_fall_due_in_the_future_and_bad_dates_are_named_once(db):
    import datetime

    from sightline.accounts.tests.factories import AgencyFactory
    from sightline.learning.services import import_learning

    AgencyFactory.create(name="Police")
    header = (EXAMPLES / "learning.csv").read_text().splitlines()[0]
    later = (datetime.date.today() + datetime.timedelta(days=90)).isoformat()
    good = f"R1,other,Audit,Text,2024-01-01,,,A1,Police,Do it,,{later},on_track,,,,"
    import_learning(actor=None, name="t.csv", content=f"{header}\n{good}\n".encode())
    assert Action.objects.get().due_date.isoformat() == later
    bad = "R2,other,Audit,Text,someday,,,,,,,,,,,,"
    with pytest.raises(ImportRejected) as raised:
        import_learning(actor=None, name="t.csv", content=f"{header}\n{bad}\n".encode())
    assert raised.value.problems == [
        "line 2, column made_date: 'someday' is not a date: use YYYY-MM-DD or DD/MM/YYYY"
    ]
