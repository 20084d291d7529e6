"""A demonstration (SIGHTLINE_DEMO) lets its demo accounts skip the second factor: refused
anywhere it could be mistaken for, or reached as, a real service."""

from typing import Any

from django.conf import settings
from django.core import checks

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@checks.register(checks.Tags.security)
def demo_only_on_loopback(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not getattr(settings, "SIGHTLINE_DEMO", False):
        return []
    hosts = [host for host in settings.ALLOWED_HOSTS if host not in LOOPBACK]
    if settings.SESSION_COOKIE_SECURE or hosts:
        return [
            checks.Error(
                "SIGHTLINE_DEMO is on, but Sightline is served over HTTPS or to other hosts "
                f"({', '.join(hosts) or 'HTTPS'}).",
                hint="A demonstration runs on this computer only (make run). Unset "
                "SIGHTLINE_DEMO for a real service.",
                id="sightline.mfa.E001",
            )
        ]
    return []
