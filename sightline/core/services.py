"""Writes to the shared kernel: the audit trail and the access log.

Other apps' services call ``audit_record`` inside their own transaction so that a change
and its audit event are committed together or not at all.
"""

import datetime
import decimal
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from .models import AccessLogEntry, AuditEvent, ClosureDay, FiguresVersion, ScheduleSetting
from .request_context import client_ip
from .signals import working_days_changed

Changes = dict[str, dict[str, Any]]


_AS_THEY_ARE = frozenset({str, int, bool, float, type(None)})


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value, readable in the audit trail."""
    if value.__class__ in _AS_THEY_ARE:  # most values: an import renders hundreds of thousands
        return value
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | decimal.Decimal):
        return value.isoformat() if not isinstance(value, decimal.Decimal) else str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_plain(item) for item in value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` on ``instance``, ready for ``changes_between``."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """Each field whose value differs, as ``{"field": {"from": old, "to": new}}``."""
    return {
        name: {"from": before.get(name), "to": after[name]}
        for name in after
        if before.get(name) != after[name]
    }


def set_changed(
    obj: models.Model,
    *,
    fields: Iterable[str],
    values: Mapping[str, Any],
    actor: Any,
    now: datetime.datetime | None = None,
) -> tuple[str, Changes]:
    """Set ``values`` on ``obj`` (a ``TimeStampedModel``), stamped with who and when if new
    or changed, without saving it. Returns the outcome (``created``, ``updated`` or
    ``unchanged``) and the changes to ``fields``. An import plans every row with it, then
    writes the rows in bulk."""
    fields = tuple(fields)
    creating = obj.pk is None
    before = {} if creating else snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    changes = changes_between(before, snapshot(obj, fields))
    if not creating and not changes:
        return "unchanged", {}
    obj.updated_at, obj.updated_by = now or timezone.now(), actor  # type: ignore[attr-defined]
    if creating:
        obj.created_by = actor  # type: ignore[attr-defined]
    return ("created" if creating else "updated"), changes


def save_changed(
    obj: models.Model, *, fields: Iterable[str], values: Mapping[str, Any], actor: Any
) -> tuple[str, Changes]:
    """Set ``values`` on ``obj`` (a ``TimeStampedModel``) and save it when new or changed,
    stamped with who and when. Returns the outcome (``created``, ``updated`` or
    ``unchanged``) and the changes to ``fields``; the caller writes the audit event."""
    outcome, changes = set_changed(obj, fields=fields, values=values, actor=actor)
    if outcome != "unchanged":
        obj.save()
    return outcome, changes


def send_once(log: type[models.Model], send: Callable[[], None], **key: Any) -> bool:
    """Call ``send`` unless ``key`` is already in ``log`` (a table unique on it), recording
    it in the same transaction: if ``send`` fails the record is rolled back and the next run
    tries again. True when sent. Reminders use it to email each person once a day."""
    with transaction.atomic():
        _, created = log._default_manager.get_or_create(**key)
        if created:
            send()
    return created


def _object_fields(obj: models.Model | None) -> dict[str, str]:
    if obj is None:
        return {"object_type": "", "object_id": "", "object_repr": ""}
    return {
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:200],
    }


# What the audit trail holds for a restricted field's change, in place of its values: that it
# changed (and, from the event, by whom and when), never what it was or became.
RESTRICTED_MARKER = "changed (restricted)"


_RESTRICTED: dict[Any, frozenset[str]] = {}


def _restricted_fields(model: Any) -> frozenset[str]:
    """A model's restricted fields, read once: an import redacts each of its rows' changes."""
    found = _RESTRICTED.get(model)
    if found is None:
        found = _RESTRICTED[model] = frozenset(getattr(model, "history_restricted_fields", ()))
    return found


def redact_changes(obj: models.Model | None, changes: Changes | None) -> Changes:
    """``changes`` with the values of ``obj``'s restricted fields (its model's
    ``history_restricted_fields``) replaced by ``RESTRICTED_MARKER``: the field's name stays,
    so the trail shows that it changed. Other fields are kept as they are."""
    if not changes:
        return {}
    restricted = _restricted_fields(obj.__class__)
    if not restricted:
        return dict(changes)
    return {
        name: (
            {"from": RESTRICTED_MARKER, "to": RESTRICTED_MARKER} if name in restricted else change
        )
        for name, change in changes.items()
    }


def audit_record(
    *,
    actor: Any,
    kind: str,
    obj: models.Model | None = None,
    changes: Changes | None = None,
    detail: str = "",
    actor_email: str = "",
) -> AuditEvent:
    """Append one event to the audit trail. ``actor`` is a user, or None for the system.
    Restricted fields' values never reach it (``redact_changes``)."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_email=(actor.email if is_user else actor_email)[:254],
        kind=kind,
        changes=redact_changes(obj, changes),
        detail=detail,
        ip_address=client_ip.get(),
        **_object_fields(obj),
    )


