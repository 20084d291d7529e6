"""The public learning hub in a real browser, with axe and the 320 pixel reflow check on
every page: a reader goes from the hub's home to a review, a resource with its transcript,
the news, a practice theme and the statements; then an administrator opens the hub's
staff list and approves a draft."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.hub.tests.factories import (
    NewsItemFactory,
    PublishedRecommendationFactory,
    PublishedReviewFactory,
    ResourceFactory,
)
from sightline.reviews.models import PracticeTheme

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hub():
    theme, _ = PracticeTheme.objects.get_or_create(name="Professional curiosity")
    review = PublishedReviewFactory.create(
        title="Child L: a local child safeguarding practice review",
        slug="child-l",
        summary="Agencies saw the family often.\n\nNo one asked about the man in the house.",
        author="Dr Ada Penrose",
        remove_on=timezone.localdate() + datetime.timedelta(days=400),
    )
    review.themes.add(theme)
    PublishedRecommendationFactory.create(review=review, text="Ask about every adult.")
    ResourceFactory.create(
        title="Interview with the reviewer",
        slug="interview",
        review=review,
        transcript="Interviewer: what did the review find?\n\nReviewer: that curiosity helps.",
    ).themes.add(theme)
    NewsItemFactory.create(title="Safeguarding Week", slug="week").themes.add(theme)
    PublishedReviewFactory.create(title="A draft review", published=False)
    agency = AgencyFactory.create(name="Northshire Council")
    admin = UserFactory.create(email="admin@example.test", full_name="Ana Admin")
    MembershipFactory.create(user=admin, agency=agency, role=Role.ADMINISTRATOR)
    return theme


def test_a_reader_finds_learning_and_an_administrator_publishes_it(visitor, hub):
    page = visitor.page
    main = page.locator("main")

    visitor.goto("/hub/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning from reviews")
    expect(main).not_to_contain_text("A draft review")

    visitor.click(main.get_by_role("link", name="Child L: a local child safeguarding"))
    expect(main).to_contain_text("Ask about every adult.")
    expect(main).to_contain_text("This review will be removed on")

    visitor.click(main.get_by_role("link", name="Interview with the reviewer"))
    expect(main.get_by_role("heading", name="Transcript")).to_be_visible()
    expect(main).to_contain_text("that curiosity helps")

    visitor.goto("/hub/reviews/")
    visitor.goto("/hub/resources/")
    visitor.goto("/hub/news/")
    visitor.click(main.get_by_role("link", name="Safeguarding Week"))
    visitor.click(main.get_by_role("link", name="Professional curiosity"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Professional curiosity")
    visitor.goto("/hub/yearly-reports/")
    for name in ("Accessibility statement", "Privacy notice", "Cookies"):
        visitor.click(page.get_by_role("contentinfo").get_by_role("link", name=name))

    visitor.sign_in("admin@example.test", PASSWORD)
    visitor.goto("/hub/manage/")
    visitor.click(main.get_by_role("link", name="A draft review"))
    visitor.click(main.get_by_role("button", name="Approve for publication"))
    visitor.click(page.get_by_role("button", name="Approve for publication"))
    expect(page.get_by_role("alert")).to_contain_text("It is public now.")
    visitor.goto("/hub/manage/usage/")
    expect(main.get_by_role("table")).to_contain_text("Child L")
