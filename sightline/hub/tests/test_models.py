"""The invariants of what the hub publishes, kept by the database."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from sightline.hub.models import PublishedReview, Resource
from sightline.hub.vocabulary import ResourceKind, ReviewKind, State

from .factories import NewsItemFactory, PublishedReviewFactory, ResourceFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 1, 10)


def test_public_means_approved_live_and_not_yet_down():
    live = PublishedReviewFactory.create(live_on=DAY)
    PublishedReviewFactory.create(published=False)
    PublishedReviewFactory.create(live_on=DAY + datetime.timedelta(days=1))
    PublishedReviewFactory.create(live_on=DAY - datetime.timedelta(days=5), remove_on=DAY)
    leaving = PublishedReviewFactory.create(
        live_on=DAY - datetime.timedelta(days=5), remove_on=DAY + datetime.timedelta(days=1)
    )
    withdrawn = PublishedReviewFactory.create(live_on=DAY)
    PublishedReview.objects.filter(pk=withdrawn.pk).update(
        state=State.WITHDRAWN, withdrawn_at=withdrawn.approved_at, withdrawal_reason="Trial"
    )

    public = set(PublishedReview.objects.public(on=DAY))

    assert public == {live, leaving}
    assert [item.is_public(on=DAY) for item in (live, leaving)] == [True, True]


@pytest.mark.parametrize(
    "values",
    [
        {"state": State.APPROVED, "approved_by": None},
        {"state": State.APPROVED, "live_on": None},
        {"state": State.WITHDRAWN, "withdrawal_reason": ""},
        {"live_on": DAY, "remove_on": DAY},
        {"state": "published"},
    ],
)
def test_publishing_invariants_refused_by_the_database(values):
    news = NewsItemFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(news).objects.filter(pk=news.pk).update(**values)


def test_a_domestic_homicide_review_is_public_only_once_cleared():
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishedReviewFactory.create(kind=ReviewKind.DHR, home_office_cleared_on=None)
    assert PublishedReviewFactory.create(kind=ReviewKind.DHR, home_office_cleared_on=DAY).pk


def test_a_recording_is_published_with_its_transcript():
    with pytest.raises(IntegrityError), transaction.atomic():
        ResourceFactory.create(kind=ResourceKind.PODCAST, transcript="")
    assert ResourceFactory.create(kind=ResourceKind.GUIDANCE, transcript="").pk
    assert Resource.objects.count() == 1
