"""The Jinja2 environment: GOV.UK Frontend's macros, plus Sightline's helpers."""

from typing import Any

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

from sightline.core.govuk import error_summary, field_params
from sightline.core.tables import data_table, record_table


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def local_datetime(value: Any, style: str = "full") -> str:
    """A moment as people in England read it: 3 April 2024 at 2:05pm (``style`` "date",
    "time" or "weekday" for less or more)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    day = f"{local.day} {local:%B %Y}"
    if style == "date":
        return day
    hour = local.hour % 12 or 12
    time = f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
    if style == "time":
        return time
    if style == "weekday":
        return f"{local:%A} {day} at {time}"
    return f"{day} at {time}"


def long_date(value: Any) -> str:
    return "" if value is None else f"{value.day} {value:%B %Y}"


def environment(**options: Any) -> Environment:
    options["loader"] = ChoiceLoader(
        [
            options["loader"],
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    options.setdefault("trim_blocks", True)
    options.setdefault("lstrip_blocks", True)
    env = Environment(**options)  # noqa: S701 (Django's backend turns autoescape on)
    env.globals.update(
        static=static,
        url=url,
        get_messages=get_messages,
        field_params=field_params,
        error_summary=error_summary,
    )
    env.filters.update(
        local_datetime=local_datetime,
        long_date=long_date,
        record_table=record_table,
        data_table=data_table,
    )
    return env
