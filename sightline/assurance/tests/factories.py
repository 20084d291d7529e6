"""Factories for system assurance's tests. Each makes a valid row with the fewest choices;
tests set what they are about. The learning tracker's recommendations and actions, which
risks, inspections, audits, meetings and priorities link to, come from
``sightline.learning.tests.factories``."""

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.models import (
    AssuranceReturn,
    Audit,
    AuditReturn,
    DataPoint,
    Group,
    GroupMember,
    Inspection,
    Measure,
    Meeting,
    MeetingDecision,
    Priority,
    PriorityMeasure,
    PriorityUpdate,
    Risk,
    RiskAcceptance,
    RiskAssessment,
    RiskControl,
    ScrutinyFinding,
)
from sightline.assurance.quarters import Quarter
from sightline.assurance.vocabulary import (
    AssuranceLevel,
    AuditStatus,
    GroupKind,
    InspectionType,
    Inspectorate,
    MeasureKind,
    Rag,
    RiskCategory,
    RiskStatus,
)
from sightline.core.roles import Role


def last_quarter() -> Quarter:
    return Quarter.containing(timezone.localdate()).previous()


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def executive() -> Any:
    return MembershipFactory.create(role=Role.EXECUTIVE).user


# --- The risk register ----------------------------------------------------------------------


class RiskFactory(factory.django.DjangoModelFactory[Risk]):
    """A medium risk (inherent 4 by 4 = 16, residual 3 by 3 = 9), owned by an executive
    member, opened and reviewed today."""

    class Meta:
        model = Risk
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"SR-{n:04d}")
    title = factory.Sequence(lambda n: f"Test risk {n}")
    category = RiskCategory.OPERATIONAL
    owner = factory.LazyFunction(executive)
    cause = "Too few staff in the front door."
    consequence = "Referrals wait too long."
    inherent_likelihood = 4
    inherent_impact = 4
    residual_likelihood = 3
    residual_impact = 3
    inherent_score = factory.LazyAttribute(lambda r: r.inherent_likelihood * r.inherent_impact)
    residual_score = factory.LazyAttribute(lambda r: r.residual_likelihood * r.residual_impact)
    status = RiskStatus.OPEN
    opened_on = factory.LazyFunction(timezone.localdate)
    last_reviewed_on = factory.LazyFunction(timezone.localdate)
    next_review_on = factory.LazyAttribute(
        lambda r: r.last_reviewed_on + datetime.timedelta(days=90)
    )

    @factory.post_generation
    def actions(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.actions.set(extracted)


class RiskControlFactory(factory.django.DjangoModelFactory[RiskControl]):
    class Meta:
        model = RiskControl

    risk = factory.SubFactory(RiskFactory)
    description = factory.Sequence(lambda n: f"Control {n}")
    effectiveness = RiskControl.Effectiveness.PARTLY


class RiskAssessmentFactory(factory.django.DjangoModelFactory[RiskAssessment]):
    """An assessment at the risk's present scores."""

    class Meta:
        model = RiskAssessment

    risk = factory.SubFactory(RiskFactory)
    assessed_on = factory.LazyFunction(timezone.localdate)
    inherent_likelihood = factory.LazyAttribute(lambda a: a.risk.inherent_likelihood)
    inherent_impact = factory.LazyAttribute(lambda a: a.risk.inherent_impact)
    residual_likelihood = factory.LazyAttribute(lambda a: a.risk.residual_likelihood)
    residual_impact = factory.LazyAttribute(lambda a: a.risk.residual_impact)
    note = "Reviewed at the Executive."
    assessed_by = factory.LazyAttribute(lambda a: a.risk.owner)
    recorded_at = factory.LazyFunction(timezone.now)


class RiskAcceptanceFactory(factory.django.DjangoModelFactory[RiskAcceptance]):
    """An acceptance in force for three months at the risk's residual score."""

    class Meta:
        model = RiskAcceptance

    risk = factory.SubFactory(RiskFactory)
    accepted_by = factory.LazyAttribute(lambda a: a.risk.owner)
    reason = "Partners fund extra staff from April."
    accepted_on = factory.LazyFunction(timezone.localdate)
    until = factory.LazyAttribute(lambda a: a.accepted_on + datetime.timedelta(days=90))
    residual_score = factory.LazyAttribute(lambda a: a.risk.residual_score)
    recorded_at = factory.LazyFunction(timezone.now)


# --- Inspections and audits -----------------------------------------------------------------


class InspectionFactory(factory.django.DjangoModelFactory[Inspection]):
    """An Ofsted inspection of children's services, started two months ago, not yet
    published."""

    class Meta:
        model = Inspection

    inspectorate = Inspectorate.OFSTED
    kind = InspectionType.ILACS
    title = factory.Sequence(lambda n: f"Northshire ILACS {n}")
    started_on = factory.LazyFunction(lambda: _days_ago(60))


class AuditFactory(factory.django.DjangoModelFactory[Audit]):
    """A planned audit for this quarter, with two questions and returns due in a fortnight."""

    class Meta:
        model = Audit

    title = factory.Sequence(lambda n: f"Neglect audit {n}")
    scope = "Families with children under 5 known to two or more agencies."
    quarter_start = factory.LazyFunction(lambda: Quarter.containing(timezone.localdate()).start)
    status = AuditStatus.PLANNED
    questionnaire = "Was the child seen alone?\nWas the father involved?"
    returns_due_on = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=14)
    )


