"""Writes to the shared kernel: the audit trail and the access log.

Other apps' services call ``audit_record`` inside their own transaction so that a change
and its audit event are committed together or not at all.
"""

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from .models import AccessLogEntry, AuditEvent, ClosureDay
from .request_context import client_ip
from .signals import working_days_changed

Changes = dict[str, dict[str, Any]]


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value, readable in the audit trail."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | decimal.Decimal):
        return value.isoformat() if not isinstance(value, decimal.Decimal) else str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_plain(item) for item in value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` on ``instance``, ready for ``changes_between``."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """Each field whose value differs, as ``{"field": {"from": old, "to": new}}``."""
    return {
        name: {"from": before.get(name), "to": after[name]}
        for name in after
        if before.get(name) != after[name]
    }


def _object_fields(obj: models.Model | None) -> dict[str, str]:
    if obj is None:
        return {"object_type": "", "object_id": "", "object_repr": ""}
    return {
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:200],
    }


def audit_record(
    *,
    actor: Any,
    kind: str,
    obj: models.Model | None = None,
    changes: Changes | None = None,
    detail: str = "",
    actor_email: str = "",
) -> AuditEvent:
    """Append one event to the audit trail. ``actor`` is a user, or None for the system."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_email=(actor.email if is_user else actor_email)[:254],
        kind=kind,
        changes=changes or {},
        detail=detail,
        ip_address=client_ip.get(),
        **_object_fields(obj),
    )


def access_log_record(
    *,
    user: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    detail: str = "",
) -> AccessLogEntry:
    """Record that ``user`` viewed a restricted record or exported data."""
    fields = (
        _object_fields(obj)
        if obj is not None
        else {
            "object_type": object_type,
            "object_id": object_id,
            "object_repr": object_repr,
        }
    )
    return AccessLogEntry.objects.create(
        user=user, action=action, detail=detail, ip_address=client_ip.get(), **fields
    )


def audit_record_many(
    *, actor: Any, events: Iterable[dict[str, Any]], actor_email: str = ""
) -> int:
    """Append many events at once (an import): each dict gives kind, obj and changes."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    rows = [
        AuditEvent(
            actor=actor if is_user else None,
            actor_email=actor.email if is_user else actor_email[:254],
            kind=event["kind"],
            changes=event.get("changes") or {},
            detail=event.get("detail", ""),
            ip_address=client_ip.get(),
            **_object_fields(event.get("obj")),
        )
        for event in events
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@transaction.atomic
def closure_day_add(*, actor: Any, date: datetime.date, description: str) -> ClosureDay:
    if ClosureDay.objects.filter(date=date).exists():
        raise ValidationError({"date": f"{date:%d %B %Y} is already a closure day"})
    day = ClosureDay.objects.create(date=date, description=description.strip())
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=day,
        changes=changes_between({}, snapshot(day, ["date", "description"])),
    )
    working_days_changed.send(sender=ClosureDay, actor=actor)
    return day


@transaction.atomic
def closure_day_remove(*, actor: Any, day: ClosureDay) -> None:
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.DELETE,
        obj=day,
        changes=changes_between(
            snapshot(day, ["date", "description"]), {"date": None, "description": None}
        ),
    )
    day.delete()
    working_days_changed.send(sender=ClosureDay, actor=actor)
