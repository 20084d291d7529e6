"""The Executive pack and the executive member's dashboard in a real browser, with axe and the
320 px reflow check on every page: an executive member follows the headline figures from the
home page to the dashboard, the list behind a figure and the pack; opens the pack for a
quarter, downloads it as a PDF, and reaches it at its old address too."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.models import Priority, Risk
from sightline.assurance.quarters import Quarter
from sightline.assurance.tests.factories import PriorityUpdateFactory
from sightline.core.models import AccessLogEntry
from sightline.core.roles import Role
from sightline.learning.tests.factories import ActionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def executive():
    agency = AgencyFactory.create(name="Northshire Council")
    user = UserFactory.create(email="executive@example.test", full_name="Erin Executive")
    MembershipFactory.create(user=user, agency=agency, role=Role.EXECUTIVE)
    return user


@pytest.fixture
def partnership(executive):
    today = timezone.localdate()
    previous = Quarter.containing(today).previous()
    ActionFactory.create(reference="CR-2025-01/R1/A1", due_date=today - datetime.timedelta(1))
    PriorityUpdateFactory.create(
        priority=Priority.objects.get(name="Safeguarding under 1s"),
        quarter_start=previous.start,
        rag="green",
        reason="Every action due last quarter was completed.",
    )
    Risk.objects.create(
        reference="RSK-01",
        title="Health visiting capacity",
        category="workforce",
        owner=executive,
        cause="Vacancies.",
        consequence="Babies are not seen.",
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=4,
        residual_impact=5,
        inherent_score=25,
        residual_score=20,
        opened_on=previous.start,
        last_reviewed_on=previous.start,
        next_review_on=today - datetime.timedelta(days=3),
    )
    return {"previous": previous, "current": Quarter.containing(today)}


def test_executive_follows_the_dashboard_to_the_lists_and_the_pack(visitor, executive, partnership):
    current = partnership["current"]
    page = visitor.page
    main = page.locator("main")
    visitor.sign_in("executive@example.test", PASSWORD)

    expect(page.get_by_role("heading", name="The partnership this quarter")).to_be_visible()
    visitor.click(main.get_by_role("link", name="Your executive dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Executive dashboard")
    expect(main).to_contain_text("Trends over eight quarters")
    # No case deadline and no workforce figures yet: three of the five trends have a chart.
    expect(main.locator("svg[role=img]")).to_have_count(3)
    expect(main).to_contain_text("RSK-01")
    expect(main).to_contain_text("Above appetite, not accepted")
    expect(main).to_contain_text("Review overdue")
    expect(main.get_by_role("link", name="Accept RSK-01 above appetite")).to_be_visible()
    expect(main).to_contain_text(f"Priorities with no status for {current.label}")

    visitor.click(main.locator("#your-risks ~ dl").get_by_role("link").nth(2))
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk register")
    expect(main).to_contain_text("RSK-01")
    assert "overdue=on" in page.url

    visitor.goto("/reports/dashboards/executive/")
    visitor.click(main.get_by_role("link", name=f"Executive pack for {current.label}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Executive pack: {current.label}")
    expect(main).to_contain_text("Trends over eight quarters")


def test_executive_reads_the_pack_on_screen_and_as_a_pdf(visitor, executive, partnership):
    previous = partnership["previous"]
    page = visitor.page
    main = page.locator("main")
    visitor.sign_in("executive@example.test", PASSWORD)

    visitor.goto("/assurance/")
    visitor.click(main.get_by_role("link", name="Executive pack"))
    assert "/reports/executive-pack/" in page.url
    expect(main).to_contain_text("RSK-01")

    page.get_by_role("textbox", name="Quarter").fill("last quarter")
    visitor.click(page.get_by_role("button", name="Show the pack"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("write it like 2025-26 Q1")

    page.get_by_role("textbox", name="Quarter").fill(previous.label)
    visitor.click(page.get_by_role("button", name="Show the pack"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Executive pack: {previous.label}")
    expect(main).to_contain_text("Every action due last quarter was completed.")
    expect(main).to_contain_text("Position at the end of the quarter")

    visitor.click(main.get_by_role("link", name=f"Get the pack for {previous.label} as a PDF"))
    expect(main).to_contain_text(f"The Executive pack for {previous.label} is ready to download")
    assert AccessLogEntry.objects.filter(object_id=previous.label).count() == 0
    name = f"sightline-executive-pack-{previous.label.replace(' ', '-')}.pdf"
    download = main.get_by_role("button", name=f"Download {name}")
    response = page.context.request.get(download.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert AccessLogEntry.objects.filter(object_id=previous.label).count() == 1

    # A bookmark of the pack's old address still opens the same quarter's pack.
    visitor.goto(f"/assurance/pack/?quarter={previous.label.replace(' ', '+')}")
    assert "/reports/executive-pack/?quarter=" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Executive pack: {previous.label}")
