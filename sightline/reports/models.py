"""The yearly report's drafts: the partnership's report settings, a report per financial
year, each chapter's owner, text versions and approval, the statutory contents the
partnership has recorded as missing and why, what was published (frozen), and to whom the
published report was sent.

The figures are never stored while the report is a draft: they are generated from the
records (``selectors.yearly``). Only publication freezes them, with the approved text, so
the published report never changes.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from sightline.core.models import AppendOnlyModel, TimeStampedModel

from .yearly.contents import CHAPTERS, STATUTORY_CONTENTS
from .yearly.years import EARLIEST, LATEST, FinancialYear

# The longest chapter text accepted: about 3,000 words, far more than a chapter needs.
CHAPTER_TEXT_MAX = 20_000
REASON_MAX = 1_000

THRESHOLD_MIN, THRESHOLD_MAX = 1, 100
PANEL_DAYS_MIN, PANEL_DAYS_MAX = 0, 90


class ReportSettings(models.Model):
    """What the partnership decides about its yearly report, one row
    (``ReportSettings.current()``), changed by administrators and audited."""

    position_since = models.DateField(
        "case review position since",
        null=True,
        blank=True,
        help_text="The first day of the cumulative case review position; blank for every case.",
    )
    small_number_threshold = models.PositiveSmallIntegerField(
        "small number threshold",
        default=5,
        help_text="Figures about people below this are flagged before publication.",
    )
    panel_days = models.PositiveSmallIntegerField(
        "days to send to the national panel",
        default=7,
        help_text="Calendar days after publication by which the report is sent to the panel.",
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "yearly report settings"
        verbose_name_plural = "yearly report settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    small_number_threshold__gte=THRESHOLD_MIN,
                    small_number_threshold__lte=THRESHOLD_MAX,
                ),
                name="report_settings_threshold_range",
            ),
            models.CheckConstraint(
                condition=models.Q(panel_days__gte=PANEL_DAYS_MIN, panel_days__lte=PANEL_DAYS_MAX),
                name="report_settings_panel_days_range",
            ),
        ]

    def __str__(self) -> str:
        return "Yearly report settings"

    @classmethod
    def current(cls) -> "ReportSettings":
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls.objects.create()


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    READY = "ready", "Ready to publish"
    PUBLISHED = "published", "Published"


class YearlyReport(TimeStampedModel):
    """The yearly report for one financial year (``start_year`` 2023 is 2023-24)."""

    start_year = models.PositiveSmallIntegerField("financial year", unique=True)
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    ready_at = models.DateTimeField("marked ready at", null=True, blank=True)
    ready_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="marked ready by",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Frozen at publication: ``yearly_figures(...).as_json()``, the approved narratives by
    # chapter id, the laid-out report every format draws (``yearly.frozen``), and the
    # standalone page as published.
    published_figures = models.JSONField(null=True, blank=True)
    published_narratives = models.JSONField(null=True, blank=True)
    published_document = models.JSONField(null=True, blank=True)
    published_html = models.TextField(blank=True)
    panel_due_on = models.DateField("to be sent to the national panel by", null=True, blank=True)
    panel_sent_on = models.DateField("sent to the national panel on", null=True, blank=True)
    panel_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="sending recorded by",
    )

    history_labels: ClassVar[dict[str, str]] = {"start_year": "financial year"}

    class Meta:
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_year__gte=EARLIEST, start_year__lte=LATEST),
                name="yearly_report_year_range",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values),
                name="yearly_report_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | models.Q(
                    published_at__isnull=False,
                    published_figures__isnull=False,
                    published_narratives__isnull=False,
                    panel_due_on__isnull=False,
                ),
                name="yearly_report_published_frozen",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | models.Q(ready_at__isnull=False),
                name="yearly_report_ready_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(panel_sent_on__isnull=True) | models.Q(status="published"),
                name="yearly_report_panel_after_publication",
            ),
        ]

    def __str__(self) -> str:
        return f"Yearly report {self.year.label}"

    def get_absolute_url(self) -> str:
        return reverse("reports:yearly_overview", kwargs={"year": self.year.label})

    @property
    def year(self) -> FinancialYear:
        return FinancialYear(self.start_year)

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED


class ReportChapter(TimeStampedModel):
    """One chapter of one year's report: its owner, and which text version is approved.
    The text itself is in append-only ``ChapterVersion`` rows."""

    report = models.ForeignKey(YearlyReport, on_delete=models.CASCADE, related_name="chapters")
    chapter = models.CharField(max_length=40, choices=[(c.id, c.title) for c in CHAPTERS])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_report_chapters",
    )
    approved_version = models.ForeignKey(
        "ChapterVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    history_labels: ClassVar[dict[str, str]] = {"approved_version": "approved version"}

    class Meta:
        ordering = ["report", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "chapter"], name="report_chapter_once"),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        approved_version__isnull=True,
                        approved_by__isnull=True,
                        approved_at__isnull=True,
                    )
                    | models.Q(
                        approved_version__isnull=False,
                        approved_by__isnull=False,
                        approved_at__isnull=False,
                    )
                ),
                name="report_chapter_approval_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_chapter_display()} ({self.report.year.label})"


class ChapterVersion(AppendOnlyModel):
    """A chapter's text as someone saved it. Never changed: a new text is a new version."""

    chapter = models.ForeignKey(ReportChapter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(max_length=CHAPTER_TEXT_MAX)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["chapter", "number"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "number"], name="chapter_version_once"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="chapter_version_from_1"
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number}"


