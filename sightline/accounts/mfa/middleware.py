"""Sends a signed-in person who must complete a second factor, and has not in this session,
to set one up (none yet) or to enter it: nothing else is served to them until they do."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from sightline.core.middleware import view_policy

from . import second_factor_done, second_factor_required
from .selectors import has_second_factor

# The pages a person may use before completing their second factor (public pages too).
ALLOWED = frozenset(
    {
        "accounts:sign_out",
        "accounts:mfa_setup",
        "accounts:mfa_totp_setup",
        "accounts:mfa_passkey_setup",
        "accounts:mfa_verify",
        "accounts:mfa_recovery",
        "core:help",
        "core:help_role",
        "health",
        "health_queue",
    }
)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not settings.SIGHTLINE_MFA_ENFORCED or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if (match is not None and match.view_name in ALLOWED) or view_policy(view_func) == "public":
            return None
        if second_factor_done(request.session) or not second_factor_required(request.user):
            return None
        has_factor = has_second_factor(user=request.user)
        target = reverse("accounts:mfa_verify" if has_factor else "accounts:mfa_setup")
        if request.method == "GET":
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return HttpResponseRedirect(target)
