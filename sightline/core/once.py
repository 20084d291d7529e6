"""Saving once: a create form sent twice makes one record, and a clash is never a 500.

Every rendered create form carries a one-time token (``submit_once_field()`` in its
template, a hidden input). The view's ``post`` is wrapped in ``submit_once``:

- the first submit of a token inserts a ``SubmissionToken`` row and runs the view in the
  same transaction; when the view answers with a redirect (the record was made), the row
  keeps where it went and both commit together;
- a second submit of the same token (a double click, back and send again) finds the row and
  is sent to the record already made, with a message; nothing new is saved;
- two simultaneous submits are serialised by the token's unique index: the second insert
  waits for the first transaction and then fails, and the loser is redirected like a second
  submit;
- a submit that does not end in a redirect (the form had errors) removes its row, so the
  corrected form can be sent with the same token.

A form posted **without** a token (a tab opened before this was deployed, a script) is
accepted, unprotected: refusing it would lose what the person typed, and a duplicate made
that way is no worse than before. A token that is not one we could have made answers 400.

``unique_save`` turns a unique constraint clash (two people adding the same thing at the
same moment, with different tokens) into a form error; ``IntegrityErrorMiddleware``
answers any other unhandled ``IntegrityError`` with a 409 page rather than a 500.
"""

import datetime
import functools
import logging
import re
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from markupsafe import Markup

from .models import SubmissionToken

logger = logging.getLogger("sightline.once")

TOKEN_FIELD = "submit_once"  # noqa: S105 (a field's name, not a secret)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")
# How long a sent form's token is kept: a form sent again later than this makes a new record.
SUBMISSION_TOKENS_KEPT = datetime.timedelta(days=30)

ALREADY_SENT = "This form had already been sent, so nothing new was saved: this is what it made."
REDIRECTS = frozenset({301, 302, 303, 307, 308})


def new_token() -> str:
    return secrets.token_urlsafe(32)


def submit_once_field() -> Markup:
    """The hidden input holding a fresh one-time token: one per rendered create form."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(TOKEN_FIELD, new_token())


def _error_page(request: HttpRequest, *, status: int, title: str, body: str) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"error": {"title": title, "body": body}, "status": status},
        status=status,
    )


def _already_made(request: HttpRequest, token: str, user_id: int | None) -> HttpResponse | None:
    """Where an earlier submit of ``token`` went, or None if nothing was made with it."""
    found = SubmissionToken.objects.filter(token=token).first()
    if found is None:
        return None
    if found.user_id != user_id or not found.url:
        return _error_page(
            request,
            status=400,
            title="This form has already been used",
            body="Open the page again to get a fresh form, then send it.",
        )
    messages.info(request, ALREADY_SENT)
    return redirect(found.url)


def run_once(request: HttpRequest, make: Callable[[], HttpResponse]) -> HttpResponse:
    """Answer a create form's post with ``make()`` at most once per token (see the module)."""
    token = request.POST.get(TOKEN_FIELD)
    if token is None:
        return make()  # no token: an old tab or a script; accepted, unprotected
    if not TOKEN_PATTERN.fullmatch(token):
        return _error_page(
            request,
            status=400,
            title="There is a problem with the form",
            body="The form was changed after it was opened. Open the page again and send it.",
        )
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    done = _already_made(request, token, user_id)
    if done is not None:
        return done
    try:
        with transaction.atomic():
            row = SubmissionToken.objects.create(token=token, user_id=user_id)
            response = make()
            location = response.get("Location", "") if response.status_code in REDIRECTS else ""
            if location and len(location) <= SubmissionToken.URL_MAX:
                row.url = location
                row.save(update_fields=["url"])
            else:
                row.delete()  # nothing made (form errors): the same form may be sent again
            return response
    except IntegrityError:
        # Either another submit of this token won the race (it committed first: go where it
        # went), or the view's own write clashed (raised on, answered as a conflict).
        done = _already_made(request, token, user_id)
        if done is not None:
            return done
        raise


def submit_once(post: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a class-based view's ``post`` so that each form token creates once."""

    @functools.wraps(post)
    def wrapper(view: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return run_once(request, lambda: post(view, request, *args, **kwargs))

    return wrapper


def unique_save[T](
    form: Form, save: Callable[[], T], message: str, field: str | None = None
) -> T | None:
    """``save()``, or None with ``message`` on the form when it broke a unique constraint:
    someone saved the same thing a moment before (the checks before saving passed for both)."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        logger.info("Unique clash answered as a form error: %s", message)
        form.add_error(field if field in form.fields else None, message)
        return None


def submission_tokens_prune(*, now: datetime.datetime) -> int:
    """Remove the tokens of forms sent longer ago than they are kept; how many went."""
    removed, _ = SubmissionToken.objects.filter(
        created_at__lt=now - SUBMISSION_TOKENS_KEPT
    ).delete()
    return removed


class IntegrityErrorMiddleware:
    """An ``IntegrityError`` no view handled (two writes clashed) answers a 409 page saying
    what to do, not a 500: the transaction was rolled back, nothing half-saved."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, IntegrityError):
            return None
        logger.warning("Write clash on %s %s: %s", request.method, request.path, exception)
        return _error_page(
            request,
            status=409,
            title="Someone else saved at the same moment",
            body="Nothing was saved from your form, because it clashed with a change made at "
            "the same time. Go back, check the page as it is now, and send your form again.",
        )
