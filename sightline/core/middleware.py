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
    says so: pages and downloads about cases and people stay off disks and proxies. Public
    hub pages set their own ``Cache-Control``; every other response gets ``no-store``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