class ContentException(TimeStampedModel):
    """An administrator's record of why a statutory content is missing from a year's report;
    ``created_by``/``created_at`` say who recorded it and when. Withdrawn, not deleted."""

    report = models.ForeignKey(YearlyReport, on_delete=models.CASCADE, related_name="exceptions")
    content = models.CharField(
        max_length=40, choices=[(content.id, content.text) for content in STATUTORY_CONTENTS]
    )
    reason = models.TextField(max_length=REASON_MAX)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["report", "content", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "content"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="content_exception_one_standing",
            ),
        ]

    def __str__(self) -> str:
        return f"Missing {self.content} ({self.report.year.label})"


class SmallNumberAcknowledgement(AppendOnlyModel):
    """The author's confirmation that a flagged small figure is safe to publish. It holds for
    that value only: if the figure changes, it is flagged again."""

    report = models.ForeignKey(
        YearlyReport, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    label = models.CharField(max_length=300)
    value = models.IntegerField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["report", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "label", "value"], name="small_number_acknowledged_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"


class Recipient(models.TextChoices):
    """Who a published report is sent to: the Care Act's recipients for the board, and the
    children's partners' national recipients."""

    LA_CHIEF_EXECUTIVE = "la_chief_executive", "The local authority's chief executive"
    LA_LEADER = "la_leader", "The leader of the local authority"
    PCC = "pcc", "The police and crime commissioner"
    CHIEF_CONSTABLE = "chief_constable", "The chief constable"
    HEALTHWATCH = "healthwatch", "Healthwatch"
    HWB_CHAIR = "hwb_chair", "The chair of the health and wellbeing board"
    NATIONAL_PANEL = "national_panel", "The Child Safeguarding Practice Review Panel"
    WHAT_WORKS = "what_works", "The What Works centre for children's social care"
    OTHER = "other", "Someone else"


class Circulation(TimeStampedModel):
    """The published report sent to one recipient on one day."""

    report = models.ForeignKey(YearlyReport, on_delete=models.CASCADE, related_name="circulation")
    recipient = models.CharField(max_length=30, choices=Recipient.choices)
    name = models.CharField("name or role", max_length=150, blank=True)
    organisation = models.CharField(max_length=150, blank=True)
    sent_on = models.DateField()

    class Meta:
        ordering = ["report", "sent_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "recipient", "name", "organisation", "sent_on"],
                name="circulation_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(recipient="other") | ~models.Q(name=""),
                name="circulation_other_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_recipient_display()} ({self.sent_on:%d %B %Y})"

    def who(self) -> str:
        parts = [self.name or self.get_recipient_display(), self.organisation]
        return ", ".join(part for part in parts if part)


class QuarterSnapshot(models.Model):
    """A closed quarter's heavy figures, as at its last day, kept so that the dashboards and
    the Executive pack do not recount years of dated history on every request (decision
    0012). Not a record: the worker recounts each one every day
    (``services.quarter_snapshots_refresh``), so a correction dated in an earlier quarter
    shows by the next morning, and a page whose quarter has none counts it live.

    ``appetite`` is the risk appetite the risk count used: a snapshot taken under another
    appetite is not read."""

    quarter = models.CharField(max_length=10, unique=True)  # "2025-26 Q1"
    as_at = models.DateField()
    appetite = models.PositiveSmallIntegerField()
    deadlines_due = models.PositiveIntegerField()
    deadlines_met = models.PositiveIntegerField()
    overdue_actions = models.PositiveIntegerField()
    risks_above_appetite = models.PositiveIntegerField()
    # [[agency name, overdue actions], ...] as at ``as_at``, for the pack's table.
    overdue_by_agency = models.JSONField(default=list)
    # The timeliness report's counts for each standard over the quarter, for the pack.
    timeliness = models.JSONField(default=list)
    counted_at = models.DateTimeField()

    class Meta:
        ordering = ["quarter"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadlines_met__lte=models.F("deadlines_due")),
                name="snapshot_met_within_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quarter} as at {self.as_at:%d %B %Y}"
