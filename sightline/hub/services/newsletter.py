"""Writes for the newsletter: subscribing (double opt-in), confirming, unsubscribing in one
click, and composing and sending issues.

Subscribing does the same work whoever the address belongs to (new, waiting, subscribed or
unsubscribed): it writes a confirmation email, at most one per address in each ten-minute
window, so the form tells no one whether an address is on the list. Sending an issue is a
background job that writes one outbox message per confirmed subscriber, under a key naming
the issue and the subscriber, so a job started again never emails anyone twice.
"""

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sightline.core.job_models import BackgroundJob
from sightline.core.jobs import JobOutcome, JobProgress, job_create, register_job_kind
from sightline.core.models import AuditEvent, OutboxMessage
from sightline.core.outbox import keys_present, message_key, outbox_add, outbox_withdraw
from sightline.core.services import audit_record

from ..models import NewsletterIssue, Subscriber
from ..selectors import newsletter as selectors
from ..selectors.newsletter import IssueItem

CONFIRM_VALID_FOR = 7 * 24 * 60 * 60
# Asking again within this many seconds sends no second email to the same address.
RESEND_WINDOW = 10 * 60
# Links sent before December 2026 were signed with a timestamp under the first salt, so no
# two issues carried the same link; they still work. New links carry none (UNSUBSCRIBE_SALT).
TIMESTAMPED_UNSUBSCRIBE_SALT = "sightline.hub.newsletter.unsubscribe"
UNSUBSCRIBE_SALT = "sightline.hub.newsletter.unsubscribe.v2"
TOKEN_MAX = 200
SEND_KIND = "hub.newsletter_send"
ISSUE_KIND = "hub.newsletter_issue"
# An unconfirmed address goes this long after its link expired; an unsubscribed one this
# long after unsubscribing (its old unsubscribe links then still say it is unsubscribed).
KEEP_UNCONFIRMED = datetime.timedelta(days=30)
KEEP_UNSUBSCRIBED = datetime.timedelta(days=30)
SEND_BATCH = 200

Status = Subscriber.Status
IssueStatus = NewsletterIssue.Status

EXPIRED = (
    "This link has expired: confirmation links last 7 days. Subscribe again and we will send "
    "you a new one."
)
INVALID = (
    "This link is not valid. Use the link in the email exactly as it was sent, or subscribe "
    "again and we will send you a new one."
)


