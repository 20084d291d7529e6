"""Reads of the audit trail and the access log."""

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from .calendar import WorkingCalendar
from .history import HistoryEntry, history_entries
from .models import (
    AccessLogEntry,
    AuditEvent,
    ClosureDay,
    FiguresVersion,
    OutboxMessage,
    ScheduleRun,
    ScheduleSetting,
)


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


# --- Background work -----------------------------------------------------------------

# Past these the worker is taken to be stopped or stuck, and /health/ says "degraded".
WAITING_TOO_LONG = datetime.timedelta(minutes=15)
NO_SCHEDULE_RUN_FOR = datetime.timedelta(hours=2)


@dataclass(frozen=True)
class BackgroundHealth:
    status: str  # "ok" or "degraded"
    problems: tuple[str, ...]
    outbox: dict[str, int]
    oldest_email_waiting_seconds: int | None
    jobs_waiting: int
    oldest_job_waiting_seconds: int | None
    last_schedule_run: datetime.datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "problems": list(self.problems),
            "outbox": self.outbox,
            "oldest_email_waiting_seconds": self.oldest_email_waiting_seconds,
            "jobs_waiting": self.jobs_waiting,
            "oldest_job_waiting_seconds": self.oldest_job_waiting_seconds,
            "last_schedule_run": (
                self.last_schedule_run.isoformat() if self.last_schedule_run else None
            ),
        }


def _age(since: datetime.datetime | None, now: datetime.datetime) -> int | None:
    return None if since is None else max(0, int((now - since).total_seconds()))


def background_health(*, now: datetime.datetime | None = None) -> BackgroundHealth:
    """Whether the worker keeps up: emails and jobs waiting, and when a schedule last ran.
    A handful of aggregate queries, whatever the size of the tables."""
    from django.db.models import Count, Max, Min
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    counts = dict(
        OutboxMessage.objects.values_list("status").annotate(n=Count("*")).order_by("status")
    )
    outbox = {status: counts.get(status, 0) for status in OutboxMessage.Status.values}
    oldest_email = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
    ).aggregate(oldest=Min("next_attempt_at"))["oldest"]
    waiting_jobs = DBTaskResult.objects.filter(status="READY").aggregate(
        n=Count("*"), oldest=Min("enqueued_at")
    )
    last_run = ScheduleRun.objects.aggregate(last=Max("started_at"))["last"]
    problems = []
    if oldest_email is not None and now - oldest_email > WAITING_TOO_LONG:
        problems.append("Emails have waited more than 15 minutes to be sent.")
    if waiting_jobs["oldest"] is not None and now - waiting_jobs["oldest"] > WAITING_TOO_LONG:
        problems.append("Background jobs have waited more than 15 minutes to start.")
    if last_run is None or now - last_run > NO_SCHEDULE_RUN_FOR:
        problems.append("No schedule has run in the last 2 hours: is the worker running?")
    return BackgroundHealth(
        status="degraded" if problems else "ok",
        problems=tuple(problems),
        outbox=outbox,
        oldest_email_waiting_seconds=_age(oldest_email, now),
        jobs_waiting=waiting_jobs["n"],
        oldest_job_waiting_seconds=_age(waiting_jobs["oldest"], now),
        last_schedule_run=last_run,
    )


def outbox_needing_attention(*, limit: int = 200) -> list[OutboxMessage]:
    """Emails not sent (given up) or perhaps sent, newest first, for administrators."""
    return list(
        OutboxMessage.objects.filter(
            status__in=[OutboxMessage.Status.DEAD, OutboxMessage.Status.UNCERTAIN]
        )
        .defer("body", "attachments")
        .order_by("-created_at", "-id")[:limit]
    )


def outbox_message_get(*, pk: int) -> OutboxMessage:
    try:
        return OutboxMessage.objects.defer("body", "attachments").get(pk=pk)
    except OutboxMessage.DoesNotExist:
        raise Http404("No such email") from None


