"""What a schedule is and when its next slot falls: pure, no database (see schedules.py)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.module_loading import import_string

LONDON = ZoneInfo("Europe/London")


class Cadence:
    DAILY = "daily"
    WEEKLY = "weekly"  # on Mondays
    HOURLY = "hourly"
    MONTHLY = "monthly"  # on the first of the month


@dataclass(frozen=True)
class Schedule:
    name: str
    label: str
    # Dotted path to a function taking ``now`` (an aware datetime) and returning what it did.
    function: str
    cadence: str
    # Daily, weekly and monthly: the time of day (Europe/London). Hourly: the minute past the hour.
    default_time: datetime.time
    description: str = ""

    def run(self, now: datetime.datetime) -> dict[str, Any]:
        function: Callable[..., Any] = import_string(self.function)
        return dict(function(now=now) or {})


def due_slot(schedule: Schedule, *, now: datetime.datetime, run_at: datetime.time) -> str | None:
    """The latest slot of ``schedule`` whose time has come by ``now``: pure, no database."""
    local = now.astimezone(LONDON)
    if schedule.cadence == Cadence.HOURLY:
        start = local.replace(minute=run_at.minute, second=0, microsecond=0)
        if local < start:
            start -= datetime.timedelta(hours=1)
        return start.strftime("%Y-%m-%dT%H")
    day = local.date()
    if local.time() < run_at:
        day -= datetime.timedelta(days=1)
    if schedule.cadence == Cadence.MONTHLY:
        return day.strftime("%Y-%m")
    if schedule.cadence == Cadence.WEEKLY:
        monday = day - datetime.timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()
