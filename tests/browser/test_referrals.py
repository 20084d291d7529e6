"""A referral for review in a real browser: a practitioner refers a case, a review officer
finds it on triage and makes it a case; axe and the 320 pixel reflow check on every page."""

import datetime

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.reviews.models import Case, Referral
from sightline.reviews.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    unit = AgencyFactory.create(name="Business Unit")
    health = AgencyFactory.create(name="Northshire Community Health")
    AgencyFactory.create(name="Northshire Constabulary")
    made = {}
    for role, agency in [(Role.PRACTITIONER, health), (Role.REVIEW_OFFICER, unit)]:
        user = UserFactory.create(
            email=f"{role.slug}@example.test", full_name=f"{role.label} Person"
        )
        MembershipFactory.create(user=user, agency=agency, role=role)
        made[role] = user
    return made


def test_a_practitioners_referral_reaches_triage_and_becomes_a_case(visitor, people):
    page = visitor.page
    visitor.sign_in(f"{Role.PRACTITIONER.slug}@example.test", PASSWORD)
    visitor.click(page.get_by_role("link", name="Refer a case for review"))
    expect(page.locator(".govuk-warning-text")).to_contain_text("call 999")
    expect(page.locator("main")).to_contain_text("within 5 working days")

    page.get_by_label("Who it concerns").fill("Child Q")
    page.get_by_label("Safeguarding adult review").check()
    page.locator("#id_aware_on_day").fill("1")
    page.locator("#id_aware_on_month").fill("1")
    page.locator("#id_aware_on_year").fill("0001")
    page.get_by_label("What happened").fill("A fictional account of what happened.")
    page.get_by_label("Northshire Constabulary").check()
    page.get_by_label("Why it may need a review").fill("Agencies did not share what they knew.")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "the year must be between 1900 and 2100"
    )
    visitor.check()

    aware = datetime.date.today() - datetime.timedelta(days=7)
    page.locator("#id_aware_on_day").fill(str(aware.day))
    page.locator("#id_aware_on_month").fill(str(aware.month))
    page.locator("#id_aware_on_year").fill(str(aware.year))
    visitor.click(page.get_by_role("button", name="Send the referral"))
    referral = Referral.objects.get()
    expect(page.locator(".govuk-panel")).to_contain_text(referral.reference)
    expect(page.locator("main")).to_contain_text("What happens next")

    visitor.click(page.get_by_role("link", name="your referrals", exact=True))
    expect(page.locator("main")).to_contain_text("New")
    visitor.click(page.get_by_role("link", name=referral.reference))
    expect(page.locator("main")).to_contain_text("A fictional account of what happened.")
    visitor.sign_out()

    visitor.sign_in(f"{Role.REVIEW_OFFICER.slug}@example.test", PASSWORD)
    expect(page.locator("main")).to_contain_text("1 new referral")
    visitor.click(page.get_by_role("link", name="1 new referral", exact=True))
    expect(page.locator("main")).to_contain_text("Child Q")
    visitor.click(page.get_by_role("link", name=referral.reference))
    visitor.click(page.get_by_role("button", name="Make it a case"))
    expect(page.get_by_label("Safeguarding adult review")).to_be_checked()
    page.get_by_label("Case reference").fill("SAR-2026-09")
    visitor.click(page.get_by_role("button", name="Make it a case"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"SAR-2026-09 has been made from referral {referral.reference}"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("SAR-2026-09")

    case = Case.objects.get(reference="SAR-2026-09")
    assert case.route == "adult"
    assert case.referral_date == referral.created_at.date()
    assert {agency.name for agency in case.agencies.all()} == {
        "Northshire Community Health",
        "Northshire Constabulary",
    }
    visitor.goto("/referrals/?status=case")
    expect(page.locator("main")).to_contain_text("Became a case")


def test_a_review_officer_closes_a_referral_and_sees_referrals_by_agency(visitor, people):
    referral = ReferralFactory.create(
        referrer=people[Role.PRACTITIONER],
        referring_agency=people[Role.PRACTITIONER].memberships.get().agency,
        pseudonym="Adult S",
    )
    page = visitor.page
    visitor.sign_in(f"{Role.REVIEW_OFFICER.slug}@example.test", PASSWORD)
    visitor.goto(referral.get_absolute_url())
    visitor.click(page.get_by_role("button", name="Mark as under consideration"))
    expect(page.locator("main")).to_contain_text("Under consideration")
    visitor.click(page.get_by_role("button", name="Close with a reason"))
    page.get_by_role("button", name="Close the referral").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the referral is closed")
    visitor.check()
    page.get_by_label("Why the referral is closed").fill("Single-agency learning only.")
    visitor.click(page.get_by_role("button", name="Close the referral"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The referrer has been sent the reason"
    )
    expect(page.locator("main")).to_contain_text("Single-agency learning only.")

    visitor.goto("/reports/dashboards/business-unit/")
    table = page.get_by_role("region", name="Referrals for review by agency and month")
    expect(table).to_contain_text("Northshire Community Health")
