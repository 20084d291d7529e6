"""The Jinja2 environment: GOV.UK Frontend's macros, plus Sightline's helpers."""

from typing import Any

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

from sightline.core.formats import local_datetime, long_date
from sightline.core.govuk import error_summary, field_params


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


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
    env.filters.update(local_datetime=local_datetime, long_date=long_date)
    return env