def access_log_record(
    *,
    user: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    detail: str = "",
    restricted_shown: bool = False,
) -> AccessLogEntry:
    """Record that ``user`` viewed a restricted record or exported data; ``restricted_shown``
    says whether what they read showed restricted details."""
    fields = (
        _object_fields(obj)
        if obj is not None
        else {
            "object_type": object_type,
            "object_id": object_id,
            "object_repr": object_repr,
        }
    )
    return AccessLogEntry.objects.create(
        user=user,
        action=action,
        detail=detail,
        ip_address=client_ip.get(),
        restricted_shown=restricted_shown,
        **fields,
    )


def audit_record_many(
    *, actor: Any, events: Iterable[dict[str, Any]], actor_email: str = ""
) -> int:
    """Append many events at once (an import): each dict gives kind, obj and changes,
    restricted values redacted as ``audit_record`` does. Written as plain rows
    (``bulk_insert_rows``), with no ``AuditEvent`` made for each."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    who = {
        "actor_id": actor.pk if is_user else None,
        "actor_email": actor.email if is_user else actor_email[:254],
        "ip_address": client_ip.get(),
    }
    rows = [
        {
            **who,
            "kind": event["kind"],
            "changes": redact_changes(event.get("obj"), event.get("changes")),
            "detail": event.get("detail", ""),
            **_object_fields(event.get("obj")),
        }
        for event in events
    ]
    bulk_insert_rows(AuditEvent, rows)
    return len(rows)


@transaction.atomic
def closure_day_add(*, actor: Any, date: datetime.date, description: str) -> ClosureDay:
    if ClosureDay.objects.filter(date=date).exists():
        raise ValidationError({"date": f"{date:%d %B %Y} is already a closure day"})
    day = ClosureDay.objects.create(date=date, description=description.strip())
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=day,
        changes=changes_between({}, snapshot(day, ["date", "description"])),
    )
    working_days_changed.send(sender=ClosureDay, actor=actor)
    return day


@transaction.atomic
def closure_day_remove(*, actor: Any, day: ClosureDay) -> None:
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.DELETE,
        obj=day,
        changes=changes_between(
            snapshot(day, ["date", "description"]), {"date": None, "description": None}
        ),
    )
    day.delete()
    working_days_changed.send(sender=ClosureDay, actor=actor)


@transaction.atomic
def schedule_setting_save(
    *, actor: Any, schedule: str, run_at: datetime.time, is_enabled: bool
) -> ScheduleSetting:
    """When a schedule runs, and whether it runs at all: the partnership's decision."""
    setting = ScheduleSetting.objects.filter(schedule=schedule).first()
    creating = setting is None
    setting = setting or ScheduleSetting(schedule=schedule)
    before = {} if creating else snapshot(setting, ["run_at", "is_enabled"])
    setting.run_at, setting.is_enabled, setting.updated_at = run_at, is_enabled, timezone.now()
    setting.save()
    changes = changes_between(before, snapshot(setting, ["run_at", "is_enabled"]))
    if changes:
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE if creating else AuditEvent.Kind.UPDATE,
            obj=setting,
            changes=changes,
        )
    return setting


# Finished jobs are kept this long for administrators to see, then removed.
FINISHED_JOBS_KEPT = datetime.timedelta(days=7)


