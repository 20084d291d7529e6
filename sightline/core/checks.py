"""System checks: every URL's view declares a permission or that it is public; email leaves
the machine only encrypted."""

import ipaddress
from typing import Any

from django.conf import settings
from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver

from .middleware import view_policy


def iter_patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Any:
    """Every URL pattern below ``resolver`` as ``(route, qualified name, pattern)``."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_patterns(entry, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield prefix + str(entry.pattern), name, entry


@checks.register(checks.Tags.security)
def check_views_declare_policy(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for route, name, pattern in iter_patterns(get_resolver()):
        if view_policy(pattern.callback) is None:
            errors.append(
                checks.Error(
                    f"The view for {route!r} ({name or 'unnamed'}) declares no permission.",
                    hint="Give it a permission from the app's policies, or mark it public.",
                    id="sightline.E001",
                )
            )
    return errors


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine: mail handed to it never crosses a network."""
    host = (host or "").strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@checks.register(checks.Tags.security)
def check_email_is_encrypted(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Password links and reminders must not cross a network in the clear: SMTP to any host
    but this machine needs STARTTLS or TLS."""
    errors: list[checks.CheckMessage] = []
    for name, mailer in getattr(settings, "MAILERS", {}).items():
        if not str(mailer.get("BACKEND", "")).endswith("smtp.EmailBackend"):
            continue
        options = mailer.get("OPTIONS", {})
        host = str(options.get("host") or "localhost")
        if options.get("use_tls") or options.get("use_ssl") or is_loopback(host):
            continue
        errors.append(
            checks.Error(
                f"Email ({name!r} mailer) goes to {host} over plain SMTP: password links and "
                "reminders would cross the network unencrypted.",
                hint=(
                    "Set EMAIL_URL to use STARTTLS (submission://user:password@host:587 or "
                    "smtp://user:password@host:587?tls=true) or TLS from the start "
                    "(smtp://user:password@host:465?ssl=true); plain smtp:// is allowed only "
                    "to a relay on this machine (localhost). See docs/operations.md."
                ),
                id="sightline.E002",
            )
        )
    return errors
