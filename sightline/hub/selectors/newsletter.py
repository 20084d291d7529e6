"""Reads for the newsletter: what an issue may carry (only what is public today), the
issues, and the confirmed subscribers a sending job writes to."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from ..models import Briefing, NewsItem, NewsletterIssue, PublishedReview, Resource, Subscriber

# The first issue looks back this far; later ones to the day the last one was sent.
FIRST_ISSUE_LOOKS_BACK = datetime.timedelta(days=90)
# Enough for any month's publishing; a bound so the compose page stays one page.
MOST_ITEMS_PER_KIND = 30
SUMMARY_LENGTH = 300

KINDS = {
    "review": (PublishedReview, "Published review"),
    "briefing": (Briefing, "Seven-minute briefing"),
    "resource": (Resource, "Resource"),
    "news": (NewsItem, "News"),
}


@dataclass(frozen=True)
class IssueItem:
    """One thing an issue carries, as it appears in the email and the archive."""

    kind: str
    pk: int
    title: str
    url: str
    summary: str
    live_on: datetime.date

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind][1]

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "pk": self.pk,
            "title": self.title,
            "url": self.url,
            "summary": self.summary,
            "live_on": self.live_on.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "IssueItem":
        return cls(
            kind=data["kind"],
            pk=data["pk"],
            title=data["title"],
            url=data["url"],
            summary=data["summary"],
            live_on=datetime.date.fromisoformat(data["live_on"]),
        )


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SUMMARY_LENGTH:
        return text
    return text[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _summary(kind: str, item: Any) -> str:
    if kind == "briefing":
        return _shorten(item.what_we_learned or item.background)
    return _shorten(item.summary)


def _public(kind: str, *, on: datetime.date) -> QuerySet:
    model = KINDS[kind][0]
    fields = ["pk", "title", "slug", "live_on"]
    fields += ["what_we_learned", "background"] if kind == "briefing" else ["summary"]
    return model.objects.public(on=on).only(*fields)


def _item(kind: str, row: Any) -> IssueItem:
    return IssueItem(
        kind=kind,
        pk=row.pk,
        title=row.title,
        url=f"{settings.SIGHTLINE_BASE_URL}{row.get_absolute_url()}",
        summary=_summary(kind, row),
        live_on=row.live_on,
    )


def last_sent_issue() -> NewsletterIssue | None:
    return (
        NewsletterIssue.objects.filter(status=NewsletterIssue.Status.SENT)
        .order_by("-sent_at")
        .first()
    )


def newsletter_candidates(*, on: datetime.date) -> list[IssueItem]:
    """What was published since the last issue was sent (on or after its day, leaving out
    what that issue carried), public today: newest first. Four queries, however much."""
    last = last_sent_issue()
    if last is None:
        since = on - FIRST_ISSUE_LOOKS_BACK
        carried: set[str] = set()
    else:
        assert last.sent_at is not None
        since = timezone.localdate(last.sent_at)
        carried = {f"{item['kind']}:{item['pk']}" for item in last.items}
    items: list[IssueItem] = []
    for kind in KINDS:
        rows = _public(kind, on=on).filter(live_on__gte=since).order_by("-live_on", "pk")
        items += [_item(kind, row) for row in rows[:MOST_ITEMS_PER_KIND]]
    fresh = [item for item in items if item.key not in carried]
    return sorted(fresh, key=lambda item: (item.live_on, item.kind, item.pk), reverse=True)


def newsletter_items_public(*, keys: list[str], on: datetime.date) -> list[IssueItem]:
    """The items ``keys`` ("review:3") name that are public today, in the order given:
    anything withdrawn or taken down since it was chosen drops out."""
    wanted: dict[str, list[int]] = {}
    for key in keys:
        kind, _, pk = key.partition(":")
        if kind in KINDS and pk.isdigit():
            wanted.setdefault(kind, []).append(int(pk))
    found: dict[str, IssueItem] = {}
    for kind, pks in wanted.items():
        for row in _public(kind, on=on).filter(pk__in=pks):
            item = _item(kind, row)
            found[item.key] = item
    return [found[key] for key in keys if key in found]


def issue_items(issue: NewsletterIssue) -> list[IssueItem]:
    return [IssueItem.from_dict(data) for data in issue.items]


def issue_list() -> list[NewsletterIssue]:
    """Every issue, newest first, for the business unit (one query)."""
    return list(NewsletterIssue.objects.select_related("composed_by", "sent_by"))


def issue_draft() -> NewsletterIssue | None:
    return NewsletterIssue.objects.filter(status=NewsletterIssue.Status.DRAFT).first()


def issue_get(*, pk: int) -> NewsletterIssue:
    issue = NewsletterIssue.objects.select_related("send_job").filter(pk=pk).first()
    if issue is None:
        raise Http404("No such issue.")
    return issue


def issues_sent() -> list[NewsletterIssue]:
    """The public archive: issues sent, newest first."""
    return list(
        NewsletterIssue.objects.filter(status=NewsletterIssue.Status.SENT)
        .only("number", "subject", "sent_at", "items")
        .order_by("-number")
    )


def issue_sent_get(*, number: int) -> NewsletterIssue:
    issue = NewsletterIssue.objects.filter(
        number=number, status=NewsletterIssue.Status.SENT
    ).first()
    if issue is None:
        raise Http404("No such issue.")
    return issue


def confirmed_subscribers_after(*, after: int, limit: int) -> list[tuple[int, str]]:
    """(id, email) of the next ``limit`` confirmed subscribers after id ``after``: one batch
    of a sending job, read fresh so that whoever unsubscribed meanwhile is left out."""
    return list(
        Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED, pk__gt=after)
        .order_by("pk")
        .values_list("pk", "email")[:limit]
    )


def confirmed_subscriber_count() -> int:
    return Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).count()


def last_issue_number() -> int | None:
    return NewsletterIssue.objects.order_by("-number").values_list("number", flat=True).first()
