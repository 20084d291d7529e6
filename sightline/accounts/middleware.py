"""Sessions end after 12 hours however active they are (idle expiry is the cookie's age)."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .signals import SIGNED_IN_AT


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
        return self.get_response(request)
