"""People using Sightline in a real browser, with axe run on every page they see."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partnership():
    unit = AgencyFactory(name="Business Unit")
    police = AgencyFactory(name="Northshire Constabulary")
    people = {}
    for role in Role:
        agency = police if role == Role.AGENCY_LEAD else unit
        user = UserFactory(email=f"{role.slug}@example.test", full_name=f"{role.label} Person")
        MembershipFactory(user=user, agency=agency, role=role)
        people[role] = user
    return {"unit": unit, "police": police, "people": people}


def test_signed_out_pages_are_accessible(visitor, db):
    visitor.goto("/sign-in/")
    visitor.page.get_by_role("button", name="Sign in").click()
    expect(visitor.page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    visitor.check()
    visitor.page.get_by_role("link", name="Enter your email address").click()
    expect(visitor.page.get_by_label("Email address")).to_be_focused()
    visitor.goto("/password-reset/")
    visitor.goto("/no-such-page/")
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Page not found")


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_signs_in_to_its_own_home_page(visitor, partnership, role):
    visitor.sign_in(f"{role.slug}@example.test", PASSWORD)
    expect(visitor.page.get_by_role("heading", level=1)).to_contain_text(
        "What needs your attention"
    )
    expect(visitor.page.locator(".govuk-generic-header")).to_contain_text(
        "Northshire Safeguarding Partnership"
    )
    nav = visitor.page.locator(".govuk-service-navigation")
    expect(nav).to_contain_text("Sightline")
    if role == Role.ADMINISTRATOR:
        expect(nav.get_by_role("link", name="Settings")).to_be_visible()
    else:
        expect(nav.get_by_role("link", name="Settings")).to_have_count(0)
        visitor.goto("/users/")
        expect(visitor.page.get_by_role("heading", level=1)).to_have_text(
            "You do not have permission to see this page"
        )
    visitor.goto("/account/")
    visitor.goto("/account/password/")
    visitor.goto("/")
    visitor.sign_out()
    expect(visitor.page).to_have_url(re.compile(r"/sign-in/$"))


def test_administrator_runs_users_agencies_and_the_audit_trail(visitor, partnership):
    visitor.sign_in(f"{Role.ADMINISTRATOR.slug}@example.test", PASSWORD)
    page = visitor.page

    visitor.click(page.get_by_role("link", name="Settings"))
    visitor.click(page.get_by_role("link", name="Users").first)
    visitor.click(page.get_by_role("button", name="Add a user"))
    page.get_by_role("button", name="Add user").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the person's full name")
    visitor.check()
    page.get_by_label("Full name").fill("Nadia Farrow")
    page.get_by_label("Email address").fill("nadia.farrow@example.test")
    page.get_by_label("Agency", exact=True).select_option(label="Northshire Constabulary")
    page.get_by_label("Agency lead").check()
    page.get_by_role("button", name="Add user").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Nadia Farrow has been added"
    )
    visitor.check()

    visitor.click(page.get_by_role("link", name="Add a role"))
    page.get_by_role("link", name="Cancel").click()
    visitor.click(page.get_by_role("button", name="Deactivate"))
    page.get_by_role("button", name="Deactivate").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been deactivated")
    visitor.check()

    visitor.click(page.locator(".govuk-breadcrumbs").get_by_role("link", name="Settings"))
    visitor.click(page.get_by_role("link", name="Agencies"))
    visitor.click(page.get_by_role("link", name="Northshire Constabulary"))
    visitor.click(page.get_by_role("button", name="Change agency"))

    visitor.click(page.get_by_role("link", name="Settings"))
    visitor.click(page.get_by_role("link", name="Audit trail"))
    expect(page.locator("tbody")).to_contain_text("nadia.farrow@example.test")
    page.get_by_label("Person").fill("nobody-at-all")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No events match these filters")).to_be_visible()
    visitor.check()
    visitor.goto("/access-log/")


def test_agency_lead_sees_own_agency_only(visitor, partnership):
    visitor.sign_in(f"{Role.AGENCY_LEAD.slug}@example.test", PASSWORD)
    visitor.click(
        visitor.page.get_by_role("link", name=re.compile("^Northshire Constabulary: people"))
    )
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Northshire Constabulary")
    visitor.goto(f"/agencies/{partnership['unit'].pk}/")
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Page not found")
