"""Writing and publishing the yearly report in a real browser, with axe and the 320 pixel
reflow check on every page: an administrator starts the year and writes a chapter, an
executive member approves it, the checklist shows what is covered, and the administrator
marks the report ready, confirms the small figures and publishes it, then records when it
went to the national panel and to whom it was sent."""

import datetime

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.reports import services
from sightline.reports.models import ReportChapter, YearlyReport
from sightline.reports.yearly.contents import CHAPTER_IDS
from sightline.reports.yearly.years import FinancialYear
from sightline.reviews.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    unit = AgencyFactory.create(name="Business Unit")
    admin = UserFactory.create(email="admin@example.test", full_name="Ada Admin")
    MembershipFactory.create(user=admin, agency=unit, role=Role.ADMINISTRATOR)
    executive = UserFactory.create(email="exec@example.test", full_name="Eve Executive")
    MembershipFactory.create(user=executive, agency=unit, role=Role.EXECUTIVE)
    # One child case received in 2023-24: a small figure to confirm before publishing.
    CaseFactory.create(incident_aware_date=datetime.date(2023, 9, 4))
    return {"admin": admin, "executive": executive}


def the_other_chapters_approved(people) -> None:
    """Every chapter but the introduction written and approved, as if done earlier."""
    report = YearlyReport.objects.get(start_year=2023)
    for chapter_id in CHAPTER_IDS:
        if chapter_id == "introduction":
            continue
        chapter = ReportChapter.objects.get(report=report, chapter=chapter_id)
        services.chapter_write(actor=people["admin"], chapter=chapter, text="What we did.")
        services.chapter_approve(actor=people["executive"], chapter=chapter, version=1)


def test_write_approve_check_and_publish_the_yearly_report(visitor, people):
    page = visitor.page
    main = page.locator("main")
    year = FinancialYear(2023)
    visitor.sign_in("admin@example.test", PASSWORD)

    visitor.click(page.get_by_role("link", name="Dashboard", exact=True))
    visitor.click(page.get_by_role("link", name="Yearly report", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Yearly report")
    visitor.click(page.get_by_role("button", name=f"Start the report for {year.label}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Yearly report {year.label}")
    expect(main).to_contain_text("Not written")
    the_other_chapters_approved(people)

    visitor.click(page.get_by_role("link", name="Introduction and context", exact=True))
    expect(main).to_contain_text("Introduce the partnership")
    expect(main).to_contain_text("The chapter's figures")
    page.get_by_label("The chapter's text").fill(
        "Northshire's partners worked together all year.\n\nThis is what changed."
    )
    visitor.click(page.get_by_role("button", name="Save the text"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Version 1")
    expect(main).to_contain_text("another administrator or executive member must approve it")
    visitor.sign_out()

    visitor.sign_in("exec@example.test", PASSWORD)
    visitor.goto(f"/reports/yearly/{year.label}/chapters/introduction/")
    visitor.click(page.get_by_role("button", name="Approve version 1"))
    expect(main).to_contain_text("approved")
    visitor.click(page.get_by_role("link", name="History of this chapter"))
    expect(main).to_contain_text("Version 1 approved")
    visitor.sign_out()

    visitor.sign_in("admin@example.test", PASSWORD)
    visitor.goto(f"/reports/yearly/{year.label}/")
    visitor.click(page.get_by_role("button", name="Statutory contents checklist"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Statutory contents checklist")
    expect(main).to_contain_text("wt.voice")
    expect(main).to_contain_text("Development and impact")
    expect(main).to_contain_text("Small figures about people")
    visitor.click(page.get_by_role("link", name=f"Yearly report {year.label}"))

    visitor.click(page.get_by_role("button", name="Mark ready to publish"))
    expect(main).to_contain_text("Ready to publish")
    visitor.click(page.get_by_role("button", name="Publish the report"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Publish the yearly report {year.label}?"
    )
    visitor.click(page.get_by_role("button", name="Publish the report"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("is safe to publish")
    visitor.check()
    for box in page.get_by_role("checkbox").all():
        box.check()
    visitor.click(page.get_by_role("button", name="Publish the report"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published")
    expect(main).to_contain_text("To be sent to the national panel by")

    visitor.click(page.get_by_role("link", name="Record when it was sent to the national panel"))
    today = datetime.date.today()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    visitor.click(page.get_by_role("button", name="Save the date"))
    expect(main).to_contain_text("recorded by Ada Admin")

    visitor.click(page.get_by_role("link", name="Record who it was sent to"))
    page.get_by_label("Healthwatch", exact=True).check()
    page.get_by_label("Organisation (optional)").fill("Healthwatch Northshire")
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    visitor.click(page.get_by_role("button", name="Save", exact=True))
    expect(main).to_contain_text("Healthwatch, Healthwatch Northshire")
