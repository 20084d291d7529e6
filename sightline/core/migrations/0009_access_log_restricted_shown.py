"""The access log says whether restricted details were shown; audit events can record a redaction.

``restricted_shown`` is added without rebuilding the table. On SQLite, Django adds a NOT NULL
column with a default by copying the table into a new one, which drops its triggers (the
append-only ones of 0002 and any the chain's 0008 added); a plain ``ALTER TABLE ... ADD
COLUMN ... DEFAULT 0`` keeps the table, and so its triggers, as they are. PostgreSQL adds the
column in place either way. In case a trigger was lost all the same, the append-only triggers
of 0002 are made again, under the same names, if missing (SQLite only: PostgreSQL's are never
dropped by adding a column).

The new kind of audit event, ``redacted``, changes only the field's choices: nothing in the
database."""

from django.db import migrations, models

TABLES = ("core_auditevent", "core_accesslogentry")


def add_column(apps, schema_editor):
    model = apps.get_model("core", "AccessLogEntry")
    field = model._meta.get_field("restricted_shown")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "ALTER TABLE core_accesslogentry ADD COLUMN restricted_shown bool NOT NULL DEFAULT 0"
        )
        for table in TABLES:
            # The same statement as 0002's, under the same name: made only if it is missing.
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    else:
        schema_editor.add_field(model, field)


def remove_column(apps, schema_editor):
    model = apps.get_model("core", "AccessLogEntry")
    field = model._meta.get_field("restricted_shown")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ALTER TABLE core_accesslogentry DROP COLUMN restricted_shown")
    else:
        schema_editor.remove_field(model, field)


class Migration(migrations.Migration):
    dependencies = [("core", "0008_audit_chain")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="accesslogentry",
                    name="restricted_shown",
                    field=models.BooleanField(default=False),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(add_column, remove_column),
        migrations.AlterField(
            model_name="auditevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("create", "Created"),
                    ("update", "Changed"),
                    ("delete", "Deleted"),
                    ("sign_in", "Signed in"),
                    ("sign_in_failed", "Failed sign-in"),
                    ("sign_out", "Signed out"),
                    ("session_ended", "Session ended"),
                    ("password_changed", "Password changed"),
                    ("password_reset_requested", "Password reset requested"),
                    ("access_denied", "Access denied"),
                    ("csrf_failure", "Forged or expired form"),
                    ("import", "Imported"),
                    ("redacted", "Restricted values removed"),
                ],
                max_length=32,
            ),
        ),
    ]
