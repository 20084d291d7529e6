"""Case reviews: the cases, their milestones, decisions, pauses, and the standards they
are measured against; and the referrals partners make for a review."""

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Length, Lower, Upper
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.models import Agency
from sightline.core.models import TimeStampedModel

from .lifecycle import Stage
from .timeliness import Rule, StandardSpec
from .vocabulary import (
    MILESTONES,
    AgeBand,
    Disability,
    Ethnicity,
    HarmType,
    LegalStatus,
    Outcome,
    PauseReason,
    RelationKind,
    Route,
    Sex,
)


class PracticeTheme(models.Model):
    """The editable taxonomy of practice themes that reviews, learning and training share."""

    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="theme_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class TimelinessStandard(models.Model):
    """One milestone within a time of another: national defaults, plus local standards."""

    code = models.CharField(
        max_length=60,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9_]+(\.[a-z0-9_]+)*$",
                "Use lower-case letters, numbers and dots, like adult.decision",
            )
        ],
    )
    route = models.CharField(max_length=8, choices=Route.choices)
    start_field = models.CharField(max_length=40, choices=list(MILESTONES.items()))
    done_field = models.CharField(max_length=40, choices=list(MILESTONES.items()))
    rule = models.CharField(
        max_length=40, choices=[(r.value, r.value.replace("_", " ")) for r in Rule]
    )
    amount = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    description = models.CharField(max_length=200, blank=True)
    is_national = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(start_field=models.F("done_field")),
                name="standard_fields_differ",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=1), name="standard_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def spec(self) -> StandardSpec:
        return StandardSpec(
            code=self.code,
            route=self.route,
            start_field=self.start_field,
            done_field=self.done_field,
            rule=Rule(self.rule),
            amount=self.amount,
            outcome=self.outcome,
            description=self.description,
        )


