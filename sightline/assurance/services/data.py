"""Every write to the partnership's datasets: measures, and their figures entered one at a
time or uploaded in a file. Atomic, and audited in the same transaction; an upload is
all or nothing."""

import dataclasses
import datetime
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.core.models import AuditEvent
from sightline.core.services import audit_record, audit_record_many, changes_between, snapshot
from sightline.core.tabular import ImportRejected

from .. import data_import
from ..charts import breaches, format_value
from ..models import DataPoint, DataPointVersion, Group, Measure
from ..quarters import Quarter
from ..selectors import data as read
from ..vocabulary import Direction
from .groups import record_changes

MEASURE_FIELDS = (
    "code",
    "name",
    "dataset",
    "breakdown",
    "unit",
    "group",
    "threshold",
    "direction",
    "is_active",
)
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
PREVIEW_ROWS = 200
CENTS = Decimal("0.01")


def _measure_values(fields: dict[str, Any]) -> dict[str, Any]:
    values = {name: fields[name] for name in MEASURE_FIELDS if name in fields}
    for name in ("code", "name", "dataset", "breakdown", "unit"):
        if name in values:
            values[name] = " ".join((values[name] or "").split())
    if "threshold" in values:
        if values["threshold"] is None:
            values["direction"] = ""
        else:
            values["threshold"] = Decimal(values["threshold"]).quantize(CENTS)
    return values


def _check_measure(measure: Measure | None, values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    code = values.get("code", "")
    if not code:
        errors["code"] = "Enter the measure's code"
    elif not CODE.match(code):
        errors["code"] = (
            "Use only letters, numbers, hyphens, full stops and underscores in the code, "
            "like SAC-S42-NEGLECT"
        )
    elif read.measure_code_taken(code=code, exclude_pk=measure.pk if measure else None):
        errors["code"] = f"Another measure already has the code {code}: choose another"
    for name, message in (
        ("name", "Enter the measure's name"),
        ("dataset", "Enter the dataset the measure belongs to"),
        ("unit", "Enter the unit, such as number, % or rate"),
    ):
        if not values.get(name):
            errors[name] = message
    if values.get("group") is None:
        errors["group"] = "Choose the group the measure's exceptions go to"
    threshold, direction = values.get("threshold"), values.get("direction", "")
    if threshold is not None and direction not in Direction.values:
        errors["direction"] = "Choose whether a figure above or below the threshold is an exception"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measure_create(
    *,
    actor: Any,
    code: str,
    name: str,
    dataset: str,
    group: Group,
    breakdown: str = "",
    unit: str = "number",
    threshold: Decimal | None = None,
    direction: str = "",
) -> Measure:
    values = _measure_values(
        {
            "code": code,
            "name": name,
            "dataset": dataset,
            "breakdown": breakdown,
            "unit": unit,
            "group": group,
            "threshold": threshold,
            "direction": direction,
            "is_active": True,
        }
    )
    _check_measure(None, values)
    measure = Measure()
    _, changes = record_changes(measure, MEASURE_FIELDS, values, actor)
    audit_record(actor=actor, kind=AuditEvent.Kind.CREATE, obj=measure, changes=changes)
    return measure


@transaction.atomic
def measure_update(*, actor: Any, measure: Measure, **fields: Any) -> Measure:
    """Change any of the measure's code, name, dataset, breakdown, unit, group, threshold
    and direction, and whether it is still collected."""
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"measure_update() got unexpected fields {sorted(unknown)}")
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    values = _measure_values(fields)
    _check_measure(measure, {**{name: getattr(measure, name) for name in MEASURE_FIELDS}, **values})
    outcome, changes = record_changes(measure, MEASURE_FIELDS, values, actor)
    if outcome != "unchanged":
        audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=measure, changes=changes)
    return measure


