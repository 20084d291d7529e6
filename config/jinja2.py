"""The Jinja2 environment: GOV.UK Frontend's macros, plus Sightline's helpers."""

import logging
import os
import sys
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, Undefined

from sightline.core.addresses import address
from sightline.core.formats import local_datetime, long_date
from sightline.core.govuk import error_summary, field_params
from sightline.core.macro_cache import remembered
from sightline.core.once import submit_once_field
from sightline.core.tables import data_table, record_table
from sightline.hub.navigation import hub_navigation


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return address(name, args=args, kwargs=kwargs)


logger = logging.getLogger("sightline.templates")

GOVUK_PACKAGE = f"{os.sep}govuk_frontend_jinja{os.sep}"


def _reading_template() -> tuple[str, bool]:
    """The template whose code is running (the nearest Jinja frame on the stack: the one
    that read, or uses, the missing name), and whether it is one of the GOV.UK Frontend
    macros."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            return str(template.name or ""), GOVUK_PACKAGE in str(template.filename or "")
        frame = frame.f_back
    return "", False


class ProjectUndefined(Undefined):
    """A missing name or attribute that Sightline's own templates may not use.

    The GOV.UK Frontend macros test their optional parameters themselves (``{% if
    params.hint %}``), so a missing value read by one of them behaves as Jinja's default
    ``Undefined``. Read by any other template (a misspelt context key, an attribute the
    object does not have), printing it, testing its truth, comparing or iterating it fails
    with ``UndefinedError`` when ``strict`` (tests and development), and logs a warning
    otherwise (production), so it never silently renders blank. ``is defined`` and
    ``|default`` still work everywhere: they ask the question without using the value.
    """

    __slots__ = ("_govuk", "_template")
    strict = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Which template read the value, found on the stack now (where it is read). Only
        # ``strict`` needs it this early: production looks when the value is used, and a
        # page makes hundreds of these (the GOV.UK macros' optional parameters), nearly all
        # never used.
        self._template, self._govuk = _reading_template() if self.strict else ("", False)

    def _misused(self) -> None:
        # ``caller`` is missing when a macro is used without ``{% call %}``: the GOV.UK
        # macros test it (``{% if caller %}``), though it is made in the calling template.
        if not self.strict:
            self._template, self._govuk = _reading_template()
        if self._govuk or self._undefined_name == "caller":
            return
        if self.strict:
            raise self._undefined_exception(
                f"{self._undefined_message} (read in template {self._template or 'unknown'})"
            )
        logger.warning(
            "Template %s used a missing value: %s", self._template, self._undefined_message
        )

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        self._misused()
        return super().__getattr__(name)

    def __str__(self) -> str:
        self._misused()
        return super().__str__()

    def __iter__(self) -> Any:
        self._misused()
        return super().__iter__()

    def __len__(self) -> int:
        self._misused()
        return super().__len__()

    def __bool__(self) -> bool:
        self._misused()
        return super().__bool__()

    def __eq__(self, other: object) -> bool:
        self._misused()
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        self._misused()
        return super().__ne__(other)

    def __contains__(self, item: object) -> bool:
        self._misused()
        return False

    __hash__ = Undefined.__hash__


class LenientProjectUndefined(ProjectUndefined):
    """Production's: a missing value renders blank, and the log says which template read
    it, so that a page still works while the mistake is found."""

    __slots__ = ()
    strict = False


def breadcrumb_items(trail: Any) -> list[dict[str, str]]:
    """GOV.UK breadcrumbs for the pages above this one: Home, then ``trail``'s (text, href)
    pairs."""
    return [{"text": "Home", "href": address("accounts:home")}] + [
        {"text": str(text), "href": href} for text, href in trail
    ]


def environment(**options: Any) -> Environment:
    options["loader"] = ChoiceLoader(
        [
            options["loader"],
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    options.setdefault("trim_blocks", True)
    options.setdefault("lstrip_blocks", True)
    options["undefined"] = (
        ProjectUndefined
        if getattr(settings, "SIGHTLINE_STRICT_TEMPLATES", False)
        else LenientProjectUndefined
    )
    env = Environment(**options)  # noqa: S701 (Django's backend turns autoescape on)

    def component(name: str, macro: str) -> Any:
        """The GOV.UK component ``name``'s macro, its output remembered (``macro_cache``)."""
        path = f"govuk_frontend_jinja/components/{name}/macro.html"
        return remembered(lambda: getattr(env.get_template(path).module, macro))

    env.globals.update(
        # What core/macros/forms.html's field() renders with many items.
        remembered_select=component("select", "govukSelect"),
        remembered_radios=component("radios", "govukRadios"),
        remembered_checkboxes=component("checkboxes", "govukCheckboxes"),
        static=static,
        url=url,
        get_messages=get_messages,
        field_params=field_params,
        error_summary=error_summary,
        breadcrumb_items=breadcrumb_items,
        hub_navigation=hub_navigation,
        submit_once_field=submit_once_field,
        # mfa: a demonstration (SIGHTLINE_DEMO) says so on every page.
        demo_mode=lambda: bool(getattr(settings, "SIGHTLINE_DEMO", False)),
    )
    env.filters.update(
        local_datetime=local_datetime,
        long_date=long_date,
        record_table=record_table,
        data_table=data_table,
    )
    return env
