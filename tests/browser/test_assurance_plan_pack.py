"""The strategic plan in a real browser, with axe on every page: an executive member opens
system assurance and the plan, records a priority's status and sees it in the Executive pack
(the pack's own journey is in test_reports_pack.py)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.models import Priority, Risk
from sightline.assurance.quarters import Quarter
from sightline.assurance.tests.factories import PriorityUpdateFactory
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
def plan_and_register(executive):
    today = timezone.localdate()
    previous = Quarter.containing(today).previous()
    under_ones = Priority.objects.get(name="Safeguarding under 1s")
    under_ones.actions.add(
        ActionFactory.create(reference="CR-2025-01/R1/A1", due_date=today - datetime.timedelta(1))
    )
    PriorityUpdateFactory.create(
        priority=under_ones,
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
        next_review_on=today,
    )
    return {"previous": previous, "current": Quarter.containing(today)}


def test_executive_records_a_priority_status_and_sees_it_in_the_pack(
    visitor, executive, plan_and_register
):
    current = plan_and_register["current"]
    page = visitor.page
    main = page.locator("main")
    visitor.sign_in("executive@example.test", PASSWORD)

    visitor.click(page.locator(".govuk-service-navigation").get_by_role("link", name="Assurance"))
    expect(page.get_by_role("heading", level=1)).to_have_text("System assurance")
    expect(main.get_by_role("link", name="Risk register")).to_be_visible()

    visitor.click(main.get_by_role("link", name="Strategic plan"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Strategic plan")
    expect(main).to_contain_text("Every action due last quarter was completed.")
    expect(main).to_contain_text(f"(not yet updated for {current.label})")
    expect(main).to_contain_text("1 action: 0 complete, 1 overdue, 0 open")

    visitor.click(
        main.get_by_role("link", name="Record the status of Safeguarding under 1s", exact=True)
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the priority's status")
    page.get_by_label("Amber: at risk").check()
    page.get_by_label("Why the priority has this status").fill("Late")
    visitor.click(page.get_by_role("button", name="Record the status"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say why the priority is amber: what is off track"
    )
    page.get_by_label("Why the priority has this status").fill(
        "One action is overdue because the safer sleep campaign was delayed."
    )
    visitor.click(page.get_by_role("button", name="Record the status"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"The status of Safeguarding under 1s for {current.label} has been recorded."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguarding under 1s")
    expect(main.locator("tbody").first).to_contain_text("safer sleep campaign was delayed")

    # The pack itself is in tests/browser/test_reports_pack.py, since it moved to reports.
    visitor.goto("/assurance/plan/")
    visitor.click(main.get_by_role("link", name=f"Executive pack for {current.label}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Executive pack: {current.label}")
    expect(main).to_contain_text("One action is overdue because the safer sleep campaign")
