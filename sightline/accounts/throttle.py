"""Throttling that cannot be turned against the person it protects.

Failed sign-ins are counted per client address, per account and client address, and per
account; reset and registration emails per recipient and per client address. The counts are
rows in the database (``ThrottleHit``), so every worker process counts together, under keys
that are HMACs of what they count. A request over a limit is refused at once, with the time
it may try again; nothing waits in a worker.

Nothing locks an account. A browser someone has signed in from carries a signed "known
device" cookie, and a sign-in from it with that account's email address is held only to the
device's own count of failures: a stranger hammering the account, or sharing the person's
office address, does not keep them out. The rules themselves are in ``throttle_rules``.
"""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sightline.core.formats import local_datetime
from sightline.core.request_context import client_ip

from . import services
from .models import ThrottleHit
from .throttle_rules import ALLOWED, Limit, Verdict, longest_window, strictest, verdict

DEVICE_COOKIE = "sightline_known_device"
DEVICE_SALT = "sightline.accounts.known_device"

CLIENT = "sign_in.client"
ACCOUNT_AND_CLIENT = "sign_in.account_client"
ACCOUNT = "sign_in.account"
DEVICE = "sign_in.device"


def _limit(scope: str, setting: str, reason: str) -> Limit:
    attempts, minutes = getattr(settings, setting)
    return Limit(
        scope=scope, limit=int(attempts), window=datetime.timedelta(minutes=minutes), reason=reason
    )


def sign_in_limits() -> dict[str, Limit]:
    return {
        CLIENT: _limit(
            CLIENT,
            "SIGHTLINE_SIGN_IN_LIMIT_PER_CLIENT",
            "too many failed attempts from this address",
        ),
        ACCOUNT_AND_CLIENT: _limit(
            ACCOUNT_AND_CLIENT,
            "SIGHTLINE_SIGN_IN_LIMIT_PER_ACCOUNT_AND_CLIENT",
            "too many failed attempts for this account from this address",
        ),
        ACCOUNT: _limit(
            ACCOUNT,
            "SIGHTLINE_SIGN_IN_LIMIT_PER_ACCOUNT",
            "too many failed attempts for this account",
        ),
        DEVICE: _limit(
            DEVICE,
            "SIGHTLINE_SIGN_IN_LIMIT_PER_DEVICE",
            "too many failed attempts from a known device",
        ),
    }


def email_limits(purpose: str) -> tuple[Limit, Limit]:
    """The limits on the emails ``purpose`` sends: per recipient, then per client address."""
    return (
        _limit(f"{purpose}.recipient", "SIGHTLINE_EMAIL_LIMIT_PER_RECIPIENT", "recipient"),
        _limit(f"{purpose}.client", "SIGHTLINE_EMAIL_LIMIT_PER_CLIENT", "client"),
    )


def _key(*parts: str) -> str:
    """What a count is kept under: an HMAC, so the table holds no address or email."""
    message = "\x1f".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _email_key(email: str) -> str:
    return _key("email", email.strip().lower())


def _client_key() -> str:
    return _key("client", client_ip.get() or "unknown")


# --- The store ------------------------------------------------------------------------


def _verdict(limit: Limit, key: str, now: datetime.datetime) -> Verdict:
    recent = list(
        ThrottleHit.objects.filter(scope=limit.scope, key=key, at__gt=now - limit.window)
        .order_by("-at")
        .values_list("at", flat=True)[: max(limit.limit, 1)]
    )
    return verdict(limit=limit, recent=recent, now=now)


def _count(hits: list[tuple[Limit, str]], now: datetime.datetime) -> None:
    """Record one event under each (limit, key), and forget events too old to count."""
    ThrottleHit.objects.bulk_create(
        [ThrottleHit(scope=limit.scope, key=key, at=now) for limit, key in hits]
    )
    every = [*sign_in_limits().values(), *email_limits("reset"), *email_limits("register")]
    ThrottleHit.objects.filter(at__lt=now - longest_window(every)).delete()


def _try_again(at: datetime.datetime) -> str:
    moment = local_datetime(at, style="time")
    if timezone.localdate(at) != timezone.localdate():
        moment = local_datetime(at)
    return f"{moment} (UK time)"


def _refuse(response: HttpResponse, refusal: Verdict) -> HttpResponse:
    response["Retry-After"] = str(refusal.retry_after_seconds(now=timezone.now()))
    return response


# --- Known devices ----------------------------------------------------------------------


