"""What browsers and proxies may keep: nothing signed in, public hub pages for minutes."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.mark.parametrize("name", ["accounts:home", "core:audit_trail", "core:audit_trail_export"])
def test_signed_in_pages_and_downloads_are_never_stored(admin_client, name):
    response = admin_client.get(reverse(name))

    assert response.status_code == 200
    assert {"no-store", "private"} <= _directives(response)


def test_the_sign_in_page_is_not_stored_either(client):
    response = client.get(reverse("accounts:sign_in"))

    assert "no-store" in _directives(response)


def test_a_public_hub_page_may_be_cached_by_anyone_for_minutes(client):
    response = client.get(reverse("hub:index"))

    assert {"public", "max-age=300"} <= _directives(response)
    assert "no-store" not in _directives(response)


def test_a_hub_page_seen_signed_in_is_not_stored(admin_client):
    response = admin_client.get(reverse("hub:index"))

    assert {"no-store", "private"} <= _directives(response)
    assert "public" not in _directives(response)
