"""Case reviews in a real browser, with axe on every page."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.reviews import services
from sightline.reviews.tests.factories import CaseFactory
from tests.contract import EXAMPLES

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    unit = AgencyFactory.create(name="Business Unit")
    police = AgencyFactory.create(name="Northshire Constabulary")
    made = {}
    for role, agency in [
        (Role.ADMINISTRATOR, unit),
        (Role.REVIEW_OFFICER, unit),
        (Role.AGENCY_LEAD, police),
        (Role.EXECUTIVE, unit),
    ]:
        user = UserFactory.create(
            email=f"{role.slug}@example.test", full_name=f"{role.label} Person"
        )
        MembershipFactory.create(user=user, agency=agency, role=role)
        made[role] = user
    case = CaseFactory.create(
        reference="CR-2026-01",
        pseudonym="Child P",
        officer=made[Role.REVIEW_OFFICER],
        incident_aware_date=datetime.date.today() - datetime.timedelta(days=10),
        panel_notified_date=None,
        opened_on=datetime.date.today() - datetime.timedelta(days=10),
        stage="notification",
        restricted_summary="Restricted words",
    )
    case.agencies.add(police)
    services.deadlines_refresh()
    return made


def test_review_officer_records_a_case_from_referral_to_decision(visitor, people):
    visitor.sign_in(f"{Role.REVIEW_OFFICER.slug}@example.test", PASSWORD)
    page = visitor.page
    expect(page.get_by_role("heading", name="Case review deadlines")).to_be_visible()
    expect(page.locator("main")).to_contain_text("CR-2026-01")

    visitor.click(page.get_by_role("link", name="Cases").first)
    visitor.click(page.get_by_role("button", name="Add a case"))
    # The route comes first; choosing it shows that route's questions (the script needs no
    # second step).
    expect(page.get_by_label("Reference")).to_be_hidden()
    page.get_by_label("Child serious incident").check()
    expect(page.get_by_role("button", name="Continue")).to_be_hidden()
    page.get_by_label("Reference").fill("CR-2026-02")
    expect(page.get_by_role("group", name="Referral received")).to_have_count(0)
    page.locator("#id_child-incident_aware_date_day").fill("31")
    page.locator("#id_child-incident_aware_date_month").fill("2")
    page.locator("#id_child-incident_aware_date_year").fill("2026")
    page.get_by_role("button", name="Save case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a real date")
    visitor.check()
    page.locator("#id_child-incident_aware_date_day").fill("2")
    page.locator("#id_child-incident_aware_date_month").fill("3")
    page.locator("#id_child-panel_notified_date_day").fill("10")
    page.locator("#id_child-panel_notified_date_month").fill("3")
    page.locator("#id_child-panel_notified_date_year").fill("2026")
    page.get_by_role("button", name="Save case").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("CR-2026-02 has been saved")
    visitor.check()
    expect(page.locator("main")).to_contain_text("Panel notified within 5 working days")
    expect(page.locator("main")).to_contain_text("Missed")

    visitor.click(page.get_by_role("button", name="Record a decision"))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what was decided")
    visitor.check()
    page.locator("#id_decided_on_day").fill("20")
    page.locator("#id_decided_on_month").fill("3")
    page.locator("#id_decided_on_year").fill("2026")
    page.get_by_label("What was decided").fill("Hold a local child safeguarding practice review")
    page.get_by_label("Why").fill("Learning about information sharing")
    page.get_by_label("Decided by").fill("Practice review group")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("decision has been recorded")
    visitor.check()
    visitor.click(page.get_by_role("button", name="Record a reason for delay"))

    visitor.goto("/deadlines/")
    page.get_by_role("button", name="Get a calendar address").click()
    expect(page.locator("code")).to_contain_text("/calendar/")
    visitor.check()
    visitor.goto("/timeliness/")
    visitor.click(
        page.get_by_role("link", name=re.compile("applicable cases for child.notification"))
    )
    expect(page.locator("tbody")).to_contain_text("CR-2026-02")


def test_import_preview_and_confirm(visitor, people):
    visitor.sign_in(f"{Role.REVIEW_OFFICER.slug}@example.test", PASSWORD)
    visitor.goto("/cases/import/")
    page = visitor.page
    page.get_by_label("Case file").set_input_files(str(EXAMPLES / "cases.csv"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("main")).to_contain_text("6 cases would be created")
    visitor.check()
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("6 cases were created")
    visitor.check()
    visitor.goto("/timeliness/?as_at_day=30&as_at_month=4&as_at_year=2025")
    expect(page.locator("tbody")).to_contain_text("Rapid review sent within 15 working days")


def test_agency_lead_sees_the_case_but_not_its_restricted_details(visitor, people):
    visitor.sign_in(f"{Role.AGENCY_LEAD.slug}@example.test", PASSWORD)
    visitor.goto("/cases/")
    visitor.click(visitor.page.get_by_role("link", name="CR-2026-01"))
    expect(visitor.page.locator("main")).to_contain_text("shown only to people on the case")
    expect(visitor.page.locator("main")).not_to_contain_text("Restricted words")


def test_administrator_settings_pages(visitor, people):
    visitor.sign_in(f"{Role.ADMINISTRATOR.slug}@example.test", PASSWORD)
    for path in [
        "/timeliness/standards/",
        "/timeliness/standards/new/",
        "/themes/",
        "/working-days/",
    ]:
        visitor.goto(path)
    visitor.page.get_by_role("button", name="Add closure day").click()
    expect(visitor.page.locator(".govuk-error-summary")).to_contain_text("Enter the date")
    visitor.check()


def test_executive_sees_timeliness_on_the_home_page(visitor, people):
    visitor.sign_in(f"{Role.EXECUTIVE.slug}@example.test", PASSWORD)
    expect(
        visitor.page.get_by_role("heading", name="Timeliness this financial year")
    ).to_be_visible()


def test_learning_tracker_import_and_report(visitor, people):
    services.import_cases(
        actor=None, name="cases.csv", content=(EXAMPLES / "cases.csv").read_bytes()
    )
    visitor.sign_in(f"{Role.REVIEW_OFFICER.slug}@example.test", PASSWORD)
    page = visitor.page
    visitor.click(page.get_by_role("link", name="Learning", exact=True))
    visitor.click(page.get_by_role("button", name="Import a learning tracker"))
    page.get_by_label("Learning tracker file").set_input_files(str(EXAMPLES / "learning.csv"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("main")).to_contain_text("is not an agency Sightline knows")
    visitor.check()
    page.get_by_label("Learning tracker file").set_input_files(str(EXAMPLES / "learning.csv"))
    page.get_by_label("Add agencies Sightline does not know yet").check()
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("main")).to_contain_text("recommendations: 5 created")
    visitor.check()
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Import finished")
    visitor.check()
    expect(page.locator("main")).to_contain_text("Covered by the existing pre-birth protocol")


def test_agency_lead_updates_an_action_and_an_administrator_signs_it_off(
    visitor, people, browser, live_server
):
    from sightline.learning import services as learning
    from sightline.learning.models import Recommendation

    rec = Recommendation.objects.create(
        reference="AUD-1/R1",
        source_type="audit",
        source_title="Neglect audit",
        text="Use the neglect toolkit.",
        made_date=datetime.date(2024, 1, 10),
    )
    police = people[Role.AGENCY_LEAD].memberships.get().agency
    learning.action_save(
        actor=None,
        action=None,
        recommendation=rec,
        data={
            "reference": "AUD-1/R1/A1",
            "agency": police,
            "description": "Train response officers",
            "due_date": datetime.date(2024, 6, 30),
        },
    )

    visitor.sign_in(f"{Role.AGENCY_LEAD.slug}@example.test", PASSWORD)
    page = visitor.page
    visitor.click(page.get_by_role("link", name="Learning", exact=True))
    visitor.click(page.get_by_role("link", name="Actions"))
    visitor.click(page.get_by_role("link", name="Show my agency's actions"))
    visitor.click(page.get_by_role("link", name="AUD-1/R1/A1"))
    visitor.click(page.get_by_role("button", name="Record evidence"))
    page.get_by_label("Dissemination", exact=True).check()
    page.get_by_label("What was done, or what changed").fill("Briefing at every shift change")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("evidence has been recorded")
    visitor.check()
    visitor.click(page.get_by_role("button", name="Record progress"))
    page.get_by_label("On track").check()
    page.get_by_label("Update").fill("Two of three teams briefed")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Two of three teams briefed")
    visitor.check()
    # The agency lead may not sign the action off: no closing form, but who can.
    expect(page.get_by_role("button", name="Close the action")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Partnership administrator Person")
    expect(page.locator("main")).to_contain_text("to close it and sign it off")
    visitor.sign_out()

    visitor.sign_in(f"{Role.ADMINISTRATOR.slug}@example.test", PASSWORD)
    visitor.goto("/learning/themes/")
    visitor.goto(f"/learning/recommendations/{rec.pk}/")
    page.get_by_role("link", name="AUD-1/R1/A1").click()
    visitor.click(page.get_by_role("button", name="Close the action"))
    page.get_by_label("Complete", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("closed and signed off")
    visitor.check()
    expect(page.locator("main")).to_contain_text("Signed off by")


def test_agency_lead_makes_a_dissemination_return(visitor, people):
    case = CaseFactory.create(reference="CR-2025-07", published_date=datetime.date(2025, 9, 1))
    police = people[Role.AGENCY_LEAD].memberships.get().agency
    case.agencies.add(police)
    visitor.sign_in(f"{Role.ADMINISTRATOR.slug}@example.test", PASSWORD)
    visitor.goto("/learning/returns/")
    visitor.page.get_by_role("button", name="Ask the agencies").click()
    expect(visitor.page.locator(".govuk-notification-banner")).to_contain_text(
        "1 agencies have been asked"
    )
    visitor.check()
    visitor.sign_out()

    visitor.sign_in(f"{Role.AGENCY_LEAD.slug}@example.test", PASSWORD)
    visitor.goto("/learning/returns/")
    visitor.click(visitor.page.get_by_role("link", name="CR-2025-07"))
    visitor.page.get_by_label("Briefing").check()
    visitor.page.get_by_label("Newsletter").check()
    visitor.page.get_by_label("How many staff it reached").fill("1,042")
    visitor.page.get_by_label("What you did").fill("Briefed every team")
    visitor.page.get_by_role("button", name="Send the return").click()
    expect(visitor.page.locator(".govuk-notification-banner")).to_contain_text(
        "the return has been sent"
    )
    visitor.check()
    expect(visitor.page.locator("tbody")).to_contain_text("1042 staff reached")


def test_review_officer_changes_restricted_details_and_reads_their_history(visitor, people):
    visitor.sign_in(f"{Role.REVIEW_OFFICER.slug}@example.test", PASSWORD)
    visitor.goto("/cases/")
    page = visitor.page
    visitor.click(page.get_by_role("link", name="CR-2026-01"))
    visitor.click(page.get_by_role("link", name="Change the restricted details"))
    page.get_by_label("Summary (restricted)").fill("Newer restricted words")
    visitor.click(page.get_by_role("button", name=re.compile("Save|Continue")))
    expect(page.locator("main")).to_contain_text("Newer restricted words")
    visitor.click(page.get_by_role("link", name="History of the restricted details"))
    main = page.locator("main")
    expect(main).to_contain_text("Newer restricted words")
    expect(main).to_contain_text("by Review officer Person")
    # The audit trail says the summary changed, never what it says.
    visitor.sign_out()
    visitor.sign_in(f"{Role.ADMINISTRATOR.slug}@example.test", PASSWORD)
    visitor.goto(reverse("core:audit_trail"))
    expect(page.locator("main")).not_to_contain_text("Newer restricted words")
