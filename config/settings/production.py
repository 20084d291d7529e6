"""Production: every secret from the environment, refusing to start without one.

Set ``SIGHTLINE_HTTPS=false`` only when serving on the loopback interface without TLS
(``make run`` does); it turns off HTTPS-only cookies, redirects and HSTS.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Production settings take it from the environment: "
            "see docs/operations.md."
        )
    return value


SECRET_KEY = _required("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters: see docs/operations.md.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _required("ALLOWED_HOSTS"))
# Reminders and password links must reach people: say where email goes (console: to drop it).
_required("EMAIL_URL")
DEBUG = env_bool("DJANGO_DEBUG", default=False)

HTTPS = env_bool("SIGHTLINE_HTTPS", default=True)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", default=True)
if env_bool("SIGHTLINE_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# mfa: a demonstration (make run) lets its demo accounts skip the second factor, so it is
# refused anywhere but the loopback interface over plain HTTP.
if env_bool("SIGHTLINE_DEMO", default=False) and (
    HTTPS or any(host not in {"127.0.0.1", "localhost", "::1", "[::1]"} for host in ALLOWED_HOSTS)
):
    raise ImproperlyConfigured(
        "SIGHTLINE_DEMO is for a demonstration on this computer only: it cannot be combined "
        "with SIGHTLINE_HTTPS=true or an ALLOWED_HOSTS other than 127.0.0.1 and localhost. "
        "Unset SIGHTLINE_DEMO for a real service (docs/operations.md)."
    )
