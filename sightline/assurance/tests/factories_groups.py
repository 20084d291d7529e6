"""Factories for the groups and data scrutiny tests. Each makes a valid row with the fewest
choices; tests set what they are about."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from sightline.accounts.tests.factories import AgencyFactory, UserFactory
from sightline.assurance.models import (
    AssuranceReturn,
    DataPoint,
    Group,
    GroupMember,
    Measure,
    Meeting,
    MeetingDecision,
)
from sightline.assurance.quarters import Quarter
from sightline.assurance.vocabulary import AssuranceLevel, GroupKind
from sightline.learning.models import Action, Recommendation


def last_quarter() -> Quarter:
    return Quarter.containing(timezone.localdate()).previous()


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


class RecommendationFactory(factory.django.DjangoModelFactory[Recommendation]):
    class Meta:
        model = Recommendation
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"REC-{n}")
    source_type = "other"
    source_title = "A multi-agency audit"
    text = "Improve information sharing."
    made_date = datetime.date(2025, 1, 6)


class ActionFactory(factory.django.DjangoModelFactory[Action]):
    class Meta:
        model = Action

    reference = factory.Sequence(lambda n: f"ACT-{n}")
    recommendation = factory.SubFactory(RecommendationFactory)
    agency = factory.SubFactory(AgencyFactory)
    description = "Brief every team on the learning."
    due_date = datetime.date(2026, 3, 31)
