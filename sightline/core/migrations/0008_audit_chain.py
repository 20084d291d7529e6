"""The audit trail's hash chain: seals, checkpoints and the triggers that refuse TRUNCATE.

On PostgreSQL:
- a statement trigger refuses TRUNCATE of the audit trail, the access log, the seals and the
  checkpoints unless the connection set ``sightline.allow_truncate`` to ``on`` (only the test
  settings do, so the test database can be emptied);
- the row triggers of 0002 are replaced by ones that still refuse every UPDATE and refuse
  DELETE unless the transaction set ``sightline.audit_archive`` (archiving sealed blocks,
  which needs the DELETE privilege only the owner has, through ``sightline_audit_archive``);
- ``sightline_audit_committed_id`` gives the highest id below which every row is committed,
  so a seal never covers an id a transaction still in flight will fill later.
SQLite gets the update triggers for the seals and checkpoints (it has no TRUNCATE).
"""

import django.utils.timezone
from django.db import migrations, models

TRAIL = ("core_auditevent", "core_accesslogentry")
CHAIN = ("core_auditseal", "core_auditcheckpoint")

PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION sightline_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('sightline.allow_truncate', true), '') <> 'on' THEN
        RAISE EXCEPTION '% cannot be truncated: the audit trail is kept whole', TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END; $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION sightline_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND coalesce(current_setting('sightline.audit_archive', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END; $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION sightline_audit_committed_id(tbl text) RETURNS bigint
SECURITY DEFINER SET search_path FROM CURRENT SET lock_timeout = '500ms' AS $$
DECLARE
    result bigint;
BEGIN
    IF tbl NOT IN ('core_auditevent', 'core_accesslogentry') THEN
        RAISE EXCEPTION 'Not part of the audit trail: %', tbl;
    END IF;
    -- SHARE conflicts with the ROW EXCLUSIVE lock every INSERT holds until its transaction
    -- ends: once granted, no transaction that took an id is still in flight.
    EXECUTE format('LOCK TABLE %I IN SHARE MODE', tbl);
    EXECUTE format('SELECT coalesce(max(id), 0) FROM %I', tbl) INTO result;
    RETURN result;
END; $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION sightline_audit_archive(
    upto_seal bigint, audit_last bigint, access_last bigint
) RETURNS void
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM set_config('sightline.audit_archive', 'on', true);
    DELETE FROM core_auditevent WHERE id <= audit_last;
    DELETE FROM core_accesslogentry WHERE id <= access_last;
    DELETE FROM core_auditseal WHERE id <= upto_seal;
    PERFORM set_config('sightline.audit_archive', 'off', true);
END; $$ LANGUAGE plpgsql;

-- Both run as the tables' owner: only the roles granted them may call them (docs/operations.md,
-- "Database roles").
REVOKE EXECUTE ON FUNCTION sightline_audit_committed_id(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION sightline_audit_archive(bigint, bigint, bigint) FROM PUBLIC;
"""

PG_DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS sightline_audit_archive(bigint, bigint, bigint);
DROP FUNCTION IF EXISTS sightline_audit_committed_id(text);
DROP FUNCTION IF EXISTS sightline_audit_append_only();
DROP FUNCTION IF EXISTS sightline_refuse_truncate();
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTIONS, None)
        for table in TRAIL:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        for table in TRAIL + CHAIN:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION sightline_audit_append_only()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION sightline_refuse_truncate()"
            )
    elif vendor == "sqlite":
        for table in CHAIN:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TRAIL + CHAIN:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        for table in TRAIL:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION sightline_append_only()"
            )
        schema_editor.execute(PG_DROP_FUNCTIONS, None)
    elif vendor == "sqlite":
        for table in CHAIN:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")


class Migration(migrations.Migration):
    dependencies = [("core", "0007_outbox_headers")]

    operations = [
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "table",
                    models.CharField(
                        choices=[("audit_event", "Audit trail"), ("access_log", "Access log")],
                        max_length=16,
                    ),
                ),
                ("first_id", models.BigIntegerField()),
                ("last_id", models.BigIntegerField()),
                ("count", models.PositiveIntegerField()),
                ("rows_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64, unique=True)),
                ("previous_hash", models.CharField(max_length=64, unique=True)),
                ("digests", models.BinaryField()),
                ("sealed_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ["id"],
                "indexes": [models.Index(fields=["table", "last_id"], name="audit_seal_table_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("count__gt", 0), ("first_id__lte", models.F("last_id"))
                        ),
                        name="audit_seal_range",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seal_id", models.BigIntegerField(unique=True)),
                ("hash", models.CharField(max_length=64)),
                ("audit_last_id", models.BigIntegerField()),
                ("access_last_id", models.BigIntegerField()),
                ("before", models.DateField()),
                ("seals", models.PositiveIntegerField()),
                ("events", models.PositiveIntegerField()),
                ("file_name", models.CharField(max_length=255)),
                ("file_sha256", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("created_by_email", models.CharField(blank=True, max_length=254)),
            ],
            options={"ordering": ["id"]},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
