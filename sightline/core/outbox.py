"""The outbox: every email Sightline sends goes through here.

A message is a row (``OutboxMessage``) written in the same transaction as the change that
causes it, under a key that says what makes it one message, so it is never made twice. After
commit a job asks the worker to deliver what is due. Each message goes to one recipient, on
its own, so one refused address never stops the others. A failure is tried again after 1, 5
and 30 minutes, 2 and 12 hours; then the message is dead-lettered and listed for
administrators, who can send it again.

Exactly once: a worker leases the messages it takes; a lease that runs out (the worker died)
lets another worker take them. Just before the end of a message goes to the mail server the
row is marked as handed over, and committed; once the server accepts it the row is marked
sent. A worker that dies between those two moments (the server has the message, Sightline
does not know) leaves a row that is never sent again by itself: it is marked "perhaps sent"
for an administrator to check. That window is the server's reply to the end of the message,
the smallest SMTP allows.
"""

import datetime
import hashlib
import logging
import re
import smtplib
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from email import policy as email_policy
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import AuditEvent, OutboxMessage
from .services import audit_record

logger = logging.getLogger(__name__)

# After the nth failed attempt, wait RETRY_DELAYS[n - 1]; after the last, give up.
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
BATCH_SIZE = 100
FORGOTTEN = "(Not kept once sent: it held a link that lets its holder in.)"

Status = OutboxMessage.Status

_held_back: ContextVar[bool] = ContextVar("outbox_held_back", default=False)


@contextmanager
def held_back() -> Iterator[None]:
    """Write no email for changes made inside this block: for the demo, whose people are
    fictional."""
    token = _held_back.set(True)
    try:
        yield
    finally:
        _held_back.reset(token)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    mimetype: str


def lease_length() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "SIGHTLINE_OUTBOX_LEASE_SECONDS", 300))


def message_key(*parts: Any) -> str:
    """A message's key from its parts: ``message_key("reviews.deadline", case.pk, email, day)``.
    Addresses are compared without regard to capitals."""
    return ":".join(str(part).lower() if "@" in str(part) else str(part) for part in parts)


def outbox_add(
    *,
    key: str,
    kind: str,
    to: str,
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    forget_body_when_sent: bool = False,
    headers: Mapping[str, str] | None = None,
) -> bool:
    """Write one message to ``to`` unless a message with ``key`` exists; deliver it after the
    surrounding transaction commits. True when a message was written. ``headers`` are this
    message's own (a newsletter's ``List-Unsubscribe``); its Message-ID is always the
    outbox's."""
    if _held_back.get() or not to:
        return False
    if len(key) > OutboxMessage._meta.get_field("key").max_length:  # type: ignore[operator]
        raise ValueError(f"Outbox key too long: {key[:60]}...")
    try:
        with transaction.atomic():
            _, created = OutboxMessage.objects.get_or_create(
                key=key,
                defaults={
                    "kind": kind,
                    "recipient": to.strip(),
                    "subject": subject[:300],
                    "body": body,
                    "attachments": [a.__dict__ for a in attachments],
                    "forget_body_when_sent": forget_body_when_sent,
                    "headers": dict(headers or {}),
                },
            )
    except IntegrityError:
        # Another transaction wrote the same key first: it is the one message.
        return False
    if created and not _delivery_requested():
        transaction.on_commit(request_delivery, robust=True)
    return created


def _delivery_requested() -> bool:
    """Whether this transaction already asks for delivery once it commits: a run that writes
    a hundred reminders needs one job, not a hundred."""
    return any(callback[1] is request_delivery for callback in connection.run_on_commit)


def request_delivery() -> None:
    """Ask the worker to deliver what is due (a job; the tests' backend runs it at once)."""
    from .tasks import deliver_outbox

    deliver_outbox.enqueue()


# --- Delivery ---------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    uncertain: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """For the commands: what happened to the emails due."""
        text = f"Emails sent: {self.sent}."
        if self.retrying:
            text += f" To try again later: {self.retrying}."
        if self.dead:
            text += f" Not sent, listed for administrators: {self.dead}."
        return text

    def as_dict(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "retrying": self.retrying,
            "dead": self.dead,
            "uncertain": self.uncertain,
        }


class _Permanent(Exception):
    """The server refused the message for good (a 5xx reply): trying again will not help."""