def housekeeping(*, now: datetime.datetime) -> dict[str, int]:
    """The worker's nightly tidying: expired sessions, old finished jobs, background jobs'
    files and records past their time, and create forms' one-time tokens past theirs."""
    from django.contrib.sessions.models import Session
    from django_tasks_db.models import DBTaskResult

    from .jobs import background_jobs_prune
    from .once import submission_tokens_prune

    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    jobs, _ = DBTaskResult.objects.filter(
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=now - FINISHED_JOBS_KEPT
    ).delete()
    return {
        "expired_sessions": sessions,
        "old_jobs": jobs,
        "expired_job_results": background_jobs_prune(now=now),
        "old_submission_tokens": submission_tokens_prune(now=now),
    }


# --- Cached figures ------------------------------------------------------------------------


def figures_changed(topic: str) -> None:
    """Give ``topic``'s inputs a new version, so that no figures cached from the old ones are
    served again (``selectors.cached_figures``). Call it in the transaction that writes the
    inputs, as its last write: the version's row is then locked after the rows written,
    always in that order, and a rolled-back change leaves the version as it was."""
    stamp = secrets.token_hex(16)
    if not FiguresVersion.objects.filter(topic=topic).update(stamp=stamp):
        FiguresVersion.objects.update_or_create(topic=topic, defaults={"stamp": stamp})


# --- Bulk writes for imports ----------------------------------------------------------------

# Parameters to a statement: large, to keep round trips few, and within every backend's
# limit (SQLite's is 32,766 since 3.32; PostgreSQL's 65,535).
BULK_PARAMETERS = 30_000


def _adapter(field: models.Field, connection: Any) -> Callable[[Any], Any]:
    """How to hand a field's Python value to the database driver: the field's own
    preparation where it does real work (JSON, datetimes on SQLite, anything unusual), and
    the value as it is for the plain types every driver takes. Django's own bulk writes
    prepare every value through the field, which is most of an import's write time."""
    if isinstance(field, models.ForeignKey | models.BooleanField | models.IntegerField):
        return lambda value: value
    if isinstance(field, models.CharField | models.TextField):
        # A choice (``TextChoices``) as its plain value, as Django's own preparation gives.
        return lambda value: value if value is None or type(value) is str else str(value)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    return lambda value: field.get_db_prep_save(value, connection)


def bulk_insert(model: type[models.Model], objs: list[Any]) -> None:
    """Insert ``objs`` (new instances of ``model``, related objects saved), giving each its
    primary key: the same rows ``bulk_create`` would write, at a fraction of its time in
    Python (no signals, no ``save()``). See ``bulk_insert_rows``."""
    from django.db import connection

    if not objs:
        return
    fields = _insert_fields(model)
    _related_keys(objs, fields, "bulk_insert")
    names = [field.attname for field in fields]
    keys = bulk_insert_rows(
        model, [{name: getattr(obj, name) for name in names} for obj in objs], complete=True
    )
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding, obj._state.db = False, connection.alias


def _related_keys(objs: list[Any], fields: Iterable[models.Field], operation: str) -> None:
    """Each foreign key's column from the related object set on it, as ``save()`` would
    (``_prepare_related_fields_for_save``, which compares every field with every other for
    each row: most of a bulk change's time in Python). An unsaved related object is an
    error, as there."""
    relations: list[Any] = [field for field in fields if field.many_to_one and field.concrete]
    for obj in objs:
        for field in relations:
            if not field.is_cached(obj):
                continue
            related = field.get_cached_value(obj)
            if related is None:
                continue
            if related.pk is None:
                raise ValueError(
                    f"{operation}() prohibited to prevent data loss due to unsaved related "
                    f"object '{field.name}'."
                )
            if getattr(obj, field.attname) != related.pk:
                setattr(obj, field.attname, related.pk)


