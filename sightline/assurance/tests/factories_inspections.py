"""Factories for the inspections' and audits' tests, and for the learning tracker rows they
link to. Each makes a valid row with the fewest choices; tests set what they are about."""

import datetime

import factory
from django.utils import timezone

from sightline.accounts.tests.factories import AgencyFactory
from sightline.assurance.models import Audit, AuditReturn, Inspection
from sightline.assurance.quarters import Quarter
from sightline.assurance.vocabulary import AuditStatus, InspectionType, Inspectorate
from sightline.learning.models import Action, Recommendation
from sightline.learning.vocabulary import ActionStatus, SourceType


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


class InspectionFactory(factory.django.DjangoModelFactory[Inspection]):
    """An Ofsted inspection of children's services, started two months ago, not yet
    published."""

    class Meta:
        model = Inspection

    inspectorate = Inspectorate.OFSTED
    kind = InspectionType.ILACS
    title = factory.Sequence(lambda n: f"Northshire ILACS {n}")
    started_on = factory.LazyFunction(lambda: _days_ago(60))


class RecommendationFactory(factory.django.DjangoModelFactory[Recommendation]):
    class Meta:
        model = Recommendation

    reference = factory.Sequence(lambda n: f"TEST-R{n}")
    source_type = SourceType.INSPECTION
    source_title = "Northshire ILACS"
    text = "Improve the quality of supervision."
    made_date = factory.LazyFunction(lambda: _days_ago(30))


class ActionFactory(factory.django.DjangoModelFactory[Action]):
    """An open action due in a month."""

    class Meta:
        model = Action

    reference = factory.Sequence(lambda n: f"TEST-A{n}")
    recommendation = factory.SubFactory(RecommendationFactory)
    agency = factory.SubFactory(AgencyFactory)
    description = "Audit supervision records."
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    status = ActionStatus.ON_TRACK


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
