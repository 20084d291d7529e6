"""The partnership's risk register: each risk scored before and after its controls on a
likelihood-by-impact matrix, reviewed as often as its level asks, and accepted above the
partnership's appetite only by a named person, for a reason, until a date."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse

from sightline.core.models import AppendOnlyModel, TimeStampedModel
from sightline.learning.models import Action

from ..vocabulary import RiskCategory, RiskStatus


class RiskSettings(models.Model):
    """The matrix and the appetite, one row for the partnership (``RiskSettings.current()``).

    A risk's score is likelihood times impact. Its level is low up to ``low_max``, medium up
    to ``medium_max``, high up to ``high_max``, and very high above; each level has its own
    review frequency in days."""

    likelihood_levels = models.PositiveSmallIntegerField(default=5)
    impact_levels = models.PositiveSmallIntegerField(default=5)
    appetite = models.PositiveSmallIntegerField(
        default=9, help_text="The highest residual score the partnership accepts."
    )
    low_max = models.PositiveSmallIntegerField(default=4)
    medium_max = models.PositiveSmallIntegerField(default=9)
    high_max = models.PositiveSmallIntegerField(default=15)
    review_days_low = models.PositiveSmallIntegerField(default=180)
    review_days_medium = models.PositiveSmallIntegerField(default=90)
    review_days_high = models.PositiveSmallIntegerField(default=30)
    review_days_very_high = models.PositiveSmallIntegerField(default=14)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "risk settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood_levels__gte=2, likelihood_levels__lte=10)
                & models.Q(impact_levels__gte=2, impact_levels__lte=10),
                name="risk_matrix_size_sensible",
            ),
            models.CheckConstraint(
                condition=models.Q(low_max__lt=models.F("medium_max"))
                & models.Q(medium_max__lt=models.F("high_max")),
                name="risk_bands_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.likelihood_levels} by {self.impact_levels} matrix, appetite {self.appetite}"

    @classmethod
    def current(cls) -> "RiskSettings":
        settings_row = cls.objects.order_by("pk").first()
        return settings_row if settings_row is not None else cls.objects.create()


class RiskSettingsChange(AppendOnlyModel):
    """The settings as they were changed, and from which day: the appetite, bands and review
    frequencies as at any date come from here (the settings row holds only the current ones).
    As at a date, the latest change effective on or before it applies; before the first
    change, the first change's values (those Sightline held when the history began)."""

    effective_on = models.DateField()
    likelihood_levels = models.PositiveSmallIntegerField()
    impact_levels = models.PositiveSmallIntegerField()
    appetite = models.PositiveSmallIntegerField()
    low_max = models.PositiveSmallIntegerField()
    medium_max = models.PositiveSmallIntegerField()
    high_max = models.PositiveSmallIntegerField()
    review_days_low = models.PositiveSmallIntegerField()
    review_days_medium = models.PositiveSmallIntegerField()
    review_days_high = models.PositiveSmallIntegerField()
    review_days_very_high = models.PositiveSmallIntegerField()
    # Null for the settings carried over when the history began.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-effective_on", "-pk"]

    def __str__(self) -> str:
        return f"Risk settings from {self.effective_on}: appetite {self.appetite}"


class Risk(TimeStampedModel):
    reference = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=RiskCategory.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_risks"
    )
    cause = models.TextField()
    consequence = models.TextField()
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    residual_likelihood = models.PositiveSmallIntegerField()
    residual_impact = models.PositiveSmallIntegerField()
    # Stored so lists can sort and filter on them; the services keep them in step.
    inherent_score = models.PositiveSmallIntegerField()
    residual_score = models.PositiveSmallIntegerField(db_index=True)
    residual_reason = models.TextField(
        blank=True, help_text="Needed when the residual score is above the inherent one."
    )
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    opened_on = models.DateField()
    last_reviewed_on = models.DateField()
    next_review_on = models.DateField(db_index=True)
    closed_on = models.DateField(null=True, blank=True)
    # Mitigating actions: the learning tracker's actions, with their owners and evidence.
    actions = models.ManyToManyField(Action, blank=True, related_name="risks")

    class Meta:
        ordering = ["-residual_score", "reference"]
        indexes = [
            models.Index(fields=["status", "-residual_score", "reference"], name="risk_list_idx"),
        ]
        constraints = [
            models.UniqueConstraint(Upper("reference"), name="risk_reference_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(category__in=RiskCategory.values), name="risk_category_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    inherent_likelihood__gte=1,
                    inherent_impact__gte=1,
                    residual_likelihood__gte=1,
                    residual_impact__gte=1,
                ),
                name="risk_scores_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    inherent_score=models.F("inherent_likelihood") * models.F("inherent_impact")
                )
                & models.Q(
                    residual_score=models.F("residual_likelihood") * models.F("residual_impact")
                ),
                name="risk_scores_are_products",
            ),
            models.CheckConstraint(
                condition=models.Q(residual_score__lte=models.F("inherent_score"))
                | ~models.Q(residual_reason=""),
                name="risk_residual_above_inherent_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status=RiskStatus.CLOSED, closed_on__isnull=False)
                | (~models.Q(status=RiskStatus.CLOSED) & models.Q(closed_on__isnull=True)),
                name="risk_closed_on_only_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("assurance:risk_detail", kwargs={"pk": self.pk})


class RiskControl(models.Model):
    class Effectiveness(models.TextChoices):
        EFFECTIVE = "effective", "Effective"
        PARTLY = "partly", "Partly effective"
        NOT_EFFECTIVE = "not_effective", "Not effective"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="controls")
    description = models.TextField()
    effectiveness = models.CharField(max_length=20, choices=Effectiveness.choices)

    class Meta:
        ordering = ["risk", "pk"]

    def __str__(self) -> str:
        return self.description[:80]


class RiskAssessment(AppendOnlyModel):
    """The scores at each review: the risk's history, never rewritten."""

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField()
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    residual_likelihood = models.PositiveSmallIntegerField()
    residual_impact = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    # The next review this assessment set; empty on assessments made before it was kept.
    next_review_on = models.DateField(null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["risk", "assessed_on", "pk"]
        indexes = [models.Index(fields=["risk", "assessed_on"], name="risk_assessment_idx")]

    def __str__(self) -> str:
        return f"{self.risk_id} assessed on {self.assessed_on}"


class RiskAcceptance(AppendOnlyModel):
    """A decision to tolerate a risk above the partnership's appetite: who, why, until when."""

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="acceptances")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    accepted_on = models.DateField()
    until = models.DateField()
    residual_score = models.PositiveSmallIntegerField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["risk", "-accepted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__gte=models.F("accepted_on")),
                name="acceptance_until_after_accepted",
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="acceptance_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.risk_id} accepted until {self.until}"
