"""The learning tracker import writes in bulk: its queries do not grow with the rows, a dry
run writes nothing, and every row still gets its history and audit."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sightline.accounts.models import Agency
from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.models import AuditEvent
from sightline.learning.models import (
    Action,
    ActionStatusChange,
    Evidence,
    Recommendation,
    RecommendationDecision,
)
from sightline.learning.services import import_learning

HEADER = (
    "recommendation_ref,source_type,source,recommendation,made_date,decision,action_ref,"
    "agency,action,due_date,status,completed_date,dissemination_evidence"
)


def tracker(first: int, count: int, *, status: str = "on_track", agency: str = "Police") -> bytes:
    rows = [
        f"R{n // 2},other,Audit,Text {n // 2},2024-01-01,accepted,R{n // 2}/A{n},{agency},"
        f"Do it,2024-06-30,{status},{'2024-05-01' if status == 'complete' else ''},Briefed {n}"
        for n in range(first, first + count)
    ]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def queries(content: bytes, *, dry_run: bool = False) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        import_learning(actor=None, name="t.csv", content=content, dry_run=dry_run)
    return [query["sql"] for query in captured.captured_queries]


def test_queries_do_not_grow_with_the_rows(db):
    AgencyFactory.create(name="Police")
    assert len(queries(tracker(0, 10))) == len(queries(tracker(1000, 100)))
    # Half changed (a new status, so a history row each), half new: the same again.
    small = queries(tracker(0, 6, status="complete") + tracker(2000, 6)[len(HEADER) + 1 :])
    large = queries(tracker(1000, 50, status="complete") + tracker(3000, 50)[len(HEADER) + 1 :])
    assert len(small) == len(large)
    assert Action.objects.count() == 10 + 100 + 6 + 50
    assert Recommendation.objects.count() == 5 + 50 + 3 + 25
    # A status history row for each new action and for each changed status.
    assert ActionStatusChange.objects.count() == 166 + 56
    assert RecommendationDecision.objects.count() == Recommendation.objects.count()
    assert Evidence.objects.filter(imported=True).count() == 166
    assert AuditEvent.objects.filter(object_type="learning.action").count() == 166 + 56
    police = Agency.objects.get(name="Police")
    assert all(list(rec.agencies.all()) == [police] for rec in Recommendation.objects.all())


def test_a_dry_run_only_reads_even_when_it_would_add_agencies(db):
    AgencyFactory.create(name="Police")
    import_learning(actor=None, name="t.csv", content=tracker(0, 4))
    content = (
        tracker(0, 4, status="complete") + tracker(10, 2, agency="Harbour Trust")[len(HEADER) + 1 :]
    )
    with CaptureQueriesContext(connection) as captured:
        result = import_learning(
            actor=None, name="t.csv", content=content, dry_run=True, create_agencies=True
        )
    sqls = [query["sql"] for query in captured.captured_queries]
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in sqls), sqls
    assert result.agencies_created == ["Harbour Trust"]
    assert result.actions == {"created": 2, "updated": 4, "unchanged": 0}
    assert not Agency.objects.filter(name="Harbour Trust").exists()
    assert Action.objects.count() == 4


def test_changed_actions_keep_history_version_and_audit(db):
    AgencyFactory.create(name="Police")
    import_learning(actor=None, name="t.csv", content=tracker(0, 2))
    before = {action.reference: action for action in Action.objects.all()}
    result = import_learning(
        actor=None,
        name="again.csv",
        content=tracker(0, 1, status="complete")
        + tracker(1, 1, agency="Harbour")[len(HEADER) + 1 :],
        create_agencies=True,
    )
    assert result.actions == {"created": 0, "updated": 2, "unchanged": 0}
    assert result.agencies_created == ["Harbour"]
    done = Action.objects.get(reference="R0/A0")
    assert (done.status, done.completed_date) == ("complete", datetime.date(2024, 5, 1))
    assert done.completion_imported
    assert done.version == before["R0/A0"].version + 1
    moved = Action.objects.get(reference="R0/A1")
    assert moved.agency.name == "Harbour"
    assert moved.version == before["R0/A1"].version + 1
    assert set(moved.recommendation.agencies.values_list("name", flat=True)) == {
        "Police",
        "Harbour",
    }
    change = ActionStatusChange.objects.filter(action=done).order_by("-id").first()
    assert change is not None
    assert (change.status, change.on, change.via) == (
        "complete",
        datetime.date(2024, 5, 1),
        "import",
    )
    event = AuditEvent.objects.get(object_id=str(done.pk), kind=AuditEvent.Kind.UPDATE)
    assert event.detail == "Imported from again.csv"
    assert event.changes["status"] == {"from": "on_track", "to": "complete"}
    # The evidence was dated by the made date; now by the completed date: replaced.
    (evidence,) = Evidence.objects.filter(action=done, imported=True)
    assert evidence.dated == datetime.date(2024, 5, 1)