def _insert_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def bulk_insert_rows(
    model: type[models.Model], rows: list[dict[str, Any]], *, complete: bool = False
) -> list[int]:
    """Insert ``rows`` of ``model``, each a dict of column values by attribute name (``case_id``,
    not ``case``), every row naming the same fields: the field's default for any they leave
    out (unless ``complete``: they name every field); returns their primary keys in order.
    No instance is made, which is most of the time an import of history rows and audit
    events took. On PostgreSQL the keys are
    drawn from the table's sequence in one query and the rows sent with ``COPY``; elsewhere,
    in few multi-row INSERTs that return the keys."""
    from django.db import connection

    if not rows:
        return []
    fields = _insert_fields(model)
    if not complete:
        defaults = {
            field.attname: field.get_default() for field in fields if field.attname not in rows[0]
        }
        rows = [{**defaults, **row} for row in rows]
    adapters = [(field.attname, _adapter(field, connection)) for field in fields]
    qn = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    table, columns = qn(model._meta.db_table), ", ".join(qn(str(field.column)) for field in fields)
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, str(pk.column), len(rows)],
            )
            keys = [key for (key,) in cursor.fetchall()]
            with cursor.cursor.copy(
                f"COPY {table} ({qn(str(pk.column))}, {columns}) FROM STDIN"
            ) as copy:
                for key, row in zip(keys, rows, strict=True):
                    copy.write_row([key, *(adapt(row[name]) for name, adapt in adapters)])
        return keys
    keys = []
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, BULK_PARAMETERS // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            params = [adapt(row[name]) for row in chunk for name, adapt in adapters]
            marks, key = ", ".join([row_marks] * len(chunk)), qn(str(pk.column))
            # Identifiers from the model's options, quoted; every value a parameter.
            sql = f"INSERT INTO {table} ({columns}) VALUES {marks} RETURNING {key}"  # noqa: S608
            cursor.execute(sql, params)
            keys += [stored_pk for (stored_pk,) in cursor.fetchall()]
    return keys


def bulk_change(model: type[models.Model], objs: list[Any], fields: Iterable[str]) -> None:
    """Write ``fields`` of ``objs`` (stored instances of ``model``) in few statements, each an
    ``UPDATE ... FROM`` a list of values joined on the primary key: one pass over the rows,
    where ``bulk_update``'s ``CASE WHEN`` grows with the batch for every field and row."""
    from django.db import connection

    if not objs:
        return
    meta = model._meta
    chosen = [meta.get_field(name) for name in fields]
    concrete = [field for field in chosen if isinstance(field, models.Field)]
    _related_keys(objs, concrete, "bulk_change")
    adapters = [(field.attname, _adapter(field, connection)) for field in concrete]
    qn = connection.ops.quote_name
    pk = meta.pk
    assert pk is not None
    names = ["pk_", *(f"v{n}" for n in range(len(concrete)))]
    postgres = connection.vendor == "postgresql"

    def value(n: int, field: models.Field) -> str:
        # PostgreSQL types a VALUES list from its rows' literals (NULL reads as text): say
        # each column's type. SQLite's columns take any value as it stands.
        return f"CAST(v.v{n} AS {field.db_type(connection)})" if postgres else f"v.v{n}"

    assignments = ", ".join(
        f"{qn(str(field.column))} = {value(n, field)}" for n, field in enumerate(concrete)
    )
    table = qn(meta.db_table)
    if postgres:
        # The values go by COPY into a temporary table shaped like the list, then one UPDATE
        # joins it: no statement text grows with the rows.
        columns = ", ".join(
            [f"pk_ {pk.db_type(connection)}"]
            + [f"v{n} {field.db_type(connection)}" for n, field in enumerate(concrete)]
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE bulk_change_v ({columns}) ON COMMIT DROP")
            with cursor.cursor.copy("COPY bulk_change_v FROM STDIN") as copy:
                for obj in objs:
                    copy.write_row(
                        [obj.pk, *(adapt(getattr(obj, name)) for name, adapt in adapters)]
                    )
            assignments = ", ".join(
                f"{qn(str(field.column))} = v.v{n}" for n, field in enumerate(concrete)
            )
            key = qn(str(pk.column))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM bulk_change_v AS v "  # noqa: S608
                f"WHERE {table}.{key} = v.pk_"
            )
            cursor.execute("DROP TABLE bulk_change_v")
        return
    row_marks = "(" + ", ".join(["%s"] * len(names)) + ")"
    size = max(1, BULK_PARAMETERS // len(names))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            chunk = objs[start : start + size]
            params = [
                item
                for obj in chunk
                for item in (obj.pk, *(adapt(getattr(obj, name)) for name, adapt in adapters))
            ]
            values, key = ", ".join([row_marks] * len(chunk)), qn(str(pk.column))
            # Identifiers from the model's options, quoted; every value a parameter.
            sql = (
                f"WITH v ({', '.join(names)}) AS (VALUES {values}) "  # noqa: S608
                f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{key} = v.pk_"
            )
            cursor.execute(sql, params)
