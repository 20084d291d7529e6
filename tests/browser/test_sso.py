"""Single sign-on in a browser, against the real OpenID Connect provider on loopback: the
button, the provider's sign-in page, the page saying an administrator must confirm, the
administrator's confirmation, and signing in; axe checks every Sightline page."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.sso_config import OidcProvider
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.accounts.tests.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    callback_uris,
    provider_running,
    skip_unless_provider_runs,
)
from sightline.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)

AGENCY = "Northshire Council Children's Services"


@pytest.fixture
def provider(live_server, settings):
    skip_unless_provider_runs()
    with provider_running(callback_uris(live_server.url)) as running:
        settings.SIGHTLINE_BASE_URL = live_server.url
        settings.SIGHTLINE_OIDC_PROVIDERS = (
            OidcProvider(
                key="northshire",
                name="Northshire Council",
                issuer=running.issuer,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                agencies=(AGENCY,),
                trust_mfa=True,
            ),
        )
        yield running


def _sign_in_with_provider(visitor, provider, account: str | None) -> None:
    """Press the button; at the provider's page type ``account`` (None: the provider
    remembers the person and sends them straight back)."""
    page = visitor.page
    visitor.goto("/sign-in/")
    page.get_by_role("link", name="Sign in with Northshire Council").click()
    if account is None:
        page.wait_for_url(f"{visitor.base_url}/")
    else:
        page.wait_for_url(f"{provider.issuer}/interaction/**")
        page.locator("input[name=login]").fill(account)
        page.locator("input[name=password]").fill("any password")
        page.locator("button[type=submit]").click()
        page.wait_for_url(f"{visitor.base_url}/sign-in/sso/northshire/callback/**")
    page.wait_for_load_state()
    visitor.check()


def test_single_sign_on_end_to_end(visitor, provider):
    agency = AgencyFactory(name=AGENCY)
    admin = UserFactory.create(email="admin@example.test", full_name="Ada Administrator")
    MembershipFactory(user=admin, agency=agency, role=Role.ADMINISTRATOR)
    alex = UserFactory.create(email="alex.morgan@northshire.example", full_name="Alex Morgan")
    MembershipFactory(user=alex, agency=agency, role=Role.PRACTITIONER)
    page = visitor.page

    _sign_in_with_provider(visitor, provider, "alex-sub")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "An administrator must confirm your sign-in"
    )

    visitor.sign_in("admin@example.test", PASSWORD)
    visitor.goto("/single-sign-on/")
    visitor.click(page.get_by_role("link", name="Alex Morgan"))
    page.get_by_label("Yes, link this sign-in to the account chosen").check()
    expect(page.get_by_label("Sightline account")).to_have_value(str(alex.pk))
    visitor.click(page.get_by_role("button", name="Save decision"))
    expect(page.get_by_text("No requests are waiting.")).to_be_visible()
    visitor.goto(f"/users/{alex.pk}/")
    expect(page.get_by_role("button", name="Unlink Northshire Council")).to_be_visible()
    visitor.sign_out()

    _sign_in_with_provider(visitor, provider, None)
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
