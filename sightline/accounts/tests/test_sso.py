"""Single sign-on end to end against a real OpenID Connect provider on loopback."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.models import ExternalIdentity, LinkRequest, SignInMethod, UserSession
from sightline.accounts.sso_config import OidcProvider
from sightline.accounts.tests.factories import PASSWORD, AgencyFactory, MembershipFactory
from sightline.accounts.tests.oidc_provider import (
    BASE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    free_port,
    oidc_provider,
)
from sightline.core.models import AuditEvent
from sightline.core.roles import Role

__all__ = ["oidc_provider"]

AGENCY = "Northshire Council Children's Services"
OTHER_AGENCY = "Elsewhere Police"
TENANT = "6a1f2c9e-0000-4000-8000-00000000a9e1"


def provider(issuer: str, key: str = "northshire", **fields) -> OidcProvider:
    defaults = {
        "name": "Northshire Council",
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "agencies": (AGENCY,),
        "trust_mfa": True,
        "subject": "standard",
    }
    return OidcProvider(key=key, **{**defaults, **fields})


@pytest.fixture
def sso(settings, oidc_provider):
    settings.SIGHTLINE_BASE_URL = BASE_URL
    settings.SIGHTLINE_OIDC_PROVIDERS = (
        provider(oidc_provider.issuer),
        provider(
            oidc_provider.issuer,
            key="entra",
            name="Northshire Entra",
            subject="entra",
            trust_mfa=False,
        ),
        provider(oidc_provider.issuer, key="untrusted", name="Untrusted", trust_mfa=False),
    )
    return oidc_provider


@pytest.fixture
def person():
    """The browser of the person signing in (not the administrator's)."""
    return Client()


@pytest.fixture
def agency(db):
    return AgencyFactory(name=AGENCY)


@pytest.fixture
def alex(make_user, agency):
    return make_user(Role.PRACTITIONER, agency=agency, email="alex.morgan@northshire.example")


def sign_in(person, running, account: str, key: str = "northshire"):
    start = person.get(reverse("accounts:sso_start", kwargs={"key": key}))
    assert start.status_code == 302, start.content[:300]
    callback = running.sign_in(start["Location"], account)
    return person.get(callback)


def signed_in_user_id(person):
    return person.session.get("_auth_user_id")


def link(admin_client, user, provider_key="northshire"):
    request = LinkRequest.objects.get(provider_key=provider_key, status="pending")
    response = admin_client.post(
        reverse("accounts:sso_link_decide", kwargs={"pk": request.pk}),
        {"decision": "confirm", "user": user.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return request


def test_sign_in_page_shows_a_button_per_provider(person, sso):
    page = person.get(reverse("accounts:sign_in")).content.decode()
    assert "Sign in with Northshire Council" in page
    assert "Sign in with Northshire Entra" in page
    assert reverse("accounts:sso_start", kwargs={"key": "northshire"}) in page


def test_first_sign_in_asks_an_administrator_and_signs_nobody_in(
    person, sso, alex, admin_user, mailoutbox
):
    response = sign_in(person, sso, "alex-sub")
    assert response.status_code == 200
    assert "An administrator must confirm your sign-in" in response.content.decode()
    assert signed_in_user_id(person) is None
    request = LinkRequest.objects.get()
    assert (request.subject, request.status) == ("alex-sub", "pending")
    assert request.claimed_email == "alex.morgan@northshire.example"
    assert request.suggested_user == alex
    assert request.issuer == sso.issuer
    assert not ExternalIdentity.objects.exists()
    assert [m.to for m in mailoutbox] == [[admin_user.email]]
    # Signing in again reuses the request and emails nobody again.
    sign_in(person, sso, "alex-sub")
    assert LinkRequest.objects.count() == 1
    assert len(mailoutbox) == 1


def test_confirmed_link_signs_in_by_subject(person, admin_client, sso, alex, mailoutbox):
    sign_in(person, sso, "alex-sub")
    link(admin_client, alex)
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.subject, identity.provider_key) == (
        alex,
        "alex-sub",
        "northshire",
    )
    assert AuditEvent.objects.filter(
        object_id=str(alex.pk), detail__contains="linked to this account"
    ).exists()
    assert alex.email in [m.to[0] for m in mailoutbox]

    response = sign_in(person, sso, "alex-sub")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    assert signed_in_user_id(person) == str(alex.pk)
    session = UserSession.objects.get(session_key=person.session.session_key)
    assert (session.method, session.method_detail) == (
        SignInMethod.SINGLE_SIGN_ON,
        "Northshire Council",
    )
    # This provider's MFA is trusted: the session counts it as the second factor.
    assert person.session.get("sightline_second_factor") == "sso"
    identity.refresh_from_db()
    assert identity.last_used_at is not None


def test_same_email_with_another_subject_does_not_sign_in(person, admin_client, sso, alex):
    sign_in(person, sso, "alex-sub")
    link(admin_client, alex)
    person.logout()
    response = sign_in(person, sso, "other-sub")  # same email, another person at the provider
    assert response.status_code == 200
    assert "An administrator must confirm" in response.content.decode()
    assert signed_in_user_id(person) is None
    assert LinkRequest.objects.filter(subject="other-sub", status="pending").exists()


def test_untrusted_provider_does_not_mark_the_second_factor(person, admin_client, sso, alex):
    sign_in(person, sso, "alex-sub", key="untrusted")
    link(admin_client, alex, provider_key="untrusted")
    response = sign_in(person, sso, "alex-sub", key="untrusted")
    assert response.status_code == 302
    assert signed_in_user_id(person) == str(alex.pk)
    assert "sightline_second_factor" not in person.session


def test_entra_subject_is_tenant_and_object_id(person, admin_client, sso, alex):
    sign_in(person, sso, "alex-sub", key="entra")
    request = LinkRequest.objects.get(provider_key="entra")
    assert request.subject == f"{TENANT}:0b1c-alex"
    link(admin_client, alex, provider_key="entra")
    assert sign_in(person, sso, "alex-sub", key="entra").status_code == 302
    assert signed_in_user_id(person) == str(alex.pk)


def test_person_outside_the_providers_agencies_is_refused(person, admin_client, sso, alex):
    sign_in(person, sso, "alex-sub")
    link(admin_client, alex)
    alex.memberships.all().delete()
    MembershipFactory(user=alex, agency=AgencyFactory(name=OTHER_AGENCY))
    response = sign_in(person, sso, "alex-sub")
    assert response.status_code == 403
    assert "no role in an agency that signs in with Northshire Council" in response.content.decode()
    assert signed_in_user_id(person) is None
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.ACCESS_DENIED, detail__contains="Single sign-on"
    ).exists()


def test_deactivated_person_is_refused(person, admin_client, sso, alex):
    sign_in(person, sso, "alex-sub")
    link(admin_client, alex)
    alex.is_active = False
    alex.save()
    assert sign_in(person, sso, "alex-sub").status_code == 403
    assert signed_in_user_id(person) is None


def test_suspended_person_is_refused(person, admin_client, sso, alex):
    sign_in(person, sso, "alex-sub")
    link(admin_client, alex)
    alex.suspended_at = timezone.now()
    alex.suspended_reason = "inactive"
    alex.save()
    response = sign_in(person, sso, "alex-sub")
    assert response.status_code == 403
    assert "suspended" in response.content.decode()
    assert signed_in_user_id(person) is None


def test_administrator_cannot_link_someone_outside_the_agencies(
    person, admin_client, sso, alex, make_user
):
    outsider = make_user(Role.PRACTITIONER, agency=AgencyFactory(name=OTHER_AGENCY))
    sign_in(person, sso, "alex-sub")
    request = LinkRequest.objects.get()
    response = admin_client.post(
        reverse("accounts:sso_link_decide", kwargs={"pk": request.pk}),
        {"decision": "confirm", "user": outsider.pk},
    )
    assert response.status_code == 400
    assert "Choose one of the accounts listed" in response.content.decode()
    assert not ExternalIdentity.objects.exists()


def test_administrator_refuses(person, admin_client, sso, alex):
    sign_in(person, sso, "alex-sub")
    request = LinkRequest.objects.get()
    listing = admin_client.get(reverse("accounts:sso_link_list")).content.decode()
    assert "Alex Morgan" in listing
    response = admin_client.post(
        reverse("accounts:sso_link_decide", kwargs={"pk": request.pk}), {"decision": "refuse"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "refused"
    assert not ExternalIdentity.objects.exists()
    assert "Alex Morgan" not in admin_client.get(reverse("accounts:sso_link_list")).content.decode()


def test_unlink(person, admin_client, sso, alex):
    sign_in(person, sso, "alex-sub")
    link(admin_client, alex)
    identity = ExternalIdentity.objects.get()
    page = admin_client.get(alex.get_absolute_url()).content.decode()
    assert "Northshire Council: linked" in page
    response = admin_client.post(
        reverse(
            "accounts:external_identity_remove",
            kwargs={"pk": alex.pk, "identity_pk": identity.pk},
        )
    )
    assert response.status_code == 302
    assert not ExternalIdentity.objects.exists()
    assert sign_in(person, sso, "alex-sub").status_code == 200  # asks again


def test_tampered_state_is_refused_with_400(person, sso, alex):
    start = person.get(reverse("accounts:sso_start", kwargs={"key": "northshire"}))
    callback = sso.sign_in(start["Location"], "alex-sub")
    path, query = callback.split("?", 1)
    tampered = "&".join(
        "state=forged" if part.startswith("state=") else part for part in query.split("&")
    )
    response = person.get(f"{path}?{tampered}")
    assert response.status_code == 400
    assert "The sign-in could not be completed" in response.content.decode()
    assert signed_in_user_id(person) is None


def test_tampered_nonce_is_refused_with_400(person, sso, alex, admin_client):
    sign_in(person, sso, "alex-sub")
    link(admin_client, alex)
    start = person.get(reverse("accounts:sso_start", kwargs={"key": "northshire"}))
    session = person.session
    key = next(name for name in session.keys() if name.startswith("_state_"))  # noqa: SIM118
    stored = session[key]
    stored["data"]["nonce"] = "not-the-nonce-sent"
    session[key] = stored
    session.save()
    response = person.get(sso.sign_in(start["Location"], "alex-sub"))
    assert response.status_code == 400
    assert "ID token was not valid" in response.content.decode()
    assert signed_in_user_id(person) is None


def test_callback_without_an_answer_is_400(person, sso):
    url = reverse("accounts:sso_callback", kwargs={"key": "northshire"})
    assert person.get(url).status_code == 400
    assert person.get(url, {"state": "x", "code": "y"}).status_code == 400
    cancelled = person.get(url, {"state": "x", "error": "access_denied"})
    assert cancelled.status_code == 400


def test_unknown_provider_is_404(person, sso):
    assert person.get(reverse("accounts:sso_start", kwargs={"key": "nobody"})).status_code == 404


def test_provider_down_gives_a_clear_page(person, settings, db):
    settings.SIGHTLINE_OIDC_PROVIDERS = (
        provider(f"http://127.0.0.1:{free_port()}", key="down", name="Down Council"),
    )
    response = person.get(reverse("accounts:sso_start", kwargs={"key": "down"}))
    assert response.status_code == 502
    assert "Down Council cannot be reached" in response.content.decode()


def test_single_sign_on_only_agency_refuses_password_sign_in_and_reset(
    person, alex, agency, mailoutbox
):
    agency.single_sign_on_only = True
    agency.save()
    response = person.post(reverse("accounts:sign_in"), {"email": alex.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "Use your organisation" in response.content.decode()
    assert signed_in_user_id(person) is None
    person.post(reverse("accounts:password_reset"), {"email": alex.email})
    assert len(mailoutbox) == 0
    agency.single_sign_on_only = False
    agency.save()
    person.post(reverse("accounts:password_reset"), {"email": alex.email})
    assert len(mailoutbox) == 1


def test_link_request_list_query_count(admin_client, django_assert_num_queries, settings, db):
    settings.SIGHTLINE_OIDC_PROVIDERS = ()
    for n in range(5):
        LinkRequest.objects.create(
            provider_key="northshire", issuer="https://x", subject=f"s{n}", claimed_email=f"{n}@x"
        )
    admin_client.get(reverse("accounts:sso_link_list"))
    with django_assert_num_queries(5):
        admin_client.get(reverse("accounts:sso_link_list"))


def test_configuration_is_checked(db):
    from django.core.exceptions import ImproperlyConfigured

    from sightline.accounts.checks import check_sso_agencies
    from sightline.accounts.sso_config import providers_from_environ

    base = {
        "SIGHTLINE_OIDC_PROVIDERS": "north",
        "SIGHTLINE_OIDC_NORTH_NAME": "North",
        "SIGHTLINE_OIDC_NORTH_ISSUER": "https://login.microsoftonline.com/t/v2.0",
        "SIGHTLINE_OIDC_NORTH_CLIENT_ID": "id",
        "SIGHTLINE_OIDC_NORTH_CLIENT_SECRET": "secret",
        "SIGHTLINE_OIDC_NORTH_AGENCIES": "North Police; north council",
        "SIGHTLINE_OIDC_NORTH_TRUST_MFA": "true",
        "SIGHTLINE_OIDC_NORTH_SUBJECT": "entra",
    }
    (north,) = providers_from_environ(base)
    assert north.agencies == ("North Police", "north council")
    assert (north.trust_mfa, north.subject) == (True, "entra")
    assert "secret" not in repr(north)
    for name, value, message in [
        ("SIGHTLINE_OIDC_NORTH_CLIENT_SECRET", "", "CLIENT_SECRET must be set"),
        ("SIGHTLINE_OIDC_NORTH_TRUST_MFA", "maybe", "TRUST_MFA must be true or false"),
        ("SIGHTLINE_OIDC_NORTH_SUBJECT", "email", "SUBJECT must be standard"),
        ("SIGHTLINE_OIDC_NORTH_ISSUER", "http://idp.example", "must be an https"),
        ("SIGHTLINE_OIDC_PROVIDERS", "North!", "not a usable key"),
    ]:
        with pytest.raises(ImproperlyConfigured, match=message):
            providers_from_environ({**base, name: value})
    assert providers_from_environ({}) == ()

    AgencyFactory(name="North Council")
    from django.test import override_settings

    with override_settings(SIGHTLINE_OIDC_PROVIDERS=(north,)):
        errors = check_sso_agencies(None, databases=["default"])
    assert [error.id for error in errors] == ["sightline.E301"]
    assert "North Police" in errors[0].msg
    assert "north council" not in errors[0].msg


def test_administrator_sets_an_agency_to_single_sign_on_only(admin_client, agency):
    url = reverse("accounts:agency_edit", kwargs={"pk": agency.pk})
    assert "single sign-on" in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        {
            "name": agency.name,
            "sector": agency.sector,
            "is_active": "on",
            "single_sign_on_only": "on",
        },
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.single_sign_on_only
    assert AuditEvent.objects.filter(
        object_id=str(agency.pk), changes__has_key="single_sign_on_only"
    ).exists()
