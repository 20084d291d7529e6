"""Sign-in throttling: counted per client address, per account and address, and per account,
in the database; refused at once with when to try again; never a lock a stranger can set."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from sightline.accounts import throttle
from sightline.accounts.models import ThrottleHit
from sightline.core.models import AuditEvent
from sightline.core.roles import Role

WRONG = "not the password at all"
PER_CLIENT = settings.SIGHTLINE_SIGN_IN_LIMIT_PER_CLIENT[0]
PER_PAIR = settings.SIGHTLINE_SIGN_IN_LIMIT_PER_ACCOUNT_AND_CLIENT[0]
PER_ACCOUNT = settings.SIGHTLINE_SIGN_IN_LIMIT_PER_ACCOUNT[0]
PER_DEVICE = settings.SIGHTLINE_SIGN_IN_LIMIT_PER_DEVICE[0]


def sign_in(client, email, password=PASSWORD, address="192.0.2.1", **meta):
    return client.post(
        reverse("accounts:sign_in"),
        {"email": email, "password": password},
        REMOTE_ADDR=address,
        **meta,
    )


def fail(client, email, times, address="192.0.2.1"):
    for _ in range(times):
        assert sign_in(client, email, WRONG, address).status_code == 400


@pytest.fixture
def user(make_user):
    return make_user(Role.REVIEW_OFFICER, email="rowan.reviewer@example.test")


def test_the_thresholds_are_the_documented_ones():
    assert (PER_CLIENT, PER_PAIR, PER_ACCOUNT, PER_DEVICE) == (30, 5, 20, 5)
    with open(settings.BASE_DIR / "docs" / "operations.md", encoding="utf-8") as doc:
        text = doc.read()
    for name in (
        "SIGHTLINE_SIGN_IN_LIMIT_PER_CLIENT",
        "SIGHTLINE_SIGN_IN_LIMIT_PER_ACCOUNT_AND_CLIENT",
        "SIGHTLINE_SIGN_IN_LIMIT_PER_ACCOUNT",
        "SIGHTLINE_SIGN_IN_LIMIT_PER_DEVICE",
        "SIGHTLINE_KNOWN_DEVICE_DAYS",
        "SIGHTLINE_EMAIL_LIMIT_PER_RECIPIENT",
        "SIGHTLINE_EMAIL_LIMIT_PER_CLIENT",
    ):
        assert name in text


def test_too_many_failures_from_one_address_are_refused_at_once_with_when_to_try_again(
    client, user
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, user.email, PER_PAIR)
        refused = sign_in(client, user.email)  # the right password, not even checked
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 15 * 60
    page = refused.content.decode()
    assert "too many failed attempts to sign in" in page
    again = timezone.localtime(start + datetime.timedelta(minutes=15))
    assert f"Try again at {again.hour % 12 or 12}:{again:%M}" in page
    assert "(UK time)" in page
    denied = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCESS_DENIED, actor_email=user.email)
    assert "for this account from this address" in denied.detail
    assert PASSWORD not in denied.detail
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGN_IN, actor=user).exists()
    with time_machine.travel(start + datetime.timedelta(minutes=15, seconds=1), tick=False):
        assert sign_in(client, user.email).status_code == 302


def test_a_stranger_elsewhere_does_not_keep_the_person_out_of_their_own_address(client, user):
    fail(client, user.email, PER_PAIR, address="203.0.113.9")
    assert sign_in(client, user.email, address="203.0.113.9").status_code == 429
    assert sign_in(Client(), user.email, address="192.0.2.1").status_code == 302


def test_one_client_trying_many_accounts_is_slowed(client, make_user):
    for n in range(PER_CLIENT):
        sign_in(client, f"guess{n}@example.test", WRONG)
    other = make_user(Role.TRAINER)
    refused = sign_in(client, other.email)
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert sign_in(client, other.email, address="192.0.2.77").status_code == 302


def test_an_account_tried_from_many_addresses_is_slowed(client, user):
    for n in range(PER_ACCOUNT):
        sign_in(client, user.email, WRONG, address=f"198.51.100.{n}")
    assert sign_in(client, user.email, address="198.51.100.200").status_code == 429
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.ACCESS_DENIED, detail__contains="for this account."
    ).exists()


def test_a_known_device_gets_in_while_the_account_is_being_hammered(client, user):
    assert sign_in(client, user.email).status_code == 302
    cookie = client.cookies[throttle.DEVICE_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 90 * 24 * 60 * 60
    client.post(reverse("accounts:sign_out"))

    attacker = Client()
    for n in range(PER_ACCOUNT):
        sign_in(attacker, user.email, WRONG, address=f"198.51.100.{n}")
    for n in range(PER_CLIENT):  # and from the person's own office address
        sign_in(attacker, f"guess{n}@example.test", WRONG, address="192.0.2.1")
    assert sign_in(attacker, user.email).status_code == 429
    assert sign_in(Client(), user.email).status_code == 429
    # The person, on the browser they used before, from the same office address.
    assert sign_in(client, user.email).status_code == 302


def test_a_known_device_is_held_to_its_own_count(client, user):
    sign_in(client, user.email)
    client.post(reverse("accounts:sign_out"))
    fail(client, user.email, PER_DEVICE)
    refused = sign_in(client, user.email)
    assert refused.status_code == 429
    assert "from this device" in refused.content.decode()
    # The device's failures are its own: the same address without the cookie is not held up.
    assert sign_in(Client(), user.email).status_code == 302


def test_a_device_cookie_helps_only_its_own_account_and_only_when_genuine(client, make_user, user):
    other = make_user(Role.TRAINER)
    sign_in(client, other.email)
    client.post(reverse("accounts:sign_out"))
    fail(Client(), user.email, PER_PAIR)
    assert sign_in(client, user.email).status_code == 429
    forged = Client()
    forged.cookies[throttle.DEVICE_COOKIE] = "e30:1tampered:signature"
    assert sign_in(forged, user.email).status_code == 429


def test_the_device_cookie_expires(client, user):
    sign_in(client, user.email)
    client.post(reverse("accounts:sign_out"))
    later = timezone.now() + datetime.timedelta(days=91)
    with time_machine.travel(later):
        fail(Client(), user.email, PER_PAIR)
        assert sign_in(client, user.email).status_code == 429


def test_a_password_reset_makes_the_browser_known(client, user, mailoutbox):
    fail(Client(), user.email, PER_PAIR)
    assert sign_in(client, user.email).status_code == 429
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password-reset/" in line)
    form_page = client.get(link.replace("http://testserver", ""), follow=True)
    new = "a lighthouse keeper's seventh lantern"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert throttle.DEVICE_COOKIE in client.cookies
    assert sign_in(client, user.email, new).status_code == 302


def test_success_clears_the_address_failures_for_the_account(client, user):
    fail(client, user.email, PER_PAIR - 1)
    assert sign_in(client, user.email).status_code == 302
    client.post(reverse("accounts:sign_out"))
    client.cookies.pop(throttle.DEVICE_COOKIE)
    fail(client, user.email, PER_PAIR - 1)
    assert sign_in(client, user.email).status_code == 302


def test_counts_are_kept_under_keyed_hashes_not_addresses(client, user):
    fail(client, user.email, 1, address="192.0.2.44")
    rows = list(ThrottleHit.objects.values_list("scope", "key"))
    assert {scope for scope, _ in rows} == {
        throttle.CLIENT,
        throttle.ACCOUNT_AND_CLIENT,
        throttle.ACCOUNT,
    }
    for _, key in rows:
        assert len(key) == 64
        assert "192.0.2.44" not in key
        assert "rowan" not in key


def test_old_counts_are_deleted_as_new_ones_are_written(client, user):
    fail(client, user.email, 2)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        fail(client, "someone@example.test", 1)
    assert ThrottleHit.objects.count() == 3


@override_settings(SIGHTLINE_TRUSTED_PROXIES=1)
def test_the_client_address_is_read_through_trusted_proxies(client, user):
    for _ in range(PER_PAIR):
        sign_in(client, user.email, WRONG, address="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.5")
    proxied = {"address": "10.0.0.1"}
    assert (
        sign_in(client, user.email, HTTP_X_FORWARDED_FOR="192.0.2.5", **proxied).status_code == 429
    )
    assert (
        sign_in(client, user.email, HTTP_X_FORWARDED_FOR="192.0.2.6", **proxied).status_code == 302
    )
