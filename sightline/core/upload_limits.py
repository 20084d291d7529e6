"""Requests too large for any upload are answered 413 (Content Too Large) with a page saying
the limit, before the body is read: no form, CSRF check or sign-in check sees it first."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import bounded
from .cleaning import MAX_DOCUMENT_BYTES

# Room for the form's other fields and the multipart framing around the file.
FRAMING_BYTES = 1024 * 1024


def request_limit() -> int:
    """The largest request body accepted: ``SIGHTLINE_MAX_REQUEST_BYTES`` if set, else the
    largest upload (a spreadsheet to import, or a document) with room for the form."""
    configured = getattr(settings, "SIGHTLINE_MAX_REQUEST_BYTES", None)
    if configured:
        return int(configured)
    return max(bounded.limits().upload_bytes, MAX_DOCUMENT_BYTES) + FRAMING_BYTES


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    from .views import _error_context

    imports = bounded.megabytes(bounded.limits().upload_bytes)
    documents = bounded.megabytes(MAX_DOCUMENT_BYTES)
    context: dict[str, Any] = {
        **_error_context(400),
        "status": 413,
        "error": {
            "title": "The file is too large",
            "body": (
                f"Sightline accepts uploads of up to {bounded.megabytes(limit)}: a spreadsheet "
                f"to import can be at most {imports}, a document at most {documents}. Nothing "
                "was saved. Split the file into smaller parts, or save a smaller version, and "
                "upload it again."
            ),
        },
    }
    return render(request, "core/error.html", context, status=413)


class UploadSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = request_limit()
        if length > limit:
            return too_large(request, limit)
        return self.get_response(request)
