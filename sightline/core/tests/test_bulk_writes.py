"""The imports' bulk writes: plain rows (``bulk_insert_rows``), instances (``bulk_insert``)
and audit events (``audit_record_many``), on SQLite and PostgreSQL alike."""

import datetime

import pytest

from sightline.accounts.tests.factories import UserFactory
from sightline.core.models import AuditEvent, ClosureDay
from sightline.core.services import (
    RESTRICTED_MARKER,
    audit_record_many,
    bulk_insert,
    bulk_insert_rows,
)
from sightline.learning.models import Recommendation, RecommendationDecision
from sightline.learning.tests.factories import RecommendationFactory
from sightline.reviews.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def test_plain_rows_are_written_in_order_with_their_keys_and_the_defaults_left_out():
    keys = bulk_insert_rows(
        ClosureDay,
        [{"date": D(2030, 1, n), "description": f"Day {n}"} for n in (3, 1, 2)],
    )
    days = {day.pk: day for day in ClosureDay.objects.all()}
    assert [days[key].date for key in keys] == [D(2030, 1, 3), D(2030, 1, 1), D(2030, 1, 2)]
    assert [days[key].description for key in keys] == ["Day 3", "Day 1", "Day 2"]
    # created_at took the field's default (now), not a missing value.
    assert all(days[key].created_at is not None for key in keys)


def test_no_rows_write_nothing():
    assert bulk_insert_rows(ClosureDay, []) == []
    assert not ClosureDay.objects.exists()


def test_instances_get_their_keys_and_the_key_of_a_related_row_saved_after_being_set():
    rec = Recommendation(
        reference="BULK/R1", source_type="other", source_title="A review", made_date=D(2030, 1, 1)
    )
    decision = RecommendationDecision(
        recommendation=rec, decision="accepted", decided_on=D(2030, 1, 1)
    )
    bulk_insert(Recommendation, [rec])
    bulk_insert(RecommendationDecision, [decision])
    assert rec.pk is not None
    assert decision.pk is not None
    assert not decision._state.adding
    stored = RecommendationDecision.objects.get(pk=decision.pk)
    assert stored.recommendation_id == rec.pk


def test_an_unsaved_related_row_is_refused_and_nothing_is_written():
    rec = Recommendation(reference="BULK/R2", source_type="other", source_title="A review")
    decision = RecommendationDecision(
        recommendation=rec, decision="accepted", decided_on=D(2030, 1, 1)
    )
    with pytest.raises(ValueError, match="unsaved related object 'recommendation'"):
        bulk_insert(RecommendationDecision, [decision])
    assert not RecommendationDecision.objects.exists()


def test_audit_events_in_bulk_name_the_actor_and_redact_restricted_values():
    actor = UserFactory.create()
    case = CaseFactory.create()
    rec = RecommendationFactory.create()
    count = audit_record_many(
        actor=actor,
        events=[
            {
                "kind": AuditEvent.Kind.UPDATE,
                "obj": case,
                "changes": {
                    "sex": {"from": "female", "to": "male"},
                    "pseudonym": {"from": "A", "to": "B"},
                },
            },
            {"kind": AuditEvent.Kind.CREATE, "obj": rec, "changes": {}, "detail": "Imported"},
        ],
    )
    assert count == 2
    by_type = {event.object_type: event for event in AuditEvent.objects.filter(actor=actor)}
    assert by_type["reviews.case"].actor_email == actor.email
    assert by_type["reviews.case"].object_id == str(case.pk)
    assert by_type["reviews.case"].changes == {
        "sex": {"from": RESTRICTED_MARKER, "to": RESTRICTED_MARKER},
        "pseudonym": {"from": "A", "to": "B"},
    }
    assert by_type["learning.recommendation"].detail == "Imported"
    assert by_type["learning.recommendation"].changes == {}
    assert by_type["learning.recommendation"].occurred_at is not None
