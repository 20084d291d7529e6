"""A large case file through the progress pages in a real browser: the page follows the
job by itself (no reload), then leads to the preview, the import and the cases."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core import jobs
from sightline.core.roles import Role
from sightline.core.views import BACKGROUND_IMPORT_LINES
from sightline.reviews.models import Case

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = BACKGROUND_IMPORT_LINES + 100


@pytest.fixture
def queued(monkeypatch):
    """Jobs wait here instead of running at once, so the page is seen while they wait."""
    waiting: list[str] = []
    monkeypatch.setattr(jobs, "_enqueue_after_commit", lambda pk: waiting.append(str(pk)))
    return waiting


def run_waiting(queued: list[str]) -> None:
    while queued:
        jobs.run_background_job.call(queued.pop(0))


def test_a_large_upload_goes_through_the_progress_page(visitor, queued, tmp_path):
    user = UserFactory.create(email="officer@example.test")
    MembershipFactory.create(user=user, agency=AgencyFactory.create(), role=Role.REVIEW_OFFICER)
    big = tmp_path / "big.csv"
    big.write_text(
        "reference,route,incident_aware_date\n"
        + "".join(f"BIG-{n:05d},child,2021-04-03\n" for n in range(ROWS))
    )
    visitor.sign_in("officer@example.test", PASSWORD)
    visitor.goto("/cases/import/")
    page = visitor.page
    page.get_by_label("Case file").set_input_files(str(big))
    visitor.click(page.get_by_role("button", name="Check the file"))
    expect(page.get_by_role("heading", name="Check the case file big.csv")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Waiting to start")
    expect(page.get_by_role("button", name="Check progress")).to_be_visible()

    page.evaluate("window.stayedOnThePage = true")
    run_waiting(queued)
    expect(page.get_by_role("button", name="Check what will change")).to_be_visible()
    expect(page.locator("#job-announce")).to_contain_text("The file has no problems")
    assert page.evaluate("window.stayedOnThePage") is True  # updated without a reload
    visitor.check()

    visitor.click(page.get_by_role("button", name="Check what will change"))
    expect(page.locator("main")).to_contain_text(f"New cases ({ROWS:,})")
    visitor.click(page.get_by_role("button", name="Import"))
    expect(page.get_by_role("heading", name="Import big.csv")).to_be_visible()
    run_waiting(queued)
    expect(page.locator("main")).to_contain_text(f"Import finished: {ROWS} cases were created")
    visitor.check()
    visitor.click(page.get_by_role("button", name="Go to the cases"))
    assert Case.objects.count() == ROWS
