"""Forms work without a script: the case form in two steps (route, then that route's
questions, and the route can be changed), and the confirmation pages. Axe checks each page."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.reviews.models import Case
from tests.browser.conftest import Visitor

pytestmark = pytest.mark.django_db(transaction=True)


class VisitorWithoutScript(Visitor):
    """A visitor whose browser runs no script. Axe needs script (it waits on timers), so each
    page is checked as rendered: its HTML, scripts taken out, shown in a second page."""

    def __init__(self, page, checker, base_url: str) -> None:
        super().__init__(page, base_url)
        self.checker = checker

    def check(self) -> None:
        html = re.sub(r"<script\b.*?</script>", "", self.page.content(), flags=re.S)
        html = html.replace("<head>", f'<head><base href="{self.base_url}/">', 1)
        self.checker.set_content(html)
        results = self.axe.run(self.checker)
        assert results.violations_count == 0, (
            f"Accessibility violations on {self.page.url}:\n{results.generate_report()}"
        )
        self.checked.append(self.page.url)


@pytest.fixture
def visitor_without_script(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    checking = browser.new_context(base_url=live_server.url)
    yield VisitorWithoutScript(context.new_page(), checking.new_page(), live_server.url)
    context.close()
    checking.close()


@pytest.fixture
def officer():
    user = UserFactory.create(email="officer@example.test", full_name="Olive Officer")
    MembershipFactory.create(user=user, agency=AgencyFactory.create(), role=Role.REVIEW_OFFICER)
    return user


def test_the_case_form_asks_the_route_first_without_a_script(visitor_without_script, officer):
    visitor = visitor_without_script
    visitor.sign_in("officer@example.test", PASSWORD)
    page = visitor.page
    visitor.goto("/cases/new/")
    expect(page.get_by_label("Reference")).to_be_hidden()

    page.get_by_label("Safeguarding adult review").check()
    visitor.click(page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("group", name="Referral received")).to_be_visible()
    expect(page.locator("#id_child-incident_aware_date_day")).to_be_hidden()
    outcomes = page.locator("#id_adult-outcome option")
    expect(outcomes).to_have_text(
        [
            "Not decided yet",
            "Safeguarding adult review (mandatory)",
            "Safeguarding adult review (discretionary)",
            "No safeguarding adult review",
        ]
    )
    page.get_by_label("Reference").fill("SAR-2026-01")

    # Changing the route and saving shows the new route's questions, keeping what was typed.
    page.get_by_label("Domestic homicide review").check()
    visitor.click(page.get_by_role("button", name="Save case"))
    expect(page.get_by_label("Reference")).to_have_value("SAR-2026-01")
    expect(page.locator("#id_dhr-home_office_sent_date_day")).to_be_visible()
    expect(page.locator("#id_adult-referral_date_day")).to_be_hidden()
    assert not Case.objects.exists()

    referral = datetime.date.today() - datetime.timedelta(days=20)
    page.locator("#id_dhr-referral_date_day").fill(str(referral.day))
    page.locator("#id_dhr-referral_date_month").fill(str(referral.month))
    page.locator("#id_dhr-referral_date_year").fill(str(referral.year))
    page.locator("#id_dhr-outcome").select_option(label="Domestic homicide review")
    visitor.click(page.get_by_role("button", name="Save case"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("SAR-2026-01 has been saved")
    case = Case.objects.get()
    assert (case.route, case.outcome, case.referral_date) == ("dhr", "dhr", referral)


def test_the_case_form_names_problems_in_words(visitor_without_script, officer):
    visitor = visitor_without_script
    visitor.sign_in("officer@example.test", PASSWORD)
    page = visitor.page
    visitor.goto("/cases/new/?route=local")
    page.get_by_label("Reference").fill("LLR-2026-01")
    for field, value in (
        ("referral_date", datetime.date(2026, 3, 10)),
        ("decision_date", datetime.date(2026, 3, 2)),
    ):
        page.locator(f"#id_local-{field}_day").fill(str(value.day))
        page.locator(f"#id_local-{field}_month").fill(str(value.month))
        page.locator(f"#id_local-{field}_year").fill(str(value.year))
    visitor.click(page.get_by_role("button", name="Save case"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "Decision made (2 March 2026) must be the same as or after referral received "
        "(10 March 2026)"
    )
    expect(summary).not_to_contain_text("decision_date")
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_local-decision_date_day")).to_be_focused()
