"""The strategic plan: priorities, their action plans and measures, quarterly status, and
what independent scrutiny found."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from sightline.core.models import TimeStampedModel
from sightline.learning.models import Action

from ..vocabulary import MeasureKind, Rag


class Priority(models.Model):
    """One of the partnership's strategic priorities, such as safeguarding under 1s."""

    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_priorities",
    )
    # The action plan: learning tracker actions that deliver the priority.
    actions = models.ManyToManyField(Action, blank=True, related_name="priorities")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "priorities"
        constraints = [models.UniqueConstraint(Lower("name"), name="priority_name_unique_ci")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assurance:priority_detail", kwargs={"pk": self.pk})


class PriorityMeasure(models.Model):
    """How progress on, or the impact of, a priority is measured, optionally from a dataset
    measure in data scrutiny."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(max_length=10, choices=MeasureKind.choices)
    description = models.CharField(max_length=300)
    data_measure = models.ForeignKey(
        "assurance.Measure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["priority", "kind", "pk"]

    def __str__(self) -> str:
        return self.description


class PriorityUpdate(models.Model):
    """A priority's red-amber-green status for a quarter, with the reason. Append-only in
    practice: a later update for the same quarter replaces none, the latest counts."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="updates")
    quarter_start = models.DateField()
    rag = models.CharField(max_length=5, choices=Rag.choices)
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["priority", "-quarter_start", "-recorded_at"]
        indexes = [models.Index(fields=["priority", "quarter_start"], name="priority_update_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(rag__in=Rag.values), name="update_rag_valid"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="update_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.priority}: {self.get_rag_display()} in quarter from {self.quarter_start}"


class ScrutinyFinding(TimeStampedModel):
    """What the independent scrutineer found about a priority."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="findings")
    found_on = models.DateField()
    scrutineer = models.CharField(max_length=150)
    finding = models.TextField()
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["-found_on", "pk"]

    def __str__(self) -> str:
        return f"Scrutiny of {self.priority} on {self.found_on}"
