"""The risk register in a real browser, with axe on every page: browsing and filtering the
register, the heat map and its table, adding a risk (refused, then saved), reviewing it, and
an executive member accepting it above appetite."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.tests.factories import (
    RiskAssessmentFactory,
    RiskControlFactory,
    RiskFactory,
)
from sightline.core.roles import Role
from sightline.learning.tests.factories import ActionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    unit = AgencyFactory.create(name="Business Unit")
    admin = UserFactory.create(email="admin@example.test", full_name="Ada Admin")
    MembershipFactory.create(user=admin, agency=unit, role=Role.ADMINISTRATOR)
    executive = UserFactory.create(email="exec@example.test", full_name="Eve Executive")
    MembershipFactory.create(user=executive, agency=unit, role=Role.EXECUTIVE)
    return {"admin": admin, "executive": executive}


@pytest.fixture
def register(people):
    today = timezone.localdate()
    late = RiskFactory.create(
        reference="SR-01",
        title="Reviews published late",
        owner=people["executive"],
        last_reviewed_on=today - datetime.timedelta(days=100),
        opened_on=today - datetime.timedelta(days=100),
        next_review_on=today - datetime.timedelta(days=10),
    )
    RiskAssessmentFactory.create(risk=late, assessed_on=today - datetime.timedelta(days=100))
    RiskControlFactory.create(risk=late, description="Monthly tracker to the Executive")
    severe = RiskFactory.create(
        reference="SR-02",
        title="Budget gap in 2026-27",
        owner=people["executive"],
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=4,
        residual_impact=5,
        next_review_on=today + datetime.timedelta(days=10),
    )
    RiskAssessmentFactory.create(risk=severe)
    ActionFactory.create(reference="R-2024-01/A1")
    return {"late": late, "severe": severe}


def fill_date(group, day: datetime.date) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_administrator_browses_the_register_and_the_heat_map(visitor, register):
    page = visitor.page
    main = page.locator("main")
    visitor.sign_in("admin@example.test", PASSWORD)

    visitor.goto("/assurance/risks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk register")
    expect(main).to_contain_text("2 risks")
    expect(page.locator("tbody tr").first).to_contain_text("SR-02")
    expect(main).to_contain_text("Review overdue")
    expect(main).to_contain_text("Above appetite")

    page.get_by_label("Only risks overdue for review").check()
    visitor.click(page.get_by_role("button", name="Filter"))
    expect(main).to_contain_text("1 risk")
    expect(page.locator("tbody")).to_contain_text("SR-01")
    expect(page.locator("tbody")).not_to_contain_text("SR-02")

    visitor.click(page.get_by_role("link", name="Heat map of open risks"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk heat map")
    heat_map = page.get_by_role("table", name="Heat map: likelihood by impact")
    expect(heat_map).to_be_visible()
    table = page.get_by_role("table", name="The same figures as a table")
    expect(table).to_contain_text("Total")
    visitor.click(heat_map.get_by_role("link", name=re.compile("^1 open risk, score 20")))
    expect(main).to_contain_text("Showing open risks from one cell of the heat map")
    expect(page.locator("tbody")).to_contain_text("SR-02")
    expect(page.locator("tbody")).not_to_contain_text("SR-01")

    visitor.goto("/assurance/risks/heat-map/?scores=inherent")
    expect(main).to_contain_text("by their inherent scores")

    visitor.goto("/assurance/risks/")
    visitor.click(page.get_by_role("link", name="SR-01"))
    expect(page.get_by_role("heading", level=1)).to_have_text("SR-01: Reviews published late")
    expect(main).to_contain_text("Monthly tracker to the Executive")
    expect(page.locator("svg[role=img]")).to_be_visible()


def test_administrator_adds_a_risk_after_a_refusal_reviews_it_and_links_an_action(
    visitor, register
):
    page = visitor.page
    main = page.locator("main")
    visitor.sign_in("admin@example.test", PASSWORD)
    visitor.goto("/assurance/risks/")
    visitor.click(page.get_by_role("button", name="Add a risk"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a risk")

    page.get_by_label("Reference").fill("SR-30")
    page.get_by_label("Title").fill("Missing children not followed up")
    page.get_by_label("Category").select_option(label="Operational")
    page.get_by_label("Owner", exact=True).select_option(label="Eve Executive")
    page.get_by_label("Cause").fill("Return interviews are late.")
    page.get_by_label("Consequence").fill("Exploitation is missed.")
    page.get_by_label("Inherent likelihood").fill("7")
    page.get_by_label("Inherent impact").fill("4")
    page.get_by_label("Residual likelihood").fill("3")
    page.get_by_label("Residual impact").fill("3")
    fill_date(
        page.get_by_role("group", name="Next review date (optional)"),
        timezone.localdate() - datetime.timedelta(days=1),
    )
    control = page.get_by_role("group", name="Control 1")
    control.get_by_label("What the control is").fill("Weekly missing panel")
    control.get_by_label("How effective it is").select_option(label="Partly effective")
    visitor.click(page.get_by_role("button", name="Save the risk"))

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter an inherent likelihood from 1 to 5")
    expect(summary).to_contain_text("The next review date must be today or in the future")
    expect(page).to_have_title(re.compile("^Error: "))
    summary.get_by_role("link", name="Enter an inherent likelihood from 1 to 5").click()
    expect(page.get_by_label("Inherent likelihood")).to_be_focused()

    page.get_by_label("Inherent likelihood").fill("4")

    fill_date(
        page.get_by_role("group", name="Next review date (optional)"),
        timezone.localdate() + datetime.timedelta(days=7),
    )
    visitor.click(page.get_by_role("button", name="Save the risk"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("SR-30 has been saved")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "SR-30: Missing children not followed up"
    )
    expect(main).to_contain_text("Weekly missing panel")

    visitor.click(page.get_by_role("button", name="Review the risk"))
    page.get_by_label("Residual likelihood").fill("2")
    page.get_by_label("Residual impact").fill("2")
    page.get_by_label("What the review found").fill("The panel now meets every week.")
    visitor.click(page.get_by_role("button", name="Record the review"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The review has been recorded"
    )
    history = page.get_by_role("table", name="Assessments, newest first")
    expect(history.locator("tbody tr")).to_have_count(2)
    expect(history).to_contain_text("The panel now meets every week.")

    visitor.click(page.get_by_role("button", name="Mitigating actions"))
    page.get_by_label("Reference of the learning action").fill("R-2099/A1")
    visitor.click(page.get_by_role("button", name="Link the action"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "There is no learning action with the reference R-2099/A1"
    )
    page.get_by_label("Reference of the learning action").fill("r-2024-01/a1")
    visitor.click(page.get_by_role("button", name="Link the action"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is now linked")
    visitor.click(page.get_by_role("link", name="Back to the risk"))
    expect(main).to_contain_text("R-2024-01/A1")


def test_executive_member_accepts_a_risk_above_appetite(visitor, register):
    page = visitor.page
    main = page.locator("main")
    visitor.sign_in("exec@example.test", PASSWORD)
    visitor.goto(register["severe"].get_absolute_url())
    expect(main).to_contain_text("Above the partnership's appetite (9), and not accepted")

    visitor.click(page.get_by_role("button", name="Accept above appetite"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept the risk above appetite")
    page.get_by_label("Why the partnership accepts this risk").fill(
        "Partners fund extra staff from April."
    )
    accepted_until = page.get_by_role("group", name="Accepted until")
    fill_date(accepted_until, timezone.localdate() + datetime.timedelta(days=500))
    visitor.click(page.get_by_role("button", name="Accept the risk"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "An acceptance lasts at most 12 months"
    )

    until = timezone.localdate() + datetime.timedelta(days=90)
    fill_date(accepted_until, until)
    visitor.click(page.get_by_role("button", name="Accept the risk"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The acceptance has been recorded"
    )
    expect(main).to_contain_text("accepted by Eve Executive until")
    expect(main).to_contain_text("Partners fund extra staff from April.")

    visitor.goto("/assurance/risks/?appetite=unaccepted")
    expect(page.locator("main")).to_contain_text("No risks match these filters")
