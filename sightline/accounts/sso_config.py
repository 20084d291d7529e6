"""Single sign-on providers, read from the environment (never from the database).

    SIGHTLINE_OIDC_PROVIDERS=northshire,police
    SIGHTLINE_OIDC_NORTHSHIRE_NAME=Northshire Council       (shown on the sign-in button)
    SIGHTLINE_OIDC_NORTHSHIRE_ISSUER=https://login.microsoftonline.com/<tenant>/v2.0
    SIGHTLINE_OIDC_NORTHSHIRE_CLIENT_ID=...
    SIGHTLINE_OIDC_NORTHSHIRE_CLIENT_SECRET=...
    SIGHTLINE_OIDC_NORTHSHIRE_AGENCIES=Northshire Council Children's Services;Northshire Adults
    SIGHTLINE_OIDC_NORTHSHIRE_TRUST_MFA=true
    SIGHTLINE_OIDC_NORTHSHIRE_SUBJECT=entra                  (or standard, the default)

Agencies are named exactly as Sightline names them (case does not matter), separated by
semicolons since agency names may hold commas. This module imports nothing from Django's models:
the settings call it.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import ImproperlyConfigured

SubjectKind = Literal["standard", "entra"]
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class OidcProvider:
    """One OpenID Connect provider: whose staff use it and what a sign-in through it proves."""

    key: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    agencies: tuple[str, ...]
    trust_mfa: bool = False
    subject: SubjectKind = "standard"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"

    def __repr__(self) -> str:  # the secret never reaches a log or an error page
        return f"OidcProvider(key={self.key!r}, name={self.name!r}, issuer={self.issuer!r})"


def _prefix(key: str) -> str:
    return f"SIGHTLINE_OIDC_{key.upper().replace('-', '_')}_"


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set: single sign-on is configured for it.")
    return value


def provider_from_environ(environ: Mapping[str, str], key: str) -> OidcProvider:
    if not KEY_PATTERN.match(key):
        raise ImproperlyConfigured(
            f"SIGHTLINE_OIDC_PROVIDERS: {key!r} is not a usable key. Use lower-case letters, "
            "digits and hyphens, starting with a letter (for example northshire)."
        )
    prefix = _prefix(key)
    issuer = _required(environ, prefix + "ISSUER")
    if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ImproperlyConfigured(
            f"{prefix}ISSUER must be an https:// address (http is allowed only on loopback), "
            f"not {issuer!r}."
        )
    agencies = tuple(
        name.strip() for name in _required(environ, prefix + "AGENCIES").split(";") if name.strip()
    )
    if not agencies:
        raise ImproperlyConfigured(
            f"{prefix}AGENCIES must name at least one agency, exactly as Sightline names it "
            "(separate several with semicolons)."
        )
    trust = environ.get(prefix + "TRUST_MFA", "false").strip().lower() or "false"
    if trust not in TRUE | FALSE:
        raise ImproperlyConfigured(f"{prefix}TRUST_MFA must be true or false, not {trust!r}.")
    subject = environ.get(prefix + "SUBJECT", "standard").strip().lower() or "standard"
    if subject not in ("standard", "entra"):
        raise ImproperlyConfigured(
            f"{prefix}SUBJECT must be standard (issuer and sub) or entra (tenant and object "
            f"id), not {subject!r}."
        )
    name = _required(environ, prefix + "NAME")
    if len(name) > 100:
        raise ImproperlyConfigured(f"{prefix}NAME must be at most 100 characters.")
    return OidcProvider(
        key=key,
        name=name,
        issuer=issuer,
        client_id=_required(environ, prefix + "CLIENT_ID"),
        client_secret=_required(environ, prefix + "CLIENT_SECRET"),
        agencies=agencies,
        trust_mfa=trust in TRUE,
        subject=subject,  # type: ignore[arg-type]
    )


def providers_from_environ(environ: Mapping[str, str]) -> tuple[OidcProvider, ...]:
    """Every provider SIGHTLINE_OIDC_PROVIDERS names, in its order; none when it is unset."""
    keys = [key.strip() for key in environ.get("SIGHTLINE_OIDC_PROVIDERS", "").split(",")]
    keys = [key for key in keys if key]
    if len(set(keys)) != len(keys):
        raise ImproperlyConfigured("SIGHTLINE_OIDC_PROVIDERS names a provider twice.")
    return tuple(provider_from_environ(environ, key) for key in keys)
