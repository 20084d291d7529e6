"""The demo system assurance: a partnership with a living register, inspections, groups,
data, audits and plan, loaded once, sending no email, with something in every part of this
quarter's Executive pack."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Min
from django.utils import timezone

from sightline.accounts.demo import demo_email
from sightline.accounts.models import User
from sightline.assurance.models import (
    AssuranceReturn,
    Audit,
    DataPoint,
    Group,
    GroupMember,
    GroupPaper,
    Inspection,
    Measure,
    Meeting,
    Priority,
    PriorityMeasure,
    PriorityUpdate,
    Risk,
    RiskAcceptance,
    RiskAssessment,
    RiskSettings,
    ScrutinyFinding,
)
from sightline.assurance.quarters import Quarter, recent
from sightline.assurance.vocabulary import (
    INDUCTION_KINDS,
    AssuranceLevel,
    AuditStatus,
    GroupKind,
    Inspectorate,
    PaperKind,
    Rag,
    RiskStatus,
)
from sightline.core.models import AuditEvent
from sightline.core.roles import Role
from sightline.learning.models import Action, Recommendation
from sightline.learning.vocabulary import OPEN_STATUSES, ActionStatus
from sightline.reports import pack
from sightline.reports.selectors.pack import pack_rows


def _pack(quarter: Quarter) -> pack.Pack:
    return pack.assemble(**pack_rows(quarter=quarter, today=timezone.localdate()))


@pytest.fixture
def seeded(db, mailoutbox, django_capture_on_commit_callbacks):
    """The whole demo, every app's seeder in order, with the emails queued on commit sent."""
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--password", "demo-password-1", stdout=out)
    return mailoutbox, out.getvalue()


def _risk_register_has_history_and_risks_above_appetite() -> None:
    today = timezone.localdate()
    appetite = RiskSettings.current().appetite
    risks = Risk.objects.all()
    assert risks.count() == 18
    assert risks.filter(status=RiskStatus.CLOSED).count() == 1
    assert set(risks.values_list("owner__memberships__role", flat=True)) <= {
        Role.ADMINISTRATOR,
        Role.EXECUTIVE,
    }
    assert risks.values("owner").distinct().count() >= 4
    assert risks.filter(status=RiskStatus.OPEN, next_review_on__lt=today).count() >= 2
    assert risks.filter(actions__isnull=False).distinct().count() >= 5
    assert not risks.filter(controls__isnull=True).exists()

    above = risks.filter(status=RiskStatus.OPEN, residual_score__gt=appetite)
    assert above.count() >= 3
    acceptance = RiskAcceptance.objects.get()
    assert acceptance.risk in above
    assert acceptance.accepted_by.email == demo_email(Role.EXECUTIVE)
    assert acceptance.reason
    assert acceptance.until > Quarter.containing(today).end
    assert acceptance.residual_score == acceptance.risk.residual_score
    assert above.exclude(acceptances__isnull=False).count() >= 2

    # Each risk's history runs from the day it opened to its latest review, whose scores it
    # holds; most go back a year or more.
    for risk in risks:
        history = list(risk.assessments.order_by("assessed_on", "pk"))
        assert len(history) >= 2
        assert history[0].assessed_on == risk.opened_on
        assert history[-1].assessed_on == risk.last_reviewed_on
        assert [a.assessed_on for a in history] == sorted(a.assessed_on for a in history)
        latest = history[-1]
        assert (latest.residual_likelihood, latest.residual_impact) == (
            risk.residual_likelihood,
            risk.residual_impact,
        )
    earliest = RiskAssessment.objects.aggregate(first=Min("assessed_on"))["first"]
    assert earliest <= today - datetime.timedelta(days=500)
    changed = [
        risk
        for risk in risks
        if len({a.residual_likelihood * a.residual_impact for a in risk.assessments.all()}) > 1
    ]
    assert len(changed) >= 10


