"""Factories for the learning tracker's rows, for any app's tests. Each makes a valid row with
the fewest choices (a recommendation from a source outside Sightline, made today, with no
decision yet; an action not started, due in a month); tests set what they are about."""

import datetime

import factory
from django.utils import timezone

from sightline.accounts.tests.factories import AgencyFactory
from sightline.learning.models import Action, Recommendation
from sightline.learning.vocabulary import SourceType


class RecommendationFactory(factory.django.DjangoModelFactory[Recommendation]):
    class Meta:
        model = Recommendation

    reference = factory.Sequence(lambda n: f"REC-{n:04d}")
    source_type = SourceType.OTHER
    source_title = "A test source"
    text = "Agencies should share information sooner."
    made_date = factory.LazyFunction(timezone.localdate)


class ActionFactory(factory.django.DjangoModelFactory[Action]):
    class Meta:
        model = Action

    recommendation = factory.SubFactory(RecommendationFactory)
    reference = factory.LazyAttributeSequence(lambda a, n: f"{a.recommendation.reference}/A{n}")
    agency = factory.SubFactory(AgencyFactory)
    description = "Brief every team on the learning."
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
