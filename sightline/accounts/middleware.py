"""Sessions end after 12 hours however active they are, and after 30 minutes idle (the
session's age, ``SESSION_COOKIE_AGE``, renewed while it is used)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .signals import SIGNED_IN_AT, TOUCHED_AT

# A session in use is written (its expiry renewed) at most this often, rather than on every
# request: one UPDATE a minute instead of one for every page, and the idle limit still holds
# to within this many seconds.
TOUCH_EVERY = 60


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT, 0)
            if timezone.now().timestamp() - started > settings.SIGHTLINE_SESSION_MAX_AGE:
                request.sightline_sign_out_reason = (  # type: ignore[attr-defined]
                    "The session reached its 12-hour limit."
                )
                logout(request)
        response = self.get_response(request)
        _keep_alive(request)
        return response


def _keep_alive(request: HttpRequest) -> None:
    """Renew the expiry of a session in use once a minute: changing it makes Django's session
    middleware, which runs after this one on the way out, save it with a new expiry."""
    session = request.session
    if session.modified or session.is_empty():
        return
    now = int(time.time())
    if now - session.get(TOUCHED_AT, 0) >= TOUCH_EVERY:
        session[TOUCHED_AT] = now
