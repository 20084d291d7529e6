"""Database triggers that refuse changes to risk assessments and acceptances (and, on
PostgreSQL, their removal), as for the audit trail: the history is never rewritten.
SQLite gets only the update trigger, because Django's test flush deletes rows there."""

from django.db import migrations

TABLES = ("assurance_riskassessment", "assurance_riskacceptance")


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION sightline_append_only()"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_append_only_triggers"),
        ("assurance", "0002_typical_priorities"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
