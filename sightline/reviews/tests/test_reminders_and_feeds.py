import datetime

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sightline.core.models import OutboxMessage
from sightline.core.outbox import outbox_deliver
from sightline.core.roles import Role
from sightline.reviews import services
from sightline.reviews.models import CalendarFeed
from sightline.reviews.tests.factories import CaseFactory

D = datetime.date


@pytest.fixture
def officer(make_user):
    return make_user(Role.REVIEW_OFFICER, email="officer@example.test")


def test_reminders_for_due_soon_and_overdue_once_a_day(officer, mailoutbox):
    due_soon = CaseFactory.create(
        reference="SOON", officer=officer, incident_aware_date=D(2024, 3, 4)
    )  # due 25 March
    later = CaseFactory.create(
        reference="LATER", officer=officer, incident_aware_date=D(2024, 3, 18)
    )  # due 9 April
    services.deadlines_refresh(case_ids=[due_soon.pk, later.pk])

    assert services.reminders_send(today=D(2024, 3, 21)) == 1
    assert mailoutbox[0].to == ["officer@example.test"]
    assert "SOON" in mailoutbox[0].subject
    assert services.reminders_send(today=D(2024, 3, 21)) == 0
    assert services.reminders_send(today=D(2024, 3, 26)) == 1
    assert "Overdue" in mailoutbox[-1].subject


def test_a_reminder_that_cannot_be_delivered_is_tried_again_not_written_again(officer, monkeypatch):
    case = CaseFactory.create(officer=officer, incident_aware_date=D(2024, 3, 4))  # due 25 March
    services.deadlines_refresh(case_ids=[case.pk])

    def mail_server_down(self, messages):
        raise OSError("mail server down")

    assert services.reminders_send(today=D(2024, 3, 21)) == 1
    with monkeypatch.context() as patched:
        patched.setattr(locmem.EmailBackend, "send_messages", mail_server_down)
        assert outbox_deliver().retrying == 1
    assert mail.outbox == []
    assert services.reminders_send(today=D(2024, 3, 21)) == 0
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert "mail server down" in message.last_error

    assert outbox_deliver().sent == 0  # not before its next try
    assert outbox_deliver(now=message.next_attempt_at).sent == 1
    assert [m.to for m in mail.outbox] == [[officer.email]]


def test_reminders_stop_four_weeks_after_a_deadline(officer, mailoutbox):
    case = CaseFactory.create(officer=officer, incident_aware_date=D(2024, 3, 4))  # due 25 March
    services.deadlines_refresh(case_ids=[case.pk])
    # 24 April is the 20th working day after 25 March (Easter falls between).
    assert services.reminders_send(today=D(2024, 4, 24)) == 1
    assert services.reminders_send(today=D(2024, 4, 25)) == 0
    assert len(mailoutbox) == 1


def test_reminders_go_to_review_officers_when_the_case_has_none(officer, mailoutbox):
    case = CaseFactory.create(officer=None)
    services.deadlines_refresh(case_ids=[case.pk])
    services.reminders_send(today=D(2024, 3, 25))
    assert [mail.to for mail in mailoutbox] == [["officer@example.test"]]


def test_send_reminders_command_twice_sends_nothing_new(officer, mailoutbox, capsys):
    from sightline.core.calendar import WorkingCalendar

    # Notification due tomorrow (working days), whatever day the test runs.
    tomorrow = timezone.localdate() + datetime.timedelta(1)
    recent = WorkingCalendar().working_days_before(tomorrow, 5)
    case = CaseFactory.create(
        officer=officer, incident_aware_date=recent, panel_notified_date=None, opened_on=recent
    )
    services.deadlines_refresh(case_ids=[case.pk])
    call_command("send_reminders")
    call_command("send_reminders")
    out = capsys.readouterr().out
    assert "1 reminder written.\nEmails sent: 1." in out
    assert "0 reminders written.\nEmails sent: 0." in out


def test_calendar_feed_lists_own_deadlines_and_can_be_reset(client, officer):
    mine = CaseFactory.create(reference="MINE-1", officer=officer, pseudonym="Secret name")
    CaseFactory.create(reference="NOT-MINE")
    services.deadlines_refresh()
    feed = services.calendar_feed_reset(user=officer)
    url = reverse("reviews:calendar_feed", args=[feed.token])
    body = client.get(url).content.decode()
    assert "BEGIN:VCALENDAR" in body
    assert "MINE-1" in body
    assert "NOT-MINE" not in body
    assert "Secret name" not in body
    assert "DTSTART;VALUE=DATE:20240325" in body
    assert mine.get_absolute_url() in body

    client.force_login(officer)
    client.post(reverse("reviews:calendar_reset"))
    assert client.get(url).status_code == 404
    assert CalendarFeed.objects.get(user=officer).token != feed.token


def test_feed_of_a_deactivated_user_stops(client, officer):
    feed = services.calendar_feed_reset(user=officer)
    officer.is_active = False
    officer.save()
    assert client.get(reverse("reviews:calendar_feed", args=[feed.token])).status_code == 404
    assert client.get(reverse("reviews:calendar_feed", args=["guess"])).status_code == 404


def test_reminders_stop_four_weeks_after_the_due_date(officer, mailoutbox):
    case = CaseFactory.create(officer=officer, incident_aware_date=D(2024, 3, 4))  # due 25 March
    services.deadlines_refresh(case_ids=[case.pk])
    assert services.reminders_send(today=D(2024, 4, 24)) == 1  # 20 working days overdue
    assert services.reminders_send(today=D(2024, 4, 25)) == 0
