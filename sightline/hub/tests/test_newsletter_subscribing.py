"""Subscribing with double opt-in, and unsubscribing in one click."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sightline.core.models import AuditEvent, OutboxMessage
from sightline.core.outbox import outbox_add
from sightline.hub.models import Subscriber
from sightline.hub.services import newsletter as services
from sightline.hub.tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/hub/newsletter/"
LINK = re.compile(r"https?://[^\s]+/hub/newsletter/confirm/([^/\s]+)/")


def subscribe(client, email: str, audience: str = ""):
    return client.post(SUBSCRIBE, {"email": email, "audience": audience})


def confirm_token(body: str) -> str:
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def test_subscribing_confirming_and_receiving_the_confirmation_end_to_end(client, mailoutbox):
    response = subscribe(client, "Reader@Example.test", "children")
    assert response.status_code == 302
    assert response["Location"] == reverse("hub:subscribe_sent")
    page = client.get(response["Location"])
    assert "Check your email" in page.content.decode()

    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.test"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.audience == "children"
    [email] = mailoutbox
    assert email.to == ["reader@example.test"]
    token = confirm_token(email.body)
    # The token is never stored, only its digest.
    assert token not in subscriber.confirm_token_hash
    # A link that confirms is not kept in the outbox once sent.
    assert token not in OutboxMessage.objects.get().body

    # Opening the link (as a mail scanner does) confirms nothing.
    page = client.get(reverse("hub:newsletter_confirm", kwargs={"token": token}))
    assert page.status_code == 200
    assert "Confirm my subscription" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING

    done = client.post(reverse("hub:newsletter_confirm", kwargs={"token": token}))
    assert done.status_code == 200
    assert "You are subscribed" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.confirmed_at is not None
    # Pressing the button twice is harmless.
    again = client.post(reverse("hub:newsletter_confirm", kwargs={"token": token}))
    assert again.status_code == 200
    events = AuditEvent.objects.filter(object_type="hub.subscriber")
    assert [event.detail for event in events.order_by("pk")] == [
        "Confirmation of a newsletter subscription requested",
        "Newsletter subscription confirmed",
    ]
    # The audit trail, which is never rewritten, holds no address.
    assert all("reader@" not in event.object_repr for event in events)


@pytest.mark.parametrize("status", ["new", "pending", "confirmed", "unsubscribed"])
def test_every_address_gets_the_same_answer_and_the_same_email(client, mailoutbox, status):
    if status != "new":
        SubscriberFactory.create(
            email="known@example.test",
            status=status,
            confirmed_at=timezone.now() if status == "confirmed" else None,
            unsubscribed_at=timezone.now() if status == "unsubscribed" else None,
        )
    response = subscribe(client, "known@example.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("hub:subscribe_sent")
    [email] = mailoutbox
    assert email.to == ["known@example.test"]
    assert email.subject.startswith("Confirm your subscription")
    assert OutboxMessage.objects.count() == 1
    assert Subscriber.objects.get().status == ("pending" if status == "new" else status)


def test_asking_again_within_ten_minutes_sends_no_second_email(client, mailoutbox):
    # The start of a ten-minute window, so the two requests fall in the same one.
    now = int(timezone.now().timestamp())
    start = datetime.datetime.fromtimestamp(now - now % 600 + 1, tz=datetime.UTC)
    with time_machine.travel(start, tick=False):
        subscribe(client, "again@example.test")
        subscribe(client, "AGAIN@example.test")
    assert OutboxMessage.objects.count() == 1
    first = confirm_token(mailoutbox[0].body)
    # The first link still works: asking again did not replace it.
    assert services.subscriber_by_confirm_token(first).email == "again@example.test"
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        subscribe(client, "again@example.test")
    assert OutboxMessage.objects.count() == 2
    # Other addresses are not held back by this one.
    with time_machine.travel(start, tick=False):
        subscribe(client, "other@example.test")
    assert OutboxMessage.objects.count() == 3


def test_an_expired_or_forged_confirmation_link_is_refused_with_a_way_on(client, mailoutbox):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        subscribe(client, "late@example.test")
    token = confirm_token(mailoutbox[0].body)
    url = reverse("hub:newsletter_confirm", kwargs={"token": token})
    with time_machine.travel(start + datetime.timedelta(days=8), tick=False):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 400
            assert "This link has expired" in response.content.decode()
            assert reverse("hub:subscribe") in response.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    for forged in ("not-a-token", "x" * 500, token[:-2] + "zz"):
        response = client.post(reverse("hub:newsletter_confirm", kwargs={"token": forged}))
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": ""}, "Enter your email address"),
        ({"email": "not an address"}, "Enter an email address in the correct format"),
        ({"email": "a" * 250 + "@example.test"}, "254 characters or fewer"),
        ({"email": "ok@example.test", "audience": "everyone"}, "Choose one of the options"),
    ],
)
def test_bad_input_is_explained(client, data, message):
    response = client.post(SUBSCRIBE, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_the_subscribe_pages_are_never_cached_but_the_archive_is(client):
    for url in (SUBSCRIBE, reverse("hub:newsletter_confirm", kwargs={"token": "x"})):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "public" not in response["Cache-Control"], url
    assert "public" in client.get(reverse("hub:newsletter_archive"))["Cache-Control"]


def test_one_click_unsubscribing_without_a_form_token(mailoutbox):
    from django.test import Client

    subscriber = SubscriberFactory.create()
    url = reverse(
        "hub:newsletter_unsubscribe", kwargs={"token": services.unsubscribe_token(subscriber.pk)}
    )
    # A mail client posts as RFC 8058 says, with no CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    # Again: harmless, and the page says so.
    assert client.post(url).status_code == 200
    page = client.get(url)
    assert "You are already unsubscribed" in page.content.decode()
    assert AuditEvent.objects.filter(detail="Unsubscribed from the newsletter").count() == 1


def test_opening_the_unsubscribe_link_asks_first(client):
    subscriber = SubscriberFactory.create()
    url = reverse(
        "hub:newsletter_unsubscribe", kwargs={"token": services.unsubscribe_token(subscriber.pk)}
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "Unsubscribe" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_the_unsubscribe_link_is_the_same_in_every_issue_and_old_links_still_work(client):
    subscriber = SubscriberFactory.create()
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC), tick=False):
        january = services.unsubscribe_token(subscriber.pk)
    with time_machine.travel(datetime.datetime(2026, 11, 2, 17, tzinfo=datetime.UTC), tick=False):
        november = services.unsubscribe_token(subscriber.pk)
    assert january == november
    # A link from an issue sent before the links lost their timestamp.
    from django.core import signing

    old = signing.dumps(subscriber.pk, salt=services.TIMESTAMPED_UNSUBSCRIBE_SALT)
    assert old != january
    assert services.subscriber_by_unsubscribe_token(old) == subscriber
    # Signed by us, but for something else: refused.
    other = signing.Signer(salt="sightline.other").sign_object(subscriber.pk)
    url = reverse("hub:newsletter_unsubscribe", kwargs={"token": other})
    assert client.post(url).status_code == 400
    client.post(reverse("hub:newsletter_unsubscribe", kwargs={"token": old}))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_a_forged_unsubscribe_link_is_refused(client):
    subscriber = SubscriberFactory.create()
    for forged in ("garbage", "x" * 300, services.unsubscribe_token(subscriber.pk) + "x"):
        url = reverse("hub:newsletter_unsubscribe", kwargs={"token": forged})
        assert client.get(url).status_code == 400
        assert client.post(url).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_an_old_confirmation_link_does_not_undo_unsubscribing(client, mailoutbox):
    subscribe(client, "undo@example.test")
    token = confirm_token(mailoutbox[0].body)
    services.subscriber_confirm(token=token)
    subscriber = Subscriber.objects.get()
    services.subscriber_unsubscribe(token=services.unsubscribe_token(subscriber.pk))
    response = client.post(reverse("hub:newsletter_confirm", kwargs={"token": token}))
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_unsubscribing_takes_back_an_issue_written_but_not_yet_sent():
    subscriber = SubscriberFactory.create(email="leaving@example.test")
    other = SubscriberFactory.create()
    for reader in (subscriber, other):
        outbox_add(
            key=services.issue_message_key(1, reader.pk),
            kind=services.ISSUE_KIND,
            to=reader.email,
            subject="Issue 1",
            body="News",
        )
    services.subscriber_unsubscribe(token=services.unsubscribe_token(subscriber.pk))
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == [other.email]


def test_addresses_no_longer_needed_are_forgotten_after_30_days():
    now = timezone.now()
    days = datetime.timedelta(days=1)
    stale = SubscriberFactory.create(
        status="pending", confirmed_at=None, confirm_sent_at=now - 38 * days
    )
    stale.created_at = now - 38 * days
    stale.save()
    waiting = SubscriberFactory.create(
        status="pending", confirmed_at=None, confirm_sent_at=now - 20 * days
    )
    gone = SubscriberFactory.create(status="unsubscribed", unsubscribed_at=now - 31 * days)
    recent = SubscriberFactory.create(status="unsubscribed", unsubscribed_at=now - 5 * days)
    back = SubscriberFactory.create(
        status="unsubscribed", unsubscribed_at=now - 40 * days, confirm_sent_at=now - days
    )
    kept = SubscriberFactory.create(confirmed_at=now - 400 * days)
    assert services.subscribers_tidy(now=now) == {"unconfirmed": 1, "unsubscribed": 1}
    assert set(Subscriber.objects.values_list("pk", flat=True)) == {
        waiting.pk,
        recent.pk,
        back.pk,
        kept.pk,
    }
    assert not Subscriber.objects.filter(pk__in=[stale.pk, gone.pk]).exists()
    # An old unsubscribe link still answers, saying the address is off the list.
    token = services.unsubscribe_token(gone.pk)
    assert services.subscriber_by_unsubscribe_token(token) is None
    assert services.subscriber_unsubscribe(token=token) is False
