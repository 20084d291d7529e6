"""The migration that begins the attendance history gives each marked booking one mark."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("training", "0002_notices_to_outbox")]
AFTER = [("training", "0003_attendance_marks")]


@pytest.mark.django_db(transaction=True)
def test_each_marked_booking_gets_one_mark_at_its_marking_time():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    User = apps.get_model("accounts", "User")
    Agency = apps.get_model("accounts", "Agency")
    Course = apps.get_model("training", "Course")
    Session = apps.get_model("training", "Session")
    Booking = apps.get_model("training", "Booking")
    trainer = User.objects.create(email="trainer@example.test", full_name="Trainer")
    agency = Agency.objects.create(name="Marks agency", sector="police")
    course = Course.objects.create(
        title="Marks course",
        outline="Outline",
        audience="both",
        level="awareness",
        learning_outcomes="Know",
        review_date=datetime.date(2030, 1, 1),
    )
    starts = datetime.datetime(2024, 3, 20, 9, tzinfo=datetime.UTC)
    session = Session.objects.create(
        course=course,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        mode="online",
        joining_link="https://meet.example.test/s",
        capacity=10,
        trainer=trainer,
    )

    def booking(email, **fields):
        return Booking.objects.create(
            session=session,
            delegate=User.objects.create(email=email, full_name=email),
            agency=agency,
            sector="police",
            status="confirmed",
            booked_at=starts - datetime.timedelta(days=5),
            status_changed_at=starts - datetime.timedelta(days=5),
            **fields,
        )

    marked_at = starts + datetime.timedelta(hours=4)
    came = booking("came@example.test", attendance="attended", attendance_marked_at=marked_at)
    untimed = booking("untimed@example.test", attendance="did_not_attend")
    unmarked = booking("unmarked@example.test")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    marks = {
        booking_id: (attendance, at)
        for booking_id, attendance, at in apps.get_model(
            "training", "AttendanceMark"
        ).objects.values_list("booking_id", "attendance", "marked_at")
    }
    assert marks == {
        came.pk: ("attended", marked_at),
        untimed.pk: ("did_not_attend", session.ends_at),
    }
    assert unmarked.pk not in marks

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
