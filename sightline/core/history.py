"""Audit events as people read them: each change as a field's label and its values in words.

An event's ``changes`` hold machine names and stored values (``{"harm_types": {"from": None,
"to": ["physical"]}}``). ``readable_changes`` turns them into rows such as "Harm types:
none → Physical abuse", reading the labels from the model the event is about (found through
the app registry from ``object_type``): a field's ``verbose_name`` and ``choices``. It runs no
queries, so pages can read many events' rows as they render.

A model says more about its fields with two class attributes:

- ``history_restricted_fields``: fields whose values are never stored in the audit trail
  (``services.redact_changes`` writes a marker instead) nor shown; a change to one reads
  "restricted detail changed".
- ``history_choices``: choices for fields that hold several values (a JSON list) and so
  cannot declare ``choices`` themselves.
- ``history_labels``: labels that read better than a field's ``verbose_name`` (the words
  the model's forms use), without a migration for each.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .formats import local_datetime, long_date

RESTRICTED_TEXT = "restricted detail changed"
# Long text (an answer to an audit questionnaire) is cut short on pages; exports keep it whole.
PAGE_LIMIT = 300


@dataclass(frozen=True)
class ChangeRow:
    """One changed field: its machine ``name``, its ``label``, and its values in words."""

    name: str
    label: str
    before: str
    after: str
    restricted: bool = False
    created: bool = False

    @property
    def text(self) -> str:
        if self.restricted:
            return f"{self.label}: {RESTRICTED_TEXT}"
        if self.created:
            return f"{self.label}: {self.after}"
        return f"{self.label}: {self.before} → {self.after}"

    def __str__(self) -> str:
        return self.text


def model_for(object_type: str) -> type[models.Model] | None:
    """The model an event's ``object_type`` ("reviews.case") names, if there is one."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def restricted_fields(model: type[models.Model] | None) -> frozenset[str]:
    return frozenset(getattr(model, "history_restricted_fields", ()))


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a name the service chose, like "roles"
        return None
    return field if isinstance(field, models.Field) else None


def _label(model: type[models.Model] | None, field: models.Field | None, name: str) -> str:
    text = getattr(model, "history_labels", {}).get(name) or (
        str(field.verbose_name) if field is not None else name.replace("_", " ")
    )
    return text[:1].upper() + text[1:]


def _choices(model: type[models.Model] | None, field: models.Field | None, name: str) -> dict:
    extra = getattr(model, "history_choices", {}).get(name)
    if extra is not None:
        return {str(value): str(label) for value, label in extra}
    if field is not None and field.choices:
        return {str(value): str(label) for value, label in field.flatchoices}
    return {}


def _one(value: Any, field: models.Field | None, choices: Mapping[str, str]) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if value is None:
        return "none"
    if value == "":
        return "blank"
    text = str(value)
    if text in choices:
        return choices[text]
    if isinstance(field, models.DateTimeField):
        try:
            return local_datetime(datetime.datetime.fromisoformat(text))
        except ValueError:
            return text
    if isinstance(field, models.DateField):
        try:
            return long_date(datetime.date.fromisoformat(text))
        except ValueError:
            return text
    return text


def value_text(
    value: Any,
    *,
    field: models.Field | None = None,
    choices: Mapping[str, str] | None = None,
    limit: int | None = None,
) -> str:
    """A stored value in words: labels for choices, Yes or No, dates written out, "none" for
    nothing and an empty list, "blank" for empty text."""
    choices = choices or {}
    if isinstance(value, list | tuple):
        text = ", ".join(_one(item, field, choices) for item in value) if value else "none"
    else:
        text = _one(value, field, choices)
    if limit is not None and len(text) > limit:
        return text[: limit - 1].rstrip() + "…"
    return text


def readable_changes(
    object_type: str,
    changes: Mapping[str, Any] | None,
    *,
    created: bool = False,
    limit: int | None = PAGE_LIMIT,
) -> list[ChangeRow]:
    """``changes`` as rows people can read; restricted fields say only that they changed.
    ``created``: the event made the record, so each row gives only the new value."""
    model = model_for(object_type)
    hidden = restricted_fields(model)
    rows = []
    for name, change in (changes or {}).items():
        field = _field(model, name)
        label = _label(model, field, name)
        if name in hidden:
            rows.append(ChangeRow(name=name, label=label, before="", after="", restricted=True))
            continue
        before, after = (
            (change.get("from"), change.get("to")) if isinstance(change, dict) else (None, change)
        )
        choices = _choices(model, field, name)
        rows.append(
            ChangeRow(
                name=name,
                label=label,
                before=value_text(before, field=field, choices=choices, limit=limit),
                after=value_text(after, field=field, choices=choices, limit=limit),
                created=created,
            )
        )
    return rows


@dataclass(frozen=True)
class HistoryEntry:
    """An audit event with its changes in words, for the pages that list a record's history."""

    event: Any
    changes: list[ChangeRow]
    record_kind: str = ""

    def __getattr__(self, name: str) -> Any:
        if name == "event":  # not yet set (while copying): never look it up on itself
            raise AttributeError(name)
        return getattr(self.event, name)


def event_changes(event: Any, *, limit: int | None = PAGE_LIMIT) -> list[ChangeRow]:
    return readable_changes(
        event.object_type, event.changes, created=event.kind == "create", limit=limit
    )


def record_kind(object_type: str) -> str:
    """What kind of record ``object_type`` names, in words: "Case" for "reviews.case"."""
    model = model_for(object_type)
    if model is None:
        return object_type
    text = str(model._meta.verbose_name)
    return text[:1].upper() + text[1:]


def history_entries(events: Iterable[Any]) -> list[HistoryEntry]:
    """Each event with its readable changes (no queries beyond reading ``events``)."""
    return [
        HistoryEntry(
            event=event, changes=event_changes(event), record_kind=record_kind(event.object_type)
        )
        for event in events
    ]
