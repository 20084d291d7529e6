"""The risk settings (appetite, bands, review frequencies), the groups' assurance returns,
the data figures and the audits' statuses become dated history, so a risk's level, appetite
and review, a group's assurance, a figure and an audit's status as at any date can be worked
out; each assessment keeps the next review it set. What is held today is carried over: the
settings as the first change, effective from the day they were last saved (and, by the
history's rule, before it too); each return and each figure as its first version, given when
it was last given; each audit's changes of status from the audit trail (each on its day, in
UK time), or, with none there, its status now from the day it was added. The new tables get the append-only triggers the
other history tables have (see 0003)."""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

TABLES = (
    "assurance_risksettingschange",
    "assurance_assurancereturnversion",
    "assurance_auditstatuschange",
    "assurance_datapointversion",
)
RETURN_FIELDS = ("level", "summary", "exceptions", "escalations", "submitted_by_id", "submitted_at")
FIELDS = (
    "likelihood_levels",
    "impact_levels",
    "appetite",
    "low_max",
    "medium_max",
    "high_max",
    "review_days_low",
    "review_days_medium",
    "review_days_high",
    "review_days_very_high",
)


def carry_over(apps, schema_editor):
    RiskSettings = apps.get_model("assurance", "RiskSettings")
    RiskSettingsChange = apps.get_model("assurance", "RiskSettingsChange")
    current = RiskSettings.objects.order_by("pk").first()
    if current is None:
        return
    RiskSettingsChange.objects.create(
        effective_on=timezone.localdate(current.updated_at),
        recorded_at=current.updated_at,
        **{name: getattr(current, name) for name in FIELDS},
    )


def carry_over_returns(apps, schema_editor):
    AssuranceReturn = apps.get_model("assurance", "AssuranceReturn")
    AssuranceReturnVersion = apps.get_model("assurance", "AssuranceReturnVersion")
    AssuranceReturnVersion.objects.bulk_create(
        (
            AssuranceReturnVersion(
                assurance_return_id=item.pk, **{name: getattr(item, name) for name in RETURN_FIELDS}
            )
            for item in AssuranceReturn.objects.order_by("pk").iterator(chunk_size=1000)
        ),
        batch_size=1000,
    )


def carry_over_figures(apps, schema_editor):
    DataPoint = apps.get_model("assurance", "DataPoint")
    DataPointVersion = apps.get_model("assurance", "DataPointVersion")
    DataPointVersion.objects.bulk_create(
        (
            DataPointVersion(
                data_point_id=point.pk,
                value=point.value,
                note=point.note,
                recorded_by_id=point.recorded_by_id,
                recorded_at=point.recorded_at,
            )
            for point in DataPoint.objects.order_by("pk").iterator(chunk_size=1000)
        ),
        batch_size=1000,
    )


def carry_over_audits(apps, schema_editor):
    Audit = apps.get_model("assurance", "Audit")
    AuditStatusChange = apps.get_model("assurance", "AuditStatusChange")
    AuditEvent = apps.get_model("core", "AuditEvent")
    changes: dict[str, list[tuple[str, datetime.date, datetime.datetime]]] = {}
    events = (
        AuditEvent.objects.filter(object_type="assurance.audit")
        .order_by("occurred_at", "id")
        .values_list("object_id", "occurred_at", "changes")
    )
    for object_id, occurred_at, event_changes in events.iterator():
        status = event_changes.get("status") if isinstance(event_changes, dict) else None
        if isinstance(status, dict) and status.get("to"):
            changes.setdefault(object_id, []).append(
                (status["to"], timezone.localdate(occurred_at), occurred_at)
            )
    rows: list[object] = []
    for audit in Audit.objects.order_by("pk").iterator(chunk_size=1000):
        found = changes.get(str(audit.pk))
        if not found:
            found = [(audit.status, timezone.localdate(audit.created_at), audit.created_at)]
        elif found[-1][0] != audit.status:
            found.append((audit.status, timezone.localdate(audit.updated_at), audit.updated_at))
        rows.extend(
            AuditStatusChange(audit_id=audit.pk, status=status, changed_on=day, recorded_at=at)
            for status, day, at in found
        )
    AuditStatusChange.objects.bulk_create(rows, batch_size=1000)


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
        ("assurance", "0004_partnership_groups"),
        ("core", "0002_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="riskassessment",
            name="next_review_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="RiskSettingsChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("effective_on", models.DateField()),
                ("likelihood_levels", models.PositiveSmallIntegerField()),
                ("impact_levels", models.PositiveSmallIntegerField()),
                ("appetite", models.PositiveSmallIntegerField()),
                ("low_max", models.PositiveSmallIntegerField()),
                ("medium_max", models.PositiveSmallIntegerField()),
                ("high_max", models.PositiveSmallIntegerField()),
                ("review_days_low", models.PositiveSmallIntegerField()),
                ("review_days_medium", models.PositiveSmallIntegerField()),
                ("review_days_high", models.PositiveSmallIntegerField()),
                ("review_days_very_high", models.PositiveSmallIntegerField()),
                ("recorded_at", models.DateTimeField()),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-effective_on", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="AssuranceReturnVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("assured", "Assured"),
                            ("partial", "Partially assured"),
                            ("not_assured", "Not assured"),
                        ],
                        max_length=15,
                    ),
                ),
                ("summary", models.TextField()),
                ("exceptions", models.TextField(blank=True)),
                ("escalations", models.TextField(blank=True)),
                ("submitted_at", models.DateTimeField()),
                (
                    "assurance_return",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="versions",
                        to="assurance.assurancereturn",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-submitted_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["assurance_return", "submitted_at"], name="return_version_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditStatusChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("in_progress", "In progress"),
                            ("reported", "Reported"),
                        ],
                        max_length=20,
                    ),
                ),
                ("changed_on", models.DateField()),
                ("recorded_at", models.DateTimeField()),
                (
                    "audit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="status_changes",
                        to="assurance.audit",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-changed_on", "-pk"],
                "indexes": [
                    models.Index(fields=["audit", "changed_on"], name="audit_status_change_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="DataPointVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.DecimalField(decimal_places=2, max_digits=12)),
                ("note", models.CharField(blank=True, max_length=300)),
                ("recorded_at", models.DateTimeField()),
                (
                    "data_point",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="versions",
                        to="assurance.datapoint",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-recorded_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["data_point", "recorded_at"], name="data_point_version_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        # Going back, the tables go with the carried-over rows in them.
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RunPython(carry_over_returns, migrations.RunPython.noop),
        migrations.RunPython(carry_over_audits, migrations.RunPython.noop),
        migrations.RunPython(carry_over_figures, migrations.RunPython.noop),
    ]
