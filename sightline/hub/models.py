"""The hub's records: what the partnership publishes, and when and why it comes down.

Everything public is a ``Publishable``: a draft until someone approves it and sets the day it
goes live (held back if need be, for example past a sensitive anniversary), public from that
day until its removal date if it has one, and never again once withdrawn, with the reason.
Public pages read only through ``PublishableQuerySet.public``; nothing on them is copied from
a case's restricted details, and a published review carries its own text, written for
publication, rather than reading the case's."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from sightline.core.models import TimeStampedModel
from sightline.reviews.models import Case, PracticeTheme

from .vocabulary import BRIEFING_SECTIONS, Audience, ResourceKind, ReviewKind, State

TITLE_MAX = 200
SLUG_MAX = 120
SUMMARY_MAX = 4000
BODY_MAX = 50_000
REASON_MAX = 2000
SECTION_MAX = 4000
URL_MAX = 500


class PublishableQuerySet(models.QuerySet):
    def public(self, *, on: datetime.date) -> "PublishableQuerySet":
        """What the public may see on the day: approved, live, not yet due to come down."""
        return self.filter(
            Q(remove_on__isnull=True) | Q(remove_on__gt=on),
            state=State.APPROVED,
            live_on__lte=on,
        )


class Publishable(TimeStampedModel):
    title = models.CharField(max_length=TITLE_MAX)
    slug = models.SlugField(max_length=SLUG_MAX, unique=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.BOTH)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    live_on = models.DateField("goes live on", null=True, blank=True)
    remove_on = models.DateField("comes down on", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(max_length=REASON_MAX, blank=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    def is_public(self, *, on: datetime.date) -> bool:
        return (
            self.state == State.APPROVED
            and self.live_on is not None
            and self.live_on <= on
            and (self.remove_on is None or self.remove_on > on)
        )

    @classmethod
    def publishing_constraints(cls, prefix: str) -> list[models.BaseConstraint]:
        """The invariants every publishable table keeps, named for the table."""
        return [
            models.CheckConstraint(
                condition=~Q(state=State.APPROVED)
                | Q(approved_by__isnull=False, approved_at__isnull=False, live_on__isnull=False),
                name=f"{prefix}_approved_has_approval",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.WITHDRAWN)
                | (Q(withdrawn_at__isnull=False) & ~Q(withdrawal_reason="")),
                name=f"{prefix}_withdrawn_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(remove_on__isnull=True)
                | Q(live_on__isnull=True)
                | Q(remove_on__gt=models.F("live_on")),
                name=f"{prefix}_removed_after_live",
            ),
            models.CheckConstraint(
                condition=Q(state__in=State.values), name=f"{prefix}_state_valid"
            ),
        ]


class PublishedReview(Publishable):
    """A review as the partnership published it. The text is its own, written for the public
    (pseudonyms only); the case, when there is one, is a link for staff, never shown."""

    kind = models.CharField(max_length=10, choices=ReviewKind.choices)
    case = models.OneToOneField(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publication",
        help_text="The case the review came from; thematic reviews may have none.",
    )
    summary = models.TextField(max_length=SUMMARY_MAX)
    author = models.CharField("independent reviewer or author", max_length=150, blank=True)
    # Domestic homicide reviews are published only once the Home Office's quality assurance
    # panel has cleared them.
    home_office_cleared_on = models.DateField(null=True, blank=True)
    themes = models.ManyToManyField(PracticeTheme, blank=True, related_name="+")

    class Meta:
        ordering = ["-live_on", "title"]
        constraints = [
            *Publishable.publishing_constraints("hub_review"),
            models.CheckConstraint(
                condition=~Q(kind=ReviewKind.DHR, state=State.APPROVED)
                | Q(home_office_cleared_on__isnull=False),
                name="hub_review_dhr_cleared",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReviewKind.values), name="hub_review_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["state", "live_on"], name="hub_review_live_idx")]

    def get_absolute_url(self) -> str:
        return reverse("hub:review", kwargs={"slug": self.slug})


class PublishedRecommendation(models.Model):
    """A recommendation in the words the partnership published it in."""

    review = models.ForeignKey(
        PublishedReview, on_delete=models.CASCADE, related_name="recommendations"
    )
    position = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=SECTION_MAX)

    class Meta:
        ordering = ["review", "position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "position"], name="hub_recommendation_once")
        ]

    def __str__(self) -> str:
        return f"{self.review} recommendation {self.position}"


class Briefing(Publishable):
    """A seven-minute briefing: drafted by Sightline from a review's recommendations, themes
    and actions, finished by the business unit."""

    review = models.ForeignKey(
        PublishedReview,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="briefings",
    )
    themes = models.ManyToManyField(PracticeTheme, blank=True, related_name="+")
    background = models.TextField(max_length=SECTION_MAX, blank=True)
    why_it_matters = models.TextField(max_length=SECTION_MAX, blank=True)
    what_happened = models.TextField(max_length=SECTION_MAX, blank=True)
    what_we_learned = models.TextField(max_length=SECTION_MAX, blank=True)
    what_to_do = models.TextField(max_length=SECTION_MAX, blank=True)
    questions = models.TextField(max_length=SECTION_MAX, blank=True)
    further_information = models.TextField(max_length=SECTION_MAX, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-live_on", "title"]
        constraints = [
            *Publishable.publishing_constraints("hub_briefing"),
            # A briefing goes public only once the business unit has finished it.
            models.CheckConstraint(
                condition=~Q(state=State.APPROVED) | Q(finished_at__isnull=False),
                name="hub_briefing_approved_finished",
            ),
        ]
        indexes = [models.Index(fields=["state", "live_on"], name="hub_briefing_live_idx")]

    def get_absolute_url(self) -> str:
        return reverse("hub:briefing", kwargs={"slug": self.slug})

    def sections(self) -> list[tuple[str, str]]:
        """(heading, text) for each of the seven parts, in order."""
        return [(heading, getattr(self, field)) for field, heading in BRIEFING_SECTIONS]


class Resource(Publishable):
    kind = models.CharField(max_length=10, choices=ResourceKind.choices)
    summary = models.TextField(max_length=SUMMARY_MAX)
    link = models.URLField(
        max_length=URL_MAX, blank=True, help_text="Where the recording or tool is, if online."
    )
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    transcript = models.TextField(max_length=BODY_MAX, blank=True)
    review = models.ForeignKey(
        PublishedReview,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        help_text="For example the recorded interview with a review's author.",
    )
    themes = models.ManyToManyField(PracticeTheme, blank=True, related_name="+")

    class Meta:
        ordering = ["-live_on", "title"]
        constraints = [
            *Publishable.publishing_constraints("hub_resource"),
            models.CheckConstraint(
                condition=Q(kind__in=ResourceKind.values), name="hub_resource_kind_valid"
            ),
            # Recordings are published with their transcripts (WCAG 1.2.1).
            models.CheckConstraint(
                condition=~Q(
                    kind__in=[ResourceKind.WEBINAR, ResourceKind.PODCAST, ResourceKind.INTERVIEW],
                    state=State.APPROVED,
                )
                | ~Q(transcript=""),
                name="hub_resource_recording_transcript",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__lte=1440),
                name="hub_resource_duration_range",
            ),
        ]
        indexes = [models.Index(fields=["state", "live_on"], name="hub_resource_live_idx")]

    def get_absolute_url(self) -> str:
        return reverse("hub:resource", kwargs={"slug": self.slug})


class NewsItem(Publishable):
    summary = models.CharField(max_length=300)
    body = models.TextField(max_length=BODY_MAX)
    themes = models.ManyToManyField(PracticeTheme, blank=True, related_name="+")

    class Meta:
        ordering = ["-live_on", "title"]
        constraints = Publishable.publishing_constraints("hub_news")
        indexes = [models.Index(fields=["state", "live_on"], name="hub_news_live_idx")]

    def get_absolute_url(self) -> str:
        return reverse("hub:news_item", kwargs={"slug": self.slug})


class HubDocument(models.Model):
    """A file published with a review or a resource, cleaned of hidden metadata on upload
    (``core.cleaning``); ``removed`` says what was taken out, for the business unit."""

    review = models.ForeignKey(
        PublishedReview, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    title = models.CharField(max_length=TITLE_MAX)
    stored_as = models.CharField(max_length=255, unique=True)
    file_name = models.CharField(max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    removed = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(review__isnull=False, resource__isnull=True)
                | Q(review__isnull=True, resource__isnull=False),
                name="hub_document_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.title


class PageView(models.Model):
    """Views of one public page in one month: a counter, with no cookie, address or anything
    else about who looked."""

    path = models.CharField(max_length=300)
    month = models.DateField(help_text="The first day of the month.")
    views = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-month", "-views"]
        constraints = [
            models.UniqueConstraint(fields=["path", "month"], name="hub_page_view_once"),
        ]

    def __str__(self) -> str:
        return f"{self.path} in {self.month:%B %Y}: {self.views}"


class SearchEntry(models.Model):
    """One approved hub item as the search finds it: its words, and what the filters read.

    Kept in step by ``services.search`` when an item is approved, edited or withdrawn, and
    rebuilt whole by ``sightline reindex_hub``. Only approved items are here, never a draft's
    or a withdrawn item's words; an item approved for a later day is here already, and the
    search applies the public dates itself, so it appears on its day with no job to run.
    The full-text index is the database's own, made by the migration: on PostgreSQL a
    stored ``tsvector`` column with a GIN index, on SQLite an FTS5 table kept by triggers."""

    class Kind(models.TextChoices):
        REVIEW = "review", "Review"
        BRIEFING = "briefing", "Seven-minute briefing"
        RESOURCE = "resource", "Resource"
        NEWS = "news", "News"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveIntegerField()
    title = models.CharField(max_length=TITLE_MAX)
    theme_names = models.CharField(max_length=2000, blank=True)
    themes = models.ManyToManyField(PracticeTheme, blank=True, related_name="+")
    # The kind of review or of resource, for the "type of review" filter and the result line.
    subtype = models.CharField(max_length=10, blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    year = models.PositiveSmallIntegerField()
    live_on = models.DateField()
    remove_on = models.DateField(null=True, blank=True)
    url = models.CharField(max_length=URL_MAX)
    summary = models.CharField(max_length=300, blank=True)
    # Last, so that a row's other columns are read without reading past it: on SQLite a
    # long text spills into overflow pages, which a filter on a later column would walk.
    text = models.TextField(help_text="Every public word of the item but its title.")

    class Meta:
        ordering = ["-live_on", "title"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="hub_search_entry_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["review", "briefing", "resource", "news"]),
                name="hub_search_entry_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(remove_on__isnull=True) | Q(remove_on__gt=models.F("live_on")),
                name="hub_search_entry_removed_after_live",
            ),
        ]
        indexes = [models.Index(fields=["live_on", "remove_on"], name="hub_search_live_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


# --- The newsletter -------------------------------------------------------------------------

EMAIL_MAX = 254
NEWSLETTER_SUBJECT_MAX = 150
INTRODUCTION_MAX = 4000


class Subscriber(models.Model):
    """One address on the newsletter's list. It receives issues only once its owner has
    confirmed it from the link we emailed (double opt-in), and never again once they
    unsubscribe. Nothing else about the person is kept."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    email = models.EmailField(max_length=EMAIL_MAX)
    audience = models.CharField(
        "interested in", max_length=10, choices=Audience.choices, blank=True
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # The confirmation link's token is emailed and never stored: only its SHA-256 digest.
    confirm_token_hash = models.CharField(max_length=64, blank=True)
    confirm_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # Addresses are kept in lower case, so the unique index on the column itself makes
            # them unique regardless of capitals and serves the exact look-ups.
            models.UniqueConstraint(fields=["email"], name="hub_subscriber_email_once"),
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="hub_subscriber_email_lower_case"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "unsubscribed"]),
                name="hub_subscriber_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="hub_subscriber_confirmed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="unsubscribed") | Q(unsubscribed_at__isnull=False),
                name="hub_subscriber_unsubscribed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["confirm_token_hash"], name="hub_subscriber_token_idx"),
            models.Index(fields=["status", "id"], name="hub_subscriber_status_idx"),
        ]

    def __str__(self) -> str:
        # Not the address: this is what the audit trail, which is never rewritten, records.
        return f"Newsletter subscriber {self.pk}"


class NewsletterIssue(TimeStampedModel):
    """One issue of the newsletter: a draft the business unit composes from what was
    published since the last issue, then sent once to every confirmed subscriber. ``items``
    is what it carried, frozen when it was sent, so the archive shows the issue as sent."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"

    number = models.PositiveIntegerField(unique=True)
    subject = models.CharField(max_length=NEWSLETTER_SUBJECT_MAX)
    introduction = models.TextField(max_length=INTRODUCTION_MAX, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # [{"kind": "review", "pk": 3, "title": ..., "url": ..., "summary": ...}, ...]
    items = models.JSONField(default=list, blank=True)
    composed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    send_job = models.ForeignKey(
        "core.BackgroundJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "sending", "sent"]),
                name="hub_issue_status_valid",
            ),
            # One draft at a time (composing again opens it), and one issue being sent.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status__in=["draft", "sending"]),
                name="hub_issue_one_open",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="hub_issue_sent_has_date",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="hub_issue_number_range"),
        ]

    def __str__(self) -> str:
        return f"Newsletter issue {self.number}: {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("hub:newsletter_issue", kwargs={"number": self.number})