def _known_device(request: HttpRequest, email_key: str) -> str | None:
    """The device's id when the request carries a valid known-device cookie for this
    account, else None."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if not value:
        return None
    try:
        data = signing.loads(
            value,
            salt=DEVICE_SALT,
            max_age=datetime.timedelta(days=settings.SIGHTLINE_KNOWN_DEVICE_DAYS),
        )
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not hmac.compare_digest(str(data.get("e", "")), email_key):
        return None
    device = data.get("d")
    return device if isinstance(device, str) and device else None


def known_device_remember(response: HttpResponse, *, request: HttpRequest, email: str) -> None:
    """Mark this browser as one the person with ``email`` signs in from (after a completed
    sign-in, or a password reset, which proves the person holds the mailbox)."""
    device = _known_device(request, _email_key(email)) or secrets.token_urlsafe(16)
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps({"e": _email_key(email), "d": device}, salt=DEVICE_SALT),
        max_age=settings.SIGHTLINE_KNOWN_DEVICE_DAYS * 24 * 60 * 60,
        httponly=True,
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


# --- Sign-in ----------------------------------------------------------------------------


@dataclass
class SignInAttempt:
    """One sign-in: whether it may check the password at all, and the counts to keep
    after it has."""

    email: str
    counted: list[tuple[Limit, str]]
    refusal: Verdict
    known_device: bool

    @property
    def refused(self) -> bool:
        return not self.refusal.allowed

    @property
    def message(self) -> str:
        when = _try_again(self.refusal.retry_at or timezone.now())
        if self.known_device:
            return (
                "There have been too many failed attempts to sign in from this device. "
                f"Try again at {when}."
            )
        return (
            f"There have been too many failed attempts to sign in. Try again at {when}, or "
            "reset your password: signing in from the device you reset it on is not held up."
        )

    def refuse(self, response: HttpResponse) -> HttpResponse:
        """``response`` (the sign-in page with ``message``, status 429) with Retry-After."""
        return _refuse(response, self.refusal)

    def settle(self, *, user: object | None) -> None:
        """Count a failure; after a success, forget this address's failures for the
        account."""
        now = timezone.now()
        if user is None:
            _count(self.counted, now)
        elif not self.known_device:
            _, key = next(hit for hit in self.counted if hit[0].scope == ACCOUNT_AND_CLIENT)
            ThrottleHit.objects.filter(scope=ACCOUNT_AND_CLIENT, key=key).delete()

    def remember(self, response: HttpResponse, *, request: HttpRequest) -> None:
        known_device_remember(response, request=request, email=self.email)


def sign_in_attempt(request: HttpRequest, *, email: str) -> SignInAttempt:
    """Whether this request may try ``email``'s password, before the password is checked.
    A refusal is written to the audit trail (without the password)."""
    limits = sign_in_limits()
    email_key = _email_key(email)
    device = _known_device(request, email_key)
    if device is not None:
        counted = [(limits[DEVICE], _key("device", device))]
    else:
        client = _client_key()
        counted = [
            (limits[CLIENT], client),
            (limits[ACCOUNT_AND_CLIENT], _key("pair", email_key, client)),
            (limits[ACCOUNT], email_key),
        ]
    now = timezone.now()
    refusal = strictest([_verdict(limit, key, now) for limit, key in counted])
    if not refusal.allowed and refusal.limit is not None:
        services.sign_in_refused(email=email, reason=refusal.limit.reason)
    return SignInAttempt(
        email=email, counted=counted, refusal=refusal, known_device=device is not None
    )


# --- Emails (password reset, registration) ---------------------------------------------


@dataclass(frozen=True)
class EmailAllowance:
    """Whether to send the email a request asks for. ``client_refusal`` refuses the
    request (429); ``send`` False without it means the recipient has had enough emails for
    now, which the response must not show."""

    send: bool
    client_refusal: Verdict = ALLOWED

    @property
    def refused(self) -> bool:
        return not self.client_refusal.allowed

    @property
    def message(self) -> str:
        when = _try_again(self.client_refusal.retry_at or timezone.now())
        return f"There have been too many requests from your network. Try again at {when}."

    def refuse(self, response: HttpResponse) -> HttpResponse:
        return _refuse(response, self.client_refusal)


def refused_page(request: HttpRequest, allowance: EmailAllowance, *, back: str) -> HttpResponse:
    """The 429 page for a client that has asked for too many emails."""
    page = render(
        request, "accounts/throttled.html", {"message": allowance.message, "back": back}, status=429
    )
    return allowance.refuse(page)


def email_allowance(*, purpose: str, email: str) -> EmailAllowance:
    """Counts a request for an email to ``email`` (``purpose`` "reset" or "register"). The
    same queries run whether or not the address has an account."""
    per_recipient, per_client = email_limits(purpose)
    now = timezone.now()
    client = _client_key()
    client_verdict = _verdict(per_client, client, now)
    if not client_verdict.allowed:
        return EmailAllowance(send=False, client_refusal=client_verdict)
    recipient = _email_key(email)
    send = _verdict(per_recipient, recipient, now).allowed
    _count([(per_client, client), *([(per_recipient, recipient)] if send else [])], now)
    return EmailAllowance(send=send)
