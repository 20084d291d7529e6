"""Headers every response carries: Permissions-Policy always, HSTS when HTTPS is on."""

import pytest
from django.urls import reverse

from sightline.core.middleware import PERMISSIONS_POLICY

pytestmark = pytest.mark.django_db

DENIED = ["camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "midi"]


def _policy(response) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("signed out", "accounts:sign_in"),
        ("signed out", "hub:index"),
        ("signed in", "accounts:home"),
        ("signed in", "core:audit_trail_export"),
        ("signed in", "reviews:case_list"),
    ],
)
def test_every_response_denies_powerful_features(client, admin_client, who, name):
    response = (admin_client if who == "signed in" else client).get(reverse(name))

    policy = _policy(response)
    for feature in DENIED:
        assert policy[feature] == "()", feature


def test_passkeys_stay_allowed_for_sightline_itself(client):
    policy = _policy(client.get(reverse("accounts:sign_in")))

    assert policy["publickey-credentials-get"] == "(self)"
    assert policy["publickey-credentials-create"] == "(self)"


def test_error_pages_and_redirects_carry_it_too(client):
    assert "camera=()" in client.get("/no-such-page/")["Permissions-Policy"]
    assert "camera=()" in client.get(reverse("reviews:case_list"))["Permissions-Policy"]


def test_only_passkeys_are_allowed():
    allowed = {feature for feature, allow in PERMISSIONS_POLICY.items() if allow != "()"}

    assert allowed == {"publickey-credentials-get", "publickey-credentials-create"}


def test_hsts_is_sent_when_https_is_on(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = False

    response = client.get(reverse("accounts:sign_in"), secure=True)

    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
