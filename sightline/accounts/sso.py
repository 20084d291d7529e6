"""The OpenID Connect side of single sign-on, all of it done by Authlib: discovery, the
authorization code flow with PKCE, state and nonce, and the ID token's signature, issuer,
audience, expiry and nonce. This module only turns the validated claims into the identity
Sightline links accounts by (never the email address)."""

import logging
from dataclasses import dataclass
from functools import lru_cache

import joserfc.errors
import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .sso_config import OidcProvider

logger = logging.getLogger(__name__)

SCOPE = "openid email profile"
HTTP_TIMEOUT_SECONDS = 10


class SignInProblem(Exception):
    """The provider's answer cannot be trusted or was not a sign-in (tampered, expired,
    cancelled): the person starts again."""


class ProviderUnavailable(Exception):
    """The provider could not be reached, or answered with something that is not OpenID
    Connect."""


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the provider says signed in: ``subject`` is stable; email and name are hints."""

    issuer: str
    subject: str
    email: str
    name: str


def providers() -> tuple[OidcProvider, ...]:
    return tuple(settings.SIGHTLINE_OIDC_PROVIDERS)


def provider_get(*, key: str) -> OidcProvider | None:
    return next((provider for provider in providers() if provider.key == key), None)


@lru_cache(maxsize=32)
def _client(provider: OidcProvider) -> DjangoOAuth2App:
    """One Authlib client per provider (it keeps the discovery document and keys)."""
    oauth = OAuth()
    client: DjangoOAuth2App = oauth.register(
        name=provider.key,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        server_metadata_url=provider.discovery_url,
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT_SECONDS,
        },
    )
    return client


def redirect_uri(provider: OidcProvider) -> str:
    """The callback registered with the provider: from SIGHTLINE_BASE_URL, not the request's
    Host header."""
    path = reverse("accounts:sso_callback", kwargs={"key": provider.key})
    return f"{settings.SIGHTLINE_BASE_URL.rstrip('/')}{path}"


def authorization_redirect(*, request: HttpRequest, provider: OidcProvider) -> HttpResponse:
    """Send the browser to the provider, the state, nonce and PKCE verifier kept in the
    session."""
    try:
        response: HttpResponse = _client(provider).authorize_redirect(
            request, redirect_uri(provider)
        )
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
        logger.warning("Single sign-on provider %s unavailable: %s", provider.key, error)
        raise ProviderUnavailable(str(error)) from error
    return response


def _subject(provider: OidcProvider, claims: dict[str, object]) -> str:
    if provider.subject == "entra":
        tid, oid = claims.get("tid"), claims.get("oid")
        if not (isinstance(tid, str) and tid and isinstance(oid, str) and oid):
            raise SignInProblem(
                "The provider's answer had no tenant and object id (tid and oid), which this "
                "provider is set to identify people by."
            )
        return f"{tid}:{oid}"
    sub = claims.get("sub")
    if not (isinstance(sub, str) and sub):
        raise SignInProblem("The provider's answer had no subject.")
    return sub


def _text(value: object, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def identity_from_callback(*, request: HttpRequest, provider: OidcProvider) -> ProviderIdentity:
    """Complete the flow: check the state, exchange the code (with the PKCE verifier), and
    validate the ID token (signature, iss, aud, exp, nonce) – all by Authlib."""
    if not request.GET.get("state") or not (request.GET.get("code") or request.GET.get("error")):
        raise SignInProblem("The address had no sign-in answer in it.")
    try:
        token = _client(provider).authorize_access_token(request)
    except MismatchingStateError as error:
        raise SignInProblem(
            "The sign-in did not match one started from this browser, or it took too long."
        ) from error
    except OAuthError as error:
        raise SignInProblem(
            f"The provider did not sign you in ({error.error or 'no reason given'})."
        ) from error
    except joserfc.errors.JoseError as error:
        raise SignInProblem(f"The provider's ID token was not valid ({error.error}).") from error
    except requests.RequestException as error:
        logger.warning("Single sign-on provider %s unavailable: %s", provider.key, error)
        raise ProviderUnavailable(str(error)) from error
    except (ValueError, KeyError) as error:
        raise SignInProblem("The provider's answer could not be read.") from error
    claims = token.get("userinfo")
    if not claims:
        raise SignInProblem("The provider sent no ID token.")
    return ProviderIdentity(
        issuer=_text(claims.get("iss"), 300),
        subject=_subject(provider, dict(claims))[:255],
        email=_text(claims.get("email") or claims.get("preferred_username"), 254),
        name=_text(claims.get("name"), 150),
    )