# --- Tokens ---------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unsubscribe_token(subscriber_id: int) -> str:
    """The subscriber's own unsubscribe token: signed, so it is never stored, and the same
    in every issue, so a link in an old issue still works (RFC 8058 asks for that)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(subscriber_id)


def unsubscribe_url(subscriber_id: int) -> str:
    path = reverse("hub:newsletter_unsubscribe", kwargs={"token": unsubscribe_token(subscriber_id)})
    return f"{settings.SIGHTLINE_BASE_URL}{path}"


def _unsubscribe_id(token: str) -> int:
    if len(token) > TOKEN_MAX:
        raise ValidationError(INVALID)
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        # The salts differ, so a token verifies under one of them at most.
        try:
            value = signing.loads(token, salt=TIMESTAMPED_UNSUBSCRIBE_SALT)
        except signing.BadSignature as error:
            raise ValidationError(INVALID) from error
    if not isinstance(value, int):
        raise ValidationError(INVALID)
    return value


def subscriber_by_confirm_token(token: str) -> Subscriber:
    """The subscriber a confirmation link is for, or a ValidationError saying what to do."""
    if not token or len(token) > TOKEN_MAX:
        raise ValidationError(INVALID)
    subscriber = Subscriber.objects.filter(confirm_token_hash=_digest(token)).first()
    if subscriber is None or subscriber.confirm_sent_at is None:
        raise ValidationError(INVALID)
    age = (timezone.now() - subscriber.confirm_sent_at).total_seconds()
    if age > CONFIRM_VALID_FOR:
        raise ValidationError(EXPIRED)
    return subscriber


def subscriber_by_unsubscribe_token(token: str) -> Subscriber | None:
    """The subscriber an unsubscribe link is for; None when the address is no longer on the
    list at all; a ValidationError for a link that is not one of ours."""
    return Subscriber.objects.filter(pk=_unsubscribe_id(token)).first()


# --- Subscribing ----------------------------------------------------------------------------


def _locked(email: str) -> tuple[Subscriber, bool]:
    subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber is not None:
        return subscriber, False
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=email), True
    except IntegrityError:
        # Someone asked for the same address at the same moment: theirs is the row.
        return Subscriber.objects.select_for_update().get(email=email), False


@transaction.atomic
def subscriber_subscribe(*, email: str, audience: str = "") -> None:
    """Someone asks to subscribe ``email``: email it a link to confirm. The same work and the
    same answer whatever the address's state, so the form reveals nothing about who is
    subscribed. A confirmed subscriber keeps their audience until they confirm again."""
    email = email.strip().lower()
    now = timezone.now()
    key = message_key("hub.newsletter.confirm", email, int(now.timestamp()) // RESEND_WINDOW)
    subscriber, created = _locked(email)
    if keys_present([key]):
        # Emailed within the last ten minutes: that link still works; send nothing more.
        return
    token = secrets.token_urlsafe(32)
    subscriber.confirm_token_hash = _digest(token)
    subscriber.confirm_sent_at = now
    fields = ["confirm_token_hash", "confirm_sent_at"]
    if audience and subscriber.status != Status.CONFIRMED:
        subscriber.audience = audience
        fields.append("audience")
    subscriber.save(update_fields=fields)
    audit_record(
        actor=None,
        kind=AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE,
        obj=subscriber,
        detail="Confirmation of a newsletter subscription requested",
    )
    path = reverse("hub:newsletter_confirm", kwargs={"token": token})
    outbox_add(
        key=key,
        kind="hub.newsletter_confirm",
        to=email,
        subject=f"Confirm your subscription to the {settings.SIGHTLINE_PARTNERSHIP_NAME} "
        "newsletter",
        body=render_to_string(
            "hub/newsletter/email/confirm.txt",
            {
                "link": f"{settings.SIGHTLINE_BASE_URL}{path}",
                "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME,
            },
        ),
        forget_body_when_sent=True,
    )


@transaction.atomic
def subscriber_confirm(*, token: str) -> Subscriber:
    """Confirm the subscription a link is for. Confirming twice changes nothing."""
    found = subscriber_by_confirm_token(token)
    subscriber = Subscriber.objects.select_for_update().get(pk=found.pk)
    if subscriber.confirm_token_hash != found.confirm_token_hash:
        raise ValidationError(INVALID)
    if subscriber.status == Status.CONFIRMED:
        return subscriber
    before = subscriber.status
    subscriber.status = Status.CONFIRMED
    subscriber.confirmed_at = timezone.now()
    subscriber.unsubscribed_at = None
    subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
    audit_record(
        actor=None,
        kind=AuditEvent.Kind.UPDATE,
        obj=subscriber,
        changes={"status": {"from": before, "to": Status.CONFIRMED.value}},
        detail="Newsletter subscription confirmed",
    )
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, token: str) -> bool:
    """Unsubscribe at once the address an unsubscribe link is for. True if this changed
    anything; False if it was already off the list."""
    subscriber_id = _unsubscribe_id(token)
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status == Status.UNSUBSCRIBED:
        return False
    before = subscriber.status
    subscriber.status = Status.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    # An old confirmation link must not put the address back on the list.
    subscriber.confirm_token_hash = ""
    subscriber.save(update_fields=["status", "unsubscribed_at", "confirm_token_hash"])
    # An issue going out now, written but not yet sent, does not go to them either.
    outbox_withdraw(kind=ISSUE_KIND, to=subscriber.email)
    audit_record(
        actor=None,
        kind=AuditEvent.Kind.UPDATE,
        obj=subscriber,
        changes={"status": {"from": before, "to": Status.UNSUBSCRIBED.value}},
        detail="Unsubscribed from the newsletter",
    )
    return True


# --- Composing and sending ------------------------------------------------------------------


def _snapshot(keys: list[str]) -> list[dict[str, object]]:
    items = selectors.newsletter_items_public(keys=keys, on=timezone.localdate())
    return [item.as_dict() for item in items]


@transaction.atomic
def issue_draft_save(
    *, actor: Any, subject: str, introduction: str, item_keys: list[str]
) -> NewsletterIssue:
    """Save the draft of the next issue, starting it if there is none. Only items public
    today are kept."""
    issue = NewsletterIssue.objects.select_for_update().filter(status=IssueStatus.DRAFT).first()
    items = _snapshot(item_keys)
    if issue is None:
        number = (NewsletterIssue.objects.aggregate(top=Max("number"))["top"] or 0) + 1
        try:
            with transaction.atomic():
                issue = NewsletterIssue.objects.create(
                    number=number,
                    subject=subject.strip(),
                    introduction=introduction.strip(),
                    items=items,
                    composed_by=actor,
                    created_by=actor,
                )
        except IntegrityError as error:
            raise ValidationError(
                "Someone else started the next issue at the same moment. Open it from the "
                "newsletter page and make your changes there."
            ) from error
        audit_record(
            actor=actor, kind=AuditEvent.Kind.CREATE, obj=issue, detail="Newsletter issue drafted"
        )
        return issue
    issue.subject = subject.strip()
    issue.introduction = introduction.strip()
    issue.items = items
    issue.composed_by = actor
    issue.save(update_fields=["subject", "introduction", "items", "composed_by", "updated_at"])
    audit_record(
        actor=actor, kind=AuditEvent.Kind.UPDATE, obj=issue, detail="Newsletter issue changed"
    )
    return issue


def issue_message_key(issue_id: int, subscriber_id: int | str) -> str:
    return message_key("hub.newsletter", issue_id, subscriber_id)


def issue_email_body(*, issue: NewsletterIssue, items: list[IssueItem], unsubscribe: str) -> str:
    """The issue's email, as every subscriber gets it but for their own unsubscribe link."""
    return render_to_string(
        "hub/newsletter/email/issue.txt",
        {
            "issue": issue,
            "items": items,
            "unsubscribe": unsubscribe,
            "archive": f"{settings.SIGHTLINE_BASE_URL}{issue.get_absolute_url()}",
            "subscribe": f"{settings.SIGHTLINE_BASE_URL}{reverse('hub:subscribe')}",
            "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME,
        },
    )


