"""Demonstration mode: a banner on every page; only the demo accounts may skip the second
factor; and never on a real service."""

import pytest
from django.urls import reverse

from conftest import PASSWORD
from sightline.accounts.mfa import second_factor_required
from sightline.accounts.mfa.checks import demo_only_on_loopback
from sightline.core.roles import Role
from tests.test_production_settings import GOOD, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.SIGHTLINE_MFA_ENFORCED = True


def sign_in(client, user):
    return client.post(reverse("accounts:sign_in"), {"email": user.email, "password": PASSWORD})


def test_in_a_demonstration_only_demo_accounts_skip_the_second_factor(client, make_user, settings):
    settings.SIGHTLINE_DEMO = True
    demo = make_user(Role.ADMINISTRATOR, email="partnership-administrator@demo.sightline.test")
    other = make_user(Role.ADMINISTRATOR, email="made.in.the.demo@example.test")
    lookalike = make_user(Role.ADMINISTRATOR, email="x@demo.sightline.test.evil.example")
    assert not second_factor_required(demo)
    assert second_factor_required(other)
    assert second_factor_required(lookalike)
    sign_in(client, demo)
    page = client.get(reverse("accounts:user_list"))
    assert page.status_code == 200
    assert "This is a demonstration of Sightline" in page.content.decode()
    client.post(reverse("accounts:sign_out"))
    sign_in(client, other)
    assert client.get(reverse("accounts:user_list"))["Location"].startswith(
        reverse("accounts:mfa_setup")
    )


def test_without_the_demonstration_every_account_must(client, make_user, settings):
    settings.SIGHTLINE_DEMO = False
    demo = make_user(Role.ADMINISTRATOR, email="partnership-administrator@demo.sightline.test")
    assert second_factor_required(demo)
    sign_in(client, demo)
    assert client.get(reverse("accounts:user_list"))["Location"].startswith(
        reverse("accounts:mfa_setup")
    )
    page = client.get(reverse("accounts:sign_in")).content.decode()
    assert "This is a demonstration" not in page


def test_the_check_refuses_a_demonstration_served_to_others(settings):
    settings.SIGHTLINE_DEMO = True
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.SESSION_COOKIE_SECURE = False
    assert demo_only_on_loopback() == []
    settings.ALLOWED_HOSTS = ["sightline.example.org"]
    assert [error.id for error in demo_only_on_loopback()] == ["sightline.mfa.E001"]
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.SESSION_COOKIE_SECURE = True
    assert [error.id for error in demo_only_on_loopback()] == ["sightline.mfa.E001"]
    settings.SIGHTLINE_DEMO = False
    assert demo_only_on_loopback() == []


@pytest.mark.parametrize(
    ("extra", "refused"),
    [
        ({"SIGHTLINE_DEMO": "1"}, True),
        ({"SIGHTLINE_DEMO": "1", "ALLOWED_HOSTS": "localhost", "SIGHTLINE_HTTPS": "true"}, True),
        (
            {
                "SIGHTLINE_DEMO": "1",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SIGHTLINE_HTTPS": "false",
            },
            False,
        ),
    ],
)
def test_production_settings_refuse_a_demonstration_on_a_real_service(extra, refused, tmp_path):
    result = run(["check"], {**GOOD, **extra}, tmp_path)
    assert ("SIGHTLINE_DEMO is for a demonstration" in result.stderr) == refused
