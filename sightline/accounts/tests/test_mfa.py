"""Second factors: set-up, the second step of signing in, recovery codes, removal, an
administrator's reset, and the middleware that holds everything back until it is done."""

import re
from base64 import b32decode

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from sightline.accounts.mfa import (
    MAX_WRONG_CODES,
    SECOND_FACTOR_SESSION_KEY,
    second_factor_required,
)
from sightline.accounts.mfa import services as mfa_services
from sightline.accounts.models import (
    Passkey,
    RecoveryCode,
    SignInMethod,
    SignInRecord,
    ThrottleHit,
    UserSession,
)
from sightline.core.models import AuditEvent
from sightline.core.roles import Role
from sightline.reviews.models import CaseAssignment
from sightline.reviews.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.SIGHTLINE_MFA_ENFORCED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def sign_in(client, user, **extra):
    return client.post(
        reverse("accounts:sign_in"), {"email": user.email, "password": PASSWORD, **extra}
    )


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, t0=device.t0, step=device.step, drift=offset):06d}"


def secret_from_page(html: str) -> bytes:
    match = re.search(r'id="totp-secret"><code>([A-Z2-7 ]+)</code>', html)
    assert match is not None
    text = match.group(1)
    text = text.replace(" ", "")
    return b32decode(text + "=" * (-len(text) % 8))


def set_up_app(client) -> TOTPDevice:
    page = client.get(reverse("accounts:mfa_totp_setup")).content.decode()
    key = secret_from_page(page)
    code = f"{totp(key):06d}"
    response = client.post(reverse("accounts:mfa_totp_setup"), {"code": code})
    assert response.status_code == 302, response.content.decode()[:2000]
    return TOTPDevice.objects.get(confirmed=True, key=key.hex())


def test_who_must_have_a_second_factor(make_user, settings):
    practitioner = make_user(Role.PRACTITIONER)
    assert not second_factor_required(practitioner)
    # Added to a case's need-to-know list, a practitioner sees case data: a second factor too.
    CaseAssignment.objects.create(case=CaseFactory.create(), user=practitioner)
    assert second_factor_required(practitioner)
    assert not second_factor_required(make_user(Role.PRACTITIONER))
    for role in set(Role) - {Role.PRACTITIONER}:
        assert second_factor_required(make_user(role)), role
    settings.SIGHTLINE_MFA_REQUIRED = "everyone"
    assert second_factor_required(make_user(Role.PRACTITIONER))
    assert second_factor_required(make_user())


def test_a_new_administrator_signed_in_with_a_password_is_sent_to_set_up(client, admin_user):
    response = sign_in(client, admin_user, next="/users/")
    assert response["Location"] == "/users/"
    response = client.get("/users/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_setup"))
    # Posting elsewhere is never processed.
    response = client.post(reverse("accounts:user_create"), {"email": "x@example.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_setup")
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CREATE).exists()
    # The set-up pages, help and signing out stay open.
    for name in ("accounts:mfa_setup", "accounts:mfa_totp_setup", "core:help"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.post(reverse("accounts:sign_out")).status_code == 302


def test_a_practitioner_is_not_asked(client, make_user):
    user = make_user(Role.PRACTITIONER)
    sign_in(client, user)
    assert client.get(reverse("accounts:home")).status_code == 200


def test_without_enforcement_nothing_is_asked(client, admin_user, settings):
    settings.SIGHTLINE_MFA_ENFORCED = False
    sign_in(client, admin_user)
    assert client.get(reverse("accounts:user_list")).status_code == 200


def test_setting_up_an_app_completes_the_session_and_shows_recovery_codes_once(client, admin_user):
    sign_in(client, admin_user)
    old_key = client.session.session_key
    page = client.get(reverse("accounts:mfa_totp_setup")).content.decode()
    assert "<svg" in page
    assert "data:" not in page
    assert "otpauth" not in page  # the QR code draws it; it is not printed
    key = secret_from_page(page)
    response = client.post(reverse("accounts:mfa_totp_setup"), {"code": f"{totp(key):06d}"})
    assert response["Location"] == reverse("accounts:mfa_recovery_codes")
    session = client.session
    assert session[SECOND_FACTOR_SESSION_KEY] == "app"
    assert session.session_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert UserSession.objects.get(user=admin_user).method == SignInMethod.PASSWORD_AND_APP
    page = client.get(reverse("accounts:mfa_recovery_codes")).content.decode()
    codes = re.findall(r"<li><code>([A-Z0-9-]{11})</code></li>", page)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    # Only hashes are kept, and the codes are never shown again.
    assert not RecoveryCode.objects.filter(code_hash__in=[c.replace("-", "") for c in codes])
    page = client.get(reverse("accounts:mfa_recovery_codes")).content.decode()
    assert not re.findall(r"<li><code>", page)
    assert "10 unused recovery codes" in page
    assert client.get(reverse("accounts:user_list")).status_code == 200
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.CREATE, detail__contains="authenticator app"
    ).exists()


