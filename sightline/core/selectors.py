"""Reads of the audit trail and the access log."""

import datetime
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from .calendar import WorkingCalendar
from .history import HistoryEntry, history_entries
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


def history_for_object(*, object_type: str, object_id: str, limit: int = 50) -> list[HistoryEntry]:
    """A record's latest events, newest first, each with its changes in words (one query)."""
    events = audit_events_for_object(object_type=object_type, object_id=object_id)[:limit]
    return history_entries(events)


@dataclass(frozen=True)
class AccessLogFilters:
    person: str = ""
    object_type: str = ""
    object_id: str = ""
    record: str = ""
    action: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def access_log_list(*, filters: AccessLogFilters | None = None) -> QuerySet[AccessLogEntry]:
    """The access log, newest first, narrowed by ``filters``: a person (part of their email
    address or name), a record (its kind and number, or part of its name), what was done
    (viewed or exported) and the days it happened on."""
    filters = filters or AccessLogFilters()
    entries = AccessLogEntry.objects.select_related("user")
    if person := filters.person.strip():
        entries = entries.filter(
            Q(user__email__icontains=person) | Q(user__full_name__icontains=person)
        )
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if object_id := filters.object_id.strip():
        entries = entries.filter(object_id=object_id)
    if record := filters.record.strip():
        entries = entries.filter(object_repr__icontains=record)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.date_from:
        entries = entries.filter(occurred_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        entries = entries.filter(occurred_at__lt=_start_of(filters.date_to + datetime.timedelta(1)))
    return entries.order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class ViewingDay:
    """One person's views of a record on one day: how many times, and the last one."""

    full_name: str
    email: str
    day: datetime.date
    views: int
    last_viewed_at: datetime.datetime


def viewing_days_for_object(
    *, object_type: str, object_id: str, limit: int = 50
) -> list[ViewingDay]:
    """Who viewed a record, one row per person per day (days in the partnership's time
    zone), newest first: a page loaded ten times in a morning is one row, not ten."""
    rows = (
        AccessLogEntry.objects.filter(
            object_type=object_type,
            object_id=object_id,
            action=AccessLogEntry.Action.VIEW,
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("user_id", "user__full_name", "user__email", "day")
        .annotate(views=Count("id"), last=Max("occurred_at"))
        .order_by("-day", "-last")[:limit]
    )
    return [
        ViewingDay(
            full_name=row["user__full_name"],
            email=row["user__email"],
            day=row["day"],
            views=row["views"],
            last_viewed_at=row["last"],
        )
        for row in rows
    ]


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
