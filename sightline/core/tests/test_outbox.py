"""The outbox against a real SMTP server on loopback: each test states its figures (messages
expected, delivered, duplicated and lost)."""

import datetime
from collections import Counter

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from sightline.core import outbox
from sightline.core.models import AuditEvent, OutboxMessage
from sightline.core.outbox import message_key, outbox_add, outbox_deliver, outbox_resend

from .smtp import SmtpServer

Status = OutboxMessage.Status


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.MAILERS = server.mailer()
    yield server
    server.stop()


def write(count: int, *, domain: str = "example.test") -> list[str]:
    addresses = [f"person{number}@{domain}" for number in range(count)]
    for address in addresses:
        outbox_add(
            key=message_key("test.note", address),
            kind="test.note",
            to=address,
            subject=f"A note for {address}",
            body="Hello.",
        )
    return addresses


def figures(expected: list[str], server: SmtpServer) -> dict[str, int]:
    delivered = Counter(server.delivered_to())
    return {
        "expected": len(expected),
        "delivered": sum(1 for address in expected if delivered[address] >= 1),
        "duplicated": sum(count - 1 for count in delivered.values() if count > 1),
        "lost": sum(1 for address in expected if delivered[address] == 0),
    }


@pytest.mark.django_db
def test_one_address_refused_for_good_is_dead_lettered_and_every_other_delivered(smtp):
    expected = write(20)
    smtp.handler.refuse = {"person7@example.test"}

    result = outbox_deliver()

    assert (result.sent, result.dead, result.retrying) == (19, 1, 0)
    assert figures([a for a in expected if a != "person7@example.test"], smtp) == {
        "expected": 19,
        "delivered": 19,
        "duplicated": 0,
        "lost": 0,
    }
    dead = OutboxMessage.objects.get(status=Status.DEAD)
    assert dead.recipient == "person7@example.test"
    assert "550" in dead.last_error
    # Nothing more goes on later runs.
    assert outbox_deliver(now=timezone.now() + datetime.timedelta(days=2)).sent == 0
    assert len(smtp.handler.received) == 19


@pytest.mark.django_db
def test_a_server_that_goes_down_and_comes_back_gets_every_message_once(smtp):
    expected = write(10)
    smtp.stop()

    down = outbox_deliver()
    assert (down.sent, down.retrying) == (0, 10)
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}

    smtp.start()
    assert outbox_deliver().sent == 0  # the next try is a minute away
    back = outbox_deliver(now=timezone.now() + datetime.timedelta(minutes=1, seconds=5))
    assert back.sent == 10
    assert figures(expected, smtp) == {"expected": 10, "delivered": 10, "duplicated": 0, "lost": 0}
    assert not OutboxMessage.objects.exclude(status=Status.SENT).exists()


@pytest.mark.django_db
def test_failures_back_off_then_the_message_is_dead_lettered(smtp):
    write(1)
    smtp.stop()
    waits = []
    now = timezone.now()
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox_deliver(now=now)
        message = OutboxMessage.objects.get()
        if message.status == Status.DEAD:
            break
        waits.append(round((message.next_attempt_at - timezone.now()).total_seconds() / 60))
        now = message.next_attempt_at + datetime.timedelta(seconds=1)

    assert waits == [1, 5, 30, 120, 720]
    assert (message.status, message.attempts) == (Status.DEAD, outbox.MAX_ATTEMPTS)


@pytest.mark.django_db
def test_a_message_is_written_once_for_its_key_and_not_at_all_when_held_back():
    def add() -> bool:
        return outbox_add(
            key=message_key("test.note", "Person0@Example.test"),
            kind="test.note",
            to="person0@example.test",
            subject="A note",
            body="Hello.",
        )

    assert add() is True
    assert add() is False  # the same key, whatever the address's capitals
    assert OutboxMessage.objects.count() == 1
    with outbox.held_back():
        write(1, domain="other.test")
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_worker_that_died_before_sending_leaves_its_messages_to_another(smtp):
    expected = write(5)
    taken = outbox._claim(worker_id="worker-dead", now=timezone.now(), limit=10)
    assert len(taken) == 5

    assert outbox_deliver(worker_id="worker-alive").sent == 0  # still leased
    later = timezone.now() + outbox.lease_length() + datetime.timedelta(seconds=1)
    assert outbox_deliver(worker_id="worker-alive", now=later).sent == 5
    assert figures(expected, smtp) == {"expected": 5, "delivered": 5, "duplicated": 0, "lost": 0}


