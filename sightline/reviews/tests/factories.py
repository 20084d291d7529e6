import datetime

import factory

from sightline.accounts.tests.factories import AgencyFactory, UserFactory
from sightline.reviews.lifecycle import Stage
from sightline.reviews.models import Case, Pause, Referral
from sightline.reviews.vocabulary import PauseReason, Route


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    """A child case notified on time, awaiting its rapid review (stage and dates consistent)."""

    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"TC-{n:05d}")
    route = Route.CHILD
    pseudonym = factory.Sequence(lambda n: f"Child {n}")
    incident_aware_date = datetime.date(2024, 3, 4)
    panel_notified_date = datetime.date(2024, 3, 6)
    stage = Stage.RAPID_REVIEW
    opened_on = datetime.date(2024, 3, 4)


class PauseFactory(factory.django.DjangoModelFactory[Pause]):
    class Meta:
        model = Pause

    case = factory.SubFactory(CaseFactory)
    reason = PauseReason.INQUEST
    started_on = datetime.date(2024, 4, 1)
    recorded_by = factory.SubFactory(UserFactory)


class ReferralFactory(factory.django.DjangoModelFactory[Referral]):
    """A new referral from a practitioner's agency, on no particular route."""

    class Meta:
        model = Referral

    referrer = factory.SubFactory(UserFactory)
    referring_agency = factory.SubFactory(AgencyFactory)
    pseudonym = factory.Sequence(lambda n: f"Child R{n}")
    aware_on = datetime.date(2026, 1, 5)
    what_happened = "A fictional account of what happened."
    why_review = "Agencies did not share what they knew."
    contact_email = factory.LazyAttribute(lambda referral: referral.referrer.email)
    submission_key = factory.Sequence(lambda n: f"key-{n}")
