"""Finding your way in a browser: one row of navigation, the Settings page, help, and the
pages an email sends an action's owner to; axe checks every page."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.learning.models import Action, DisseminationReturn, Recommendation
from sightline.reviews.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _person(role, agency, email):
    user = UserFactory(email=email, full_name=f"{role.label} Person")
    MembershipFactory(user=user, agency=agency, role=role)
    return user


def test_the_administrators_navigation_fits_one_row_and_settings_lists_the_rest(visitor):
    _person(Role.ADMINISTRATOR, AgencyFactory.create(), "admin@example.test")
    visitor.page.set_viewport_size({"width": 1280, "height": 800})
    visitor.sign_in("admin@example.test", PASSWORD)
    items = visitor.page.locator(".govuk-service-navigation__item")
    tops = {round(items.nth(index).bounding_box()["y"]) for index in range(items.count())}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visitor.page.screenshot(path=str(SCREENSHOTS / "navigation-administrator-1280.png"))
    assert len(tops) == 1, f"The navigation wraps onto {len(tops)} rows at 1280 pixels"

    visitor.click(visitor.page.get_by_role("link", name="Settings"))
    for name in ("Users", "Agencies", "Closure days", "Timeliness standards", "Practice themes"):
        expect(visitor.page.get_by_role("link", name=name, exact=True)).to_be_visible()
    visitor.click(visitor.page.get_by_role("link", name="Access log"))
    breadcrumbs = visitor.page.locator(".govuk-breadcrumbs")
    visitor.click(breadcrumbs.get_by_role("link", name="Settings"))
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Settings")


def test_help_is_a_click_away_for_every_role(visitor):
    _person(Role.TRAINER, AgencyFactory.create(), "trainer@example.test")
    visitor.sign_in("trainer@example.test", PASSWORD)
    visitor.click(visitor.page.get_by_role("link", name="help for a trainer"))
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Trainer")
    visitor.click(visitor.page.locator("footer").get_by_role("link", name="Help"))
    visitor.click(visitor.page.get_by_role("link", name="Practitioner"))
    expect(visitor.page.get_by_role("heading", level=2).first).to_be_visible()


def test_an_owner_follows_their_reminder_and_a_lead_sees_the_learning_to_spread(visitor):
    police = AgencyFactory.create(name="Northshire Constabulary")
    trainer = _person(Role.TRAINER, police, "trainer@example.test")
    _person(Role.AGENCY_LEAD, police, "lead@example.test")
    today = timezone.localdate()
    case = CaseFactory.create(published_date=today - datetime.timedelta(days=20))
    # The police were involved in the case: a return is asked only of those who were.
    case.agencies.add(police)
    rec = Recommendation.objects.create(
        reference="LCSPR-1/R1",
        source_type="case_review",
        source_case=case,
        text="Make sure every agency asks who else lives in the home.",
        made_date=today - datetime.timedelta(days=30),
        decision="accepted",
    )
    action = Action.objects.create(
        reference="LCSPR-1/R1/A1",
        recommendation=rec,
        agency=police,
        owner=trainer,
        description="Add the question to the training",
        due_date=today - datetime.timedelta(days=1),
    )
    item = DisseminationReturn.objects.create(case=case, agency=police, requested_on=today)

    visitor.sign_in("trainer@example.test", PASSWORD)
    visitor.goto(f"/learning/actions/{action.pk}/")
    expect(visitor.page.locator("main")).to_contain_text(rec.text)
    visitor.click(visitor.page.get_by_role("button", name="Record evidence"))
    expect(visitor.page.locator(".govuk-back-link")).to_be_visible()
    visitor.sign_out()

    visitor.sign_in("lead@example.test", PASSWORD)
    visitor.goto(f"/learning/returns/{item.pk}/")
    expect(visitor.page.locator("main")).to_contain_text(rec.text)
