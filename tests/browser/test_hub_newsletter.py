"""The newsletter in a real browser, with axe and the 320 pixel reflow check on every page:
subscribing, confirming and unsubscribing signed out, the archive, and the business unit
composing, previewing and sending an issue."""

import datetime
import hashlib

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.hub.models import Subscriber
from sightline.hub.services.newsletter import unsubscribe_token
from sightline.hub.tests.factories import (
    BriefingFactory,
    NewsItemFactory,
    NewsletterIssueFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "a-browser-test-confirmation-token"


def test_subscribing_confirming_and_unsubscribing_signed_out(visitor):
    page = visitor.page
    main = page.locator("main")

    visitor.goto("/hub/newsletter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Subscribe to the newsletter")
    visitor.click(main.get_by_role("button", name="Subscribe"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    page.get_by_label("Email address").fill("reader@example.test")
    page.get_by_label("Children's workforce", exact=True).check()
    visitor.click(main.get_by_role("button", name="Subscribe"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    # The link's token went by email only: give the subscriber one the test knows.
    Subscriber.objects.filter(email="reader@example.test").update(
        confirm_token_hash=hashlib.sha256(TOKEN.encode()).hexdigest(),
        confirm_sent_at=timezone.now(),
    )
    visitor.goto(f"/hub/newsletter/confirm/{TOKEN}/")
    visitor.click(main.get_by_role("button", name="Confirm my subscription"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    subscriber = Subscriber.objects.get(email="reader@example.test")
    assert subscriber.status == Subscriber.Status.CONFIRMED

    visitor.goto(f"/hub/newsletter/unsubscribe/{unsubscribe_token(subscriber.pk)}/")
    visitor.click(main.get_by_role("button", name="Unsubscribe"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    visitor.goto(f"/hub/newsletter/unsubscribe/{unsubscribe_token(subscriber.pk)}/")
    expect(main).to_contain_text("You are already unsubscribed")

    visitor.goto("/hub/newsletter/confirm/not-a-real-link/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")


def test_the_archive_and_an_issue(visitor):
    page = visitor.page
    NewsletterIssueFactory.create(
        number=1,
        subject="Learning hub newsletter, issue 1",
        items=[
            {
                "kind": "news",
                "pk": 1,
                "title": "Safeguarding Week is coming to every agency in the partnership area",
                "url": "http://127.0.0.1:8000/hub/news/safeguarding-week/",
                "summary": "Book your place on the sessions.",
                "live_on": "2026-01-05",
            }
        ],
    )
    visitor.goto("/hub/newsletter/archive/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Newsletter archive")
    visitor.click(page.get_by_role("link", name="Issue 1: Learning hub newsletter, issue 1"))
    expect(page.locator("main")).to_contain_text("Safeguarding Week is coming")


def test_the_business_unit_composes_previews_and_sends_an_issue(visitor):
    agency = AgencyFactory.create(name="Business Unit")
    officer = UserFactory.create(email="officer@example.test", full_name="Rhys Officer")
    MembershipFactory.create(user=officer, agency=agency, role=Role.REVIEW_OFFICER)
    today = timezone.localdate()
    NewsItemFactory.create(title="Safeguarding Week", live_on=today - datetime.timedelta(days=2))
    BriefingFactory.create(
        title="Seven-minute briefing: unseen men", live_on=today - datetime.timedelta(days=1)
    )
    SubscriberFactory.create_batch(2)
    page = visitor.page
    main = page.locator("main")

    visitor.sign_in("officer@example.test", PASSWORD)
    visitor.goto("/hub/newsletter/manage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Newsletter")
    visitor.click(main.get_by_role("button", name="Compose the next issue"))
    expect(page.get_by_label("Safeguarding Week", exact=False)).to_be_checked()
    page.get_by_label("Introduction (optional)").fill("What we published this fortnight.")
    visitor.click(main.get_by_role("button", name="Save and preview"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview issue 1")
    expect(main).to_contain_text("What we published this fortnight.")
    expect(main).to_contain_text("Seven-minute briefing: unseen men")
    visitor.click(main.get_by_role("button", name="Send the issue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Send issue 1 to 2 subscribers?")
    visitor.click(main.get_by_role("button", name="Send the issue"))
    expect(main).to_contain_text("Issue 1 is on its way to 2 subscribers")
