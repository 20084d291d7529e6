"""Removes restricted values already in the audit trail, before the chain is first sealed.

Earlier versions wrote a case's or a referral's restricted details into its audit events'
``changes`` (``{"sex": {"from": "", "to": "female"}}``). Each such value becomes the marker
the service now writes (``core.services.RESTRICTED_MARKER``), so the trail still shows that
the field changed, when and by whom, never what it was or became. The values the cases hold
now are kept in their restricted history (``RestrictedDetailsRevision``), behind the
need-to-know list; values the trail held before are not copied anywhere.

The trail refuses ``UPDATE`` through the append-only triggers of core 0002: this migration
drops exactly those triggers (``core_auditevent_append_only`` on PostgreSQL,
``core_auditevent_no_update`` on SQLite), rewrites the affected rows, and makes each trigger
again from the definition the database held (read from its catalogue, so whatever a later
migration made of it is kept; 0002's statement if it was missing), all in the migration's
transaction. Triggers on ``TRUNCATE`` and the access log's triggers are left alone.

It then records what it did as one audit event of the kind ``redacted`` (only when there was
something to remove). The values are fixed here, as they were when it was written: a
migration does not read the models' current code.
"""

from django.db import migrations

# The fields whose values the audit trail must not hold, by model (``history_restricted_fields``
# of reviews.Case and reviews.Referral when this was written).
RESTRICTED = {
    "reviews.case": frozenset(
        {"restricted_summary", "age_band", "sex", "ethnicity", "disability", "legal_status"}
    ),
    "reviews.referral": frozenset({"what_happened", "why_review", "age_band"}),
}
MARKER = "changed (restricted)"
REDACTED_CHANGE = {"from": MARKER, "to": MARKER}

TABLE = "core_auditevent"
# 0002's statements, made again only if the trigger was missing.
DEFAULT_SQL = {
    "postgresql": (
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION sightline_append_only()"
    ),
    "sqlite": (
        f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END"
    ),
}
TRIGGER = {"postgresql": f"{TABLE}_append_only", "sqlite": f"{TABLE}_no_update"}


def redacted(object_type, changes):
    """``changes`` with the restricted fields' values replaced by the marker, or None when
    there is nothing to replace."""
    hidden = RESTRICTED.get(object_type, frozenset())
    if not isinstance(changes, dict) or not hidden.intersection(changes):
        return None
    result = {
        name: REDACTED_CHANGE if name in hidden else change for name, change in changes.items()
    }
    return None if result == changes else result


def _trigger_sql(schema_editor, vendor):
    """The trigger's definition as the database holds it, or None if it is not there."""
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid = %s::regclass AND tgname = %s AND NOT tgisinternal",
                [TABLE, TRIGGER[vendor]],
            )
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                [TRIGGER[vendor]],
            )
        row = cursor.fetchone()
    return row[0] if row else None


def redact(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    vendor = schema_editor.connection.vendor
    events = AuditEvent.objects.filter(object_type__in=sorted(RESTRICTED)).order_by("pk")
    planned = []
    for pk, object_type, changes in events.values_list("pk", "object_type", "changes").iterator(
        chunk_size=2000
    ):
        new = redacted(object_type, changes)
        if new is not None:
            planned.append((pk, new))
    if not planned:
        return
    if vendor in TRIGGER:
        definition = _trigger_sql(schema_editor, vendor) or DEFAULT_SQL[vendor]
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER[vendor]} ON {TABLE}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER[vendor]}")
    for pk, new in planned:
        AuditEvent.objects.filter(pk=pk).update(changes=new)
    if vendor in TRIGGER:
        schema_editor.execute(definition, None)  # no parameters: keep any % as it is
    AuditEvent.objects.create(
        kind="redacted",
        object_type="core.auditevent",
        object_repr="Audit trail",
        detail=(
            f"Restricted values removed from {len(planned):,} audit events of cases and "
            "referrals (migration reviews 0008): each now says only that the field changed."
        ),
        changes={},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0007_restricted_history"),
        ("core", "0009_access_log_restricted_shown"),
    ]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
