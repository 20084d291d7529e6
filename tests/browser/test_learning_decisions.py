"""A recommendation's decisions in a real browser, with axe and reflow on every page: a
decision dated before the recommendation is refused, then two dated decisions are recorded
and read back as the recommendation's decision history."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.learning.tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fill_date(group, day: datetime.date) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_administrator_records_dated_decisions_and_reads_their_history(visitor):
    unit = AgencyFactory.create(name="Business Unit")
    admin = UserFactory.create(email="admin@example.test", full_name="Ada Admin")
    MembershipFactory.create(user=admin, agency=unit, role=Role.ADMINISTRATOR)
    made = timezone.localdate() - datetime.timedelta(days=60)
    rec = RecommendationFactory.create(reference="HIS-2026/R1", made_date=made)
    page = visitor.page
    main = page.locator("main")
    visitor.sign_in("admin@example.test", PASSWORD)

    visitor.goto(f"/learning/recommendations/{rec.pk}/")
    expect(main).to_contain_text("No decision recorded yet")
    visitor.click(page.get_by_role("button", name="Change recommendation"))
    page.get_by_label("Decision", exact=True).select_option(label="Accepted in part")
    decided = page.get_by_role("group", name="Date of the decision")
    fill_date(decided, made - datetime.timedelta(days=1))
    visitor.click(page.get_by_role("button", name="Save"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The date of the decision must be on or after the day the recommendation was made"
    )

    fill_date(decided, made + datetime.timedelta(days=7))
    visitor.click(page.get_by_role("button", name="Save"))
    expect(main).to_contain_text("Accepted in part")

    visitor.click(page.get_by_role("button", name="Change recommendation"))
    page.get_by_label("Decision", exact=True).select_option(label="Accepted")
    fill_date(
        page.get_by_role("group", name="Date of the decision"), made + datetime.timedelta(days=30)
    )
    visitor.click(page.get_by_role("button", name="Save"))

    history = page.get_by_role(
        "table", name="Decisions on this recommendation, latest recorded first"
    )
    expect(history.locator("tbody tr")).to_have_count(2)
    expect(history.locator("tbody tr").first).to_contain_text("Accepted")
    expect(history.locator("tbody tr").last).to_contain_text("Accepted in part")
    expect(history).to_contain_text("Ada Admin")
