import datetime

import factory
from django.utils import timezone

from sightline.accounts.tests.factories import UserFactory
from sightline.hub.models import (
    Briefing,
    NewsItem,
    NewsletterIssue,
    Publishable,
    PublishedRecommendation,
    PublishedReview,
    Resource,
    Subscriber,
)
from sightline.hub.vocabulary import ResourceKind, ReviewKind, State


class _PublishedParams[T: Publishable](factory.django.DjangoModelFactory[T]):
    """A hub item approved and live since 1 June 2024; ``published=False`` gives a draft."""

    class Meta:
        abstract = True

    class Params:
        published = factory.Trait(
            state=State.APPROVED,
            approved_by=factory.SubFactory(UserFactory),
            approved_at=factory.LazyFunction(timezone.now),
            live_on=datetime.date(2024, 6, 1),
        )

    published = True


class PublishedReviewFactory(_PublishedParams[PublishedReview]):
    class Meta:
        model = PublishedReview

    title = factory.Sequence(lambda n: f"Child {n}: a local child safeguarding practice review")
    slug = factory.Sequence(lambda n: f"review-{n}")
    kind = ReviewKind.LCSPR
    summary = "What happened, in words written for publication, naming no one."


class PublishedRecommendationFactory(factory.django.DjangoModelFactory[PublishedRecommendation]):
    class Meta:
        model = PublishedRecommendation

    review = factory.SubFactory(PublishedReviewFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = "Agencies should share information about unseen men in the household."


class BriefingFactory(_PublishedParams[Briefing]):
    class Meta:
        model = Briefing

    title = factory.Sequence(lambda n: f"Seven-minute briefing {n}")
    slug = factory.Sequence(lambda n: f"briefing-{n}")
    background = "Why the partnership reviewed this."
    what_we_learned = "Professional curiosity matters."
    finished_by = factory.SubFactory(UserFactory)
    finished_at = factory.LazyFunction(timezone.now)


class ResourceFactory(_PublishedParams[Resource]):
    class Meta:
        model = Resource

    title = factory.Sequence(lambda n: f"Webinar {n}")
    slug = factory.Sequence(lambda n: f"resource-{n}")
    kind = ResourceKind.WEBINAR
    summary = "A recorded webinar on neglect."
    transcript = "Speaker one: welcome to the webinar."


class NewsItemFactory(_PublishedParams[NewsItem]):
    class Meta:
        model = NewsItem

    title = factory.Sequence(lambda n: f"News {n}")
    slug = factory.Sequence(lambda n: f"news-{n}")
    summary = "Safeguarding Week is coming."
    body = "Book your place on the sessions."


class SubscriberFactory(factory.django.DjangoModelFactory[Subscriber]):
    """A confirmed subscriber; ``status=Subscriber.Status.PENDING`` for one still to confirm."""

    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.test")
    status = Subscriber.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)


class NewsletterIssueFactory(factory.django.DjangoModelFactory[NewsletterIssue]):
    """A sent issue carrying nothing; ``status=NewsletterIssue.Status.DRAFT`` for a draft."""

    class Meta:
        model = NewsletterIssue

    number = factory.Sequence(lambda n: n + 1)
    subject = factory.Sequence(lambda n: f"Learning hub newsletter, issue {n + 1}")
    introduction = "What we published this month."
    status = NewsletterIssue.Status.SENT
    composed_by = factory.SubFactory(UserFactory)
    sent_at = factory.LazyFunction(timezone.now)
    recipients = 0
