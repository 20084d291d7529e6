"""The administrators' page about background work, and what /health/ tells the world."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sightline.core.models import AuditEvent, OutboxMessage, ScheduleRun, ScheduleSetting
from sightline.core.outbox import outbox_add

pytestmark = pytest.mark.django_db


def dead(number: int) -> OutboxMessage:
    return OutboxMessage.objects.create(
        key=f"test:{number}",
        kind="test",
        recipient=f"gone{number}@example.test",
        subject=f"Reminder {number}",
        status=OutboxMessage.Status.DEAD,
        attempts=1,
        last_error="The mail server answered 550 No such mailbox here",
    )


def test_administrators_see_emails_not_sent_and_send_one_again(admin_client, admin_user):
    message = dead(1)
    page = admin_client.get(reverse("core:background_work"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "gone1@example.test" in text
    assert "550 No such mailbox here" in text

    response = admin_client.post(reverse("core:outbox_resend", kwargs={"pk": message.pk}))

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert AuditEvent.objects.filter(
        actor=admin_user, object_type="core.outboxmessage", object_id=str(message.pk)
    ).exists()


def test_an_email_already_sent_is_not_sent_again(admin_client):
    message = dead(1)
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.SENT)
    response = admin_client.post(
        reverse("core:outbox_resend", kwargs={"pk": message.pk}), follow=True
    )
    assert "can be sent again" in response.content.decode()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_the_page_costs_the_same_queries_with_ten_times_the_rows(admin_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse("core:background_work")).status_code == 200
        return len(queries)

    for number in range(3):
        dead(number)
        ScheduleRun.objects.create(schedule="learning.reminders", slot=f"2026-12-0{number + 1}")
    few = count()
    for number in range(3, 30):
        dead(number)
        ScheduleRun.objects.create(schedule="learning.reminders", slot=f"2026-11-{number:02d}")
    assert count() == few


def test_an_administrator_sets_when_a_schedule_runs(admin_client, admin_user):
    url = reverse("core:schedule_setting", kwargs={"schedule": "reviews.deadline_reminders"})
    response = admin_client.post(
        url,
        {
            "reviews-deadline_reminders-run_at": "06:30",
            "reviews-deadline_reminders-is_enabled": "on",
        },
    )
    assert response.status_code == 302
    setting = ScheduleSetting.objects.get(schedule="reviews.deadline_reminders")
    assert (setting.run_at, setting.is_enabled) == (datetime.time(6, 30), True)
    assert AuditEvent.objects.filter(actor=admin_user, object_type="core.schedulesetting").exists()

    refused = admin_client.post(url, {"reviews-deadline_reminders-run_at": "25:99"})
    assert refused.status_code == 400
    assert "Enter a time on the 24-hour clock, like 07:00 or 18:30" in refused.content.decode()
    assert admin_client.post(url.replace("deadline_reminders", "nothing")).status_code == 404


def test_health_says_only_ok_or_degraded(client):
    ScheduleRun.objects.create(schedule="learning.reminders", slot="x", started_at=timezone.now())
    assert client.get("/health/").json() == {"status": "ok"}

    outbox_add(key="late", kind="test", to="someone@example.test", subject="S", body="B")
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=20))
    assert client.get("/health/").json() == {"status": "degraded"}


def test_health_is_degraded_when_no_schedule_has_run_lately(client):
    ScheduleRun.objects.create(
        schedule="learning.reminders",
        slot="x",
        started_at=timezone.now() - datetime.timedelta(hours=3),
    )
    assert client.get("/health/").json() == {"status": "degraded"}


def test_monitoring_reads_the_queue_with_its_token_only(client, settings):
    settings.SIGHTLINE_MONITORING_TOKEN = "a-long-monitoring-token"
    dead(1)
    url = reverse("health_queue")
    assert client.get(url).status_code == 403
    assert client.get(url, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    body = client.get(url, HTTP_AUTHORIZATION="Bearer a-long-monitoring-token").json()
    assert body["outbox"]["dead"] == 1
    assert body["status"] == "degraded"  # no schedule has run in this test
    assert body["problems"] == ["No schedule has run in the last 2 hours: is the worker running?"]


def test_administrators_see_the_latest_jobs_and_why_one_failed(admin_client):
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    DBTaskResult.objects.create(
        status="FAILED",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="sightline.core.tasks.deliver_outbox",
        backend_name="default",
        run_after=now,
        finished_at=now,
        exception_class_path="smtplib.SMTPServerDisconnected",
        traceback="...",
    )
    DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="sightline.core.tasks.deliver_outbox",
        backend_name="default",
        run_after=now,
        started_at=now - datetime.timedelta(hours=1),
        exception_class_path="",
        traceback="",
    )
    text = admin_client.get(reverse("core:background_work")).content.decode()
    assert "Send the emails due" in text
    assert "Failed: SMTPServerDisconnected" in text
    assert "its worker probably stopped" in text


def test_the_demo_shows_an_administrator_an_email_not_sent_once(admin_client):
    import io

    from sightline.core.demo import seed

    seed(password="x", stdout=io.StringIO())
    seed(password="x", stdout=io.StringIO())
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).count() == 1
    assert (
        "No such mailbox here" in admin_client.get(reverse("core:background_work")).content.decode()
    )


def test_health_is_degraded_when_a_job_has_waited_too_long(client):
    from django_tasks_db.models import DBTaskResult

    ScheduleRun.objects.create(schedule="learning.reminders", slot="x", started_at=timezone.now())
    job = DBTaskResult.objects.create(
        status="READY",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="sightline.core.tasks.deliver_outbox",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    assert client.get("/health/").json() == {"status": "ok"}
    DBTaskResult.objects.filter(pk=job.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    assert client.get("/health/").json() == {"status": "degraded"}
