"""Recommendations from any source, the agencies' actions on them, and the evidence that the
learning spread and made a difference."""

import datetime
import re

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from sightline.accounts.models import Agency
from sightline.core.models import AppendOnlyModel, TimeStampedModel
from sightline.reviews.models import Case, PracticeTheme

from .vocabulary import (
    OPEN_STATUSES,
    ActionStatus,
    Decision,
    DisseminationMethod,
    EvidenceKind,
    SourceType,
)

# What someone who may not see a recommendation's source case is shown in its place
# (docs/decisions/0013-what-an-agency-sees-of-a-case.md): the selectors mark such rows
# ``case_withheld`` and give them ``withheld_case_reference`` to take out of references.
WITHHELD_SOURCE = "A case review not shared with your agency"
WITHHELD_CASE = "Not shared"


def case_withheld_from(text: str, case_reference: str | None) -> str:
    """``text`` (a reference) with the withheld case's reference taken out, in any case."""
    if not case_reference:
        return text
    # Not inside a longer reference: CR-2018-01 is not taken out of CR-2018-010.
    pattern = rf"(?<!\w){re.escape(case_reference)}(?!\d)"
    return re.sub(pattern, WITHHELD_CASE, text, flags=re.IGNORECASE)


class Recommendation(TimeStampedModel):
    reference = models.CharField(max_length=60)
    source_type = models.CharField(max_length=20, choices=SourceType.choices)
    # A case review in Sightline is linked; any other source is named by its title.
    source_case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="recommendations"
    )
    source_title = models.CharField(max_length=250, blank=True)
    text = models.TextField()
    made_date = models.DateField()
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    themes = models.ManyToManyField(PracticeTheme, blank=True, related_name="recommendations")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="recommendations")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_recommendations",
        help_text="Who answers for the recommendation, and may sign off its actions.",
    )

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(Upper("reference"), name="recommendation_reference_unique_ci"),
            models.CheckConstraint(
                condition=~models.Q(decision=Decision.NOT_ACCEPTED) | ~models.Q(decision_reason=""),
                name="recommendation_not_accepted_has_reason",
            ),
        ]
        indexes = [
            # Recommendations waiting for a decision (one in seven): counted from this alone.
            models.Index(
                fields=["made_date"],
                condition=models.Q(decision=""),
                name="recommendation_undecided_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def source(self) -> str:
        return self.source_case.reference if self.source_case is not None else self.source_title

    @property
    def shown_source(self) -> str:
        """The source as the reader may see it: never a case review they may not see."""
        return WITHHELD_SOURCE if getattr(self, "case_withheld", False) else self.source

    @property
    def shown_reference(self) -> str:
        if not getattr(self, "case_withheld", False):
            return self.reference
        return case_withheld_from(self.reference, getattr(self, "withheld_case_reference", None))


class RecommendationDecision(AppendOnlyModel):
    """A decision on a recommendation and the day it was taken: the history is kept, never
    rewritten. The recommendation's own ``decision`` holds the latest one recorded. As at a
    date, the decision that stood is the latest recorded whose date is on or before it, so a
    decision recorded later with an earlier date corrects the one before it from that date."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="decisions"
    )
    # Blank: the decision was withdrawn, and the recommendation is undecided again.
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    reason = models.TextField(blank=True)
    decided_on = models.DateField()
    # Null for an import run from the command line, or a record carried over by a migration.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision=Decision.NOT_ACCEPTED) | ~models.Q(reason=""),
                name="recommendation_decision_not_accepted_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["recommendation", "decided_on"], name="decision_rec_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation.reference} {self.decided_on}: {self.decision or 'undecided'}"


class Action(TimeStampedModel):
    reference = models.CharField(max_length=60)
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="actions"
    )
    # No index of its own: the agency leads three of the indexes below, which serve every
    # read by agency and the checks of its foreign key. One more index to keep up to date
    # on every action written would only slow imports (issue 14).
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="learning_actions", db_index=False
    )
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="learning_actions",
    )
    owner_email = models.EmailField(blank=True)
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_date = models.DateField(null=True, blank=True)
    # Completed before Sightline: no sign-off is invented for it.
    completion_imported = models.BooleanField(default=False)
    closed_reason = models.TextField(blank=True)
    closed_date = models.DateField(null=True, blank=True)
    next_review_date = models.DateField(null=True, blank=True)
    # Raised by every change: a save from a form opened before another change is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "reference"]
        constraints = [
            models.UniqueConstraint(Upper("reference"), name="action_reference_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(status=ActionStatus.COMPLETE, completed_date__isnull=False)
                | (~models.Q(status=ActionStatus.COMPLETE) & models.Q(completed_date__isnull=True)),
                name="action_completed_date_only_when_complete",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ActionStatus.CLOSED_INCOMPLETE)
                | ~models.Q(closed_reason=""),
                name="action_closed_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_date"], name="action_agency_idx"),
            # The action lists' order, for an agency and for the whole partnership.
            models.Index(fields=["agency", "due_date", "reference"], name="action_agency_due_idx"),
            models.Index(fields=["due_date", "reference"], name="action_due_idx"),
            # Open actions only (about one in four): the overdue and due-soon lists in their
            # order and their counts, for the partnership and for an agency, read from small
            # indexes; a count needs no visit to the table (an index-only scan).
            models.Index(
                fields=["due_date", "reference"],
                include=["agency"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="action_open_due_idx",
            ),
            models.Index(
                fields=["agency", "due_date", "reference"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="action_open_agency_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def shown_reference(self) -> str:
        """The reference as the reader may see it: without a source case they may not see."""
        if not getattr(self, "case_withheld", False):
            return self.reference
        return case_withheld_from(self.reference, getattr(self, "withheld_case_reference", None))

    @property
    def shown_recommendation_reference(self) -> str:
        if not getattr(self, "case_withheld", False):
            return self.recommendation.reference
        return case_withheld_from(
            self.recommendation.reference, getattr(self, "withheld_case_reference", None)
        )

    @property
    def shown_source(self) -> str:
        if getattr(self, "case_withheld", False):
            return WITHHELD_SOURCE
        return self.recommendation.source

    @property
    def is_open(self) -> bool:
        """Not complete and not closed: still work to do."""
        return self.status in OPEN_STATUSES

    def is_overdue_on(self, day: datetime.date) -> bool:
        """Still open after its due date."""
        return self.is_open and self.due_date < day


class Evidence(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices)
    description = models.TextField()
    dated = models.DateField()
    # Dissemination: how, and how many staff it reached.
    method = models.CharField(max_length=20, choices=DisseminationMethod.choices, blank=True)
    staff_reached = models.PositiveIntegerField(null=True, blank=True)
    # Impact: what was measured, from what, towards what, and what a re-audit found.
    measure = models.CharField(max_length=200, blank=True)
    baseline = models.CharField(max_length=100, blank=True)
    target = models.CharField(max_length=100, blank=True)
    result = models.CharField(max_length=100, blank=True)
    imported = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dated", "id"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["action", "kind", "dated"], name="evidence_action_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} evidence for {self.action.reference}"


class ProgressUpdate(AppendOnlyModel):
    """A dated note of how an action is going: the history is kept, never rewritten."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    note = models.TextField()
    on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.action.reference} {self.on}: {self.get_status_display()}"


class ActionStatusChange(AppendOnlyModel):
    """A change of an action's status and the day it took effect, written with every change
    (progress update, sign-off, import, reopening by import): the history is kept, never
    rewritten. As at a date, the status that stood is the latest recorded whose date is on
    or before it; with none, the action had not started."""

    class Via(models.TextChoices):
        CREATED = "created", "Added"
        PROGRESS = "progress", "Progress update"
        SIGN_OFF = "sign_off", "Sign-off"
        IMPORT = "import", "Import"
        CARRIED_OVER = "carried_over", "Carried over from before the history was kept"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    on = models.DateField()
    via = models.CharField(max_length=20, choices=Via.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["action", "on"], name="status_change_action_idx"),
            # Each action's latest change dated by a day, for every action at once (the
            # learning report): read in this order, with no sort and no visit to the table.
            models.Index(
                fields=["action", "-id"], include=["on", "status"], name="status_change_latest_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action.reference} {self.on}: {self.get_status_display()}"


class SignOff(AppendOnlyModel):
    """Who closed an action, when, and what the action looked like at that moment."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="sign_offs")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"Sign-off of {self.action.reference}"


class DisseminationReturn(TimeStampedModel):
    """An agency's account of how it spread a published review's learning to its staff."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="dissemination_returns")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="dissemination_returns"
    )
    requested_on = models.DateField()
    returned_on = models.DateField(null=True, blank=True)
    # How the learning was spread: DisseminationMethod values, as many as the agency used.
    methods = models.JSONField(default=list, blank=True)
    staff_reached = models.PositiveIntegerField(null=True, blank=True)
    summary = models.TextField(blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-requested_on", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "agency"], name="one_return_per_agency_and_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} return for {self.case.reference}"
