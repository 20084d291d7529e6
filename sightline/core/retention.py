"""The retention registry: each kind of record Sightline keeps, how long by default and on
whose authority, how to find the records past their period and how to dispose of them.

Each app registers its kinds in its own ``retention.py`` (imported when the apps are ready,
see ``CoreConfig.ready``) with ``register(RecordKind(...))``. A kind names, by dotted path:

- ``find``: ``find(before=<aware datetime>) -> Iterable[Candidate]``, the records whose
  period counted from ``Candidate.dated`` ended before ``before`` (a read: a selector);
- ``dispose``: ``dispose(ids=[object_id, ...], actor=user, before=...) -> int``, deleting or
  anonymising them (a write, called only by ``retention_services`` inside its transaction);
- ``subject``: optional, ``subject(query=SubjectQuery) -> Iterable[SubjectRow]``, every
  record of the kind about one person, for a subject access request.

Cases are anonymised, never deleted; published figures and the yearly report's frozen copy are
not records any kind disposes of. The audit trail and the access log are never edited here:
past their period they are archived through ``archive_before`` (see ``audit_archive``).

This module is pure except for the dotted-path imports: no ORM at import time.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.module_loading import import_string


class Disposal:
    DELETE = "delete"
    ANONYMISE = "anonymise"
    ARCHIVE = "archive"

    LABELS = {
        DELETE: "Deleted",
        ANONYMISE: "Anonymised",
        ARCHIVE: "Exported, verified and removed in sealed blocks",
    }


@dataclass(frozen=True)
class Candidate:
    """One record past its period, described without any restricted value."""

    object_type: str
    object_id: str
    label: str
    dated: datetime.date
    case_reference: str = ""
    person_id: int | None = None


@dataclass(frozen=True)
class SubjectQuery:
    """Who a subject access request is about: any of a name, an email address, a case
    reference (blank when not given)."""

    name: str = ""
    email: str = ""
    case_reference: str = ""

    def __bool__(self) -> bool:
        return bool(self.name or self.email or self.case_reference)


@dataclass(frozen=True)
class SubjectRow:
    """One value held about the person: which record, which field, what it says."""

    record: str
    object_id: str
    field: str
    value: str


@dataclass(frozen=True)
class RecordKind:
    key: str
    label: str
    description: str
    # None: no default; the partnership must decide, and nothing is listed until it has.
    default_months: int | None
    source: str
    counts_from: str
    disposal: str
    find: str
    dispose: str
    subject: str = ""
    min_months: int = 1
    max_months: int = 1200

    def finder(self) -> Callable[..., Iterable[Candidate]]:
        return import_string(self.find)  # type: ignore[no-any-return,unused-ignore]

    def disposer(self) -> Callable[..., int]:
        return import_string(self.dispose)  # type: ignore[no-any-return,unused-ignore]

    def subject_finder(self) -> Callable[..., Iterable[SubjectRow]] | None:
        return import_string(self.subject) if self.subject else None


_KINDS: dict[str, RecordKind] = {}
# The order the issue lists them in: how pages and documents show them.
ORDER = (
    "cases",
    "restricted_details",
    "referrals",
    "learning",
    "training_records",
    "sign_in_records",
    "outbox_bodies",
    "uploads",
    "audit_trail",
    "access_log",
)


def register(kind: RecordKind) -> RecordKind:
    if kind.key in _KINDS and _KINDS[kind.key] != kind:
        raise ValueError(f"The retention kind {kind.key!r} is registered twice.")
    if kind.disposal not in Disposal.LABELS:
        raise ValueError(f"Unknown disposal {kind.disposal!r} for {kind.key!r}.")
    if kind.default_months is not None and not (
        kind.min_months <= kind.default_months <= kind.max_months
    ):
        raise ValueError(f"The default period of {kind.key!r} is outside its range.")
    _KINDS[kind.key] = kind
    return kind


def all_kinds() -> list[RecordKind]:
    position = {key: n for n, key in enumerate(ORDER)}
    return sorted(_KINDS.values(), key=lambda kind: (position.get(kind.key, len(ORDER)), kind.key))


def kind_named(key: str) -> RecordKind | None:
    return _KINDS.get(key)


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """``moment`` less ``months`` calendar months (the 31st falls back to the month's end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def is_held(candidate: Candidate, *, case_refs: set[str], person_ids: set[int]) -> bool:
    """True when an active legal hold covers the record's case or person."""
    return bool(
        (candidate.case_reference and candidate.case_reference.upper() in case_refs)
        or (candidate.person_id is not None and candidate.person_id in person_ids)
    )


def subject_filter(
    query: SubjectQuery,
    *,
    email: tuple[str, ...] = (),
    name: tuple[str, ...] = (),
    case_reference: tuple[str, ...] = (),
) -> Q:
    """The rows about the person a subject access request names: any of the ``email`` fields
    equal to its address, any ``name`` field containing its name, any ``case_reference`` field
    equal to its reference (each ignoring case). Matches nothing when the query names nothing
    these fields hold."""
    who = Q(pk__in=[])
    for fields, value, lookup in (
        (email, query.email, "iexact"),
        (name, query.name, "icontains"),
        (case_reference, query.case_reference, "iexact"),
    ):
        if value:
            for field in fields:
                who |= Q(**{f"{field}__{lookup}": value})
    return who
