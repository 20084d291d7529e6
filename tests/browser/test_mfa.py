"""Second factors in a real browser: an authenticator app set up from the page's key, and a
passkey made and used through Chromium's virtual authenticator. WebAuthn refuses 127.0.0.1,
so the live server is reached as localhost and Sightline's base URL says so."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp

from conftest import PASSWORD
from sightline.accounts.models import Passkey, SignInMethod, UserSession
from sightline.core.roles import Role


@pytest.fixture
def enforced(settings, live_server):
    settings.SIGHTLINE_MFA_ENFORCED = True
    settings.SIGHTLINE_BASE_URL = live_server.url
    settings.SIGHTLINE_WEBAUTHN_RP_ID = ""
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    assert live_server.url.startswith("http://localhost:")


def test_setting_up_and_using_an_authenticator_app(visitor, make_user, enforced):
    user = make_user(Role.ADMINISTRATOR, email="app.user@example.test")
    visitor.sign_in(user.email, PASSWORD)
    page = visitor.page
    assert "/account/second-factor/" in page.url
    assert page.get_by_role("heading", name="Set up a second factor").is_visible()
    visitor.click(page.get_by_role("link", name="Set up an authenticator app"))
    assert page.locator("svg.sightline-qr").is_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    code = f"{totp(key):06d}"
    page.get_by_label("Code from your authenticator app").fill(code)
    visitor.click(page.get_by_role("button", name="Continue"))
    assert page.get_by_role("heading", name="Your recovery codes").is_visible()
    codes = re.findall(r"[A-Z0-9]{5}-[A-Z0-9]{5}", page.locator("#recovery-codes").inner_text())
    assert len(codes) == 10
    recovery = codes[0]
    visitor.click(page.get_by_role("button", name="Continue"))
    visitor.goto("/account/")
    assert page.locator("dt", has_text="Authenticator app").is_visible()
    visitor.sign_out()
    # Signing in again asks for a code; the one used a moment ago is refused (as used already
    # or, should its time step have passed on a slow machine, as no longer right).
    visitor.sign_in(user.email, PASSWORD)
    assert page.get_by_role("heading", name="Confirm it is you").is_visible()
    page.get_by_label("Code from your authenticator app").fill(code)
    visitor.click(page.get_by_role("button", name="Continue"))
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.get_by_role("heading", name="Confirm it is you").is_visible()
    # A recovery code instead.
    visitor.click(page.get_by_role("link", name="Use a recovery code"))
    page.get_by_label("Recovery code").fill(recovery)
    visitor.click(page.get_by_role("button", name="Continue"))
    assert "You have 9 recovery codes left" in page.content()


def test_registering_a_passkey_and_signing_in_with_it(visitor, make_user, enforced):
    user = make_user(Role.REVIEW_OFFICER, email="passkey.user@example.test")
    page = visitor.page
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    visitor.sign_in(user.email, PASSWORD)
    visitor.click(page.get_by_role("link", name="Set up a passkey or security key"))
    page.get_by_label("Name for this passkey or security key").fill("Work laptop")
    visitor.click(page.get_by_role("button", name="Continue"))
    assert page.get_by_role("heading", name="Your recovery codes").is_visible()
    assert Passkey.objects.get(user=user).name == "Work laptop"
    visitor.click(page.get_by_role("button", name="Continue"))
    visitor.sign_out()
    visitor.sign_in(user.email, PASSWORD)
    assert page.get_by_role("heading", name="Confirm it is you").is_visible()
    visitor.click(page.get_by_role("button", name="Use your passkey or security key"))
    assert page.url.rstrip("/") == visitor.base_url
    assert UserSession.objects.get(user=user).method == SignInMethod.PASSWORD_AND_PASSKEY
    assert Passkey.objects.get(user=user).last_used_at is not None
