"""Dates and moments as people in England read them, for pages, histories and exports."""

import datetime
from typing import Any

from django.utils import timezone


def long_date(value: datetime.date | None) -> str:
    """3 December 2026."""
    return "" if value is None else f"{value.day} {value:%B %Y}"


def local_datetime(value: Any, style: str = "full") -> str:
    """A moment as people in England read it: 3 April 2024 at 2:05pm (``style`` "date",
    "time" or "weekday" for less or more)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    day = long_date(local)
    if style == "date":
        return day
    hour = local.hour % 12 or 12
    time = f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
    if style == "time":
        return time
    if style == "weekday":
        return f"{local:%A} {day} at {time}"
    return f"{day} at {time}"
