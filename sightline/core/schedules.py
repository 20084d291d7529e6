"""Schedules the worker keeps: daily reminders, the Monday digest, hourly training emails.

Each app declares its schedules in its AppConfig (``schedules``: a tuple of ``Schedule``).
The worker asks ``schedules_run_due`` every few seconds. A run is a row unique on
(schedule, slot), so however many workers there are each slot runs once, and a slot missed
while no worker was up runs when one starts (only the latest: yesterday's reminders are not
worth sending today). A run whose worker died is taken up again once it is stale; that is safe
because every email it writes has a key, so nothing is sent twice.
"""

import datetime
import logging
from contextvars import ContextVar

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ScheduleRun, ScheduleSetting
from .scheduling import Schedule, due_slot

logger = logging.getLogger(__name__)
# A run not finished after this long is taken to have died with its worker.
STALE_AFTER = datetime.timedelta(minutes=30)

current_worker_id: ContextVar[str] = ContextVar("current_worker_id", default="")


def all_schedules() -> list[Schedule]:
    found: list[Schedule] = []
    for config in apps.get_app_configs():
        found.extend(getattr(config, "schedules", ()))
    return sorted(found, key=lambda schedule: (schedule.default_time, schedule.name))


def schedule_named(name: str) -> Schedule | None:
    return next((schedule for schedule in all_schedules() if schedule.name == name), None)


def _settings() -> dict[str, ScheduleSetting]:
    return {setting.schedule: setting for setting in ScheduleSetting.objects.all()}


def _claim(name: str, slot: str, now: datetime.datetime) -> ScheduleRun | None:
    try:
        with transaction.atomic():
            return ScheduleRun.objects.create(schedule=name, slot=slot, started_at=now)
    except IntegrityError:
        pass
    # Taken already: by a worker that is still on it, finished, or died on it.
    taken = ScheduleRun.objects.filter(
        schedule=name, slot=slot, finished_at__isnull=True, started_at__lt=now - STALE_AFTER
    ).update(started_at=now, error="Taken up again: the worker running it stopped")
    return ScheduleRun.objects.get(schedule=name, slot=slot) if taken else None


def schedules_run_due(*, now: datetime.datetime | None = None) -> list[ScheduleRun]:
    """Run every schedule whose slot is due and not yet run. Returns the runs made."""
    now = now or timezone.now()
    chosen = _settings()
    runs = []
    for schedule in all_schedules():
        setting = chosen.get(schedule.name)
        if setting is not None and not setting.is_enabled:
            continue
        run_at = setting.run_at if setting is not None else schedule.default_time
        slot = due_slot(schedule, now=now, run_at=run_at)
        if (
            slot is None
            or ScheduleRun.objects.filter(
                schedule=schedule.name, slot=slot, finished_at__isnull=False
            ).exists()
        ):
            continue
        run = _claim(schedule.name, slot, now)
        if run is None:
            continue
        try:
            result = schedule.run(now)
        except Exception as error:
            logger.exception("Schedule %s (%s) failed", schedule.name, slot)
            run.error = f"{type(error).__name__}: {error}"[:2000]
            result = {}
        run.result, run.finished_at = result, timezone.now()
        run.save(update_fields=["result", "error", "finished_at"])
        runs.append(run)
    return runs
