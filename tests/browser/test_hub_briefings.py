"""Seven-minute briefings in a real browser, with axe and reflow at 320 px on every page: the
public list and briefing, then a review officer drafting one from a review, editing it with
the character count, and marking it as finished."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.hub.services.briefings import briefing_draft
from sightline.hub.tests.briefing_rows import RESTRICTED_SUMMARY, reviewed_case
from sightline.hub.tests.factories import BriefingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_public_reads_a_briefing(visitor):
    briefing = BriefingFactory.create(
        title="Seven-minute briefing: Child T",
        slug="child-t",
        what_to_do="- See children on their own.\n- Record their words.",
        questions="- What would you do differently?",
    )
    page = visitor.page
    visitor.goto("/hub/briefings/")
    visitor.click(page.get_by_role("link", name=briefing.title))
    expect(page.get_by_role("heading", level=1)).to_have_text(briefing.title)
    expect(page.get_by_role("heading", name="5. What to do differently")).to_be_visible()
    expect(
        page.get_by_role("listitem").filter(has_text="See children on their own.")
    ).to_be_visible()
    expect(
        page.get_by_role("link", name="Summary slides for a team meeting (PowerPoint)")
    ).to_be_visible()


def test_a_review_officer_drafts_edits_and_finishes_a_briefing(visitor):
    unit = AgencyFactory.create(name="Business Unit")
    officer = UserFactory.create(email="officer@example.test", full_name="Olu Officer")
    MembershipFactory.create(user=officer, agency=unit, role=Role.REVIEW_OFFICER)
    review = reviewed_case(title="Child T: a review").review
    page = visitor.page
    main = page.locator("main")
    visitor.sign_in("officer@example.test", PASSWORD)

    visitor.goto("/hub/manage/briefings/")
    page.get_by_label("Published review").select_option(label=review.title)
    visitor.click(page.get_by_role("button", name="Draft a briefing"))
    expect(main).to_contain_text("Northshire Police: 3 actions, 2 complete")
    expect(main).not_to_contain_text(RESTRICTED_SUMMARY)

    background = page.get_by_label("Background")
    background.fill("x" * 4010)
    expect(page.get_by_text("You have 10 characters too many")).to_be_visible()
    visitor.click(page.get_by_role("button", name="Save the briefing"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Background must be 4,000 characters or fewer"
    )
    page.get_by_label("Background").fill("Why the partnership reviewed this.")
    visitor.click(page.get_by_role("button", name="Save the briefing"))
    expect(main).to_contain_text("The briefing has been saved.")
    visitor.click(page.get_by_role("button", name="Mark as finished"))
    expect(main).to_contain_text("ready for approval")


def test_a_draft_is_not_public(visitor, live_server):
    officer = UserFactory.create()
    briefing = briefing_draft(actor=officer, review=reviewed_case().review)
    response = visitor.page.goto(f"{live_server.url}/hub/briefings/{briefing.slug}/")
    assert response is not None
    assert response.status == 404
