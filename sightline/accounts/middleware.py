"""Sessions end after 12 hours however active they are, and after 30 minutes idle: a request
renews the session in the store when its last renewal is a minute old or more."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .signals import RENEWED_AT, SIGNED_IN_AT


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
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            # Setting it marks the session modified, so SessionMiddleware writes it back with
            # a new expiry (SESSION_COOKIE_AGE from now); within the minute it is left alone.
            now = int(timezone.now().timestamp())
            if session.modified or now - session.get(RENEWED_AT, 0) >= (
                settings.SIGHTLINE_SESSION_RENEW_SECONDS
            ):
                session[RENEWED_AT] = now
        return response
