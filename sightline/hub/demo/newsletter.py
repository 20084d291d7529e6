"""The demo newsletter: a few subscribers at fictional addresses, one waiting to confirm and
one unsubscribed, and two issues in the archive carrying what the demo hub published.

The issues are marked sent without writing a message: the demo's people are fictional, and
the demo writes no email (``seed_demo`` holds the outbox back as well)."""

import datetime
from typing import Any

from django.utils import timezone

from sightline.accounts.demo import demo_email
from sightline.accounts.models import User
from sightline.core.roles import Role

from ..models import NewsletterIssue, Subscriber
from ..selectors.newsletter import newsletter_candidates

DOMAIN = "demo.sightline.test"
CONFIRMED = (
    ("dsl.oakfield.primary", "children"),
    ("ward.manager.northshire", "adults"),
    ("health.visitor.team", "both"),
    ("youth.worker.eastbank", "children"),
    ("care.home.manager", ""),
)
PENDING = "new.starter.school"
UNSUBSCRIBED = "moved.on.worker"

ISSUES = (
    (
        49,
        "Learning hub newsletter, issue 1",
        "Welcome to the first issue of the partnership's newsletter. Each issue brings you "
        "what we have published since the last: reviews, seven-minute briefings, resources "
        "and news.",
    ),
    (
        14,
        "Learning hub newsletter, issue 2",
        "This issue brings the briefings and resources published over the last month. "
        "Please share them with your teams.",
    ),
)


def seed(*, password: str, stdout: Any) -> None:
    if Subscriber.objects.exists() or NewsletterIssue.objects.exists():
        stdout.write("Hub newsletter: subscribers or issues exist already, nothing added.")
        return
    officer = User.objects.filter(email=demo_email(Role.REVIEW_OFFICER)).first()
    if officer is None:
        stdout.write("Hub newsletter: the demo review officer is missing, nothing added.")
        return
    now = timezone.now()
    for position, (name, audience) in enumerate(CONFIRMED):
        joined = now - datetime.timedelta(days=80 - position * 9)
        Subscriber.objects.create(
            email=f"{name}@{DOMAIN}",
            audience=audience,
            status=Subscriber.Status.CONFIRMED,
            confirm_sent_at=joined,
            confirmed_at=joined + datetime.timedelta(minutes=7),
            created_at=joined,
        )
    Subscriber.objects.create(
        email=f"{PENDING}@{DOMAIN}",
        confirm_sent_at=now - datetime.timedelta(days=2),
        created_at=now - datetime.timedelta(days=2),
    )
    Subscriber.objects.create(
        email=f"{UNSUBSCRIBED}@{DOMAIN}",
        status=Subscriber.Status.UNSUBSCRIBED,
        confirmed_at=now - datetime.timedelta(days=70),
        unsubscribed_at=now - datetime.timedelta(days=20),
        created_at=now - datetime.timedelta(days=70),
    )
    published = newsletter_candidates(on=timezone.localdate(now))
    carried: set[str] = set()
    for number, (days_ago, subject, introduction) in enumerate(ISSUES, start=1):
        sent_at = now - datetime.timedelta(days=days_ago)
        items = [
            item
            for item in published
            if item.live_on <= timezone.localdate(sent_at) and item.key not in carried
        ]
        carried |= {item.key for item in items}
        NewsletterIssue.objects.create(
            number=number,
            subject=subject,
            introduction=introduction,
            status=NewsletterIssue.Status.SENT,
            items=[item.as_dict() for item in items],
            composed_by=officer,
            created_by=officer,
            sent_by=officer,
            sent_at=sent_at,
            recipients=Subscriber.objects.filter(confirmed_at__lte=sent_at)
            .exclude(unsubscribed_at__lte=sent_at)
            .count(),
            created_at=sent_at - datetime.timedelta(days=1),
        )
    stdout.write(f"Hub newsletter: {len(CONFIRMED) + 2} subscribers and {len(ISSUES)} sent issues.")
