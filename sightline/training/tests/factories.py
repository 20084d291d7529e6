"""Factories for the training offer's tests. Each makes a valid row with the fewest choices;
tests set what they are about."""

import datetime
from typing import Any

import factory
from django.utils import timezone

from sightline.accounts.models import Sector
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.training.models import (
    Booking,
    Course,
    DelegateProfile,
    Evaluation,
    EventSeries,
    SectorWorkforce,
    Session,
)
from sightline.training.vocabulary import (
    Audience,
    BookingStatus,
    Confidence,
    Level,
    Mode,
    Rating,
)


class CourseFactory(factory.django.DjangoModelFactory[Course]):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Test course {n}")
    outline = "What the course covers."
    audience = Audience.BOTH
    level = Level.AWARENESS
    learning_outcomes = "Recognise the signs\nKnow who to tell"
    review_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    is_active = True

    @factory.post_generation
    def themes(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.themes.set(extracted)


class SeriesFactory(factory.django.DjangoModelFactory[EventSeries]):
    class Meta:
        model = EventSeries

    name = factory.Sequence(lambda n: f"Test series {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate())
    ends_on = factory.LazyAttribute(lambda series: series.starts_on + datetime.timedelta(days=6))


def _trainer() -> Any:
    return MembershipFactory(role=Role.TRAINER).user


class SessionFactory(factory.django.DjangoModelFactory[Session]):
    """An online session a week from now, run by a trainer."""

    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda session: session.starts_at + datetime.timedelta(hours=3))
    mode = Mode.ONLINE
    joining_link = "https://meet.example.test/session"
    capacity = 20
    trainer = factory.LazyFunction(_trainer)


class DelegateProfileFactory(factory.django.DjangoModelFactory[DelegateProfile]):
    class Meta:
        model = DelegateProfile

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    manager_email = factory.Sequence(lambda n: f"manager{n}@example.test")


class BookingFactory(factory.django.DjangoModelFactory[Booking]):
    """A confirmed booking; the agency and sector are the delegate's at booking time."""

    class Meta:
        model = Booking

    session = factory.SubFactory(SessionFactory)
    delegate = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    sector = factory.LazyAttribute(lambda booking: booking.agency.sector)
    manager_email = factory.Sequence(lambda n: f"manager{n}@example.test")
    status = BookingStatus.CONFIRMED
    booked_at = factory.LazyFunction(timezone.now)
    status_changed_at = factory.LazyAttribute(lambda booking: booking.booked_at)


class EvaluationFactory(factory.django.DjangoModelFactory[Evaluation]):
    class Meta:
        model = Evaluation

    session = factory.SubFactory(SessionFactory)
    rating = Rating.GOOD
    confidence_before = Confidence.MODERATE
    confidence_after = Confidence.HIGH
    will_do_differently = "Ask sooner."
    submitted_on = factory.LazyFunction(timezone.localdate)


class SectorWorkforceFactory(factory.django.DjangoModelFactory[SectorWorkforce]):
    class Meta:
        model = SectorWorkforce

    sector = Sector.POLICE
    headcount = 100
    source = "Workforce census"


class ImpactResponseFactory(factory.django.DjangoModelFactory[Any]):
    """An answer to the follow-up survey on whether the training changed practice."""

    class Meta:
        model = "training.ImpactResponse"

    session = factory.SubFactory(SessionFactory)
    applied = "yes"
    example = ""
    submitted_on = factory.LazyFunction(timezone.localdate)