def issue_headers(unsubscribe: str) -> dict[str, str]:
    """One-click unsubscribing (RFC 8058): a mail client offers it from these headers."""
    return {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@transaction.atomic
def issue_send(*, actor: Any, issue: NewsletterIssue) -> BackgroundJob:
    """Start sending ``issue`` to every confirmed subscriber, in the background. Asked twice
    (a double click), it starts one job and returns it both times."""
    locked = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    job = locked.send_job
    if locked.status == IssueStatus.SENT:
        raise ValidationError(f"Issue {locked.number} has already been sent.")
    if locked.status == IssueStatus.SENDING and job is not None:
        if job.status != BackgroundJob.Status.FAILED:
            return job
    elif NewsletterIssue.objects.filter(status=IssueStatus.SENDING).exclude(pk=locked.pk).exists():
        raise ValidationError(
            "Another issue is still being sent. Send this one when it has finished."
        )
    if locked.status == IssueStatus.DRAFT:
        locked.items = _snapshot([f"{item['kind']}:{item['pk']}" for item in locked.items])
        if not locked.items:
            raise ValidationError(
                "This issue has nothing in it that is public today. Choose at least one item."
            )
    job = job_create(
        user=actor,
        kind=SEND_KIND,
        label=f"Sending newsletter issue {locked.number}",
        params={
            "issue": locked.pk,
            "back_url": reverse("hub:newsletter_manage"),
            "back_label": "Back to the newsletter",
        },
    )
    before = locked.status
    locked.status = IssueStatus.SENDING
    locked.sent_by = actor
    locked.send_job = job
    locked.save(update_fields=["status", "items", "sent_by", "send_job", "updated_at"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=locked,
        changes={"status": {"from": before, "to": IssueStatus.SENDING.value}},
        detail="Newsletter issue sending started",
    )
    return job


@transaction.atomic
def _issue_write_batch(
    *, issue: NewsletterIssue, items: list[IssueItem], batch: list[tuple[int, str]]
) -> None:
    subject = issue.subject
    for subscriber_id, email in batch:
        link = unsubscribe_url(subscriber_id)
        outbox_add(
            key=issue_message_key(issue.pk, subscriber_id),
            kind=ISSUE_KIND,
            to=email,
            subject=subject,
            body=issue_email_body(issue=issue, items=items, unsubscribe=link),
            headers=issue_headers(link),
        )


@transaction.atomic
def _issue_mark_sent(*, issue: NewsletterIssue, actor: Any) -> NewsletterIssue:
    locked = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if locked.status == IssueStatus.SENT:
        return locked
    prefix = issue_message_key(locked.pk, "")
    locked.recipients = OutboxMessage.objects.filter(key__startswith=prefix).count()
    locked.status = IssueStatus.SENT
    locked.sent_at = timezone.now()
    locked.save(update_fields=["recipients", "status", "sent_at", "updated_at"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=locked,
        changes={"status": {"from": IssueStatus.SENDING.value, "to": IssueStatus.SENT.value}},
        detail=f"Newsletter issue sent to {locked.recipients} subscribers",
    )
    return locked


@register_job_kind(SEND_KIND)
def issue_send_job(job: BackgroundJob, progress: JobProgress) -> JobOutcome:
    """Write the issue's emails batch by batch, each batch committed on its own; a job
    started again after its worker died carries on where the outbox says it got to."""
    issue = NewsletterIssue.objects.get(pk=job.params["issue"])
    items = selectors.issue_items(issue)
    if issue.status != IssueStatus.SENT:
        progress.stage("Writing the emails", total=selectors.confirmed_subscriber_count())
        after = done = 0
        while batch := selectors.confirmed_subscribers_after(after=after, limit=SEND_BATCH):
            _issue_write_batch(issue=issue, items=items, batch=batch)
            after, done = batch[-1][0], done + len(batch)
            progress.advance(done)
        issue = _issue_mark_sent(issue=issue, actor=job.user)
    return JobOutcome(
        message=f"Issue {issue.number} is on its way to {issue.recipients} subscribers.",
        url=issue.get_absolute_url(),
    )


@transaction.atomic
def subscribers_tidy(*, now: datetime.datetime) -> dict[str, int]:
    """Forget addresses the newsletter no longer needs: those never confirmed, 30 days after
    their link expired, and those unsubscribed, 30 days after. For the daily schedule."""
    expired = now - datetime.timedelta(seconds=CONFIRM_VALID_FOR) - KEEP_UNCONFIRMED
    unconfirmed, _ = (
        Subscriber.objects.filter(status=Status.PENDING, created_at__lt=expired)
        .exclude(confirm_sent_at__gte=expired)
        .delete()
    )
    # Not one who has asked to subscribe again and whose new link still works.
    unsubscribed, _ = (
        Subscriber.objects.filter(
            status=Status.UNSUBSCRIBED, unsubscribed_at__lt=now - KEEP_UNSUBSCRIBED
        )
        .exclude(confirm_sent_at__gte=now - datetime.timedelta(seconds=CONFIRM_VALID_FOR))
        .delete()
    )
    if unconfirmed or unsubscribed:
        audit_record(
            actor=None,
            kind=AuditEvent.Kind.DELETE,
            detail=f"Newsletter: {unconfirmed} unconfirmed and {unsubscribed} unsubscribed "
            "addresses forgotten",
        )
    return {"unconfirmed": unconfirmed, "unsubscribed": unsubscribed}