def test_a_wrong_code_at_set_up_says_what_to_do(client, admin_user):
    sign_in(client, admin_user)
    client.get(reverse("accounts:mfa_totp_setup"))
    for code, message in [
        ("", "Enter the 6-digit code"),
        ("12ab56", "Enter the 6-digit code"),
        ("x" * 500, "Enter the 6-digit code"),
        ("000000", "The code is not right"),
    ]:
        response = client.post(reverse("accounts:mfa_totp_setup"), {"code": code})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


@pytest.fixture
def frozen_clock():
    """The clock stands still: a code's 30-second time step cannot end between setting up
    an app and using its code again, however slowly a loaded machine runs the test."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture
def app_user(frozen_clock, client, admin_user):
    """An administrator with an authenticator app, signed out again."""
    sign_in(client, admin_user)
    device = set_up_app(client)
    client.post(reverse("accounts:sign_out"))
    return admin_user, device


def test_signing_in_asks_for_the_code_and_a_code_works_once(client, app_user):
    user, device = app_user
    sign_in(client, user, next="/users/")
    response = client.get("/users/")
    assert response["Location"] == f"{reverse('accounts:mfa_verify')}?next=%2Fusers%2F"
    assert client.get(response["Location"]).status_code == 200
    device.refresh_from_db()
    # The code used at set-up is refused now (same time step): a code works once.
    used = code_for(device)
    response = client.post(
        reverse("accounts:mfa_verify"), {"method": "app", "code": used, "next": "/users/"}
    )
    assert response.status_code == 400
    assert "has been used already" in response.content.decode()
    device.last_t -= 2  # as if the set-up had been a minute ago
    device.save()
    old_key = client.session.session_key
    response = client.post(
        reverse("accounts:mfa_verify"), {"method": "app", "code": used, "next": "/users/"}
    )
    assert response["Location"] == "/users/"
    assert client.session.session_key != old_key
    assert client.session[SECOND_FACTOR_SESSION_KEY] == "app"
    assert UserSession.objects.get(user=user).method == SignInMethod.PASSWORD_AND_APP
    # The lasting record of the sign-in follows the session to its new key.
    record = SignInRecord.objects.filter(user=user).first()
    assert record is not None
    assert (record.session_key, record.method) == (
        client.session.session_key,
        SignInMethod.PASSWORD_AND_APP,
    )
    assert client.get("/users/").status_code == 200
    # Used again in another session: refused.
    client.post(reverse("accounts:sign_out"))
    sign_in(client, user)
    response = client.post(reverse("accounts:mfa_verify"), {"method": "app", "code": used})
    assert response.status_code == 400


def test_wrong_codes_are_audited_and_the_fifth_signs_the_session_out(client, app_user):
    user, _ = app_user
    sign_in(client, user)
    for attempt in range(1, MAX_WRONG_CODES):
        response = client.post(reverse("accounts:mfa_verify"), {"method": "app", "code": "000000"})
        assert response.status_code == 400, attempt
    response = client.post(reverse("accounts:mfa_verify"), {"method": "app", "code": "000000"})
    assert response["Location"] == reverse("accounts:sign_in")
    assert "_auth_user_id" not in client.session
    failures = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.SIGN_IN_FAILED, detail__contains="Wrong second factor"
    )
    assert failures.count() == MAX_WRONG_CODES
    page = client.get(reverse("accounts:sign_in")).content.decode()
    assert "You were signed out because a wrong code" in page


def test_wrong_codes_count_against_the_sign_in_limits(client, app_user, settings):
    """Someone holding the password cannot sign in again and again for more guesses at the
    code: wrong codes are counted with wrong passwords, and the limit then refuses the password
    itself."""
    user, _ = app_user
    # This browser signed in before (a known device), so its own limit is the one that counts.
    settings.SIGHTLINE_SIGN_IN_LIMIT_PER_DEVICE = (3, 15)
    settings.SIGHTLINE_SIGN_IN_LIMIT_PER_ACCOUNT_AND_CLIENT = (3, 15)
    before = ThrottleHit.objects.count()
    sign_in(client, user)
    for _ in range(3):
        client.post(reverse("accounts:mfa_verify"), {"method": "app", "code": "000000"})
    assert ThrottleHit.objects.count() > before
    client.post(reverse("accounts:sign_out"))
    assert sign_in(client, user).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_works_once_and_new_codes_replace_the_old(client, admin_user):
    sign_in(client, admin_user)
    set_up_app(client)
    page = client.get(reverse("accounts:mfa_recovery_codes")).content.decode()
    codes = re.findall(r"<li><code>([A-Z0-9-]{11})</code></li>", page)
    client.post(reverse("accounts:sign_out"))
    sign_in(client, admin_user)
    response = client.post(reverse("accounts:mfa_recovery"), {"code": codes[0].lower()})
    assert response["Location"] == reverse("accounts:account")
    assert client.session[SECOND_FACTOR_SESSION_KEY] == "recovery"
    assert (
        UserSession.objects.get(user=admin_user).method == SignInMethod.PASSWORD_AND_RECOVERY_CODE
    )
    client.post(reverse("accounts:sign_out"))
    sign_in(client, admin_user)
    response = client.post(reverse("accounts:mfa_recovery"), {"code": codes[0]})
    assert response.status_code == 400
    assert "has been used" in response.content.decode()
    response = client.post(reverse("accounts:mfa_recovery"), {"code": codes[1]})
    assert response.status_code == 302
    # New codes: the old unused ones stop working.
    client.post(reverse("accounts:mfa_recovery_codes"))
    assert RecoveryCode.objects.filter(user=admin_user).count() == 10
    client.post(reverse("accounts:sign_out"))
    sign_in(client, admin_user)
    assert client.post(reverse("accounts:mfa_recovery"), {"code": codes[2]}).status_code == 400


def test_the_account_page_lists_factors_and_keeps_the_last_one(client, admin_user):
    sign_in(client, admin_user)
    device = set_up_app(client)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Authenticator app" in page
    assert "10 unused" in page
    remove = reverse("accounts:mfa_remove", kwargs={"kind": "app", "pk": device.pk})
    assert client.get(remove).status_code == 200
    response = client.post(remove, follow=True)
    assert "You cannot remove your only second factor" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    # With a second one, the first may go.
    TOTPDevice.objects.create(user=admin_user, name="Second app", confirmed=True)
    assert client.post(remove)["Location"] == reverse("accounts:account")
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DELETE, object_id=str(admin_user.pk))


def test_someone_elses_factor_is_not_found(client, admin_user, make_user):
    other = make_user(Role.ADMINISTRATOR)
    device = TOTPDevice.objects.create(user=other, name="App", confirmed=True)
    client.force_login(admin_user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = "app"
    session.save()
    remove = reverse("accounts:mfa_remove", kwargs={"kind": "app", "pk": device.pk})
    assert client.get(remove).status_code == 404
    assert client.post(remove).status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_a_practitioner_may_remove_their_only_factor(client, make_user):
    user = make_user(Role.PRACTITIONER)
    sign_in(client, user)
    device = set_up_app(client)
    remove = reverse("accounts:mfa_remove", kwargs={"kind": "app", "pk": device.pk})
    assert client.post(remove)["Location"] == reverse("accounts:account")
    assert not TOTPDevice.objects.exists()
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_an_administrator_resets_a_lost_factor(
    client, admin_user, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    person = make_user(Role.REVIEW_OFFICER, full_name="Robin Example")
    TOTPDevice.objects.create(user=person, name="App", confirmed=True)
    Passkey.objects.create(
        user=person, name="Key", credential_id=b"1", credential_key="MQ", public_key=b"k"
    )
    mfa_services.recovery_codes_generate(user=person)
    other = client.__class__()
    sign_in(other, person)
    assert UserSession.objects.filter(user=person).count() == 1
    client.force_login(admin_user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = "app"
    session.save()
    detail = client.get(reverse("accounts:user_detail", kwargs={"pk": person.pk}))
    reset = reverse("accounts:user_mfa_reset", kwargs={"pk": person.pk})
    assert reset in detail.content.decode()
    page = client.get(reset).content.decode()
    assert "Reset the second factor" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset)
    assert response["Location"] == reverse("accounts:user_detail", kwargs={"pk": person.pk})
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not Passkey.objects.filter(user=person).exists()
    assert not RecoveryCode.objects.filter(user=person).exists()
    assert not UserSession.objects.filter(user=person).exists()
    assert other.get(reverse("accounts:home"))["Location"].startswith("/sign-in/")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.UPDATE, detail__contains="reset")
    assert event.actor == admin_user
    assert event.object_id == str(person.pk)
    [email] = [m for m in mailoutbox if m.to == [person.email]]
    assert "reset your second factor" in email.body
    assert admin_user.full_name in email.body
    # At the next sign-in they must set up a new one.
    sign_in(other, person)
    assert other.get(reverse("accounts:home"))["Location"].startswith(reverse("accounts:mfa_setup"))


def test_an_administrator_cannot_reset_their_own(client, admin_user):
    client.force_login(admin_user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = "app"
    session.save()
    response = client.post(
        reverse("accounts:user_mfa_reset", kwargs={"pk": admin_user.pk}), follow=True
    )
    assert "You cannot reset your own second factor" in response.content.decode()


def test_only_administrators_reset(client, make_user):
    officer = make_user(Role.REVIEW_OFFICER)
    target = make_user(Role.REVIEW_OFFICER)
    TOTPDevice.objects.create(user=target, name="App", confirmed=True)
    client.force_login(officer)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = "app"
    session.save()
    assert (
        client.post(reverse("accounts:user_mfa_reset", kwargs={"pk": target.pk})).status_code == 403
    )
    assert TOTPDevice.objects.filter(user=target).exists()


def test_a_single_sign_on_session_counts_as_done(client, admin_user):
    client.force_login(admin_user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = "sso"
    session.save()
    assert client.get(reverse("accounts:user_list")).status_code == 200


def test_a_garbled_passkey_answer_is_refused_with_a_message(client, admin_user):
    sign_in(client, admin_user)
    page = client.get(reverse("accounts:mfa_passkey_setup")).content.decode()
    assert 'data-passkey="create"' in page
    assert "challenge" in page
    for credential in ["", "not json", '{"id": "x"}', "x" * 30_000]:
        response = client.post(
            reverse("accounts:mfa_passkey_setup"), {"credential": credential, "name": "Key"}
        )
        assert response.status_code == 400
        assert "There is a problem" in response.content.decode()
    assert not Passkey.objects.exists()


def test_a_passkey_answer_for_an_unknown_key_counts_as_wrong(client, admin_user):
    Passkey.objects.create(
        user=admin_user, name="Key", credential_id=b"1", credential_key="MQ", public_key=b"k"
    )
    sign_in(client, admin_user)
    page = client.get(reverse("accounts:mfa_verify")).content.decode()
    assert 'data-passkey="get"' in page
    response = client.post(
        reverse("accounts:mfa_verify"), {"method": "passkey", "credential": '{"id": "Mg"}'}
    )
    assert response.status_code == 400
    assert "was not recognised" in response.content.decode()
    assert AuditEvent.objects.filter(detail__contains="Wrong second factor (passkey)").exists()


def test_throttled_app_says_to_wait(client, app_user, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    user, _ = app_user
    sign_in(client, user)
    response = client.post(reverse("accounts:mfa_verify"), {"method": "app", "code": "000000"})
    assert "Wait a few seconds" not in response.content.decode()
    response = client.post(reverse("accounts:mfa_verify"), {"method": "app", "code": "000000"})
    assert "Wait a few seconds" in response.content.decode()


def test_the_account_page_lists_factors_in_a_fixed_number_of_queries(
    client, admin_user, django_assert_max_num_queries
):
    for n in range(3):
        TOTPDevice.objects.create(user=admin_user, name=f"App {n}", confirmed=True)
        Passkey.objects.create(
            user=admin_user,
            name=f"Key {n}",
            credential_id=bytes([n]),
            credential_key=f"k{n}",
            public_key=b"k",
        )
    client.force_login(admin_user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = "app"
    session.save()
    with django_assert_max_num_queries(12):
        page = client.get(reverse("accounts:account")).content.decode()
    assert page.count("Remove<span") == 6


def test_a_passkey_can_be_removed_when_another_factor_remains(client, admin_user):
    TOTPDevice.objects.create(user=admin_user, name="App", confirmed=True)
    key = Passkey.objects.create(
        user=admin_user, name="Key", credential_id=b"1", credential_key="MQ", public_key=b"k"
    )
    client.force_login(admin_user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = "passkey"
    session.save()
    remove = reverse("accounts:mfa_remove", kwargs={"kind": "passkey", "pk": key.pk})
    assert "Remove the passkey or security key" in client.get(remove).content.decode()
    assert client.post(remove)["Location"] == reverse("accounts:account")
    assert not Passkey.objects.exists()
    assert (
        client.get(
            reverse("accounts:mfa_remove", kwargs={"kind": "other", "pk": key.pk})
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("base_url", "rp_id_setting", "rp", "origin"),
    [
        ("http://127.0.0.1:8000", "", "localhost", "http://localhost:8000"),
        (
            "https://sightline.example.org",
            "",
            "sightline.example.org",
            "https://sightline.example.org",
        ),
        (
            "https://sightline.example.org",
            "example.org",
            "example.org",
            "https://sightline.example.org",
        ),
    ],
)
def test_the_relying_party_comes_from_the_base_url(settings, base_url, rp_id_setting, rp, origin):
    from sightline.accounts.mfa.passkeys import expected_origin, rp_id

    settings.SIGHTLINE_BASE_URL = base_url
    settings.SIGHTLINE_WEBAUTHN_RP_ID = rp_id_setting
    assert rp_id() == rp
    assert expected_origin() == origin