@pytest.mark.django_db
def test_a_message_perhaps_delivered_when_its_worker_died_is_never_sent_again_by_itself(
    smtp, admin_user
):
    write(1)
    outbox._claim(worker_id="worker-dead", now=timezone.now(), limit=10)
    OutboxMessage.objects.update(handed_over_at=timezone.now())
    later = timezone.now() + outbox.lease_length() + datetime.timedelta(seconds=1)

    result = outbox_deliver(now=later)

    assert (result.uncertain, result.sent) == (1, 0)
    message = OutboxMessage.objects.get()
    assert message.status == Status.UNCERTAIN
    assert smtp.handler.received == []
    # An administrator checks with the recipient, then sends it again: audited.
    outbox_resend(actor=admin_user, message=message)
    assert outbox_deliver().sent == 1
    assert AuditEvent.objects.filter(object_type="core.outboxmessage", actor=admin_user).exists()
    with pytest.raises(ValidationError, match="can be sent again"):
        outbox_resend(actor=admin_user, message=OutboxMessage.objects.get())


@pytest.mark.django_db
def test_the_same_message_keeps_its_message_id(smtp, admin_user):
    write(1)
    OutboxMessage.objects.update(status=Status.DEAD)
    outbox_resend(actor=admin_user, message=OutboxMessage.objects.get())
    outbox_deliver()
    OutboxMessage.objects.update(status=Status.DEAD)
    outbox_resend(actor=admin_user, message=OutboxMessage.objects.get())
    outbox_deliver()
    first, second = smtp.handler.received
    assert first.message_id == second.message_id
    assert first.message_id.startswith("<")
    assert first.message_id.endswith(">")


@pytest.mark.django_db
def test_a_link_that_lets_its_holder_in_is_not_kept_once_sent():
    outbox_add(
        key="test.secret",
        kind="test.secret",
        to="someone@example.test",
        subject="Set your password",
        body="https://sightline.example/reset/abc",
        forget_body_when_sent=True,
    )
    outbox_deliver()
    assert "abc" in mail.outbox[0].body
    assert "abc" not in OutboxMessage.objects.get().body


@pytest.mark.django_db
def test_calendar_files_travel_with_the_message(smtp):
    outbox_add(
        key="test.ics",
        kind="test.ics",
        to="delegate@example.test",
        subject="Your place",
        body="See you there.",
        attachments=[outbox.Attachment("session.ics", "BEGIN:VCALENDAR", "text/calendar")],
    )
    assert outbox_deliver().sent == 1
    assert smtp.delivered_to() == ["delegate@example.test"]


@pytest.mark.django_db
def test_a_message_carries_its_own_headers_and_keeps_the_outbox_message_id():
    outbox_add(
        key="test.headers",
        kind="test.headers",
        to="reader@example.test",
        subject="An issue",
        body="News.",
        headers={
            "List-Unsubscribe": "<https://example.test/unsubscribe/abc/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": "<chosen-by-the-caller@example.test>",
        },
    )
    outbox_add(key="test.plain", kind="test.plain", to="b@example.test", subject="S", body="B")
    assert outbox_deliver().sent == 2
    with_headers, plain = (email.message() for email in mail.outbox)
    assert with_headers["List-Unsubscribe"] == "<https://example.test/unsubscribe/abc/>"
    assert with_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert with_headers["Message-ID"] != "<chosen-by-the-caller@example.test>"
    assert with_headers["Message-ID"].startswith("<")
    assert plain["List-Unsubscribe"] is None
    assert OutboxMessage.objects.get(key="test.plain").headers == {}


@pytest.mark.django_db
def test_messages_still_waiting_can_be_withdrawn_but_not_those_sent():
    for number in range(3):
        outbox_add(key=f"n:{number}", kind="news", to="Reader@example.test", subject="S", body="B")
    outbox_add(key="other", kind="other", to="reader@example.test", subject="S", body="B")
    outbox_add(key="n:else", kind="news", to="else@example.test", subject="S", body="B")
    OutboxMessage.objects.filter(key="n:0").update(status=Status.SENT)
    assert outbox.outbox_withdraw(kind="news", to="reader@example.test") == 2
    assert sorted(OutboxMessage.objects.values_list("key", flat=True)) == ["n:0", "n:else", "other"]


@pytest.mark.django_db
def test_no_code_outside_the_outbox_sends_email():
    """Every email goes through the outbox: nothing else in Sightline may send one."""
    from pathlib import Path

    root = Path(outbox.__file__).resolve().parents[1]
    senders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name == "outbox.py":
            continue
        text = path.read_text()
        if any(
            needle in text
            for needle in ("send_mail(", "send_mass_mail(", "EmailMessage(", ".send_messages(")
        ):
            senders.append(str(path.relative_to(root)))
    assert senders == []
