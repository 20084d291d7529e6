"""Request context for the audit trail, and default deny for every view."""

import ipaddress
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from .request_context import client_ip

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str | None:
    """The client's address, read through as many proxies as settings say to trust."""
    trusted = settings.SIGHTLINE_TRUSTED_PROXIES
    if trusted:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= trusted and _is_address(forwarded[-trusted]):
            return forwarded[-trusted]
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _is_address(remote) else None


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class RequestContextMiddleware:
    """Makes the client's address available to the audit trail for this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)


def view_policy(view_func: Any) -> str | None:
    """The permission a view declares, ``"public"`` for a public view, or None for neither."""
    if getattr(view_func, "login_required", True) is False:
        return "public"
    view_class = getattr(view_func, "view_class", None)
    return getattr(view_class, "permission", None) or getattr(view_func, "permission", None)


class DefaultDenyMiddleware:
    """Refuses any view that declares neither a permission nor that it is public."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> None:
        if view_policy(view_func) is None:
            logger.error("View %r declares no permission: refused by default.", view_func)
            raise PermissionDenied


class NoStoreMiddleware:
    """Nothing Sightline serves may be kept by a browser or a shared cache unless the view
    says so, and nothing served to someone signed in may be kept at all: pages and downloads
    about cases and people stay off disks and proxies.

    The rule, for every kind of response (pages, downloads, files, PDFs, exports, calendar
    feeds, error pages):

    - signed in: ``private, no-store``, whatever the view set (a view's ``public`` or
      ``max-age`` is replaced), unless the view already said ``no-store``;
    - signed out: ``private, no-store`` unless the view set its own ``Cache-Control`` (the
      public hub's pages may be cached for minutes; a calendar feed sets nothing, so it gets
      ``no-store``).

    Static files (WhiteNoise answers them before anyone is signed in) keep their own
    long-lived caching: they hold nothing about anyone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in and "no-store" not in response.get("Cache-Control", ""):
            del response["Cache-Control"]
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


# Powerful browser features Sightline never uses, refused to every page and to anything a
# page embeds, so that injected or third-party script cannot reach them. Passkeys
# (WebAuthn) stay allowed for Sightline's own pages: sign-in and the account page use them.
PERMISSIONS_POLICY: dict[str, str] = {
    "accelerometer": "()",
    "ambient-light-sensor": "()",
    "autoplay": "()",
    "bluetooth": "()",
    "browsing-topics": "()",
    "camera": "()",
    "display-capture": "()",
    "encrypted-media": "()",
    "gamepad": "()",
    "geolocation": "()",
    "gyroscope": "()",
    "hid": "()",
    "idle-detection": "()",
    "local-fonts": "()",
    "magnetometer": "()",
    "microphone": "()",
    "midi": "()",
    "payment": "()",
    "picture-in-picture": "()",
    "publickey-credentials-create": "(self)",
    "publickey-credentials-get": "(self)",
    "screen-wake-lock": "()",
    "serial": "()",
    "usb": "()",
    "web-share": "()",
    "xr-spatial-tracking": "()",
}
PERMISSIONS_POLICY_HEADER = ", ".join(
    f"{feature}={allow}" for feature, allow in PERMISSIONS_POLICY.items()
)


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` on every response (``PERMISSIONS_POLICY``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY_HEADER)
        return response
