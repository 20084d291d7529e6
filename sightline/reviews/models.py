"""Case reviews: the cases, their milestones, decisions, pauses, and the standards they
are measured against."""

import secrets
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower, Upper
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
