"""The search index follows every publishing decision: an approval puts an item in, an edit
after approval changes its words, a withdrawal takes it out, for reviews and briefings."""

import datetime

import pytest
import time_machine

from sightline.accounts.tests.factories import UserFactory
from sightline.hub.selectors.search import HubSearchFilters, hub_search
from sightline.hub.services import briefings as briefing_services
from sightline.hub.services import publishing as services
from sightline.hub.vocabulary import ReviewKind

from .factories import BriefingFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 3, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2025, 3, 10, 12, tzinfo=datetime.UTC), tick=False):
        yield


def found(query: str) -> list[str]:
    results = hub_search(filters=HubSearchFilters(query=query), on=TODAY)
    return [hit.title for hit in results[0:100]]


def test_a_review_is_found_once_approved_with_its_edits_and_not_once_withdrawn():
    actor = UserFactory.create()
    review = services.review_save(
        actor=actor,
        values={"title": "Child W", "kind": ReviewKind.LCSPR, "summary": "Unseen stepfather."},
    )
    assert found("stepfather") == []

    services.review_approve(actor=actor, item=review, live_on=TODAY)
    assert found("stepfather") == ["Child W"]

    services.review_save(actor=actor, review=review, values={"summary": "A quiet lodger."})
    assert (found("stepfather"), found("lodger")) == ([], ["Child W"])

    services.review_withdraw(actor=actor, item=review, reason="The family asked us to.")
    assert found("lodger") == []


def test_a_briefing_is_found_once_approved_and_not_once_withdrawn():
    actor = UserFactory.create()
    briefing = BriefingFactory.create(
        published=False, title="Briefing on cuckooing", background="Cuckooing of adults."
    )
    assert found("cuckooing") == []

    briefing_services.briefing_approve(actor=actor, briefing=briefing, live_on=TODAY)
    assert found("cuckooing") == ["Briefing on cuckooing"]

    briefing_services.briefing_withdraw(actor=actor, briefing=briefing, reason="Out of date.")
    assert found("cuckooing") == []