class Case(TimeStampedModel):
    # Restricted details: for those on the case, review officers and administrators only.
    # Histories say a restricted detail changed, never what it was or became.
    RESTRICTED_FIELDS = frozenset(
        {"restricted_summary", "age_band", "sex", "ethnicity", "disability", "legal_status"}
    )
    history_restricted_fields = RESTRICTED_FIELDS
    history_choices = {"harm_types": HarmType.choices}
    history_labels = {
        **MILESTONES,
        "restricted_summary": "Summary (restricted)",
        "lead_reviewer": "Lead reviewer or author",
        "officer": "Responsible review officer",
        "disability": "Disability or learning disability",
        "themes": "Practice themes",
        "agencies": "Agencies involved",
    }

    reference = models.CharField(max_length=40)
    route = models.CharField(max_length=8, choices=Route.choices)
    pseudonym = models.CharField(max_length=80, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)

    incident_aware_date = models.DateField(null=True, blank=True)
    panel_notified_date = models.DateField(null=True, blank=True)
    rapid_review_sent_date = models.DateField(null=True, blank=True)
    referral_date = models.DateField(null=True, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    review_initiated_date = models.DateField(null=True, blank=True)
    final_report_sent_date = models.DateField(null=True, blank=True)
    home_office_sent_date = models.DateField(null=True, blank=True)
    published_date = models.DateField(null=True, blank=True)

    # Derived from the milestones by the services, stored so that lists can filter on them.
    stage = models.CharField(max_length=20, choices=Stage.choices, db_index=True)
    opened_on = models.DateField(null=True, blank=True, db_index=True)
    # The earliest of the case's deadlines (CaseDeadline.due), None when it has none: kept in
    # step by services.deadlines_refresh, so that the tracker sorts by it through an index.
    next_due_on = models.DateField(null=True, blank=True, editable=False)

    # Restricted (RESTRICTED_FIELDS): only for those on the case, review officers and
    # administrators.
    restricted_summary = models.TextField(blank=True)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(max_length=10, choices=Ethnicity.choices, blank=True)
    disability = models.CharField(max_length=20, choices=Disability.choices, blank=True)
    legal_status = models.CharField(max_length=20, choices=LegalStatus.choices, blank=True)

    harm_types = models.JSONField(default=list, blank=True)
    themes = models.ManyToManyField(PracticeTheme, blank=True, related_name="cases")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="cases")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officer_of_cases",
        help_text="The review officer responsible for the case's deadlines.",
    )
    lead_reviewer = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-opened_on", "reference"]
        constraints = [
            # References match whatever their letter case: CR-2021-02 is cr-2021-02.
            models.UniqueConstraint(Upper("reference"), name="case_reference_unique_ci"),
        ]
        indexes = [
            models.Index(fields=["route", "opened_on"], name="case_route_opened_idx"),
            # The tracker's sorts (next due, and opened, its default), ending with the id so
            # that a deep page's keys are read from the index alone (an index-only scan).
            models.Index(fields=["next_due_on", "reference", "id"], name="case_next_due_idx"),
            models.Index(fields=["-opened_on", "reference", "id"], name="case_opened_ref_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.pseudonym}".strip()

    def get_absolute_url(self) -> str:
        return reverse("reviews:case_detail", kwargs={"pk": self.pk})

    def facts(self) -> dict[str, Any]:
        """The route, outcome and milestones, as the pure timeliness rules read them."""
        return {
            "reference": self.reference,
            "route": self.route,
            "outcome": self.outcome,
            **{field: getattr(self, field) for field in MILESTONES},
        }


class CaseAssignment(models.Model):
    """Who is on the case and so needs to know its restricted details."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} on {self.case}"


class Decision(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    decided_on = models.DateField()
    decision = models.TextField()
    reasons = models.TextField()
    decided_by = models.CharField(
        max_length=150, help_text="Who decided, for example the practice review group"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"Decision on {self.case} ({self.decided_on})"


class Pause(models.Model):
    """A recorded reason for delay. Shown beside the status; never changes the national figure."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    standard_code = models.CharField(max_length=60, blank=True, help_text="Blank: the whole case")
    reason = models.CharField(max_length=30, choices=PauseReason.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="pause_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} from {self.started_on}"


class RelatedCase(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="relations")
    kind = models.CharField(max_length=20, choices=RelationKind.choices)
    reference = models.CharField(max_length=120, help_text="Its reference or title")
    linked_case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reference}"


class CaseDeadline(models.Model):
    """A milestone not yet done, and when it is due: kept in step by the services."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    standard = models.ForeignKey(TimelinessStandard, on_delete=models.CASCADE, related_name="+")
    due = models.DateField(db_index=True)

    class Meta:
        ordering = ["due", "case__reference"]
        constraints = [models.UniqueConstraint(fields=["case", "standard"], name="deadline_unique")]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.standard.code} due {self.due}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private address for a person's deadlines in their calendar application."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"


class ReferralStatus(models.TextChoices):
    NEW = "new", "New"
    CONSIDERING = "considering", "Under consideration"
    CASE = "case", "Became a case"
    CLOSED = "closed", "Closed"


# What a referral may say, and when its agency can have become aware: every field bounded.
REFERRAL_PSEUDONYM_MAX = 80
REFERRAL_TEXT_MAX = 5000
REFERRAL_REASON_MAX = 1000
REFERRAL_FIRST_DAY = datetime.date(1900, 1, 1)
REFERRAL_LAST_DAY = datetime.date(2100, 12, 31)


class Referral(models.Model):
    """A partner agency's request that the review group consider a case for a review.

    What happened and why it may need a review are restricted: the referrer, review officers
    and administrators read them; an agency lead of the referring agency sees only that the
    referral was made and where it stands."""

    RESTRICTED_FIELDS = frozenset({"what_happened", "why_review", "age_band"})
    history_restricted_fields = RESTRICTED_FIELDS
    history_labels = {"agencies": "Agencies involved", "aware_on": "Agency became aware"}

    route = models.CharField(
        max_length=8,
        choices=Route.choices,
        blank=True,
        help_text="Blank when the referrer does not know which kind of review it may need.",
    )
    pseudonym = models.CharField(
        max_length=REFERRAL_PSEUDONYM_MAX,
        help_text="A pseudonym or initials only, never a real name.",
    )
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    what_happened = models.TextField(max_length=REFERRAL_TEXT_MAX)
    aware_on = models.DateField(help_text="When the referring agency became aware.")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="referrals_involved")
    why_review = models.TextField(max_length=REFERRAL_TEXT_MAX)
    referring_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals_made"
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals"
    )
    contact_phone = models.CharField(max_length=30, blank=True)
    contact_email = models.EmailField(max_length=254)
    # A one-time key from the form the referral was made on: a second post of the same form
    # finds the first referral instead of making another.
    submission_key = models.CharField(max_length=64)

    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.NEW, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    closing_reason = models.TextField(max_length=REFERRAL_REASON_MAX, blank=True)
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="referral"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referrer", "submission_key"], name="referral_submitted_once"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReferralStatus.values), name="referral_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(route="") | models.Q(route__in=Route.values),
                name="referral_route_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    aware_on__gte=REFERRAL_FIRST_DAY, aware_on__lte=REFERRAL_LAST_DAY
                ),
                name="referral_aware_on_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(pseudonym=""), name="referral_pseudonym_given"
            ),
            *(
                models.CheckConstraint(
                    condition=LessThanOrEqual(Length(field), limit),
                    name=f"referral_{field}_length",
                )
                for field, limit in (
                    ("what_happened", REFERRAL_TEXT_MAX),
                    ("why_review", REFERRAL_TEXT_MAX),
                    ("closing_reason", REFERRAL_REASON_MAX),
                )
            ),
            models.CheckConstraint(
                condition=models.Q(status=ReferralStatus.CASE, case__isnull=False)
                | (~models.Q(status=ReferralStatus.CASE) & models.Q(case__isnull=True)),
                name="referral_case_when_converted",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ReferralStatus.CLOSED) | ~models.Q(closing_reason=""),
                name="referral_closed_with_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[ReferralStatus.NEW, ReferralStatus.CONSIDERING])
                | models.Q(decided_at__isnull=False, decided_by__isnull=False),
                name="referral_decided_by_whom",
            ),
        ]
        indexes = [
            models.Index(fields=["referring_agency", "created_at"], name="referral_agency_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("reviews:referral_detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        """REF-2026-0007: the year it was made and its number, for the referrer to quote."""
        return f"REF-{timezone.localtime(self.created_at).year}-{self.pk:04d}"

    @property
    def is_decided(self) -> bool:
        return self.status in (ReferralStatus.CASE, ReferralStatus.CLOSED)


# --- redact: restricted details' own history ---------------------------------------------


class RestrictedDetailsRevision(models.Model):
    """The restricted details of a case as one save left them, with who saved them and which
    changed. The audit trail records only that a restricted detail changed; the values are
    kept here, shown only to those who need to know (``reviews.view_restricted_history``),
    each read written to the access log. Written by ``services.case_save``, never changed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="restricted_revisions")
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank when the service itself saved them (demo data, a script).",
    )
    changed_fields = models.JSONField(default=list, blank=True)
    restricted_summary = models.TextField(blank=True)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(max_length=10, choices=Ethnicity.choices, blank=True)
    disability = models.CharField(max_length=20, choices=Disability.choices, blank=True)
    legal_status = models.CharField(max_length=20, choices=LegalStatus.choices, blank=True)

    class Meta:
        ordering = ["-saved_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-saved_at", "-id"], name="restricted_rev_case_idx"),
        ]

    def __str__(self) -> str:
        return f"Restricted details of {self.case_id} saved {self.saved_at:%Y-%m-%d %H:%M}"