def _inspections_have_recommendations_and_actions_due_and_overdue() -> None:
    today = timezone.localdate()
    quarter = Quarter.containing(today)
    inspections = Inspection.objects.all()
    assert set(inspections.values_list("inspectorate", flat=True)) == {
        Inspectorate.OFSTED,
        Inspectorate.JOINT,
        Inspectorate.HMICFRS,
        Inspectorate.CQC,
    }
    assert inspections.get(kind="ilacs").judgement == "Good"
    assert inspections.aggregate(first=Min("started_on"))["first"] >= today - datetime.timedelta(
        days=3 * 366
    )
    for inspection in inspections:
        recommendations = inspection.recommendations.all()
        assert 2 <= recommendations.count() <= 4
        assert not recommendations.filter(actions__isnull=True).exists()
        assert not recommendations.filter(made_date__lt=inspection.started_on).exists()
    actions = Action.objects.filter(recommendation__inspections__isnull=False)
    assert set(actions.values_list("status", flat=True)) == set(ActionStatus.values)
    open_actions = actions.filter(status__in=OPEN_STATUSES)
    assert open_actions.filter(due_date__lt=today).count() >= 2
    assert open_actions.filter(due_date__gte=today, due_date__lte=quarter.end).count() >= 2


def _groups_have_members_meetings_and_four_quarters_of_returns() -> None:
    today = timezone.localdate()
    quarters = recent(today, 4)
    groups = Group.objects.filter(is_active=True)
    assert not groups.filter(chair__isnull=True).exists()
    for group in groups:
        assert group.members.count() >= 3
        meetings = group.meetings.all()
        assert 2 <= meetings.count() <= 3
        assert not meetings.filter(held_on__gt=today).exists()
        assert not meetings.filter(held_on__lt=today - datetime.timedelta(days=366)).exists()
        assert not meetings.filter(decisions__isnull=True).exists()
    assert GroupMember.objects.filter(user__isnull=False).count() >= 15
    assert Meeting.objects.filter(actions__isnull=False).distinct().count() >= 10

    subgroups = groups.exclude(kind=GroupKind.EXECUTIVE)
    returns = AssuranceReturn.objects.all()
    assert set(returns.values_list("quarter_start", flat=True)) == {q.start for q in quarters}
    for quarter in quarters[:-1]:
        assert returns.filter(quarter_start=quarter.start).count() == subgroups.count()
        assert _pack(quarter).missing_returns.rows == []
    assert len(_pack(quarters[-1]).missing_returns.rows) == 1
    assert returns.count() == 4 * subgroups.count() - 1
    latest = returns.filter(quarter_start=quarters[-1].start)
    assert latest.filter(level=AssuranceLevel.NOT_ASSURED).exists()
    assert latest.filter(level=AssuranceLevel.PARTIAL).exists()
    assert latest.filter(level=AssuranceLevel.ASSURED).exists()
    assert latest.exclude(escalations="").exists()
    assert returns.filter(level=AssuranceLevel.ASSURED).count() > returns.count() / 2
    # Each return was given once its quarter had begun, and never after now.
    for item in returns:
        assert item.submitted_at.date() >= item.quarter_start
        assert item.submitted_at <= timezone.now()


def _data_has_twelve_quarters_and_exceptions_this_quarter() -> None:
    today = timezone.localdate()
    quarters = recent(today, 12)
    measures = Measure.objects.all()
    assert measures.filter(dataset="Safeguarding Adults Collection").count() >= 10
    assert {"Type of abuse: self-neglect", "Location of risk: care home"} <= set(
        measures.values_list("breakdown", flat=True)
    )
    assert set(measures.filter(code__startswith="SAC-").values_list("group__name", flat=True)) == {
        "Adults' system assurance group"
    }
    per_measure = DataPoint.objects.values("measure").annotate(count=Count("pk"))
    assert {row["count"] for row in per_measure} == {12}
    assert set(DataPoint.objects.values_list("quarter_start", flat=True)) == {
        q.start for q in quarters
    }
    assert measures.filter(threshold__isnull=False).count() >= 4
    exceptions = _pack(quarters[-1]).breaches.rows
    assert 2 <= len(exceptions) <= 3
    assert {row["code"] for row in exceptions} >= {"CP-GP-ATTEND"}


def _audit_programme_has_an_audit_in_each_status() -> None:
    audits = Audit.objects.all()
    assert audits.count() == 4
    assert set(audits.values_list("status", flat=True)) == set(AuditStatus.values)
    for audit in audits:
        assert 4 <= len(audit.questions) <= 6
    reported = audits.filter(status=AuditStatus.REPORTED)
    for audit in reported:
        assert audit.summary
        assert audit.recommendations.exists()
        assert not audit.returns.filter(returned_on__isnull=True).exists()
        for item in audit.returns.all():
            assert item.answers_to(audit.questions) is not None
    assert Action.objects.filter(recommendation__audits__in=reported).count() >= 3
    in_progress = audits.get(status=AuditStatus.IN_PROGRESS)
    assert in_progress.returns.count() == 5
    assert in_progress.returns.filter(returned_on__isnull=False).count() == 3
    assert in_progress.returns_due_on is not None
    assert in_progress.returns_due_on >= timezone.localdate()
    planned = audits.get(status=AuditStatus.PLANNED)
    assert not planned.returns.exists()
    assert planned.quarter_start > timezone.localdate()