@dataclass(frozen=True)
class ScheduleRow:
    name: str
    label: str
    description: str
    cadence: str
    run_at: datetime.time
    is_enabled: bool
    last_run: ScheduleRun | None

    @property
    def last_summary(self) -> str:
        """The last run in words: when, and what it did or why it failed."""
        run = self.last_run
        if run is None:
            return "Not yet"
        local = timezone.localtime(run.started_at)
        when = f"{local.day} {local:%B %Y} at {local:%H:%M}"
        if run.finished_at is None:
            return f"Started {when}, still running"
        if run.error:
            return f"{when}: {run.error}"
        done = ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in run.result.items())
        return f"{when}: {done or 'nothing to do'}"


def schedule_overview() -> list[ScheduleRow]:
    """Every schedule with the time it runs at and its latest run: one query for the
    settings and one per schedule (an index lookup), however many runs there have been."""
    from .schedules import all_schedules

    settings_by_name = {s.schedule: s for s in ScheduleSetting.objects.all()}
    rows = []
    for schedule in all_schedules():
        setting = settings_by_name.get(schedule.name)
        rows.append(
            ScheduleRow(
                name=schedule.name,
                label=schedule.label,
                description=schedule.description,
                cadence=schedule.cadence,
                run_at=setting.run_at if setting else schedule.default_time,
                is_enabled=setting.is_enabled if setting else True,
                last_run=ScheduleRun.objects.filter(schedule=schedule.name)
                .order_by("-started_at", "-id")
                .first(),
            )
        )
    return rows


@dataclass(frozen=True)
class JobRow:
    name: str
    status: str
    enqueued_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    error: str
    probably_stopped: bool


JOB_NAMES = {
    "sightline.core.tasks.deliver_outbox": "Send the emails due",
    "sightline.core.jobs.run_background_job": "A large import or a file asked for",
}
JOB_STATUSES = {
    "READY": "Waiting",
    "RUNNING": "Running",
    "SUCCESSFUL": "Done",
    "FAILED": "Failed",
}


def job_list(*, limit: int = 20, now: datetime.datetime | None = None) -> list[JobRow]:
    """The latest background jobs, newest first: what ran, what failed and why. A job
    "running" for over half an hour most likely stopped with its worker."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    rows = DBTaskResult.objects.defer("args_kwargs", "return_value", "traceback").order_by(
        "-enqueued_at"
    )[:limit]
    return [
        JobRow(
            name=JOB_NAMES.get(row.task_path, row.task_path.rsplit(".", 1)[-1].replace("_", " ")),
            status=JOB_STATUSES.get(row.status, row.status.title()),
            enqueued_at=row.enqueued_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            error=row.exception_class_path.rsplit(".", 1)[-1] if row.status == "FAILED" else "",
            probably_stopped=row.status == "RUNNING"
            and row.started_at is not None
            and now - row.started_at > datetime.timedelta(minutes=30),
        )
        for row in rows
    ]


def outbox_dead_count() -> int:
    """Emails the outbox gave up sending (dead-lettered), for the business unit's dashboard."""
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).count()


# --- Cached figures ------------------------------------------------------------------------

# A cached figure is never stale (its key names its inputs' version); this only bounds how
# long figures of versions gone by occupy the cache.
FIGURES_CACHE_SECONDS = 24 * 60 * 60


def figures_version(topic: str) -> str:
    """The stamp of ``topic``'s inputs, changed by every write to them (one indexed read)."""
    stamp = FiguresVersion.objects.filter(topic=topic).values_list("stamp", flat=True).first()
    return stamp or "none"


def cached_figures[T](topic: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept in Django's cache under ``topic``, ``key`` (what the figures are
    of: their dates and options) and the version of ``topic``'s inputs. Only for figures
    that are the same for everyone who may see them: nothing per person is cached."""
    # Hashed: a key may name many dates, and a cache's keys are short (250 for memcached).
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    full_key = f"figures.{topic}.{digest}:{figures_version(topic)}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, FIGURES_CACHE_SECONDS)
    return cast(T, value)


def user_with_email(email: str) -> Any:
    """The account with ``email`` (ignoring case), or None."""
    return get_user_model().objects.filter(email__iexact=email).first()