def _mark_uncertain(now: datetime.datetime) -> int:
    """Messages handed over to the server by a worker whose lease ran out: it died after
    sending the message and before hearing or recording the answer."""
    return OutboxMessage.objects.filter(
        status=Status.SENDING, lease_expires_at__lt=now, handed_over_at__isnull=False
    ).update(
        status=Status.UNCERTAIN,
        lease_expires_at=None,
        last_error="The worker stopped while the mail server was taking this message, so it "
        "may have been delivered. Check with the recipient before sending it again.",
    )


def _claim(*, worker_id: str, now: datetime.datetime, limit: int) -> list[int]:
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, lease_expires_at__lt=now, handed_over_at__isnull=True
    )
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(due).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:limit])
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(
                status=Status.SENDING,
                lease_expires_at=now + lease_length(),
                leased_by=worker_id[:64],
                handed_over_at=None,
            )
    return ids


def _email(message: OutboxMessage) -> EmailMessage:
    # The same message always has the same Message-ID, so a mail system that sees it twice
    # (an administrator sent a "perhaps sent" message again) can tell.
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        to=[message.recipient],
        headers={**message.headers, "Message-ID": f"<{digest}@{_domain()}>"},
    )
    for part in message.attachments:
        email.attach(part["filename"], part["content"], part["mimetype"])
    return email


def _domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    return sender.rsplit("@", 1)[-1] if "@" in sender else "sightline.invalid"


