"""Factories for the risk register's tests. Each makes a valid row with the fewest choices
(a medium risk, inherent 4 by 4 = 16, residual 3 by 3 = 9, owned by an executive member,
reviewed today); tests set what they are about."""

import datetime
from typing import Any

import factory
from django.utils import timezone

from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory
from sightline.assurance.models import Risk, RiskAcceptance, RiskAssessment, RiskControl
from sightline.assurance.vocabulary import RiskCategory, RiskStatus
from sightline.core.roles import Role
from sightline.learning.models import Action, Recommendation
from sightline.learning.vocabulary import SourceType


def executive() -> Any:
    return MembershipFactory.create(role=Role.EXECUTIVE).user


class RiskFactory(factory.django.DjangoModelFactory[Risk]):
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


class RecommendationFactory(factory.django.DjangoModelFactory[Recommendation]):
    """A learning tracker recommendation, for actions to mitigate risks."""

    class Meta:
        model = Recommendation

    reference = factory.Sequence(lambda n: f"R-2024-{n:02d}")
    source_type = SourceType.OTHER
    source_title = "Out of routine"
    text = "Agencies should share information sooner."
    made_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))


class LearningActionFactory(factory.django.DjangoModelFactory[Action]):
    """A learning tracker action, due in a month."""

    class Meta:
        model = Action

    recommendation = factory.SubFactory(RecommendationFactory)
    reference = factory.LazyAttributeSequence(lambda a, n: f"{a.recommendation.reference}/A{n}")
    agency = factory.SubFactory(AgencyFactory)
    description = "Brief every team on the learning."
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
