"""The hub's search pages in a real browser, with axe and the 320 pixel reflow check on
every page: someone signed out searches the learning hub and filters what it finds; a
review officer searches everything they may see."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.hub.services.search import search_index_rebuild
from sightline.hub.tests.factories import (
    NewsItemFactory,
    PublishedRecommendationFactory,
    PublishedReviewFactory,
)
from sightline.learning.tests.factories import RecommendationFactory
from sightline.reviews.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published():
    review = PublishedReviewFactory.create(
        title="Child Harper: a local child safeguarding practice review",
        summary="Professional curiosity about the men in a household, and escalation.",
    )
    PublishedRecommendationFactory.create(
        review=review, text="Agencies should ask about every adult in the household."
    )
    NewsItemFactory.create(
        title="Curiosity week", body="Sessions on professional curiosity for every agency."
    )
    search_index_rebuild()


def test_someone_signed_out_searches_and_filters_the_hub(visitor, published):
    page = visitor.page
    main = page.locator("main")
    visitor.goto("/hub/search/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search the learning hub")
    page.get_by_role("textbox", name="Search the learning hub").fill("professional curiosity")
    visitor.click(main.get_by_role("button", name="Search"))
    expect(main).to_contain_text("2 results for “professional curiosity”")
    expect(main.locator("mark").first).to_be_visible()

    page.get_by_label("Review", exact=True).check()
    visitor.click(main.get_by_role("button", name="Search"))
    expect(main).to_contain_text("1 result for “professional curiosity”")
    expect(main.get_by_role("link", name="Child Harper")).to_be_visible()

    page.get_by_role("textbox", name="Search the learning hub").fill("xylophone")
    visitor.click(main.get_by_role("button", name="Search"))
    expect(main).to_contain_text("check the spelling")


def test_a_review_officer_searches_everything_they_may_see(visitor, published):
    agency = AgencyFactory.create(name="Northshire Council")
    user = UserFactory.create(email="officer@example.test", full_name="Rhys Officer")
    MembershipFactory.create(user=user, agency=agency, role=Role.REVIEW_OFFICER)
    CaseFactory.create(reference="CR-2025-11", pseudonym="Child Harper")
    RecommendationFactory.create(
        reference="REC-HARPER-1", text="Ask about every adult in the Harper household."
    )
    page = visitor.page
    main = page.locator("main")
    visitor.sign_in("officer@example.test", PASSWORD)
    visitor.click(main.get_by_role("link", name="Search everything you can see"))
    page.get_by_role("textbox", name="Search Sightline").fill("harper")
    visitor.click(main.get_by_role("button", name="Search"))
    expect(main.get_by_role("link", name="CR-2025-11")).to_be_visible()
    expect(main.get_by_role("link", name="REC-HARPER-1")).to_be_visible()
    expect(main.get_by_role("heading", name="Similar published learning")).to_be_visible()
    expect(main.get_by_role("link", name="Child Harper: a local child")).to_have_count(2)
