"""The risk register's services and selectors: each bad input refused with a message that
says what to do and nothing half-saved; the history appended at each review; review dates
from the level's frequency; acceptance above appetite; mitigating actions; the settings;
and the audit trail written with every change."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sightline.accounts.tests.factories import MembershipFactory, UserFactory
from sightline.assurance import scoring
from sightline.assurance.models import (
    Risk,
    RiskAcceptance,
    RiskAssessment,
    RiskControl,
    RiskSettings,
)
from sightline.assurance.selectors import risks as selectors
from sightline.assurance.services import risks as services
from sightline.assurance.services.risks import ControlInput
from sightline.assurance.vocabulary import RiskCategory, RiskStatus
from sightline.core.models import AppendOnlyError, AuditEvent
from sightline.core.roles import Role
from sightline.learning.tests.factories import ActionFactory

from .factories import (
    RiskAcceptanceFactory,
    RiskAssessmentFactory,
    RiskControlFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMINISTRATOR, full_name="Ada Admin")


@pytest.fixture
def executive(make_user):
    return make_user(Role.EXECUTIVE, full_name="Eve Executive")


def messages_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def new_risk(actor: Any, owner: Any, /, **overrides: Any) -> Risk:
    values: dict[str, Any] = {
        "reference": "SR-01",
        "title": "Front door overwhelmed",
        "category": RiskCategory.OPERATIONAL,
        "owner": owner,
        "cause": "Referrals rose by a third.",
        "consequence": "Children wait for a decision.",
        "inherent_likelihood": 4,
        "inherent_impact": 5,
        "residual_likelihood": 3,
        "residual_impact": 4,
    } | overrides
    return services.risk_create(actor=actor, **values)


class Counts:
    """The rows a refused write must leave as they were."""

    def __init__(self) -> None:
        self.before = self.now()

    @staticmethod
    def now() -> dict[str, int]:
        return {
            "risks": Risk.objects.count(),
            "assessments": RiskAssessment.objects.count(),
            "acceptances": RiskAcceptance.objects.count(),
            "controls": RiskControl.objects.count(),
            "audit": AuditEvent.objects.count(),
        }

    def unchanged(self) -> bool:
        return self.now() == self.before


# --- Adding a risk -----------------------------------------------------------------------


def test_adding_a_risk_scores_it_schedules_its_review_and_starts_its_history(
    admin, executive, today
):
    risk = new_risk(
        admin,
        executive,
        controls=[
            ControlInput("Duty manager triages every morning", "effective"),
            ControlInput("Weekly performance meeting", "partly"),
        ],
    )

    risk.refresh_from_db()
    assert (risk.inherent_score, risk.residual_score) == (20, 12)
    assert risk.status == RiskStatus.OPEN
    assert (risk.opened_on, risk.last_reviewed_on) == (today, today)
    assert risk.next_review_on == today + days(30)  # 12 is high: every 30 days
    assert (risk.created_by, risk.updated_by) == (admin, admin)
    assert [(c.description, c.effectiveness) for c in risk.controls.all()] == [
        ("Duty manager triages every morning", "effective"),
        ("Weekly performance meeting", "partly"),
    ]
    (first,) = risk.assessments.all()
    assert (first.assessed_on, first.assessed_by) == (today, admin)
    assert (first.inherent_likelihood, first.inherent_impact) == (4, 5)
    assert (first.residual_likelihood, first.residual_impact) == (3, 4)
    event = AuditEvent.objects.get(object_type="assurance.risk", object_id=str(risk.pk))
    assert event.kind == AuditEvent.Kind.CREATE
    assert event.actor == admin
    assert event.changes["residual_score"] == {"from": None, "to": 12}
    assert event.changes["controls"]["to"] == [
        "Duty manager triages every morning (effective)",
        "Weekly performance meeting (partly effective)",
    ]


def test_the_first_review_may_be_sooner_than_the_level_asks(admin, executive, today):
    risk = new_risk(admin, executive, next_review_on=today + days(7))
    assert risk.next_review_on == today + days(7)
    risk = new_risk(admin, executive, reference="SR-02", next_review_on=today)
    assert risk.next_review_on == today


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("inherent_likelihood", 0, "Enter an inherent likelihood from 1 to 5"),
        ("inherent_likelihood", 6, "Enter an inherent likelihood from 1 to 5"),
        ("inherent_impact", None, "Enter an inherent impact from 1 to 5"),
        ("residual_likelihood", 9, "Enter a residual likelihood from 1 to 5"),
        ("residual_impact", -2, "Enter a residual impact from 1 to 5"),
        ("reference", " ", "Enter the risk's reference"),
        ("title", "", "Enter the risk's title"),
        ("category", "weather", "Choose the risk's category"),
        ("owner", None, "Choose who owns the risk"),
        ("cause", " ", "Describe the cause of the risk"),
        ("consequence", "", "Describe what would happen if the risk occurred"),
    ],
)
def test_each_bad_input_on_adding_a_risk_is_refused_and_nothing_is_saved(
    admin, executive, field, value, message
):
    counts = Counts()
    with pytest.raises(ValidationError) as error:
        new_risk(admin, executive, **{field: value})
    assert messages_of(error) == {field: [message]}
    assert counts.unchanged()


def test_a_residual_score_above_the_inherent_one_needs_a_reason(admin, executive):
    counts = Counts()
    with pytest.raises(ValidationError) as error:
        new_risk(
            admin,
            executive,
            inherent_likelihood=2,
            inherent_impact=2,
            residual_likelihood=3,
            residual_impact=2,
            controls=[ControlInput("A control", "partly")],
        )
    assert messages_of(error) == {
        "residual_reason": [
            "The residual score (6) is above the inherent score (4): give the reason, or lower "
            "the residual likelihood or impact"
        ]
    }
    assert counts.unchanged()

    risk = new_risk(
        admin,
        executive,
        inherent_likelihood=2,
        inherent_impact=2,
        residual_likelihood=3,
        residual_impact=2,
        residual_reason="  The new provider has not started yet  ",
    )
    assert risk.residual_reason == "The new provider has not started yet"


def test_a_review_date_in_the_past_on_creation_is_refused(admin, executive, today):
    counts = Counts()
    with pytest.raises(ValidationError) as error:
        new_risk(admin, executive, next_review_on=today - days(1))
    assert messages_of(error) == {
        "next_review_on": ["The next review date must be today or in the future"]
    }
    assert counts.unchanged()


def test_a_first_review_later_than_the_levels_frequency_is_refused(admin, executive, today):
    with pytest.raises(ValidationError) as error:
        new_risk(admin, executive, next_review_on=today + days(31))
    latest = scoring.long_date(today + days(30))
    assert messages_of(error) == {
        "next_review_on": [
            f"A high risk is reviewed at least every 30 days: enter a date no later than {latest}"
        ]
    }


def test_every_problem_is_reported_together(admin, executive, today):
    with pytest.raises(ValidationError) as error:
        new_risk(
            admin,
            executive,
            title="",
            inherent_likelihood=7,
            residual_impact=0,
            next_review_on=today - days(3),
        )
    assert set(messages_of(error)) == {
        "title",
        "inherent_likelihood",
        "residual_impact",
        "next_review_on",
    }


def test_the_reference_is_unique_ignoring_case(admin, executive):
    new_risk(admin, executive, reference="SR-01")
    counts = Counts()
    with pytest.raises(ValidationError) as error:
        new_risk(admin, executive, reference=" sr-01 ")
    assert messages_of(error) == {
        "reference": ["A risk with the reference sr-01 already exists: enter a different reference"]
    }
    assert counts.unchanged()


def test_the_owner_must_be_an_executive_member_or_administrator(admin, make_user):
    trainer = make_user(Role.TRAINER, full_name="Tom Trainer")
    with pytest.raises(ValidationError) as error:
        new_risk(admin, trainer)
    assert messages_of(error) == {
        "owner": [
            "Tom Trainer is not an executive member or partnership administrator: choose "
            "someone who is"
        ]
    }
    leaver = make_user(Role.EXECUTIVE, is_active=False)
    with pytest.raises(ValidationError):
        new_risk(admin, leaver)
    assert new_risk(admin, admin).owner == admin


def test_scores_are_checked_against_the_partnerships_matrix(admin, executive):
    settings_row = RiskSettings.current()
    settings_row.likelihood_levels = 4
    settings_row.save()
    with pytest.raises(ValidationError) as error:
        new_risk(admin, executive, inherent_likelihood=5)
    assert messages_of(error) == {
        "inherent_likelihood": ["Enter an inherent likelihood from 1 to 4"]
    }


def test_a_bad_control_refuses_the_whole_risk(admin, executive):
    counts = Counts()
    with pytest.raises(ValidationError) as error:
        new_risk(admin, executive, controls=[ControlInput("Triage", "")])
    assert messages_of(error) == {"controls": ["Choose how effective each control is"]}
    assert counts.unchanged()


# --- Changing a risk ---------------------------------------------------------------------


def test_changing_a_risk_saves_its_details_and_controls_and_audits_the_change(admin, executive):
    risk = RiskFactory.create(reference="SR-10", title="Old title")
    kept = RiskControlFactory.create(risk=risk, description="Daily triage")
    dropped = RiskControlFactory.create(risk=risk, description="Old meeting")

    services.risk_update(
        actor=admin,
        risk=risk,
        reference="SR-10",
        title="New title",
        category=RiskCategory.WORKFORCE,
        owner=executive,
        cause=risk.cause,
        consequence=risk.consequence,
        controls=[
            ControlInput("Daily triage by a manager", "effective", pk=kept.pk),
            ControlInput("Agency staff budget", "not_effective"),
        ],
    )

    risk.refresh_from_db()
    assert (risk.title, risk.category, risk.owner) == ("New title", "workforce", executive)
    assert list(risk.controls.values_list("description", "effectiveness")) == [
        ("Daily triage by a manager", "effective"),
        ("Agency staff budget", "not_effective"),
    ]
    assert not RiskControl.objects.filter(pk=dropped.pk).exists()
    event = AuditEvent.objects.get(object_id=str(risk.pk), kind=AuditEvent.Kind.UPDATE)
    assert event.changes["title"] == {"from": "Old title", "to": "New title"}
    assert event.changes["controls"]["to"] == [
        "Daily triage by a manager (effective)",
        "Agency staff budget (not effective)",
    ]


def test_an_unchanged_risk_writes_no_audit_event(admin):
    risk = RiskFactory.create()
    counts = Counts()
    services.risk_update(
        actor=admin,
        risk=risk,
        reference=risk.reference,
        title=risk.title,
        category=risk.category,
        owner=risk.owner,
        cause=risk.cause,
        consequence=risk.consequence,
    )
    assert counts.unchanged()


def test_changing_a_risk_to_anothers_reference_or_a_closed_risk_is_refused(admin):
    RiskFactory.create(reference="SR-20")
    risk = RiskFactory.create(reference="SR-21")
    details: dict[str, Any] = {
        "title": risk.title,
        "category": risk.category,
        "owner": risk.owner,
        "cause": risk.cause,
        "consequence": risk.consequence,
    }
    with pytest.raises(ValidationError) as error:
        services.risk_update(actor=admin, risk=risk, reference="Sr-20", **details)
    assert "already exists" in messages_of(error)["reference"][0]
    closed = RiskFactory.create(status=RiskStatus.CLOSED, closed_on=timezone.localdate())
    with pytest.raises(ValidationError) as error:
        services.risk_update(actor=admin, risk=closed, reference=closed.reference, **details)
    assert error.value.messages == ["This risk is closed: it cannot be changed"]


def test_a_control_of_another_risk_cannot_be_changed_through_this_one(admin):
    risk = RiskFactory.create()
    other = RiskControlFactory.create()
    with pytest.raises(ValidationError) as error:
        services.risk_update(
            actor=admin,
            risk=risk,
            reference=risk.reference,
            title=risk.title,
            category=risk.category,
            owner=risk.owner,
            cause=risk.cause,
            consequence=risk.consequence,
            controls=[ControlInput("Hijack", "effective", pk=other.pk)],
        )
    assert messages_of(error) == {
        "controls": ["A control was removed by someone else: reload the page"]
    }
    other.refresh_from_db()
    assert other.description != "Hijack"


# --- Reviews -----------------------------------------------------------------------------


def review(actor: Any, risk: Risk, **overrides: Any) -> RiskAssessment:
    values: dict[str, Any] = {
        "assessed_on": timezone.localdate(),
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "residual_likelihood": 2,
        "residual_impact": 3,
        "note": "The new triage team has started.",
    } | overrides
    return services.risk_review(actor=actor, risk=risk, **values)


def test_a_review_appends_to_the_history_and_sets_the_next_review(admin, today):
    risk = RiskFactory.create(last_reviewed_on=today - days(100), opened_on=today - days(200))
    RiskAssessmentFactory.create(risk=risk, assessed_on=today - days(100))

    assessment = review(admin, risk)

    risk.refresh_from_db()
    assert (risk.residual_likelihood, risk.residual_impact, risk.residual_score) == (2, 3, 6)
    assert risk.last_reviewed_on == today
    assert risk.next_review_on == today + days(90)  # 6 is medium
    assert risk.updated_by == admin
    history = list(risk.assessments.order_by("assessed_on"))
    assert len(history) == 2
    assert history[-1] == assessment
    assert (assessment.note, assessment.assessed_by) == ("The new triage team has started.", admin)
    event = AuditEvent.objects.get(object_id=str(risk.pk))
    assert event.changes["residual_score"] == {"from": 9, "to": 6}
    assert event.detail == "Reviewed: The new triage team has started."


@pytest.mark.parametrize(
    ("likelihood", "impact", "days_to_next"),
    [(1, 4, 180), (1, 5, 90), (3, 3, 90), (2, 5, 30), (3, 5, 30), (4, 4, 14), (5, 5, 14)],
)
def test_the_next_review_follows_the_residual_levels_frequency(
    admin, today, likelihood, impact, days_to_next
):
    risk = RiskFactory.create()
    review(
        admin,
        risk,
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=likelihood,
        residual_impact=impact,
    )
    risk.refresh_from_db()
    assert risk.next_review_on == today + days(days_to_next)


def test_a_backdated_review_counts_from_its_own_date(admin, today):
    risk = RiskFactory.create(last_reviewed_on=today - days(40), opened_on=today - days(40))
    review(admin, risk, assessed_on=today - days(10))
    risk.refresh_from_db()
    assert risk.last_reviewed_on == today - days(10)
    assert risk.next_review_on == today - days(10) + days(90)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"inherent_likelihood": 6},
            "inherent_likelihood",
            "Enter an inherent likelihood from 1 to 5",
        ),
        ({"residual_impact": 0}, "residual_impact", "Enter a residual impact from 1 to 5"),
        (
            {"residual_likelihood": 5, "residual_impact": 5},
            "residual_reason",
            "The residual score (25) is above the inherent score (16): give the reason, or lower the residual likelihood or impact",
        ),
        (
            {"assessed_on": "tomorrow"},
            "assessed_on",
            "The date of the review must be today or in the past",
        ),
        ({"note": "  "}, "note", "Say what the review found"),
    ],
)
def test_each_bad_review_is_refused_and_nothing_is_saved(admin, today, overrides, field, message):
    if overrides.get("assessed_on") == "tomorrow":
        overrides = overrides | {"assessed_on": today + days(1)}
    risk = RiskFactory.create()
    counts = Counts()
    with pytest.raises(ValidationError) as error:
        review(admin, risk, **overrides)
    assert messages_of(error) == {field: [message]}
    assert counts.unchanged()
    stored = Risk.objects.get(pk=risk.pk)
    assert (stored.residual_score, stored.next_review_on) == (9, risk.next_review_on)


def test_a_review_before_the_last_one_is_refused(admin, today):
    risk = RiskFactory.create(last_reviewed_on=today - days(5))
    with pytest.raises(ValidationError) as error:
        review(admin, risk, assessed_on=today - days(6))
    assert messages_of(error) == {
        "assessed_on": [
            "The date of the review must be the same as or after the last review "
            f"({scoring.long_date(today - days(5))})"
        ]
    }


def test_a_closed_risk_is_not_reviewed(admin, today):
    risk = RiskFactory.create(status=RiskStatus.CLOSED, closed_on=today)
    counts = Counts()
    with pytest.raises(ValidationError) as error:
        review(admin, risk)
    assert error.value.messages == ["This risk is closed: a closed risk is not reviewed"]
    assert counts.unchanged()


def test_the_history_cannot_be_rewritten():
    assessment = RiskAssessmentFactory.create()
    assessment.note = "Changed"
    with pytest.raises(AppendOnlyError):
        assessment.save()
    with pytest.raises(AppendOnlyError):
        RiskAssessment.objects.filter(pk=assessment.pk).update(note="Changed")


# --- Acceptance above appetite -----------------------------------------------------------


def test_accepting_a_risk_above_appetite_records_who_why_and_until_when(executive, today):
    risk = RiskFactory.create(residual_likelihood=4, residual_impact=4, residual_score=16)

    acceptance = services.risk_accept(
        actor=executive, risk=risk, reason=" Funding agreed from April ", until=today + days(60)
    )

    assert acceptance.accepted_by == executive
    assert acceptance.reason == "Funding agreed from April"
    assert (acceptance.accepted_on, acceptance.until) == (today, today + days(60))
    assert acceptance.residual_score == 16
    event = AuditEvent.objects.get(object_id=str(risk.pk))
    assert event.actor == executive
    assert event.changes == {
        "accepted above appetite until": {"from": None, "to": (today + days(60)).isoformat()}
    }
    assert event.detail == "Accepted at residual score 16: Funding agreed from April"
    assert selectors.risk_acceptance_in_force(risk=risk, today=today) == acceptance


def test_the_newest_acceptance_decides_in_the_register_and_the_pack(executive, today):
    from sightline.assurance.quarters import Quarter

    quarter = Quarter.containing(today)
    risk = RiskFactory.create(residual_likelihood=4, residual_impact=4, residual_score=16)
    services.risk_accept(actor=executive, risk=risk, reason="Long", until=quarter.end + days(200))
    shorter = services.risk_accept(
        actor=executive, risk=risk, reason="Shorter now", until=quarter.end + days(5)
    )

    assert selectors.risk_acceptance_in_force(risk=risk, today=today) == shorter
    listed = selectors.risk_list_for(
        user=executive,
        filters=selectors.RiskFilters(),
        matrix=selectors.risk_matrix(),
        today=today,
    )
    rows = selectors.risk_rows(risks=list(listed), matrix=selectors.risk_matrix(), today=today)
    assert [row.accepted_until for row in rows] == [quarter.end + days(5)]
    [row] = selectors.risks_above_appetite_on(day=quarter.end, appetite=9)
    assert row.accepted_until == quarter.end + days(5)
    assert row.accepted_by == executive.full_name


def test_a_risk_within_appetite_is_not_accepted(executive, today):
    risk = RiskFactory.create()  # residual 9, the appetite
    counts = Counts()
    with pytest.raises(ValidationError) as error:
        services.risk_accept(actor=executive, risk=risk, reason="Why not", until=today + days(5))
    assert error.value.messages == [
        "The residual score (9) is within the partnership's appetite (9): only a risk above "
        "appetite needs accepting"
    ]
    assert counts.unchanged()


@pytest.mark.parametrize(
    ("reason", "until_days", "field", "message"),
    [
        ("", 30, "reason", "Give the reason the partnership accepts this risk"),
        ("Funding", 0, "until", "The date the acceptance lasts until must be in the future"),
        ("Funding", -3, "until", "The date the acceptance lasts until must be in the future"),
        ("Funding", None, "until", "Enter the date the acceptance lasts until"),
    ],
)
def test_bad_acceptances_are_refused(executive, today, reason, until_days, field, message):
    risk = RiskFactory.create(residual_likelihood=4, residual_impact=4, residual_score=16)
    until = None if until_days is None else today + days(until_days)
    counts = Counts()
    with pytest.raises(ValidationError) as error:
        services.risk_accept(actor=executive, risk=risk, reason=reason, until=until)
    assert messages_of(error) == {field: [message]}
    assert counts.unchanged()


def test_an_acceptance_lasts_at_most_twelve_months(executive, today):
    risk = RiskFactory.create(residual_likelihood=4, residual_impact=4, residual_score=16)
    latest = scoring.add_months(today, 12)
    with pytest.raises(ValidationError) as error:
        services.risk_accept(actor=executive, risk=risk, reason="Funding", until=latest + days(1))
    assert messages_of(error) == {
        "until": [
            "An acceptance lasts at most 12 months: enter a date no later than "
            f"{scoring.long_date(latest)}"
        ]
    }
    services.risk_accept(actor=executive, risk=risk, reason="Funding", until=latest)


def test_a_closed_risk_is_not_accepted(executive, today):
    risk = RiskFactory.create(
        residual_likelihood=4, residual_impact=4, status=RiskStatus.CLOSED, closed_on=today
    )
    with pytest.raises(ValidationError) as error:
        services.risk_accept(actor=executive, risk=risk, reason="Why", until=today + days(3))
    assert error.value.messages == ["This risk is closed: a closed risk cannot be accepted"]


def test_an_acceptance_no_longer_covers_a_risk_that_got_worse_or_expired(admin, today):
    risk = RiskFactory.create(residual_likelihood=4, residual_impact=4, residual_score=16)
    RiskAcceptanceFactory.create(risk=risk)
    matrix = scoring.Matrix()
    rows = selectors.risk_rows(
        risks=list(
            selectors.risk_list_for(
                user=admin, filters=selectors.RiskFilters(), matrix=matrix, today=today
            )
        ),
        matrix=matrix,
        today=today,
    )
    assert rows[0].accepted_until == today + days(90)

    review(
        admin,
        risk,
        residual_likelihood=4,
        residual_impact=5,
        inherent_likelihood=5,
        inherent_impact=5,
    )
    risk.refresh_from_db()
    assert selectors.risk_acceptance_in_force(risk=risk, today=today) is None
    assert selectors.risk_acceptance_in_force(risk=risk, today=today + days(91)) is None


# --- Closing -----------------------------------------------------------------------------


def test_closing_a_risk_records_the_date_and_reason(admin, today):
    risk = RiskFactory.create(opened_on=today - days(30))
    services.risk_close(actor=admin, risk=risk, closed_on=today - days(1), reason=" Merged ")
    risk.refresh_from_db()
    assert (risk.status, risk.closed_on) == (RiskStatus.CLOSED, today - days(1))
    event = AuditEvent.objects.get(object_id=str(risk.pk))
    assert event.detail == "Closed: Merged"
    assert event.changes["status"] == {"from": "open", "to": "closed"}


@pytest.mark.parametrize(
    ("closed_days", "reason", "field", "message"),
    [
        (1, "Gone", "closed_on", "The date the risk closed must be today or in the past"),
        (0, " ", "reason", "Give the reason the risk is closed"),
    ],
)
def test_bad_closures_are_refused(admin, today, closed_days, reason, field, message):
    risk = RiskFactory.create()
    counts = Counts()
    with pytest.raises(ValidationError) as error:
        services.risk_close(
            actor=admin, risk=risk, closed_on=today + days(closed_days), reason=reason
        )
    assert messages_of(error) == {field: [message]}
    assert counts.unchanged()


def test_a_risk_cannot_close_before_it_opened_or_twice(admin, today):
    risk = RiskFactory.create(opened_on=today - days(2))
    with pytest.raises(ValidationError) as error:
        services.risk_close(actor=admin, risk=risk, closed_on=today - days(3), reason="Gone")
    assert "after the day it was opened" in messages_of(error)["closed_on"][0]
    services.risk_close(actor=admin, risk=risk, closed_on=today, reason="Gone")
    with pytest.raises(ValidationError) as error:
        services.risk_close(actor=admin, risk=risk, closed_on=today, reason="Gone")
    assert error.value.messages == ["This risk is already closed"]


# --- Mitigating actions ------------------------------------------------------------------


def test_a_learning_action_is_linked_by_its_reference_ignoring_case_and_unlinked(admin):
    risk = RiskFactory.create()
    action = ActionFactory.create(reference="R-2024-01/A1")

    assert services.risk_action_link(actor=admin, risk=risk, reference=" r-2024-01/a1 ") == action
    assert list(risk.actions.all()) == [action]
    event = AuditEvent.objects.get(object_id=str(risk.pk))
    assert event.changes == {"mitigating actions": {"from": [], "to": ["R-2024-01/A1"]}}

    services.risk_action_unlink(actor=admin, risk=risk, action=action)
    assert list(risk.actions.all()) == []
    assert AuditEvent.objects.filter(object_id=str(risk.pk)).count() == 2


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("", "Enter the reference of a learning action, for example R-2024-01/A1"),
        (
            "R-1999-99/A9",
            "There is no learning action with the reference R-1999-99/A9: check the reference "
            "in the learning tracker",
        ),
        ("R-2024-01/A1", "R-2024-01/A1 is already linked to this risk"),
    ],
)
def test_bad_links_are_refused(admin, reference, message):
    action = ActionFactory.create(reference="R-2024-01/A1")
    risk = RiskFactory.create(actions=[action])
    counts = Counts()
    with pytest.raises(ValidationError) as error:
        services.risk_action_link(actor=admin, risk=risk, reference=reference)
    assert messages_of(error) == {"reference": [message]}
    assert counts.unchanged()


# --- Settings ----------------------------------------------------------------------------

SETTINGS = {
    "likelihood_levels": 5,
    "impact_levels": 5,
    "appetite": 9,
    "low_max": 4,
    "medium_max": 9,
    "high_max": 15,
    "review_days_low": 180,
    "review_days_medium": 90,
    "review_days_high": 30,
    "review_days_very_high": 14,
}


def test_settings_are_saved_and_audited(admin):
    services.risk_settings_update(actor=admin, **SETTINGS | {"appetite": 12})
    assert RiskSettings.current().appetite == 12
    event = AuditEvent.objects.get(object_type="assurance.risksettings")
    assert event.changes == {"appetite": {"from": 9, "to": 12}}
    counts = Counts()
    services.risk_settings_update(actor=admin, **SETTINGS | {"appetite": 12})
    assert counts.unchanged()


def test_the_matrix_cannot_shrink_below_an_open_risks_scores(admin, today):
    RiskFactory.create(
        inherent_likelihood=5, inherent_impact=2, residual_likelihood=1, residual_impact=1
    )
    RiskFactory.create(
        inherent_likelihood=1,
        inherent_impact=5,
        residual_likelihood=1,
        residual_impact=1,
        status=RiskStatus.CLOSED,
        closed_on=today,
    )
    smaller = SETTINGS | {
        "likelihood_levels": 4,
        "impact_levels": 4,
        "low_max": 3,
        "medium_max": 6,
        "high_max": 10,
    }
    counts = Counts()
    with pytest.raises(ValidationError) as error:
        services.risk_settings_update(actor=admin, **smaller)
    assert messages_of(error) == {
        "likelihood_levels": [
            "Open risks are scored up to likelihood 5: the matrix needs at least 5 levels of "
            "likelihood. Review those risks first"
        ]
    }
    assert counts.unchanged()
    assert RiskSettings.current().likelihood_levels == 5
    # A closed risk scored at impact 5 does not hold the matrix open.
    services.risk_settings_update(actor=admin, **smaller | {"likelihood_levels": 5})
    assert RiskSettings.current().impact_levels == 4


def test_unsound_settings_are_refused_with_what_to_enter(admin):
    with pytest.raises(ValidationError) as error:
        services.risk_settings_update(actor=admin, **SETTINGS | {"medium_max": 3})
    assert messages_of(error) == {
        "medium_max": ["The highest medium score must be more than the highest low score (4)"]
    }


def test_more_frequent_reviews_bring_open_risks_forward(admin, today):
    due_late = RiskFactory.create(
        last_reviewed_on=today - days(10), next_review_on=today + days(80)
    )
    due_soon = RiskFactory.create(last_reviewed_on=today - days(10), next_review_on=today + days(5))
    closed = RiskFactory.create(
        last_reviewed_on=today - days(10),
        next_review_on=today + days(80),
        status=RiskStatus.CLOSED,
        closed_on=today,
    )
    services.risk_settings_update(actor=admin, **SETTINGS | {"review_days_medium": 60})
    assert Risk.objects.get(pk=due_late.pk).next_review_on == today + days(50)
    assert Risk.objects.get(pk=due_soon.pk).next_review_on == today + days(5)
    assert Risk.objects.get(pk=closed.pk).next_review_on == today + days(80)
    event = AuditEvent.objects.get(object_type="assurance.risksettings")
    assert event.detail == "Next review brought forward for 1 open risk"
    # Longer gaps leave dates alone until each risk's next review.
    services.risk_settings_update(actor=admin, **SETTINGS | {"review_days_medium": 120})
    assert Risk.objects.get(pk=due_late.pk).next_review_on == today + days(50)


# --- Selectors ---------------------------------------------------------------------------


def listed(user: Any, **filters: Any) -> list[str]:
    today = timezone.localdate()
    risks = selectors.risk_list_for(
        user=user,
        filters=selectors.RiskFilters(**filters),
        matrix=scoring.Matrix(),
        today=today,
    )
    return [risk.reference for risk in risks]


def test_the_register_lists_open_risks_highest_residual_first_and_filters(admin, today):
    owner = MembershipFactory.create(role=Role.EXECUTIVE, user=UserFactory.create()).user
    RiskFactory.create(
        reference="A-LOW", residual_likelihood=1, residual_impact=2, residual_score=2
    )
    RiskFactory.create(
        reference="B-VERY-HIGH",
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=4,
        residual_impact=5,
        residual_score=20,
        owner=owner,
        category=RiskCategory.FINANCIAL,
    )
    RiskFactory.create(reference="C-OVERDUE", next_review_on=today - days(1), title="Budget gap")
    RiskFactory.create(reference="D-CLOSED", status=RiskStatus.CLOSED, closed_on=today)
    accepted = RiskFactory.create(
        reference="E-ACCEPTED", residual_likelihood=4, residual_impact=3, residual_score=12
    )
    RiskAcceptanceFactory.create(risk=accepted)

    assert listed(admin) == ["B-VERY-HIGH", "E-ACCEPTED", "C-OVERDUE", "A-LOW"]
    assert listed(admin, status="all")[-1] == "A-LOW"
    assert "D-CLOSED" in listed(admin, status="all")
    assert listed(admin, status="closed") == ["D-CLOSED"]
    assert listed(admin, level="very_high") == ["B-VERY-HIGH"]
    assert listed(admin, level="low") == ["A-LOW"]
    assert listed(admin, overdue=True) == ["C-OVERDUE"]
    assert listed(admin, appetite="above") == ["B-VERY-HIGH", "E-ACCEPTED"]
    assert listed(admin, appetite="unaccepted") == ["B-VERY-HIGH"]
    assert listed(admin, owner=owner.pk) == ["B-VERY-HIGH"]
    assert listed(admin, category="financial") == ["B-VERY-HIGH"]
    assert listed(admin, search="budget") == ["C-OVERDUE"]
    assert listed(admin, search="e-acc") == ["E-ACCEPTED"]
    assert listed(admin, scores="residual", likelihood=4, impact=5) == ["B-VERY-HIGH"]
    assert listed(admin, scores="inherent", likelihood=5, impact=5) == ["B-VERY-HIGH"]
    assert listed(admin, scores="inherent", likelihood=4) == ["E-ACCEPTED", "C-OVERDUE", "A-LOW"]


def test_the_heat_map_counts_open_risks_by_residual_or_inherent_scores(today):
    RiskFactory.create_batch(
        2, inherent_likelihood=5, inherent_impact=5, residual_likelihood=4, residual_impact=5
    )
    RiskFactory.create()
    RiskFactory.create(status=RiskStatus.CLOSED, closed_on=today)
    matrix = scoring.Matrix()
    residual = selectors.risk_heat_map(matrix=matrix, scores="residual")
    assert residual.total == 3
    assert {(c.likelihood, c.impact): c.count for c in residual.cells if c.count} == {
        (4, 5): 2,
        (3, 3): 1,
    }
    inherent = selectors.risk_heat_map(matrix=matrix, scores="inherent")
    assert {(c.likelihood, c.impact): c.count for c in inherent.cells if c.count} == {
        (5, 5): 2,
        (4, 4): 1,
    }


def test_the_export_rows_carry_levels_flags_controls_and_actions(admin, today):
    action = ActionFactory.create(reference="R-2024-07/A2")
    risk = RiskFactory.create(
        reference="=HYPERLINK()",
        residual_likelihood=4,
        residual_impact=4,
        residual_score=16,
        next_review_on=today - days(2),
        actions=[action],
    )
    RiskControlFactory.create(risk=risk, description="Triage", effectiveness="effective")
    rows = list(
        selectors.risk_export_rows(
            user=admin, filters=selectors.RiskFilters(), matrix=scoring.Matrix(), today=today
        )
    )
    assert len(rows) == 1
    row = dict(zip(selectors.EXPORT_HEADER, rows[0], strict=True))
    assert row["Reference"] == "=HYPERLINK()"  # neutralised by the download, not here
    assert row["Residual score"] == 16
    assert row["Level"] == "Very high"
    assert row["Above appetite"] == "Yes"
    assert row["Review overdue"] == "Yes"
    assert row["Controls"] == "Triage (effective)"
    assert row["Mitigating actions"] == "R-2024-07/A2"
