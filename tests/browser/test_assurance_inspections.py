"""Inspections and multi-agency audits in a real browser, with axe on every page: recording
an inspection and its recommendation, the quarterly inspection update, planning an audit,
asking agencies for returns and an agency lead making one."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.quarters import Quarter
from sightline.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    unit = AgencyFactory.create(name="Business Unit")
    police = AgencyFactory.create(name="Northshire Constabulary")
    admin = UserFactory.create(email="admin@example.test", full_name="Ada Admin")
    MembershipFactory.create(user=admin, agency=unit, role=Role.ADMINISTRATOR)
    lead = UserFactory.create(email="lead@example.test", full_name="Lena Lead")
    MembershipFactory.create(user=lead, agency=police, role=Role.AGENCY_LEAD)
    return {"admin": admin, "lead": lead, "police": police}


def fill_date(page, legend: str, day: datetime.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_an_inspection_its_recommendation_and_the_quarterly_update(visitor, people):
    today = timezone.localdate()
    quarter = Quarter.containing(today)
    page = visitor.page
    main = page.locator("main")
    visitor.sign_in("admin@example.test", PASSWORD)

    visitor.goto("/assurance/inspections/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inspections")
    visitor.click(page.get_by_role("button", name="Add an inspection"))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the inspectorate")
    visitor.check()
    page.get_by_label("Inspectorate").select_option(label="Ofsted")
    page.get_by_label("Type of inspection").select_option(
        label="Inspection of local authority children's services (ILACS)"
    )
    page.get_by_label("Title").fill("Northshire ILACS")
    fill_date(page, "Date the inspection started", quarter.start)
    page.get_by_label("Judgement (optional)").fill("Requires improvement to be good")
    page.get_by_label("Link to the report (optional)").fill(
        "https://reports.ofsted.gov.uk/provider/44/80449"
    )
    visitor.click(page.get_by_role("button", name="Save"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Northshire ILACS")
    expect(main).to_contain_text("Requires improvement to be good")
    expect(main).to_contain_text("No recommendations have been recorded")

    visitor.click(page.get_by_role("button", name="Add a recommendation"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a recommendation")
    page.get_by_label("Recommendation").fill("Strengthen management oversight of casework.")
    visitor.click(page.get_by_role("button", name="Save"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "has been added to the learning tracker"
    )
    expect(page.locator(".govuk-caption-l")).to_contain_text("Inspection: Northshire ILACS")

    visitor.click(page.get_by_role("button", name="Add an action"))
    page.get_by_label("Reference").fill("ILACS/A1")
    page.get_by_label("Owning agency").select_option(label="Northshire Constabulary")
    page.get_by_label("What will be done").fill("Audit supervision records every month.")
    fill_date(page, "Due date", quarter.end)
    visitor.click(page.get_by_role("button", name="Save"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("ILACS/A1 has been added")

    visitor.goto("/assurance/inspections/")
    visitor.click(page.get_by_role("link", name="Northshire ILACS"))
    expect(main).to_contain_text("ILACS/A1")

    visitor.goto("/assurance/inspections/")
    visitor.click(page.get_by_role("link", name="Quarterly inspection update for the Executive"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Inspection update: {quarter.label}")
    expect(main).to_contain_text("Northshire ILACS")
    expect(main).to_contain_text("ILACS/A1")
    download = page.get_by_role("link", name="Download the actions (CSV)")
    response = page.context.request.get(download.get_attribute("href"))
    assert response.status == 200
    assert "ILACS/A1" in response.text()

    page.get_by_label("Quarter").fill("autumn")
    visitor.click(page.get_by_role("button", name="Show the quarter"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("write it like 2025-26 Q1")
    page.get_by_label("Quarter").fill(quarter.previous().label)
    visitor.click(page.get_by_role("button", name="Show the quarter"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Inspection update: {quarter.previous().label}"
    )


def test_an_audit_asks_an_agency_and_its_lead_makes_the_return(visitor, people):
    today = timezone.localdate()
    quarter = Quarter.containing(today)
    page = visitor.page
    main = page.locator("main")
    visitor.sign_in("admin@example.test", PASSWORD)

    visitor.goto("/assurance/audits/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Multi-agency audit programme")
    visitor.click(page.get_by_role("button", name="Plan an audit"))
    page.get_by_label("Title").fill("Neglect in under 5s")
    page.get_by_label("Scope").fill("Families with children under 5 known to two agencies.")
    page.get_by_label("Quarter").fill("next spring")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("write it like 2025-26 Q1")
    visitor.check()
    page.get_by_label("Quarter").fill(quarter.label)
    page.get_by_label("Questionnaire").fill("Was the child seen alone?\nWas the father involved?")
    fill_date(page, "Date returns are due (optional)", today + datetime.timedelta(days=14))
    visitor.click(page.get_by_role("button", name="Save"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Neglect in under 5s")
    expect(main).to_contain_text("Was the father involved?")

    page.get_by_role("group", name="Agencies to ask").get_by_label(
        "Northshire Constabulary"
    ).check()
    visitor.click(page.get_by_role("button", name="Ask for returns"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "1 agency has been asked for a return"
    )
    expect(main).to_contain_text("1 asked for, 0 returned, 1 outstanding.")
    visitor.goto("/assurance/audits/")
    expect(main).to_contain_text("Neglect in under 5s")
    visitor.sign_out()

    [email] = mail.outbox
    assert email.to == ["lead@example.test"]
    link = re.search(r"https?://\S+(/assurance/audits/returns/\d+/)", str(email.body))
    assert link is not None
    visitor.sign_in("lead@example.test", PASSWORD)
    visitor.goto(link.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Audit return from Northshire Constabulary"
    )
    page.get_by_label("How many cases your agency audited").fill("6")
    page.get_by_label("1. Was the child seen alone?").fill("Yes, in 5 of the 6 cases.")
    page.get_by_role("button", name="Send the return").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Answer question 2")
    visitor.check()
    page.get_by_label("2. Was the father involved?").fill("In only 2 cases.")
    visitor.click(page.get_by_role("button", name="Send the return"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Thank you")
    expect(main).to_contain_text("1 asked for, 1 returned, 0 outstanding.")
    page.get_by_text("Answers from Northshire Constabulary").click()
    expect(main).to_contain_text("In only 2 cases.")
    visitor.check()