def _strategic_plan_has_leads_actions_measures_and_status() -> None:
    quarters = recent(timezone.localdate(), 4)
    priorities = Priority.objects.filter(is_active=True)
    assert priorities.count() == 5
    for priority in priorities:
        assert priority.lead is not None
        assert priority.actions.count() >= 2
        assert priority.measures.count() >= 2
        assert set(priority.updates.values_list("quarter_start", flat=True)) == {
            q.start for q in quarters
        }
    assert PriorityMeasure.objects.filter(data_measure__isnull=False).count() >= 4
    latest = PriorityUpdate.objects.filter(quarter_start=quarters[-1].start)
    assert latest.filter(rag=Rag.RED).exists()
    assert latest.filter(rag=Rag.AMBER).exists()
    assert PriorityUpdate.objects.filter(rag=Rag.AMBER).count() >= 4
    assert ScrutinyFinding.objects.count() == 2


def _every_assurance_section_of_this_quarters_pack_has_something() -> None:
    this = _pack(Quarter.containing(timezone.localdate()))
    for section in (
        this.risks,
        this.inspection_actions,
        this.returns,
        this.missing_returns,
        this.breaches,
        this.learning,
        this.priorities,
    ):
        assert section.rows, section.title
    assert [row for row in this.risks.rows if row["accepted"]]
    assert [row for row in this.risks.rows if not row["accepted"]]
    assert [row for row in this.inspection_actions.rows if row["overdue"]]
    assert [row for row in this.inspection_actions.rows if not row["overdue"]]
    assert all(row["rag"] for row in this.priorities.rows)


def _groups_have_papers_and_an_induction_pack() -> None:
    practice = Group.objects.get(name="Practice review group")
    pack = GroupPaper.objects.filter(group=practice, kind__in=INDUCTION_KINDS)
    assert set(pack.values_list("kind", flat=True)) == {PaperKind.TERMS, PaperKind.INDUCTION}
    assert GroupPaper.objects.filter(group__name="Executive", meeting__isnull=False).count() >= 2
    # Every demo paper was cleaned on the way in, and says what went.
    assert all(paper.removed for paper in GroupPaper.objects.all())
    guide = GroupPaper.objects.get(group=practice, title="Induction guide for new members")
    assert "Author: Morgan Fairweather" in guide.removed
    assert any(line.startswith("1 comment") for line in guide.removed)


def test_the_demo_is_a_living_partnership_and_sends_no_email(seeded, client):
    # One test for every part, because loading the whole demo takes seconds.
    mailbox, out = seeded
    assert not [message.subject for message in mailbox]
    assert "Assurance: 18 risks (4 above appetite" in out
    _risk_register_has_history_and_risks_above_appetite()
    _inspections_have_recommendations_and_actions_due_and_overdue()
    _groups_have_members_meetings_and_four_quarters_of_returns()
    _data_has_twelve_quarters_and_exceptions_this_quarter()
    _audit_programme_has_an_audit_in_each_status()
    _strategic_plan_has_leads_actions_measures_and_status()
    _every_assurance_section_of_this_quarters_pack_has_something()
    _groups_have_papers_and_an_induction_pack()

    client.force_login(User.objects.get(email=demo_email(Role.EXECUTIVE)))
    page = client.get("/reports/executive-pack/").content.decode()
    for text in (
        "SR-01",
        "Not assured",
        "Education safeguarding committee",
        "GP contribution to initial child protection conferences",
    ):
        assert text in page


def test_the_demo_assurance_is_added_once(seeded):
    def counts():
        return [
            model.objects.count()
            for model in (
                Risk,
                RiskAssessment,
                Inspection,
                Recommendation,
                Action,
                Meeting,
                AssuranceReturn,
                GroupPaper,
                DataPoint,
                Audit,
                PriorityUpdate,
                User,
                AuditEvent,
            )
        ]

    before = counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == before
    assert "Assurance: the risk register has risks already, nothing added." in out.getvalue()
