import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from sightline.core.models import AuditEvent
from sightline.core.roles import Role


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post(reverse("accounts:sign_in"), {"email": email, "password": password, **extra})


def test_sign_in_goes_home_and_is_audited(client, make_user):
    user = make_user(Role.REVIEW_OFFICER)
    response = sign_in(client, user.email.upper())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGN_IN, actor=user).count() == 1
    assert user.sessions.count() == 1


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client, make_user):
    user = make_user(Role.ADMINISTRATOR)
    assert sign_in(client, user.email, next="/users/")["Location"] == "/users/"
    client.logout()
    assert sign_in(client, user.email, next="https://evil.example/")["Location"] == "/"


@pytest.mark.parametrize("email", ["nobody@example.test", None])
def test_wrong_password_or_unknown_email_is_refused_the_same_way(client, make_user, email):
    user = make_user()
    response = sign_in(client, email or user.email, password="wrong password")
    assert response.status_code == 400
    assert "The email address or password is not right" in response.content.decode()
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.SIGN_IN_FAILED, actor_email=(email or user.email)
    ).exists()


def test_empty_form_says_what_to_enter(client, db):
    page = client.post(reverse("accounts:sign_in"), {}).content.decode()
    assert "There is a problem" in page
    assert "Enter your email address" in page
    assert 'href="#id_email"' in page


def test_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user(Role.TRAINER, is_active=False)
    assert sign_in(client, user.email).status_code == 400


def test_superusers_get_nothing_the_policies_do_not_grant(client, make_user):
    user = make_user(is_superuser=True)
    client.force_login(user)
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert not user.has_perm("accounts.view_agency")


def test_sign_out_is_a_post_and_is_audited(client, make_user):
    user = make_user(Role.TRAINER)
    sign_in(client, user.email)
    assert client.get(reverse("accounts:sign_out")).status_code == 405
    response = client.post(reverse("accounts:sign_out"))
    assert response["Location"] == reverse("accounts:sign_in")
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGN_OUT, actor=user).exists()
    assert client.get(reverse("accounts:home")).status_code == 302
    assert user.sessions.count() == 0


def test_idle_sessions_expire_after_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SIGHTLINE_SESSION_RENEW_SECONDS == 60


def _expiry(user):
    return Session.objects.get(pk=user.sessions.get().session_key).expire_date


def test_a_session_is_renewed_in_the_store_at_most_once_a_minute(client, make_user):
    user = make_user(Role.TRAINER)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, user.email)
    signed_in = _expiry(user)
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        assert client.get(reverse("accounts:home")).status_code == 200
    assert _expiry(user) == signed_in
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        assert client.get(reverse("accounts:home")).status_code == 200
    assert _expiry(user) == start + datetime.timedelta(seconds=61, minutes=30)


def test_a_session_active_every_twenty_nine_minutes_stays_open(client, make_user):
    user = make_user(Role.TRAINER)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, user.email)
    for step in range(1, 5):
        moment = start + datetime.timedelta(minutes=29 * step)
        with time_machine.travel(moment, tick=False):
            assert client.get(reverse("accounts:home")).status_code == 200


def test_idle_session_expires_in_the_store(client, make_user):
    user = make_user(Role.TRAINER)
    sign_in(client, user.email)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        response = client.get(reverse("accounts:home"))
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
    assert "your session ended" in page


def test_sessions_end_after_twelve_hours_however_active(client, make_user):
    user = make_user(Role.TRAINER)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, user.email)
    # Active every 20 minutes, so the idle limit is never reached.
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("accounts:home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(hours=12, minutes=5), tick=False):
        assert client.get(reverse("accounts:home")).status_code == 302
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SESSION_ENDED, actor=user).exists()


def test_password_reset_sends_a_link_that_sets_a_new_password(client, make_user, mailoutbox):
    user = make_user(Role.PRACTITIONER)
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response["Location"] == reverse("accounts:password_reset_done")
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password-reset/" in line)
    form_page = client.get(link.replace("http://testserver", ""), follow=True)
    assert "Set your password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a much longer new secret", "new_password2": "a much longer new secret"},
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert sign_in(client, user.email, password="a much longer new secret").status_code == 302
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_CHANGED, actor=user).exists()


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(client, db, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.test"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mailoutbox == []


def test_change_own_password(client, make_user):
    user = make_user(Role.PRACTITIONER)
    client.force_login(user)
    weak = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert weak.status_code == 200
    assert "There is a problem" in weak.content.decode()
    ok = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another long phrase about marmalade",
            "new_password2": "another long phrase about marmalade",
        },
    )
    assert ok["Location"] == reverse("accounts:account")
    assert Session.objects.count() == 1


def test_a_permission_without_an_object_is_asked_once_and_forgotten_with_the_roles(
    make_user, monkeypatch
):
    user = make_user(Role.TRAINER)
    asked = []
    policies = type(user)._asks_policies

    def counting(self, perm, obj):
        asked.append((perm, obj))
        return policies(self, perm, obj)

    monkeypatch.setattr(type(user), "_asks_policies", counting)
    assert user.has_perm("reports.view_trainer_dashboard")
    assert user.has_perm("reports.view_trainer_dashboard")
    assert not user.has_perm("accounts.view_agency")
    assert not user.has_perm("accounts.view_agency")
    assert asked == [("reports.view_trainer_dashboard", None), ("accounts.view_agency", None)]
    # With an object, the policies are asked every time.
    user.has_perm("reports.view_agency_dashboard", user.memberships.get().agency)
    user.has_perm("reports.view_agency_dashboard", user.memberships.get().agency)
    assert len(asked) == 4
    user.memberships.all().delete()
    user.forget_memberships()
    assert not user.has_perm("reports.view_trainer_dashboard")