@transaction.atomic
def data_point_enter(
    *,
    actor: Any,
    measure: Measure,
    quarter: Quarter,
    value: Decimal,
    note: str = "",
    today: datetime.date | None = None,
) -> DataPoint:
    """Record ``measure``'s figure for ``quarter``, replacing any figure already there (the
    audit trail keeps the old one)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if quarter > Quarter.containing(today):
        errors["quarter"] = (
            f"{quarter.label} has not begun yet: figures can be given once it has started"
        )
    if value is None:
        errors["value"] = "Enter the figure"
    else:
        try:
            value = data_import.parse_value(value)
        except ValueError as error:
            errors["value"] = str(error).capitalize()
    note = " ".join(note.split())
    if len(note) > data_import.NOTE_LENGTH:
        errors["note"] = f"The note must be {data_import.NOTE_LENGTH} characters or fewer"
    if errors:
        raise ValidationError(errors)
    point = DataPoint.objects.select_for_update().filter(
        measure=measure, quarter_start=quarter.start
    ).first() or DataPoint(measure=measure, quarter_start=quarter.start)
    creating = point.pk is None
    before = {} if creating else snapshot(point, ("value", "note"))
    point.value, point.note = value, note
    changes = changes_between(before, snapshot(point, ("value", "note")))
    if not creating and not changes:
        return point
    point.recorded_by, point.recorded_at = actor, timezone.now()
    point.save()
    _versions_record([point])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE if creating else AuditEvent.Kind.UPDATE,
        obj=point,
        changes=changes,
        detail=f"{measure.code} for {quarter.label}",
    )
    return point


@dataclasses.dataclass
class DataImportResult:
    file_name: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    exceptions: int = 0
    # What the preview shows: each new or changed figure (up to PREVIEW_ROWS of them).
    changes: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        text = (
            f"{self.created} new figure{'' if self.created == 1 else 's'}, {self.updated} "
            f"changed, {self.unchanged} unchanged"
        )
        if self.exceptions:
            text += (
                f"; {self.exceptions} new or changed figure{'' if self.exceptions == 1 else 's'}"
                " beyond the threshold"
            )
        return ("Nothing saved yet: " if self.dry_run else "") + text + "."


def _versions_record(points: list[DataPoint]) -> None:
    """Add each figure's value, as just recorded, to its history."""
    DataPointVersion.objects.bulk_create(
        (
            DataPointVersion(
                data_point=point,
                value=point.value,
                note=point.note,
                recorded_by=point.recorded_by,
                recorded_at=point.recorded_at,
            )
            for point in points
        ),
        batch_size=1000,
    )


def _existing(rows: list[data_import.Row]) -> dict[tuple[int, datetime.date], DataPoint]:
    wanted = {(row.measure_id, row.quarter.start) for row in rows}
    measure_ids = sorted({measure_id for measure_id, _ in wanted})
    starts = sorted({start for _, start in wanted})
    found: dict[tuple[int, datetime.date], DataPoint] = {}
    for index in range(0, len(measure_ids), 500):
        chunk = measure_ids[index : index + 500]
        for point in DataPoint.objects.filter(measure_id__in=chunk, quarter_start__in=starts):
            key = (point.measure_id, point.quarter_start)
            if key in wanted:
                found[key] = point
    return found


@transaction.atomic
def data_points_import(
    *,
    actor: Any,
    name: str,
    content: bytes,
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> DataImportResult:
    """Record every figure in a dataset file, or none: any unknown measure, unreadable
    quarter or value that is not a number refuses the whole file, each problem listed."""
    today = today or timezone.localdate()
    parsed = data_import.parse(name, content, measures=read.measure_ids_by_code(), today=today)
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    measures = Measure.objects.in_bulk({row.measure_id for row in parsed.rows})
    existing = _existing(parsed.rows)
    result = DataImportResult(file_name=name, dry_run=dry_run)
    now = timezone.now()
    new: list[DataPoint] = []
    changed: list[DataPoint] = []
    changes: dict[int, dict[str, Any]] = {}
    for row in parsed.rows:
        measure = measures[row.measure_id]
        point = existing.get((row.measure_id, row.quarter.start))
        old_value = point.value if point else None
        note = row.note if parsed.has_notes else (point.note if point else "")
        if point is not None and point.value == row.value and point.note == note:
            result.unchanged += 1
            continue
        if point is None:
            point = DataPoint(measure=measure, quarter_start=row.quarter.start)
            new.append(point)
            result.created += 1
            before: dict[str, Any] = {}
        else:
            before = snapshot(point, ("value", "note"))
            changed.append(point)
            result.updated += 1
        point.value, point.note = row.value, note
        point.recorded_by, point.recorded_at = actor, now
        changes[id(point)] = changes_between(before, snapshot(point, ("value", "note")))
        raises = breaches(row.value, measure.threshold, measure.direction)
        result.exceptions += raises
        if len(result.changes) < PREVIEW_ROWS:
            result.changes.append(
                {
                    "line": row.line,
                    "measure": measure,
                    "quarter": row.quarter,
                    "old": format_value(old_value, measure.unit),
                    "new": format_value(row.value, measure.unit),
                    "exception": raises,
                }
            )
    if dry_run:
        return result
    DataPoint.objects.bulk_create(new, batch_size=1000)
    DataPoint.objects.bulk_update(
        changed, ["value", "note", "recorded_by", "recorded_at"], batch_size=1000
    )
    _versions_record([*new, *changed])
    audit_record_many(
        actor=actor,
        events=(
            {
                "kind": kind,
                "obj": point,
                "changes": changes[id(point)],
                "detail": f"Imported from {name}",
            }
            for kind, points in ((AuditEvent.Kind.CREATE, new), (AuditEvent.Kind.UPDATE, changed))
            for point in points
        ),
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.IMPORT,
        detail=f"Dataset {name}: {result.summary()}",
    )
    return result