def _handed_over(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(handed_over_at=timezone.now())


def _still_ours(message: OutboxMessage, worker_id: str) -> bool:
    """Renew the lease just before sending; False when another worker has taken the message
    (this one was too slow and its lease ran out)."""
    return bool(
        OutboxMessage.objects.filter(
            pk=message.pk, status=Status.SENDING, leased_by=worker_id, handed_over_at__isnull=True
        ).update(lease_expires_at=timezone.now() + lease_length())
    )


class _Courier:
    """Sends one message at a time over one connection to the mail server, telling the
    outbox when the end of the message is about to go."""

    def __init__(self) -> None:
        self.backend: Any = mailers.default
        self.smtp = isinstance(self.backend, SmtpBackend)

    def open(self) -> None:
        if self.smtp:
            self.backend.open()

    def close(self) -> None:
        try:
            self.backend.close()
        except (OSError, smtplib.SMTPException):
            logger.warning("Could not close the connection to the mail server", exc_info=True)

    def send(self, message: OutboxMessage) -> None:
        mail = _email(message)
        if not self.smtp:
            _handed_over(message)
            self.backend.send_messages([mail])
            return
        if self.backend.connection is None:
            self.backend.open()
        server: smtplib.SMTP = self.backend.connection
        sender = self.backend.prep_address(mail.from_email)
        recipient = self.backend.prep_address(message.recipient)
        server.ehlo_or_helo_if_needed()
        code, reply = server.mail(sender)
        if code != 250:
            self._refused(server, code, reply)
        code, reply = server.rcpt(recipient)
        if code not in (250, 251):
            self._refused(server, code, reply)
        code, reply = server.docmd("DATA")
        if code != 354:
            self._refused(server, code, reply)
        content = mail.message(policy=email_policy.SMTP).as_bytes()
        content = re.sub(rb"(?m)^\.", b"..", content)
        if not content.endswith(b"\r\n"):
            content += b"\r\n"
        server.send(content)
        # Everything but the final dot is with the server; until the dot it discards it all.
        _handed_over(message)
        server.send(b".\r\n")
        code, reply = server.getreply()
        if code != 250:
            self._refused(server, code, reply)

    @staticmethod
    def _refused(server: smtplib.SMTP, code: int, reply: bytes) -> None:
        text = f"The mail server answered {code} {reply.decode(errors='replace')}"
        with suppress(OSError, smtplib.SMTPException):
            server.rset()
        if 500 <= code < 600:
            raise _Permanent(text)
        raise smtplib.SMTPResponseException(code, text)


def _record(message_id: int, **values: Any) -> None:
    OutboxMessage.objects.filter(pk=message_id).update(lease_expires_at=None, **values)


def _failed(message: OutboxMessage, error: str, *, permanent: bool, result: DeliveryResult) -> None:
    attempts = message.attempts + 1
    if permanent or attempts >= MAX_ATTEMPTS:
        _record(message.pk, status=Status.DEAD, attempts=attempts, last_error=error[:2000])
        result.dead += 1
        logger.warning("Gave up sending outbox message %s: %s", message.pk, error)
        return
    _record(
        message.pk,
        status=Status.PENDING,
        attempts=attempts,
        last_error=error[:2000],
        handed_over_at=None,
        next_attempt_at=timezone.now() + RETRY_DELAYS[attempts - 1],
    )
    result.retrying += 1


def outbox_deliver(
    *, worker_id: str = "", now: datetime.datetime | None = None, limit: int = BATCH_SIZE
) -> DeliveryResult:
    """Send the messages that are due, each on its own. Run by the worker; safe to run in
    several workers at once."""
    now = now or timezone.now()
    worker_id = worker_id or f"inline-{uuid.uuid4().hex[:12]}"
    result = DeliveryResult()
    result.uncertain = _mark_uncertain(now)
    ids = _claim(worker_id=worker_id, now=now, limit=limit)
    if not ids:
        return result
    messages = list(OutboxMessage.objects.filter(pk__in=ids).order_by("id"))
    try:
        courier = _Courier()
        courier.open()
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            _failed(
                message, f"Could not reach the mail server: {error}", permanent=False, result=result
            )
        return result
    try:
        for position, message in enumerate(messages):
            if not _still_ours(message, worker_id):
                continue
            try:
                courier.send(message)
            except _Permanent as error:
                _failed(message, str(error), permanent=True, result=result)
            except (TimeoutError, OSError, smtplib.SMTPException) as error:
                _failed(message, f"{type(error).__name__}: {error}", permanent=False, result=result)
                # smtplib's errors are OSErrors too: only a lost connection stops the batch.
                if isinstance(error, smtplib.SMTPServerDisconnected) or not isinstance(
                    error, smtplib.SMTPException
                ):
                    # The connection is gone: the rest wait for the next attempt.
                    for rest in messages[position + 1 :]:
                        _failed(rest, "The mail server went away", permanent=False, result=result)
                    break
            else:
                sent: dict[str, Any] = {"status": Status.SENT, "sent_at": timezone.now()}
                if message.forget_body_when_sent:
                    sent["body"] = FORGOTTEN
                _record(message.pk, last_error="", **sent)
                result.sent += 1
    finally:
        courier.close()
    return result


def outbox_deliver_all(
    *, worker_id: str = "", now: datetime.datetime | None = None
) -> DeliveryResult:
    """Deliver everything due (by ``now``), batch after batch (the worker and the reminder
    commands use it)."""
    total = DeliveryResult()
    while True:
        batch = outbox_deliver(worker_id=worker_id, now=now)
        for name in ("sent", "retrying", "dead", "uncertain"):
            setattr(total, name, getattr(total, name) + getattr(batch, name))
        if batch.sent + batch.retrying + batch.dead == 0:
            return total


# --- Administrators -------------------------------------------------------------------


@transaction.atomic
def outbox_resend(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """Send a dead-lettered or perhaps-sent message again, as an administrator decided."""
    if message.status not in (Status.DEAD, Status.UNCERTAIN):
        raise ValidationError(
            "Only a message that was not sent, or that was perhaps sent, can be sent again"
        )
    before = message.get_status_display()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.PENDING,
        next_attempt_at=timezone.now(),
        attempts=0,
        handed_over_at=None,
        lease_expires_at=None,
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=message,
        changes={"status": {"from": before, "to": str(Status.PENDING.label)}},
        detail="Email sent again by an administrator",
    )
    transaction.on_commit(request_delivery, robust=True)
    message.refresh_from_db()
    return message


def outbox_withdraw(*, kind: str, to: str) -> int:
    """Take back the messages of ``kind`` to ``to`` that are still waiting to be sent (someone
    unsubscribed while an issue was going out). Their rows go, so their keys are free again.
    Returns how many."""
    deleted, _ = OutboxMessage.objects.filter(
        kind=kind, recipient__iexact=to.strip(), status=Status.PENDING
    ).delete()
    return deleted


def keys_present(keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` are already in the outbox (to skip building messages again)."""
    keys = list(keys)
    return set(OutboxMessage.objects.filter(key__in=keys).values_list("key", flat=True))
