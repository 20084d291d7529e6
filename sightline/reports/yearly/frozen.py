"""A laid-out report kept as JSON, so a published report is drawn again exactly as it was
published, in every format (pure: no ORM).

``ReportDocument`` holds only text, numbers, dates and nested records of a few known kinds,
so each record is written with its kind and read back into the same class: nothing else is
ever built from the stored data."""

import dataclasses
import datetime
from typing import Any

from .coverage import ContentCoverage
from .document import Bar, BarChart, ChapterDocument, ReportDocument, Section, Table
from .narrative import ChapterNarrative

KINDS: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        ReportDocument,
        ChapterDocument,
        Section,
        Table,
        BarChart,
        Bar,
        ChapterNarrative,
        ContentCoverage,
    )
}
DATE = "date"
SET = "set"


def _write(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name not in KINDS:
            raise TypeError(f"A {name} cannot be kept in a frozen report")
        return {
            "_kind": name,
            **{f.name: _write(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    if isinstance(value, datetime.date):
        return {"_kind": DATE, "value": value.isoformat()}
    if isinstance(value, frozenset | set):
        return {"_kind": SET, "value": sorted(value)}
    if isinstance(value, tuple | list):
        return [_write(item) for item in value]
    if isinstance(value, dict):
        return {key: _write(item) for key, item in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"A {type(value).__name__} cannot be kept in a frozen report")


def _read(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_read(item) for item in value)
    if isinstance(value, dict):
        kind = value.get("_kind")
        if kind == DATE:
            return datetime.date.fromisoformat(value["value"])
        if kind == SET:
            return frozenset(value["value"])
        if kind is not None:
            cls = KINDS[kind]
            names = {f.name for f in dataclasses.fields(cls)}
            return cls(**{key: _read(item) for key, item in value.items() if key in names})
        return {key: _read(item) for key, item in value.items()}
    return value


def document_as_json(document: ReportDocument) -> dict[str, Any]:
    written: dict[str, Any] = _write(document)
    return written


def document_from_json(data: dict[str, Any]) -> ReportDocument:
    document = _read(data)
    if not isinstance(document, ReportDocument):
        raise ValueError("The stored data is not a laid-out yearly report")
    return document
