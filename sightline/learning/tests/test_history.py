"""Decisions and action statuses are dated history, and the learning report as at a date
gives the figures as they stood then, whenever it is made."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.models import AppendOnlyError, AuditEvent
from sightline.core.roles import Role
from sightline.learning import selectors, services
from sightline.learning.models import (
    Action,
    ActionStatusChange,
    Recommendation,
    RecommendationDecision,
)
from sightline.learning.tests.factories import ActionFactory, RecommendationFactory
from tests.contract import EXAMPLES

D = datetime.date
# The version of the records (the report is cached under it), decisions, recommendations,
# the actions' figures (in a savepoint: two more), the returns; on PostgreSQL one more, that
# sets the figures' memory and turns JIT off for them.
REPORT_QUERIES = 7 + (connection.vendor == "postgresql")
HEADER = (EXAMPLES / "learning.csv").read_text().splitlines()[0]


def dated(prefix: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def rec_form(**extra: str) -> dict[str, str]:
    return {
        "reference": "HIS/R1",
        "source_type": "other",
        "source": "A thematic review",
        "text": "Share chronologies sooner.",
        **dated("made_date", D(2024, 1, 10)),
        **extra,
    }


def totals(as_at: datetime.date) -> dict[str, int]:
    return selectors.learning_report(as_at=as_at)["totals"]


@time_machine.travel(datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC))
def test_the_decision_form_asks_for_the_date_and_keeps_every_decision(admin_client):
    form = admin_client.get(reverse("learning:recommendation_create")).content.decode()
    assert "Date of the decision" in form
    # Today is offered: 1 6 2024.
    for part, value in (("day", "1"), ("month", "6"), ("year", "2024")):
        tag = form.split(f'name="decided_on_{part}"')[1].split(">")[0]
        assert f'value="{value}"' in tag
    created = admin_client.post(
        reverse("learning:recommendation_create"),
        rec_form(decision="accepted", **dated("decided_on", D(2024, 2, 1))),
    )
    assert created.status_code == 302
    rec = Recommendation.objects.get()
    url = reverse("learning:recommendation_edit", args=[rec.pk])
    changed = admin_client.post(
        url,
        rec_form(
            decision="not_accepted",
            decision_reason="Covered by the existing protocol",
            **dated("decided_on", D(2024, 4, 15)),
        ),
    )
    assert changed.status_code == 302
    # Changing only the text leaves the decision history alone.
    admin_client.post(
        url,
        rec_form(
            text="Share chronologies within a week.",
            decision="not_accepted",
            decision_reason="Covered by the existing protocol",
            **dated("decided_on", D(2024, 6, 1)),
        ),
    )
    history = list(
        RecommendationDecision.objects.filter(recommendation=rec)
        .order_by("pk")
        .values_list("decision", "reason", "decided_on")
    )
    assert history == [
        ("accepted", "", D(2024, 2, 1)),
        ("not_accepted", "Covered by the existing protocol", D(2024, 4, 15)),
    ]
    rec.refresh_from_db()
    assert (rec.decision, rec.decision_reason) == (
        "not_accepted",
        "Covered by the existing protocol",
    )
    event = AuditEvent.objects.filter(object_type="learning.recommendation").order_by("pk")[1]
    assert event.changes["decision date"] == {"from": None, "to": "2024-04-15"}

    page = admin_client.get(reverse("learning:recommendation_detail", args=[rec.pk]))
    text = page.content.decode()
    assert "Decision history" in text
    assert text.index("15 April 2024") < text.index("1 February 2024")
    assert "Covered by the existing protocol" in text


@time_machine.travel(datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC))
@pytest.mark.parametrize(
    ("day", "message"),
    [
        (D(2024, 1, 9), "must be on or after the day the recommendation was made (10/01/2024)"),
        (D(2024, 6, 2), "Date of the decision must be today or in the past"),
    ],
)
def test_a_decision_date_before_the_recommendation_or_in_the_future_is_refused(
    admin_client, day, message
):
    response = admin_client.post(
        reverse("learning:recommendation_create"),
        rec_form(decision="accepted", **dated("decided_on", day)),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Recommendation.objects.exists()
    assert not RecommendationDecision.objects.exists()


@time_machine.travel(datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC))
def test_a_decision_without_a_date_is_dated_today(db):
    rec = services.recommendation_save(
        actor=None,
        recommendation=None,
        data={
            "reference": "HIS/R2",
            "source_type": "other",
            "source": "A review",
            "text": "Do better",
            "made_date": D(2024, 1, 10),
            "decision": "accepted",
            "decision_reason": "",
        },
    )
    assert rec.decisions.get().decided_on == D(2024, 6, 1)


def test_the_decision_history_is_append_only(db):
    rec = RecommendationFactory.create(made_date=D(2024, 1, 1))
    decision = RecommendationDecision.objects.create(
        recommendation=rec, decision="accepted", decided_on=D(2024, 1, 2)
    )
    decision.reason = "Changed"
    with pytest.raises(AppendOnlyError):
        decision.save()
    with pytest.raises(AppendOnlyError):
        decision.delete()


def _decide(rec: Recommendation, decision: str, on: datetime.date, reason: str = "") -> None:
    services.recommendation_save(
        actor=None,
        recommendation=rec,
        data={
            "reference": rec.reference,
            "source_type": rec.source_type,
            "source": rec.source,
            "text": rec.text,
            "made_date": rec.made_date,
            "decision": decision,
            "decision_reason": reason,
            "decided_on": on,
        },
    )


@time_machine.travel(datetime.datetime(2024, 9, 1, 12, tzinfo=datetime.UTC))
def test_the_report_as_at_a_date_uses_the_decision_that_stood_then(db):
    rec = RecommendationFactory.create(made_date=D(2024, 1, 10))
    _decide(rec, "accepted", D(2024, 2, 1))
    _decide(rec, "not_accepted", D(2024, 5, 1), reason="Already in place")

    assert totals(D(2024, 1, 31))["undecided"] == 1
    assert totals(D(2024, 2, 1))["accepted"] == 1
    assert totals(D(2024, 4, 30))["accepted"] == 1
    later = selectors.learning_report(as_at=D(2024, 5, 1))
    assert later["totals"]["not_accepted"] == 1
    assert later["not_accepted"] == [
        {"recommendation_ref": rec.reference, "source": rec.source, "reason": "Already in place"}
    ]
    assert selectors.learning_report(as_at=D(2024, 4, 30))["not_accepted"] == []


@time_machine.travel(datetime.datetime(2024, 9, 1, 12, tzinfo=datetime.UTC))
def test_a_decision_recorded_later_with_an_earlier_date_corrects_the_one_before(db):
    rec = RecommendationFactory.create(made_date=D(2024, 1, 10))
    _decide(rec, "accepted", D(2024, 4, 1))
    _decide(rec, "accepted_in_part", D(2024, 3, 1))
    assert totals(D(2024, 3, 15))["accepted_in_part"] == 1
    assert totals(D(2024, 8, 1))["accepted_in_part"] == 1
    assert totals(D(2024, 2, 1))["undecided"] == 1


@pytest.fixture
def action(db, make_user):
    agency = AgencyFactory.create(name="Northshire Police")
    rec = RecommendationFactory.create(made_date=D(2024, 1, 10))
    with time_machine.travel(datetime.datetime(2024, 1, 15, 12, tzinfo=datetime.UTC)):
        made = services.action_save(
            actor=None,
            action=None,
            recommendation=rec,
            data={
                "reference": "HIS/R1/A1",
                "agency": agency,
                "description": "Train staff",
                "due_date": D(2024, 3, 31),
            },
        )
    made.signer = make_user(Role.ADMINISTRATOR)  # type: ignore[attr-defined]
    return made


@time_machine.travel(datetime.datetime(2024, 9, 1, 12, tzinfo=datetime.UTC))
def test_an_action_closed_after_the_date_counts_as_it_stood_then(action, client):
    services.progress_record(
        actor=action.signer, action=action, status="at_risk", note="Late", on=D(2024, 3, 1)
    )
    services.action_close(
        actor=action.signer,
        action=action,
        outcome="closed_incomplete",
        on=D(2024, 5, 10),
        reason="Superseded",
    )
    assert [
        (row["status"], row["on"], row["via"])
        for row in ActionStatusChange.objects.filter(action=action)
        .order_by("pk")
        .values("status", "on", "via")
    ] == [
        ("not_started", D(2024, 1, 15), "created"),
        ("at_risk", D(2024, 3, 1), "progress"),
        ("closed_incomplete", D(2024, 5, 10), "sign_off"),
    ]
    client.force_login(action.signer)
    page = client.get(reverse("learning:action_detail", args=[action.pk]))
    text = page.content.decode()
    assert "Status history" in text
    assert text.index("From 10 May 2024: closed without completion") < text.index(
        "From 1 March 2024: at risk (progress update"
    )
    figures = ("open", "overdue", "closed_incomplete")
    assert [totals(D(2024, 3, 31))[name] for name in figures] == [1, 0, 0]
    assert [totals(D(2024, 4, 30))[name] for name in figures] == [0, 1, 0]
    assert [totals(D(2024, 5, 10))[name] for name in figures] == [0, 0, 1]


@time_machine.travel(datetime.datetime(2024, 9, 1, 12, tzinfo=datetime.UTC))
def test_a_completion_signed_off_late_counts_from_its_date(action):
    services.evidence_record(
        actor=action.signer,
        action=action,
        kind="dissemination",
        description="Briefed",
        dated=D(2024, 3, 20),
    )
    # An update recorded before the sign-off but dated after the completion does not undo it.
    services.progress_record(
        actor=action.signer, action=action, status="on_track", note="Nearly", on=D(2024, 4, 2)
    )
    services.action_close(actor=action.signer, action=action, outcome="complete", on=D(2024, 3, 25))
    before, on_the_day, after = (
        totals(D(2024, 3, 24)),
        totals(D(2024, 3, 25)),
        totals(D(2024, 4, 5)),
    )
    assert (before["complete"], before["open"]) == (0, 1)
    assert (on_the_day["complete"], on_the_day["complete_on_time"]) == (1, 1)
    assert (after["complete"], after["overdue"]) == (1, 0)


def _import(rows: list[str]) -> None:
    services.import_learning(actor=None, name="t.csv", content="\n".join([HEADER, *rows]).encode())


def test_the_import_dates_decisions_and_statuses_and_a_reopening_is_history(db):
    AgencyFactory.create(name="Police")
    first = "R1,other,Audit,Text,2024-01-01,accepted,,A1,Police,Do it,,2024-02-01,complete,2024-01-20,,,"
    with time_machine.travel(datetime.datetime(2024, 3, 1, 12, tzinfo=datetime.UTC)):
        _import([first])
    rec = Recommendation.objects.get()
    assert list(rec.decisions.values_list("decision", "decided_on")) == [
        ("accepted", D(2024, 1, 1))
    ]
    action = Action.objects.get()
    assert list(action.status_changes.values_list("status", "on", "via")) == [
        ("complete", D(2024, 1, 20), "import")
    ]
    reopened = (
        "R1,other,Audit,Text,2024-01-01,accepted_in_part,,A1,Police,Do it,,2024-02-01,on_track,,,,"
    )
    with time_machine.travel(datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC)):
        _import([reopened])
        _import([reopened])  # the same file again adds no history
    assert rec.decisions.count() == 2
    assert action.status_changes.count() == 2

    as_it_stood = totals(D(2024, 5, 31))
    assert (as_it_stood["accepted"], as_it_stood["complete"]) == (1, 1)
    now = totals(D(2024, 6, 1))
    assert (now["accepted_in_part"], now["complete"], now["overdue"]) == (1, 0, 1)


def test_imported_closures_without_a_date_count_from_the_made_date(db):
    AgencyFactory.create(name="Police")
    _import(
        ["R1,other,Audit,Text,2024-01-01,,,A1,Police,Do it,,2024-02-01,closed_incomplete,,Gone,,"]
    )
    assert totals(D(2024, 1, 1))["closed_incomplete"] == 1
    assert totals(D(2024, 1, 1))["undecided"] == 1


def test_rows_written_outside_the_services_are_read_by_their_own_dates(db):
    """Bulk loads and fixtures write no history: their dates stand in for it."""
    rec = RecommendationFactory.create(made_date=D(2024, 1, 1), decision="accepted")
    ActionFactory.create(
        recommendation=rec,
        due_date=D(2024, 2, 1),
        status="complete",
        completed_date=D(2024, 3, 1),
    )
    ActionFactory.create(
        recommendation=rec,
        due_date=D(2024, 2, 1),
        status="closed_incomplete",
        closed_reason="Gone",
        closed_date=D(2024, 4, 1),
    )
    early, late = totals(D(2024, 2, 15)), totals(D(2024, 4, 1))
    assert (early["accepted"], early["complete"], early["closed_incomplete"], early["overdue"]) == (
        1,
        0,
        0,
        2,
    )
    assert (late["complete"], late["complete_on_time"], late["closed_incomplete"]) == (1, 0, 1)


def _grow(count: int) -> None:
    agency = AgencyFactory.create()
    for index in range(count):
        rec = RecommendationFactory.create(made_date=D(2024, 1, 1))
        _decide(rec, "accepted", D(2024, 1, 5 + index % 10))
        for number in range(2):
            ActionStatusChange.objects.create(
                action=ActionFactory.create(
                    recommendation=rec, agency=agency, reference=f"{rec.reference}/A{number}"
                ),
                status="on_track",
                on=D(2024, 2, 1),
                via="progress",
            )


@time_machine.travel(datetime.datetime(2024, 9, 1, 12, tzinfo=datetime.UTC))
def test_the_report_as_at_a_date_takes_the_same_queries_for_ten_times_the_rows(
    db, django_assert_num_queries
):
    _grow(2)
    with django_assert_num_queries(REPORT_QUERIES):
        selectors.learning_report(as_at=D(2024, 3, 1))
    _grow(20)
    with django_assert_num_queries(REPORT_QUERIES):
        report = selectors.learning_report(as_at=D(2024, 3, 1))
    assert report["totals"]["accepted"] == 22
    assert report["totals"]["open"] == 44


def test_the_demos_decisions_are_dated_history(db):
    from django.core.management import call_command
    from django.utils import timezone

    from sightline.core.selectors import working_calendar

    call_command("seed_demo", "--password", "demo-password-1")
    calendar = working_calendar()
    today = timezone.localdate()
    decided = Recommendation.objects.exclude(decision="")
    assert decided.exists()
    for rec in decided:
        history = list(rec.decisions.order_by("pk"))
        assert history, rec.reference
        assert (history[-1].decision, history[-1].reason) == (rec.decision, rec.decision_reason)
        for item in history:
            assert rec.made_date < item.decided_on <= today
            assert calendar.is_working_day(item.decided_on)
    assert any(rec.decisions.count() > 1 for rec in decided)
