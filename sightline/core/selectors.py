"""Reads of the audit trail and the access log."""

import datetime
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from .calendar import WorkingCalendar
from .models import AccessLogEntry, AuditEvent, ClosureDay


@dataclass(frozen=True)
class AuditFilters:
    person: str = ""
    object_type: str = ""
    object_id: str = ""
    kind: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_event_list(*, filters: AuditFilters) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if filters.person:
        events = events.filter(actor_email__icontains=filters.person.strip())
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id.strip())
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.date_from:
        events = events.filter(occurred_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=_start_of(filters.date_to + datetime.timedelta(1)))
    return events.order_by("-occurred_at", "-id")


def audit_events_for_object(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).order_by(
        "-occurred_at", "-id"
    )


def access_log_list(*, object_type: str = "", object_id: str = "") -> QuerySet[AccessLogEntry]:
    entries = AccessLogEntry.objects.select_related("user")
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    return entries.order_by("-occurred_at", "-id")


@lru_cache(maxsize=4)
def _calendar_for(closures: frozenset[datetime.date]) -> WorkingCalendar:
    return WorkingCalendar(closures)


def working_calendar() -> WorkingCalendar:
    """England's working days less the partnership's closure days (one query; cached table)."""
    return _calendar_for(frozenset(ClosureDay.objects.values_list("date", flat=True)))


def closure_day_list() -> QuerySet[ClosureDay]:
    return ClosureDay.objects.order_by("-date")


def closure_day_get(*, pk: int) -> ClosureDay:
    day = ClosureDay.objects.filter(pk=pk).first()
    if day is None:
        raise Http404("No such closure day.")
    return day
