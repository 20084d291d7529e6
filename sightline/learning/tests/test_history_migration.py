"""The migration that begins the decision and status history dates what is already recorded
by the best date known, so the report as at an earlier date reads the same before and after."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("learning", "0009_recommendation_decisions")]
AFTER = [("learning", "0010_date_existing_decisions_and_statuses")]
D = datetime.date


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC)


@pytest.mark.django_db(transaction=True)
def test_existing_decisions_and_statuses_become_dated_history():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Agency = apps.get_model("accounts", "Agency")
    User = apps.get_model("accounts", "User")
    Recommendation = apps.get_model("learning", "Recommendation")
    Action = apps.get_model("learning", "Action")
    ProgressUpdate = apps.get_model("learning", "ProgressUpdate")
    AuditEvent = apps.get_model("core", "AuditEvent")

    agency = Agency.objects.create(name="Migration agency", sector="police")
    user = User.objects.create(email="mig@example.test", full_name="Mig Ration")

    def rec(reference, **fields):
        return Recommendation.objects.create(
            reference=reference,
            source_type="other",
            source_title="A review",
            text="Do better",
            made_date=D(2023, 5, 1),
            **fields,
        )

    changed = rec("MIG/R1", decision="not_accepted", decision_reason="Covered already")
    AuditEvent.objects.create(
        kind="create",
        object_type="learning.recommendation",
        object_id=str(changed.pk),
        changes={"decision": {"from": None, "to": "accepted"}},
        occurred_at=_at(D(2023, 5, 2)),
    )
    AuditEvent.objects.create(
        kind="update",
        object_type="learning.recommendation",
        object_id=str(changed.pk),
        changes={"decision": {"from": "accepted", "to": "not_accepted"}},
        occurred_at=_at(D(2023, 9, 14)),
    )
    AuditEvent.objects.create(
        kind="update",
        object_type="learning.recommendation",
        object_id=str(changed.pk),
        changes={"text": {"from": "Do", "to": "Do better"}},
        occurred_at=_at(D(2023, 12, 1)),
    )
    created_decided = rec("MIG/R2", decision="accepted")
    AuditEvent.objects.create(
        kind="create",
        object_type="learning.recommendation",
        object_id=str(created_decided.pk),
        changes={"decision": {"from": None, "to": "accepted"}},
        occurred_at=_at(D(2024, 2, 1)),
    )
    unaudited = rec("MIG/R3", decision="accepted_in_part")
    undecided = rec("MIG/R4")

    def action(reference, **fields):
        return Action.objects.create(
            reference=reference,
            recommendation=unaudited,
            agency=agency,
            description="Train",
            due_date=D(2023, 8, 1),
            **fields,
        )

    completed = action("MIG/A1", status="complete", completed_date=D(2023, 7, 20))
    ProgressUpdate.objects.create(
        action=completed, status="at_risk", note="Slow", on=D(2023, 6, 1), recorded_by=user
    )
    ProgressUpdate.objects.create(
        action=completed, status="at_risk", note="Still slow", on=D(2023, 6, 15), recorded_by=user
    )
    closed = action(
        "MIG/A2", status="closed_incomplete", closed_reason="Gone", closed_date=D(2023, 10, 2)
    )
    imported_closed = action("MIG/A3", status="closed_incomplete", closed_reason="Gone")
    open_action = action("MIG/A4", status="on_track")
    untouched = action("MIG/A5")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    RecommendationDecision = apps.get_model("learning", "RecommendationDecision")
    ActionStatusChange = apps.get_model("learning", "ActionStatusChange")

    decisions = {
        row.recommendation_id: (row.decision, row.reason, row.decided_on)
        for row in RecommendationDecision.objects.all()
    }
    assert decisions == {
        changed.pk: ("not_accepted", "Covered already", D(2023, 9, 14)),
        created_decided.pk: ("accepted", "", D(2023, 5, 1)),
        unaudited.pk: ("accepted_in_part", "", D(2023, 5, 1)),
    }
    assert undecided.pk not in decisions

    def history(item):
        return list(
            ActionStatusChange.objects.filter(action_id=item.pk)
            .order_by("pk")
            .values_list("status", "on", "via")
        )

    assert history(completed) == [
        ("at_risk", D(2023, 6, 1), "carried_over"),
        ("complete", D(2023, 7, 20), "carried_over"),
    ]
    assert history(closed) == [("closed_incomplete", D(2023, 10, 2), "carried_over")]
    assert history(imported_closed) == [("closed_incomplete", D(2023, 5, 1), "carried_over")]
    assert [status for status, _, _ in history(open_action)] == ["on_track"]
    assert history(untouched) == []

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
