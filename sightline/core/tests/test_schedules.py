"""Schedules the worker keeps: which slot is due, each slot run once, runs caught up."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from sightline.core import schedules
from sightline.core.models import OutboxMessage, ScheduleRun, ScheduleSetting
from sightline.core.scheduling import Cadence, Schedule, due_slot

LONDON = ZoneInfo("Europe/London")
SEVEN = datetime.time(7, 0)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


DAILY = Schedule("t.daily", "Daily", "x.y", Cadence.DAILY, SEVEN)
WEEKLY = Schedule("t.weekly", "Weekly", "x.y", Cadence.WEEKLY, SEVEN)
HOURLY = Schedule("t.hourly", "Hourly", "x.y", Cadence.HOURLY, datetime.time(0, 5))


@pytest.mark.parametrize(
    ("schedule", "now", "slot"),
    [
        (DAILY, at(2026, 12, 3, 6, 59), "2026-12-02"),
        (DAILY, at(2026, 12, 3, 7, 0), "2026-12-03"),
        (DAILY, at(2026, 12, 3, 23, 30), "2026-12-03"),
        # The clocks go forward: 07:00 is still 07:00 in London.
        (DAILY, at(2026, 3, 29, 7, 1), "2026-03-29"),
        (WEEKLY, at(2026, 11, 30, 7, 0), "2026-W49"),  # Monday
        (WEEKLY, at(2026, 11, 30, 6, 0), "2026-W48"),
        (WEEKLY, at(2026, 12, 3, 12, 0), "2026-W49"),  # a Thursday: this week's, caught up
        (HOURLY, at(2026, 12, 3, 14, 4), "2026-12-03T13"),
        (HOURLY, at(2026, 12, 3, 14, 5), "2026-12-03T14"),
        (HOURLY, at(2026, 12, 3, 0, 1), "2026-12-02T23"),
    ],
)
def test_the_due_slot_is_the_latest_whose_time_has_come(schedule, now, slot):
    assert due_slot(schedule, now=now, run_at=schedule.default_time) == slot


CALLS: list[datetime.datetime] = []


def record(*, now: datetime.datetime) -> dict[str, int]:
    CALLS.append(now)
    return {"written": len(CALLS)}


def fail(*, now: datetime.datetime) -> dict[str, int]:
    raise RuntimeError("the reminders could not be built")


@pytest.fixture
def only(monkeypatch):
    """Replace the apps' schedules with the ones a test gives."""
    CALLS.clear()

    def use(*given: Schedule) -> None:
        monkeypatch.setattr(schedules, "all_schedules", lambda: list(given))

    return use


RECORD = Schedule("t.record", "Record", f"{__name__}.record", Cadence.DAILY, SEVEN)


@pytest.mark.django_db
def test_each_slot_runs_once_however_often_the_worker_asks(only):
    only(RECORD)
    for minute in range(3):
        schedules.schedules_run_due(now=at(2026, 12, 3, 7, minute))
    assert len(CALLS) == 1
    run = ScheduleRun.objects.get()
    assert (run.slot, run.result, run.error) == ("2026-12-03", {"written": 1}, "")
    assert run.finished_at is not None

    schedules.schedules_run_due(now=at(2026, 12, 4, 7, 0))
    assert len(CALLS) == 2


@pytest.mark.django_db
def test_a_run_missed_while_no_worker_was_up_is_made_when_one_starts(only):
    only(RECORD)
    schedules.schedules_run_due(now=at(2026, 12, 1, 7, 0))
    # No worker on the 2nd and 3rd; one starts at 11:40 on the 4th: the 4th's run is made,
    # once (yesterday's reminders are not worth sending today).
    runs = schedules.schedules_run_due(now=at(2026, 12, 4, 11, 40))
    assert [run.slot for run in runs] == ["2026-12-04"]
    assert len(CALLS) == 2


