"""Request context for the audit trail, and default deny for every view."""

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .request_context import client_ip

logger = logging.getLogger(__name__)


class RequestContextMiddleware:
    """Makes the client's address available to the audit trail for this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(request.META.get("REMOTE_ADDR") or None)
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