class AuditReturnFactory(factory.django.DjangoModelFactory[AuditReturn]):
    """An outstanding return, asked for today."""

    class Meta:
        model = AuditReturn

    audit = factory.SubFactory(AuditFactory, status=AuditStatus.IN_PROGRESS)
    agency = factory.SubFactory(AgencyFactory)
    requested_on = factory.LazyFunction(timezone.localdate)


# --- Groups and data scrutiny ---------------------------------------------------------------


class GroupFactory(factory.django.DjangoModelFactory[Group]):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Test group {n}")
    kind = GroupKind.SUBGROUP
    purpose = "Oversees a part of the partnership's work."


class GroupMemberFactory(factory.django.DjangoModelFactory[GroupMember]):
    class Meta:
        model = GroupMember

    group = factory.SubFactory(GroupFactory)
    agency = factory.SubFactory(AgencyFactory)
    user = factory.SubFactory(UserFactory)


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    group = factory.SubFactory(GroupFactory)
    held_on = factory.Sequence(lambda n: datetime.date(2025, 4, 1) + datetime.timedelta(days=n))


class MeetingDecisionFactory(factory.django.DjangoModelFactory[MeetingDecision]):
    class Meta:
        model = MeetingDecision

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"Decision {n}")


class AssuranceReturnFactory(factory.django.DjangoModelFactory[AssuranceReturn]):
    """An assured return for last quarter."""

    class Meta:
        model = AssuranceReturn

    group = factory.SubFactory(GroupFactory)
    quarter_start = factory.LazyFunction(lambda: last_quarter().start)
    level = AssuranceLevel.ASSURED
    summary = "The group looked at its data and audits."
    submitted_by = factory.SubFactory(UserFactory)
    submitted_at = factory.LazyFunction(timezone.now)


class MeasureFactory(factory.django.DjangoModelFactory[Measure]):
    """A measure with no threshold."""

    class Meta:
        model = Measure

    code = factory.Sequence(lambda n: f"TEST-{n}")
    name = factory.Sequence(lambda n: f"Test measure {n}")
    dataset = "Safeguarding Adults Collection"
    group = factory.SubFactory(GroupFactory)


class DataPointFactory(factory.django.DjangoModelFactory[DataPoint]):
    class Meta:
        model = DataPoint

    measure = factory.SubFactory(MeasureFactory)
    quarter_start = factory.LazyFunction(lambda: last_quarter().start)
    value = Decimal(10)
    recorded_at = factory.LazyFunction(timezone.now)


# --- The strategic plan -----------------------------------------------------------------------


class PriorityFactory(factory.django.DjangoModelFactory[Priority]):
    class Meta:
        model = Priority

    name = factory.Sequence(lambda n: f"Test priority {n}")
    description = "What the partnership wants to achieve."
    position = factory.Sequence(lambda n: 100 + n)
    is_active = True


class PriorityUpdateFactory(factory.django.DjangoModelFactory[PriorityUpdate]):
    class Meta:
        model = PriorityUpdate

    priority = factory.SubFactory(PriorityFactory)
    quarter_start = datetime.date(2025, 7, 1)
    rag = Rag.GREEN
    reason = "On track: every action due this quarter was completed."
    recorded_by = factory.SubFactory(UserFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class PriorityMeasureFactory(factory.django.DjangoModelFactory[PriorityMeasure]):
    class Meta:
        model = PriorityMeasure

    priority = factory.SubFactory(PriorityFactory)
    kind = MeasureKind.PROGRESS
    description = factory.Sequence(lambda n: f"Test measure {n}")
    target = "85%"


class ScrutinyFindingFactory(factory.django.DjangoModelFactory[ScrutinyFinding]):
    class Meta:
        model = ScrutinyFinding

    priority = factory.SubFactory(PriorityFactory)
    found_on = datetime.date(2025, 6, 1)
    scrutineer = "Independent scrutineer"
    finding = "Partners know the priority and can say what they do about it."
