"""An administrator finds an email the mail server refused, sends it again and moves a
schedule, in a real browser with axe on every page."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.core.models import OutboxMessage, ScheduleSetting
from sightline.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_sends_again_an_email_not_sent_and_moves_a_schedule(visitor, make_user):
    make_user(Role.ADMINISTRATOR, email="admin@example.test")
    OutboxMessage.objects.create(
        key="test:refused",
        kind="reviews.deadline_reminder",
        recipient="no-such-person@police.example.test",
        subject="Overdue: CR-2026-04 rapid review",
        status=OutboxMessage.Status.DEAD,
        attempts=1,
        last_error="The mail server answered 550 No such mailbox here",
    )
    visitor.sign_in("admin@example.test", PASSWORD)
    visitor.click(visitor.page.get_by_role("link", name="Check emails and background work"))
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Emails and background work")
    expect(visitor.page.get_by_text("550 No such mailbox here")).to_be_visible()

    visitor.click(visitor.page.get_by_role("button", name="Send again to no-such-person"))
    expect(visitor.page.locator(".govuk-notification-banner")).to_contain_text("will be sent again")
    # In the tests jobs run at once, and the test mail backend accepts the address.
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT

    card = visitor.page.locator(".govuk-summary-card", has_text="Case deadline reminders")
    card.get_by_label("Time").fill("06:45")
    visitor.click(card.get_by_role("button", name="Save Case deadline reminders"))
    expect(visitor.page.locator(".govuk-notification-banner")).to_contain_text(
        "Case deadline reminders runs at 06:45"
    )
    assert ScheduleSetting.objects.get(schedule="reviews.deadline_reminders").run_at.hour == 6

    card = visitor.page.locator(".govuk-summary-card", has_text="Case deadline reminders")
    card.get_by_label("Time").fill("7 o'clock")
    visitor.click(card.get_by_role("button", name="Save Case deadline reminders"))
    expect(visitor.page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a time on the 24-hour clock"
    )
