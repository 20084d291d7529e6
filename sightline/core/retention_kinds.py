"""The shared kernel's kinds of record for the retention registry: the bodies of emails sent,
the audit trail and the access log (the last two archived, never edited)."""

import datetime
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import AccessLogEntry, AuditEvent, OutboxMessage
from .retention import (
    Candidate,
    Disposal,
    RecordKind,
    SubjectQuery,
    SubjectRow,
    months_before,
    register,
    subject_filter,
)

SUBJECT_ROWS_MAX = 10_000


def _sent(before: datetime.datetime) -> Any:
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENT, sent_at__lt=before
    ).filter(~Q(body="") | ~Q(attachments=[]))


def outbox_past(*, before: datetime.datetime) -> Iterable[Candidate]:
    rows = _sent(before).only("pk", "sent_at")
    return [
        Candidate(
            object_type="core.outboxmessage",
            object_id=str(message.pk),
            label=f"Email {message.pk}",
            dated=message.sent_at.date(),
        )
        for message in rows.order_by("sent_at", "pk")
    ]


def outbox_forget(*, ids: list[str], actor: Any, before: datetime.datetime) -> int:
    return _sent(before).filter(pk__in=ids).update(body="", attachments=[])


def _trail_past(model: Any, label: str, before: datetime.datetime) -> list[Candidate]:
    oldest = model.objects.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    if oldest is None or oldest >= before:
        return []
    count = model.objects.filter(occurred_at__lt=before).count()
    return [
        Candidate(
            object_type=model._meta.label_lower,
            object_id=before.date().isoformat(),
            label=f"{label} before {before:%d %B %Y}: {count} entries",
            dated=oldest.date(),
        )
    ]


TRAILS = ("audit_trail", "access_log")


def _archive(key: str, ids: list[str], actor: Any, before: datetime.datetime) -> int:
    """The audit trail and the access log are one hash chain, sealed in blocks that hold rows
    of both: ``archive_before`` exports whole sealed blocks, verifies the export and removes
    them, leaving a checkpoint the chain verifies from. A block goes only once both periods
    have passed, so the earlier of the two cut-offs is used. Never edits a row."""
    from .audit_seals import archive_before
    from .retention_services import retention_period

    cutoffs = [before]
    for other in TRAILS:
        months = retention_period(other)
        if other != key and months is not None:
            cutoffs.append(months_before(timezone.now(), months))
    folder = Path(settings.RETENTION_ARCHIVE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    archive_before(before=timezone.localdate(min(cutoffs)), to=folder, actor=actor)
    return len(ids)


def audit_past(*, before: datetime.datetime) -> Iterable[Candidate]:
    return _trail_past(AuditEvent, "Audit trail", before)


def audit_dispose(*, ids: list[str], actor: Any, before: datetime.datetime) -> int:
    return _archive("audit-trail", ids, actor, before)


def access_past(*, before: datetime.datetime) -> Iterable[Candidate]:
    return _trail_past(AccessLogEntry, "Access log", before)


def access_dispose(*, ids: list[str], actor: Any, before: datetime.datetime) -> int:
    return _archive("access-log", ids, actor, before)


def outbox_subject(*, query: SubjectQuery) -> Iterable[SubjectRow]:
    if not query.email:
        return []
    messages = OutboxMessage.objects.filter(recipient__iexact=query.email).order_by("pk")
    return [
        SubjectRow("Email", str(message.pk), field, str(getattr(message, field)))
        for message in messages[:SUBJECT_ROWS_MAX]
        for field in ("subject", "body", "status", "created_at")
    ]


def audit_subject(*, query: SubjectQuery) -> Iterable[SubjectRow]:
    who = subject_filter(query, email=("actor_email",), name=("actor__full_name",))
    events = AuditEvent.objects.filter(who).order_by("occurred_at", "pk")[:SUBJECT_ROWS_MAX]
    return [
        SubjectRow(
            "Audit event",
            str(event.pk),
            event.kind,
            f"{event.occurred_at:%Y-%m-%d %H:%M} {event.object_repr} {event.ip_address or ''}",
        )
        for event in events
    ]


def access_subject(*, query: SubjectQuery) -> Iterable[SubjectRow]:
    who = subject_filter(query, email=("user__email",), name=("user__full_name",))
    entries = AccessLogEntry.objects.filter(who).order_by("occurred_at", "pk")[:SUBJECT_ROWS_MAX]
    return [
        SubjectRow(
            "Access log entry",
            str(entry.pk),
            entry.action,
            f"{entry.occurred_at:%Y-%m-%d %H:%M} {entry.object_repr}",
        )
        for entry in entries
    ]


TRAIL_SOURCE = (
    "Suggested: six years (the Limitation Act 1980 period), long enough to show who saw and "
    "changed a record for as long as a claim about it can be brought. Partnership decision; "
    "a legal hold or an inquiry keeps it longer."
)

register(
    RecordKind(
        key="outbox_bodies",
        label="Email bodies in the outbox",
        description="The text of emails already sent. The record that an email was sent, to "
        "whom and when, stays.",
        default_months=3,
        source="Suggested: UK GDPR Article 5(1)(e) (storage limitation); three months is "
        'long enough to answer "did that email go?". Partnership decision.',
        counts_from="When the email was sent",
        disposal=Disposal.ANONYMISE,
        find="sightline.core.retention_kinds.outbox_past",
        dispose="sightline.core.retention_kinds.outbox_forget",
        subject="sightline.core.retention_kinds.outbox_subject",
    )
)
register(
    RecordKind(
        key="audit_trail",
        label="Audit trail",
        description="Every change, sign-in and refused request. Never edited: past its "
        "period, whole sealed blocks are exported, verified and removed.",
        default_months=72,
        min_months=12,
        source=TRAIL_SOURCE,
        counts_from="The event",
        disposal=Disposal.ARCHIVE,
        find="sightline.core.retention_kinds.audit_past",
        dispose="sightline.core.retention_kinds.audit_dispose",
        subject="sightline.core.retention_kinds.audit_subject",
    )
)
register(
    RecordKind(
        key="access_log",
        label="Access log",
        description="Every read of a restricted record and every export. Archived like the "
        "audit trail.",
        default_months=72,
        min_months=12,
        source=TRAIL_SOURCE,
        counts_from="The read or export",
        disposal=Disposal.ARCHIVE,
        find="sightline.core.retention_kinds.access_past",
        dispose="sightline.core.retention_kinds.access_dispose",
        subject="sightline.core.retention_kinds.access_subject",
    )
)
