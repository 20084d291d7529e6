"""An administrator sets a retention period, places a legal hold, disposes of records on the
month's review and answers a subject access request, in a real browser: axe and the 320 px
reflow check on every page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.models import SignInRecord
from sightline.accounts.tests.factories import UserFactory
from sightline.core.models import LegalHold, RetentionSetting
from sightline.core.retention_services import retention_review_build
from sightline.core.roles import Role
from sightline.reviews.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_keeps_and_disposes_of_records(visitor, make_user):
    make_user(Role.ADMINISTRATOR, email="admin@example.test")
    person = UserFactory.create(full_name="Pat Person", email="pat@example.test")
    long_ago = timezone.now() - datetime.timedelta(days=800)
    SignInRecord.objects.create(user=person, at=long_ago)
    CaseFactory.create(reference="CR-2019-01")
    visitor.sign_in("admin@example.test", PASSWORD)

    visitor.goto("/settings/")
    visitor.click(visitor.page.get_by_role("link", name="Retention"))
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Retention")
    visitor.click(visitor.page.get_by_role("link", name="Change the period of Referrals"))
    visitor.page.get_by_label("Keep for (months)").fill("six years")
    visitor.click(visitor.page.get_by_role("button", name="Save the period"))
    expect(visitor.page.locator(".govuk-error-summary")).to_contain_text("whole number")
    visitor.page.get_by_label("Keep for (months)").fill("60")
    visitor.click(visitor.page.get_by_role("button", name="Save the period"))
    assert RetentionSetting.objects.get(kind="referrals").months == 60

    visitor.click(visitor.page.get_by_role("link", name="Legal holds"))
    visitor.page.get_by_label("A case").check()
    visitor.page.get_by_label("Case reference").fill("CR-2019-01")
    visitor.page.get_by_label("Why the records must be kept").fill("A civil claim")
    visitor.click(visitor.page.get_by_role("button", name="Place the hold"))
    expect(visitor.page.get_by_text("A civil claim")).to_be_visible()
    visitor.click(visitor.page.get_by_role("link", name="Release the hold 1"))
    visitor.page.get_by_label("Why the hold can be released").fill("Claim settled")
    visitor.click(visitor.page.get_by_role("button", name="Release the hold"))
    assert LegalHold.objects.get().released_at is not None

    retention_review_build()
    visitor.click(visitor.page.get_by_role("link", name="Monthly reviews"))
    visitor.click(visitor.page.locator("table a").first)
    visitor.click(visitor.page.get_by_role("button", name="Dispose of all"))
    expect(visitor.page.locator(".govuk-notification-banner")).to_contain_text("disposed of")
    assert not SignInRecord.objects.filter(user=person).exists()

    visitor.click(visitor.page.get_by_role("link", name="Retention", exact=True))
    visitor.click(visitor.page.get_by_role("link", name="Subject access requests"))
    visitor.page.get_by_label("Email address").fill("pat@example.test")
    visitor.click(visitor.page.get_by_role("button", name="Find records"))
    expect(visitor.page.get_by_text("Sign-in records and addresses: 4 values")).to_be_visible()
