"""The pages the sign-in and email limits show, in a real browser, checked with axe and at
320 pixels wide."""

import pytest
from playwright.sync_api import expect

from sightline.accounts import throttle
from sightline.accounts.models import ThrottleHit
from sightline.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_refused_sign_in_says_when_to_try_again(visitor):
    user = UserFactory(email="rowan.reviewer@example.test")
    for _ in range(throttle.sign_in_limits()[throttle.ACCOUNT_AND_CLIENT].limit + 1):
        visitor.goto("/sign-in/")
        visitor.page.get_by_label("Email address").fill(user.email)
        visitor.page.get_by_label("Password").fill("not the password at all")
        visitor.click(visitor.page.get_by_role("button", name="Sign in"))
    summary = visitor.page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("too many failed attempts to sign in")
    expect(summary).to_contain_text("(UK time)")


def test_too_many_reset_requests_from_one_network_says_when_to_try_again(visitor):
    per_client = throttle.email_limits("reset")[1]
    key = throttle._key("client", "127.0.0.1")
    ThrottleHit.objects.bulk_create(
        [ThrottleHit(scope=per_client.scope, key=key) for _ in range(per_client.limit)]
    )
    visitor.goto("/password-reset/")
    visitor.page.get_by_label("Email address").fill("someone@example.test")
    visitor.click(visitor.page.get_by_role("button"))
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Try again later")
    expect(visitor.page.locator("main")).to_contain_text("(UK time)")
