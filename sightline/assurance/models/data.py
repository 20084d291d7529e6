"""Data scrutiny: the partnership's datasets, one value per measure per quarter, with a
threshold that raises an exception to the measure's group."""

from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse

from sightline.core.models import AppendOnlyModel, TimeStampedModel

from ..vocabulary import Direction


class Measure(TimeStampedModel):
    """One figure the partnership watches, such as section 42 enquiries about neglect."""

    code = models.CharField(
        max_length=60, help_text="Short and stable, used in uploads: SAC-S42-NEGLECT"
    )
    name = models.CharField(max_length=200)
    dataset = models.CharField(
        max_length=120, help_text="For example Safeguarding Adults Collection"
    )
    breakdown = models.CharField(
        max_length=120, blank=True, help_text="For example Type of abuse: neglect"
    )
    unit = models.CharField(max_length=30, default="number", help_text="number, % or rate")
    group = models.ForeignKey("assurance.Group", on_delete=models.PROTECT, related_name="measures")
    threshold = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    direction = models.CharField(max_length=5, choices=Direction.choices, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["dataset", "name"]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="measure_code_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(threshold__isnull=True, direction="")
                | (models.Q(threshold__isnull=False) & ~models.Q(direction="")),
                name="measure_threshold_has_direction",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assurance:measure_detail", kwargs={"pk": self.pk})


class DataPoint(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="points")
    quarter_start = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["measure", "quarter_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "quarter_start"], name="data_point_once_a_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} for the quarter from {self.quarter_start}: {self.value}"


class DataPointVersion(AppendOnlyModel):
    """Each value a figure has had, as recorded: a figure corrected later keeps what it said
    before, so the data as at a date is the value recorded by then."""

    data_point = models.ForeignKey(DataPoint, on_delete=models.PROTECT, related_name="versions")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["data_point", "recorded_at"], name="data_point_version_idx")
        ]

    def __str__(self) -> str:
        return f"{self.data_point} as recorded at {self.recorded_at}"