@pytest.mark.django_db
def test_the_partnership_sets_the_time_or_turns_a_schedule_off(only):
    only(RECORD)
    ScheduleSetting.objects.create(schedule="t.record", run_at=datetime.time(9, 30))
    assert schedules.schedules_run_due(now=at(2026, 12, 3, 9, 0)) != []  # the 2nd's, caught up
    CALLS.clear()
    assert schedules.schedules_run_due(now=at(2026, 12, 3, 9, 29)) == []
    assert [r.slot for r in schedules.schedules_run_due(now=at(2026, 12, 3, 9, 30))] == [
        "2026-12-03"
    ]
    ScheduleSetting.objects.filter(schedule="t.record").update(is_enabled=False)
    assert schedules.schedules_run_due(now=at(2026, 12, 4, 10, 0)) == []


@pytest.mark.django_db
def test_a_failing_schedule_records_why_and_the_others_still_run(only):
    only(Schedule("t.fail", "Fail", f"{__name__}.fail", Cadence.DAILY, SEVEN), RECORD)
    runs = schedules.schedules_run_due(now=at(2026, 12, 3, 8, 0))
    assert {run.schedule: run.error for run in runs} == {
        "t.fail": "RuntimeError: the reminders could not be built",
        "t.record": "",
    }


@pytest.mark.django_db
def test_a_run_whose_worker_died_is_taken_up_again_once_stale(only):
    only(RECORD)
    ScheduleRun.objects.create(
        schedule="t.record", slot="2026-12-03", started_at=at(2026, 12, 3, 7)
    )
    assert schedules.schedules_run_due(now=at(2026, 12, 3, 7, 10)) == []  # perhaps still running
    [run] = schedules.schedules_run_due(now=at(2026, 12, 3, 7, 31))
    assert run.error == "Taken up again: the worker running it stopped"
    assert len(CALLS) == 1


def test_every_app_schedule_names_a_function_that_exists():
    found = schedules.all_schedules()
    assert {schedule.name for schedule in found} >= {
        "reviews.deadline_reminders",
        "learning.reminders",
        "learning.digest",
        "training.reminders",
        "reports.snapshots",
    }
    for schedule in found:
        from django.utils.module_loading import import_string

        assert callable(import_string(schedule.function))


@pytest.mark.django_db
@override_settings(SIGHTLINE_BASE_URL="https://sightline.example")
def test_the_worker_runs_the_schedules_and_delivers_without_cron(mailoutbox, make_user):
    from sightline.core.roles import Role
    from sightline.reviews.services import deadlines_refresh
    from sightline.reviews.tests.factories import CaseFactory

    officer = make_user(Role.REVIEW_OFFICER, email="officer@example.test")
    with time_machine.travel(at(2024, 3, 21, 9, 0)):
        case = CaseFactory.create(officer=officer, incident_aware_date=datetime.date(2024, 3, 4))
        deadlines_refresh(case_ids=[case.pk])
        out = io.StringIO()
        call_command("worker", "--once", stdout=out)

    assert set(ScheduleRun.objects.values_list("schedule", flat=True)) >= {
        "reviews.deadline_reminders",
        "learning.reminders",
        "training.reminders",
    }
    reminder = OutboxMessage.objects.get(kind="reviews.deadline_reminder")
    assert reminder.status == OutboxMessage.Status.SENT
    assert [m.to for m in mailoutbox] == [["officer@example.test"]]


@pytest.mark.django_db
def test_housekeeping_removes_expired_sessions_and_old_finished_jobs():
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from sightline.core.models import SubmissionToken
    from sightline.core.once import SUBMISSION_TOKENS_KEPT, new_token
    from sightline.core.services import housekeeping

    now = timezone.now()
    old, recent = new_token(), new_token()
    SubmissionToken.objects.create(token=old, created_at=now - SUBMISSION_TOKENS_KEPT * 2)
    SubmissionToken.objects.create(token=recent, created_at=now - SUBMISSION_TOKENS_KEPT / 2)
    Session.objects.create(
        session_key="old", session_data="", expire_date=now - datetime.timedelta(1)
    )
    Session.objects.create(
        session_key="live", session_data="", expire_date=now + datetime.timedelta(1)
    )
    assert housekeeping(now=now) == {
        "expired_sessions": 1,
        "old_jobs": 0,
        "expired_job_results": 0,
        "old_submission_tokens": 1,
    }
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert list(SubmissionToken.objects.values_list("token", flat=True)) == [recent]
