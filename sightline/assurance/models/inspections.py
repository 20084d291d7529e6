"""Inspections of the partnership's agencies and arrangements, and what they asked for."""

from django.db import models
from django.urls import reverse

from sightline.core.models import TimeStampedModel
from sightline.learning.models import Recommendation

from ..vocabulary import InspectionType, Inspectorate


class Inspection(TimeStampedModel):
    inspectorate = models.CharField(max_length=10, choices=Inspectorate.choices)
    kind = models.CharField(max_length=20, choices=InspectionType.choices)
    title = models.CharField(max_length=200, help_text="For example Northshire ILACS 2025")
    started_on = models.DateField()
    published_on = models.DateField(null=True, blank=True)
    judgement = models.CharField(max_length=100, blank=True)
    report_url = models.URLField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    # Its recommendations (areas for improvement), each with actions, in the learning tracker.
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="inspections")

    class Meta:
        ordering = ["-started_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(inspectorate__in=Inspectorate.values),
                name="inspection_inspectorate_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(published_on__isnull=True)
                | models.Q(published_on__gte=models.F("started_on")),
                name="inspection_published_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assurance:inspection_detail", kwargs={"pk": self.pk})
