"""The generated yearly report in a real browser, with axe and the 320 pixel reflow check
on every page: a review officer reads the report for a year and asks for it as a Word file."""

import datetime

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.reviews.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def officer():
    agency = AgencyFactory.create(name="Northshire Council")
    user = UserFactory.create(email="officer@example.test", full_name="Rhys Officer")
    MembershipFactory.create(user=user, agency=agency, role=Role.REVIEW_OFFICER)
    CaseFactory.create(reference="CR-2023-07", incident_aware_date=datetime.date(2023, 7, 3))
    return user


def test_officer_reads_the_yearly_report_and_asks_for_the_word_file(visitor, officer):
    page = visitor.page
    main = page.locator("main")
    visitor.sign_in("officer@example.test", PASSWORD)

    visitor.goto("/reports/yearly/2023-24/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Yearly report 2023-24")
    expect(main.get_by_role("heading", level=2, name="Practice reviews: activity and impact"))
    expect(main.get_by_role("img", name="Cases received in 2023-24, by route")).to_be_visible()
    received = main.get_by_role("table", name="Cases received in 2023-24, by route")
    expect(received).to_contain_text("Child serious incident")
    expect(main).to_contain_text("This chapter has not been written yet.")

    visitor.click(
        main.get_by_role("link", name="Download the yearly report 2023-24 as a Word document")
    )
    expect(main).to_contain_text("The yearly report 2023-24 is ready to download")
