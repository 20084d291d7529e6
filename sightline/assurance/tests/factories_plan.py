"""Factories for the strategic plan's tests, and the learning tracker rows an action plan and
the Executive pack are made of. Each makes a valid row with the fewest choices."""

import datetime

import factory
from django.utils import timezone

from sightline.accounts.tests.factories import AgencyFactory, UserFactory
from sightline.assurance.models import Priority, PriorityMeasure, PriorityUpdate, ScrutinyFinding
from sightline.assurance.vocabulary import MeasureKind, Rag
from sightline.learning.models import Action, Recommendation
from sightline.learning.vocabulary import ActionStatus, SourceType


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


class RecommendationFactory(factory.django.DjangoModelFactory[Recommendation]):
    class Meta:
        model = Recommendation

    reference = factory.Sequence(lambda n: f"TR-{n:04d}")
    source_type = SourceType.OTHER
    source_title = "A test source"
    text = "Do better."
    made_date = datetime.date(2025, 1, 6)


class ActionFactory(factory.django.DjangoModelFactory[Action]):
    """An open learning tracker action."""

    class Meta:
        model = Action

    reference = factory.Sequence(lambda n: f"TA-{n:04d}")
    recommendation = factory.SubFactory(RecommendationFactory)
    agency = factory.SubFactory(AgencyFactory)
    description = "Brief every team."
    due_date = datetime.date(2025, 9, 1)
    status = ActionStatus.ON_TRACK
