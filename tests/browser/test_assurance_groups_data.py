"""Groups and data scrutiny in a real browser, with axe on every page: a group, its meeting
and assurance return, the roll-up to the Executive, a measure's chart, entering a figure, and
an upload refused for an unknown measure then a good one imported."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.models import DataPoint
from sightline.assurance.quarters import Quarter
from sightline.assurance.tests.factories import (
    DataPointFactory,
    GroupFactory,
    MeasureFactory,
)
from sightline.core.roles import Role
from sightline.learning.tests.factories import ActionFactory
from sightline.learning.vocabulary import ActionStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def administrator():
    unit = AgencyFactory.create(name="Business Unit")
    user = UserFactory.create(email="admin@example.test", full_name="Ada Administrator")
    MembershipFactory.create(user=user, agency=unit, role=Role.ADMINISTRATOR)
    return user


def last_quarter() -> Quarter:
    return Quarter.containing(timezone.localdate()).previous()


def test_administrator_sets_up_a_group_records_a_meeting_and_gives_its_return(
    visitor, administrator
):
    police = AgencyFactory.create(name="Northshire Constabulary")
    officer = UserFactory.create(full_name="Sam Sergeant")
    officer_label = f"Sam Sergeant ({officer.email})"
    MembershipFactory.create(user=officer, agency=police, role=Role.AGENCY_LEAD)
    ActionFactory.create(reference="LR-2026-01/A1", status=ActionStatus.ON_TRACK)
    quarter = last_quarter()
    page = visitor.page
    main = page.locator("main")

    visitor.sign_in("admin@example.test", PASSWORD)
    visitor.goto("/assurance/groups/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Groups and governance")
    visitor.click(page.get_by_role("button", name="Add a group"))
    page.get_by_label("Name").fill("Missing children group")
    page.get_by_role("group", name="Kind of group").get_by_label("Subgroup").check()
    page.get_by_label("Terms of reference (optional)").fill(
        "Meets every two months.\n\nQuorate with three partners."
    )
    page.get_by_label("Chair (optional)").select_option(
        label="Ada Administrator (admin@example.test)"
    )
    visitor.click(page.get_by_role("button", name="Save"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Missing children group has been saved"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Missing children group")
    expect(main).to_contain_text("Quorate with three partners.")

    visitor.click(page.get_by_role("button", name="Add a member"))
    page.get_by_label("Agency").select_option(label="Northshire Constabulary")
    page.get_by_label("Person (optional)").select_option(label=officer_label)
    page.get_by_label("Role on the group (optional)").fill("Vice chair")
    visitor.click(page.get_by_role("button", name="Add the member"))
    expect(main).to_contain_text("Sam Sergeant, Vice chair")

    visitor.click(page.get_by_role("button", name="Record a meeting"))
    date = page.get_by_role("group", name="Date of the meeting")
    date.get_by_label("Day").fill("14")
    date.get_by_label("Month").fill(str(quarter.start.month + 1))
    date.get_by_label("Year").fill(str(quarter.start.year))
    page.get_by_label("Decisions (optional)").fill("Ask schools for return interviews\nAudit MACE")
    page.get_by_label("Actions agreed (optional)").fill("LR-2026-01/A1, LR-NOPE")
    visitor.click(page.get_by_role("button", name="Save the meeting"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "LR-NOPE is not an action in the learning tracker"
    )
    page.get_by_label("Actions agreed (optional)").fill("LR-2026-01/A1")
    visitor.click(page.get_by_role("button", name="Save the meeting"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Meeting on 14 ")
    expect(main).to_contain_text("Audit MACE")
    expect(page.locator("tbody")).to_contain_text("On track")

    visitor.click(main.get_by_role("link", name="Missing children group"))
    visitor.click(page.get_by_role("button", name=f"Give the assurance return for {quarter.label}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Assurance return for {quarter.label}"
    )
    page.get_by_role("group", name="How assured is the group?").get_by_label(
        "Partially assured"
    ).check()
    page.get_by_label("Summary").fill("We looked at return interviews.")
    visitor.click(page.get_by_role("button", name="Give the return"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Describe the exceptions")
    page.get_by_label("Exceptions").fill("Return interviews are late in the north.")
    page.get_by_label("Escalations to the Executive (optional)").fill("Ask the council to act.")
    visitor.click(page.get_by_role("button", name="Give the return"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"assurance return for {quarter.label} has been saved"
    )
    expect(main).to_contain_text("Partially assured")

    visitor.goto("/assurance/returns/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Assurance returns for {quarter.label}"
    )
    row = page.get_by_role("row", name=re.compile("^Missing children group"))
    expect(row).to_contain_text("Partially assured")
    expect(row).to_contain_text("Return interviews are late in the north.")
    expect(row).to_contain_text("Ask the council to act.")
    page.get_by_label("Quarter").select_option(value=quarter.previous().label)
    visitor.click(page.get_by_role("button", name="Show the quarter"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Assurance returns for {quarter.previous().label}"
    )


def test_administrator_reads_a_chart_enters_a_figure_and_uploads_a_dataset(visitor, administrator):
    quarter = last_quarter()
    group = GroupFactory.create(name="Adults' assurance subgroup")
    neglect = MeasureFactory.create(
        code="SAC-S42-NEGLECT",
        name="Section 42 enquiries: neglect",
        dataset="Safeguarding Adults Collection",
        group=group,
        threshold=Decimal(40),
        direction="above",
    )
    earlier = quarter.previous().previous()
    DataPointFactory.create(measure=neglect, quarter_start=earlier.start, value=Decimal(31))
    DataPointFactory.create(measure=neglect, quarter_start=quarter.previous().start, value=44)
    page = visitor.page
    main = page.locator("main")

    visitor.sign_in("admin@example.test", PASSWORD)
    visitor.goto("/assurance/data/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data scrutiny")
    expect(main).to_contain_text("1 measure raises an exception")
    visitor.click(page.get_by_role("link", name="Section 42 enquiries: neglect"))
    chart = page.get_by_role("img", name="Section 42 enquiries: neglect, by quarter")
    expect(chart).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Exception")

    visitor.click(page.get_by_role("button", name="Enter a figure"))
    page.get_by_label("Quarter").select_option(value=quarter.label)
    page.get_by_label("Figure").fill("lots")
    visitor.click(page.get_by_role("button", name="Save the figure"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("is not a number")
    page.get_by_label("Figure").fill("38")
    visitor.click(page.get_by_role("button", name="Save the figure"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"The figure for {quarter.label} has been saved: 38."
    )
    expect(page.get_by_role("row", name=re.compile(f"^{quarter.label}"))).to_contain_text("38")

    visitor.goto("/assurance/data/upload/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a dataset")
    bad = (
        "measure_code,quarter,value\n"
        f"SAC-S42-NEGLECT,{quarter.label},39\n"
        f"SAC-S42-UNKNOWN,{quarter.label},4\n"
    )
    page.get_by_label("Dataset file").set_input_files(
        files=[{"name": "figures.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    visitor.click(page.get_by_role("button", name="Check the file"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The file was not uploaded")
    expect(main).to_contain_text("line 3, column measure_code: 'SAC-S42-UNKNOWN' is not a measure")
    assert DataPoint.objects.get(measure=neglect, quarter_start=quarter.start).value == 38

    good = (
        "measure_code,quarter,value,note\n"
        f"SAC-S42-NEGLECT,{quarter.label},45,Checked with the council\n"
    )
    page.get_by_label("Dataset file").set_input_files(
        files=[{"name": "figures.csv", "mimeType": "text/csv", "buffer": good.encode()}]
    )
    visitor.click(page.get_by_role("button", name="Check the file"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the upload of figures.csv")
    expect(main).to_contain_text("0 new figures, 1 changed, 0 unchanged")
    visitor.click(page.get_by_role("button", name="Save the figures"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Import finished")
    assert DataPoint.objects.get(measure=neglect, quarter_start=quarter.start).value == 45

    visitor.click(page.get_by_role("link", name="Section 42 enquiries: neglect"))
    expect(page.get_by_role("row", name=re.compile(f"^{quarter.label}"))).to_contain_text(
        "Checked with the council"
    )
