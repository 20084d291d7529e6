"""The risk register as it stood at the end of any day: scores, appetite, acceptance and
review from the dated history, so a report made later gives the same answer."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from sightline.assurance.models import AssuranceReturnVersion, RiskSettingsChange
from sightline.assurance.quarters import Quarter
from sightline.assurance.scoring import Level, Matrix
from sightline.assurance.selectors.audits import audits_as_at
from sightline.assurance.selectors.data import figures_as_at
from sightline.assurance.selectors.groups import group_returns_as_at
from sightline.assurance.selectors.plan import PriorityPosition, priority_positions_as_at
from sightline.assurance.selectors.risks import risk_matrix_as_at, risk_positions_as_at
from sightline.assurance.services.audits import audit_create, audit_edit
from sightline.assurance.services.data import data_point_enter
from sightline.assurance.services.groups import assurance_return_submit
from sightline.assurance.services.plan import priority_update_record
from sightline.assurance.services.risks import (
    risk_accept,
    risk_close,
    risk_create,
    risk_review,
    risk_settings_update,
)
from sightline.assurance.tests.factories import (
    GroupFactory,
    MeasureFactory,
    PriorityFactory,
    RiskFactory,
    executive,
)
from sightline.core.models import AppendOnlyError
from sightline.learning.models import ActionStatusChange
from sightline.learning.tests.factories import ActionFactory

D = datetime.date


def on_day(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC)
    )


def settings_with(appetite: int, **extra: int) -> dict[str, int]:
    return {
        "likelihood_levels": 5,
        "impact_levels": 5,
        "appetite": appetite,
        "low_max": 4,
        "medium_max": 9,
        "high_max": 15,
        "review_days_low": 180,
        "review_days_medium": 90,
        "review_days_high": 30,
        "review_days_very_high": 14,
    } | extra


@pytest.fixture
def risk(db):
    owner = executive()
    with on_day(D(2024, 1, 10)):
        made = risk_create(
            actor=owner,
            reference="SR-HIS",
            title="Front door capacity",
            category="operational",
            owner=owner,
            cause="Too few staff.",
            consequence="Referrals wait.",
            inherent_likelihood=4,
            inherent_impact=4,
            residual_likelihood=3,
            residual_impact=3,
        )
    with on_day(D(2024, 2, 1)):
        risk_review(
            actor=owner,
            risk=made,
            assessed_on=D(2024, 2, 1),
            inherent_likelihood=4,
            inherent_impact=4,
            residual_likelihood=4,
            residual_impact=4,
            note="Vacancies grew.",
        )
    with on_day(D(2024, 2, 5)):
        risk_accept(actor=owner, risk=made, reason="Agency staff booked.", until=D(2024, 3, 31))
    with on_day(D(2024, 3, 1)):
        risk_settings_update(actor=owner, **settings_with(16))
    with on_day(D(2024, 4, 20)):
        risk_close(actor=owner, risk=made, closed_on=D(2024, 4, 20), reason="Staffed again.")
    return made


def position(day: datetime.date):
    found = [item for item in risk_positions_as_at(on=day) if item.reference == "SR-HIS"]
    return found[0] if found else None


def test_a_risk_is_listed_only_while_it_was_open(risk):
    assert position(D(2024, 1, 9)) is None
    assert position(D(2024, 1, 10)) is not None
    assert position(D(2024, 4, 19)) is not None
    assert position(D(2024, 4, 20)) is None


def test_scores_and_level_are_those_of_the_latest_assessment_by_the_date(risk):
    before, after = position(D(2024, 1, 31)), position(D(2024, 2, 1))
    assert (before.residual_score, before.level, before.above_appetite) == (9, Level.MEDIUM, False)
    assert (after.residual_score, after.level, after.above_appetite) == (16, Level.VERY_HIGH, True)
    assert after.inherent_score == 16
    assert after.last_reviewed_on == D(2024, 2, 1)


def test_acceptance_counts_only_while_in_force_then(risk):
    assert position(D(2024, 2, 4)).accepted is False
    accepted = position(D(2024, 2, 20))
    assert (accepted.accepted, accepted.accepted_until) == (True, D(2024, 3, 31))
    assert accepted.accepted_by == risk.owner.full_name
    assert position(D(2024, 4, 1)).accepted is False


def test_review_overdue_as_it_stood(risk):
    # Very high after the review on 1 February: reviewed every 14 days.
    assert position(D(2024, 2, 15)).next_review_on == D(2024, 2, 15)
    assert position(D(2024, 2, 15)).review_overdue is False
    assert position(D(2024, 2, 16)).review_overdue is True
    # Medium when added: 90 days.
    assert position(D(2024, 1, 31)).next_review_on == D(2024, 4, 9)


def test_the_appetite_is_the_one_in_force_then(risk):
    assert (position(D(2024, 2, 29)).appetite, position(D(2024, 2, 29)).above_appetite) == (9, True)
    assert (position(D(2024, 3, 1)).appetite, position(D(2024, 3, 1)).above_appetite) == (16, False)
    assert risk_matrix_as_at(on=D(2023, 1, 1)).appetite == 9
    assert list(RiskSettingsChange.objects.order_by("pk").values_list("appetite", flat=True)) == [
        9,
        16,
    ]


def test_shorter_review_frequencies_bring_reviews_forward_from_their_date(db):
    owner = executive()
    with on_day(D(2024, 1, 10)):
        made = risk_create(
            actor=owner,
            reference="SR-FWD",
            title="Data quality",
            category="operational",
            owner=owner,
            cause="Old system.",
            consequence="Wrong figures.",
            inherent_likelihood=3,
            inherent_impact=3,
            residual_likelihood=3,
            residual_impact=3,
        )
    with on_day(D(2024, 2, 1)):
        risk_settings_update(actor=owner, **settings_with(9, review_days_medium=30))
    found = {item.reference: item for item in risk_positions_as_at(on=D(2024, 1, 31))}
    assert found["SR-FWD"].next_review_on == D(2024, 4, 9)
    later = {item.reference: item for item in risk_positions_as_at(on=D(2024, 2, 10))}
    assert later["SR-FWD"].next_review_on == D(2024, 2, 9)
    assert later["SR-FWD"].review_overdue is True
    made.refresh_from_db()
    assert made.next_review_on == D(2024, 2, 9)


def test_a_risk_without_assessments_is_read_by_its_current_scores(db):
    RiskFactory.create(reference="SR-BULK", opened_on=D(2024, 1, 1))
    found = {item.reference: item for item in risk_positions_as_at(on=D(2024, 6, 1))}
    assert found["SR-BULK"].residual_score == 9
    assert risk_matrix_as_at(on=D(2024, 6, 1)) == Matrix()


def test_the_settings_history_is_append_only(risk):
    change = RiskSettingsChange.objects.get(appetite=16)
    change.appetite = 20
    with pytest.raises(AppendOnlyError):
        change.save()


def test_positions_take_the_same_queries_whatever_the_number_of_risks(
    db, django_assert_num_queries
):
    # Without a settings history: the settings row is read too.
    for _ in range(2):
        RiskFactory.create(opened_on=D(2024, 1, 1))
    with django_assert_num_queries(3):
        risk_positions_as_at(on=D(2024, 6, 1))
    for _ in range(20):
        RiskFactory.create(opened_on=D(2024, 1, 1))
    with django_assert_num_queries(3):
        assert len(risk_positions_as_at(on=D(2024, 6, 1))) == 22


# --- Groups' returns and the plan's priorities -------------------------------------------


def test_a_groups_return_counts_as_it_was_submitted_by_the_date(db):
    owner = executive()
    with on_day(D(2024, 1, 2)):
        group = GroupFactory.create(name="Quality assurance group")
        GroupFactory.create(name="Silent group")
    quarter = Quarter.containing(D(2024, 3, 1))
    with on_day(D(2024, 4, 8)):
        assurance_return_submit(
            actor=owner, group=group, quarter=quarter, level="assured", summary="All well."
        )
    with on_day(D(2024, 5, 20)):
        assurance_return_submit(
            actor=owner,
            group=group,
            quarter=quarter,
            level="partial",
            summary="Audit found gaps.",
            exceptions="Chronologies missing.",
        )

    def found(day: datetime.date) -> dict[str, object]:
        return {
            row.group: (row.missing, row.level)
            for row in group_returns_as_at(quarter=quarter, on=day)
        }

    assert found(D(2024, 3, 31)) == {
        "Quality assurance group": (True, ""),
        "Silent group": (True, ""),
    }
    assert found(D(2024, 4, 30))["Quality assurance group"] == (False, "assured")
    assert found(D(2024, 5, 20))["Quality assurance group"] == (False, "partial")
    assert AssuranceReturnVersion.objects.count() == 2


def test_a_priority_stands_as_its_updates_and_actions_stood_then(db):
    owner = executive()
    priority = PriorityFactory.create(name="Neglect")
    action = ActionFactory.create(due_date=D(2024, 3, 1), recommendation__made_date=D(2024, 1, 1))
    priority.actions.add(action)
    quarter = Quarter.containing(D(2024, 3, 1))
    with on_day(D(2024, 3, 25)):
        priority_update_record(
            actor=owner,
            priority=priority,
            quarter=quarter,
            rag="amber",
            reason="Recruitment to the neglect pathway is slow; the group is re-advertising the post.",
        )
    with on_day(D(2024, 4, 10)):
        priority_update_record(
            actor=owner,
            priority=priority,
            quarter=quarter,
            rag="green",
            reason="The post is filled and the pathway is running as planned across the area.",
        )
    ActionStatusChange.objects.create(
        action=action, status="complete", on=D(2024, 4, 9), via="progress"
    )

    def found(day: datetime.date) -> PriorityPosition:
        return next(row for row in priority_positions_as_at(on=day) if row.name == "Neglect")

    then, later = found(D(2024, 3, 31)), found(D(2024, 4, 10))
    assert (then.rag, then.reason, then.quarter) == (
        "amber",
        "Recruitment to the neglect pathway is slow; the group is re-advertising the post.",
        quarter,
    )
    assert (then.progress.actions, then.progress.overdue, then.progress.complete) == (1, 1, 0)
    assert (later.rag, later.progress.complete, later.progress.overdue) == ("green", 1, 0)
    assert found(D(2024, 3, 24)).rag_label == "No status yet"


# --- Audits -----------------------------------------------------------------------------


def test_an_audit_stands_at_its_status_then(db):
    owner = executive()
    data = {
        "title": "Neglect audit",
        "scope": "Cases open to children's social care.",
        "quarter_start": D(2024, 1, 1),
        "status": "planned",
        "questionnaire": "Was a chronology kept?",
        "returns_due_on": None,
        "summary": "",
        "group": None,
    }
    with on_day(D(2024, 1, 5)):
        audit = audit_create(actor=owner, data=data)
    with on_day(D(2024, 2, 1)):
        audit_edit(actor=owner, audit=audit, data=data | {"status": "in_progress"})
    with on_day(D(2024, 4, 15)):
        audit_edit(
            actor=owner,
            audit=audit,
            data=data | {"status": "reported", "summary": "Chronologies were kept in 7 of 10."},
        )

    def status(day: datetime.date) -> str | None:
        found = [row.status for row in audits_as_at(on=day) if row.audit_id == audit.pk]
        return found[0] if found else None

    assert status(D(2024, 1, 4)) is None
    assert status(D(2024, 1, 31)) == "planned"
    assert status(D(2024, 3, 31)) == "in_progress"
    assert status(D(2024, 4, 15)) == "reported"
    assert [row.title for row in audits_as_at(on=D(2024, 3, 31), year=2023)] == ["Neglect audit"]
    assert audits_as_at(on=D(2024, 3, 31), year=2024) == []


def test_audits_as_at_take_one_query_whatever_their_number(db, django_assert_num_queries):
    from sightline.assurance.tests.factories import AuditFactory

    AuditFactory.create_batch(2, quarter_start=D(2024, 1, 1))
    with django_assert_num_queries(1):
        audits_as_at(on=timezone.localdate())
    AuditFactory.create_batch(20, quarter_start=D(2024, 1, 1))
    with django_assert_num_queries(1):
        assert len(audits_as_at(on=timezone.localdate())) == 22


# --- Data figures -----------------------------------------------------------------------


def test_a_figure_stands_at_the_value_recorded_by_the_date(db):
    owner = executive()
    measure = MeasureFactory.create(
        code="S42-NEG", threshold=Decimal("50"), direction="above", group=GroupFactory.create()
    )
    quarter = Quarter.containing(D(2024, 3, 1))
    with on_day(D(2024, 4, 10)):
        data_point_enter(
            actor=owner, measure=measure, quarter=quarter, value=Decimal("40"), note=""
        )
    with on_day(D(2024, 5, 2)):
        data_point_enter(
            actor=owner,
            measure=measure,
            quarter=quarter,
            value=Decimal("55"),
            note="Late returns added",
        )

    def figure(day: datetime.date):
        found = [row for row in figures_as_at(quarter=quarter, on=day) if row.code == "S42-NEG"]
        return found[0] if found else None

    assert figure(D(2024, 4, 9)) is None
    then = figure(D(2024, 4, 30))
    assert (then.value, then.beyond_threshold) == (Decimal("40"), False)
    later = figure(D(2024, 5, 2))
    assert (later.value, later.note, later.beyond_threshold) == (
        Decimal("55"),
        "Late returns added",
        True,
    )


def test_an_upload_keeps_each_figures_values(db):
    from sightline.assurance.services.data import data_points_import

    MeasureFactory.create(code="S42-UP")
    with on_day(D(2024, 4, 10)):
        data_points_import(
            actor=None, name="q4.csv", content=b"measure_code,quarter,value\nS42-UP,2023-24 Q4,12\n"
        )
    with on_day(D(2024, 5, 10)):
        data_points_import(
            actor=None, name="q4.csv", content=b"measure_code,quarter,value\nS42-UP,2023-24 Q4,14\n"
        )
    quarter = Quarter.containing(D(2024, 3, 1))
    assert [row.value for row in figures_as_at(quarter=quarter, on=D(2024, 4, 30))] == [
        Decimal("12")
    ]
    assert [row.value for row in figures_as_at(quarter=quarter, on=D(2024, 5, 10))] == [
        Decimal("14")
    ]
