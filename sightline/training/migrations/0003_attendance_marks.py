"""Attendance marks become append-only history, so the training figures as at a date count
the registers as they were marked by then. Each booking marked today gets one mark, at the
time the register last marked it (or, when that was not kept, the session's end); the table
gets the append-only triggers the other history tables have (see core's 0002)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "training_attendancemark"


def carry_over(apps, schema_editor):
    Booking = apps.get_model("training", "Booking")
    AttendanceMark = apps.get_model("training", "AttendanceMark")
    marked = (
        Booking.objects.exclude(attendance="")
        .select_related("session")
        .order_by("pk")
        .iterator(chunk_size=1000)
    )
    batch = []
    for booking in marked:
        batch.append(
            AttendanceMark(
                booking_id=booking.pk,
                attendance=booking.attendance,
                marked_at=booking.attendance_marked_at or booking.session.ends_at,
            )
        )
        if len(batch) >= 1000:
            AttendanceMark.objects.bulk_create(batch)
            batch = []
    AttendanceMark.objects.bulk_create(batch)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION sightline_append_only()"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END"
        )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_append_only_triggers"),
        ("training", "0002_notices_to_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AttendanceMark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "attendance",
                    models.CharField(
                        choices=[
                            ("", "Not marked"),
                            ("attended", "Attended"),
                            ("left_early", "Left early"),
                            ("did_not_attend", "Did not attend"),
                        ],
                        max_length=20,
                    ),
                ),
                ("marked_at", models.DateTimeField()),
                (
                    "booking",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="marks",
                        to="training.booking",
                    ),
                ),
                (
                    "marked_by",
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
                "ordering": ["-marked_at", "-pk"],
                "indexes": [
                    models.Index(fields=["booking", "marked_at"], name="attendance_mark_idx")
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        # Going back, the table goes with the carried-over marks in it.
        migrations.RunPython(carry_over, migrations.RunPython.noop),
    ]
