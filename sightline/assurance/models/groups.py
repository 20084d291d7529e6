"""The partnership's governance: the Executive, its subgroups and boards, their members,
meetings and decisions, and the quarterly assurance each group gives the Executive."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from sightline.accounts.models import Agency
from sightline.core.models import AppendOnlyModel, TimeStampedModel
from sightline.learning.models import Action

from ..vocabulary import AssuranceLevel, GroupKind


class Group(TimeStampedModel):
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=GroupKind.choices, default=GroupKind.SUBGROUP)
    purpose = models.TextField(blank=True)
    terms_of_reference = models.TextField(blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chaired_groups",
    )
    reports_to = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="subgroups"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="group_name_unique_ci")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assurance:group_detail", kwargs={"pk": self.pk})


class GroupMember(models.Model):
    """An agency's seat on a group, and who fills it."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="group_seats")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_seats",
    )
    role = models.CharField(max_length=100, blank=True, help_text="For example vice chair")

    class Meta:
        ordering = ["group", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "agency", "user"], name="group_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.agency} on {self.group}"


class Meeting(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    notes = models.TextField(blank=True)
    # Actions agreed at the meeting, tracked in the learning tracker.
    actions = models.ManyToManyField(Action, blank=True, related_name="meetings")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["group", "-held_on"]
        constraints = [
            models.UniqueConstraint(fields=["group", "held_on"], name="meeting_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.group} on {self.held_on.day} {self.held_on:%B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("assurance:meeting_detail", kwargs={"pk": self.pk})


class MeetingDecision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField()

    class Meta:
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class AssuranceReturn(models.Model):
    """What a group tells the Executive for a quarter: how assured it is, the exceptions,
    and what it escalates."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="returns")
    quarter_start = models.DateField()
    level = models.CharField(max_length=15, choices=AssuranceLevel.choices)
    summary = models.TextField()
    exceptions = models.TextField(blank=True)
    escalations = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-quarter_start", "group__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "quarter_start"], name="assurance_return_once_a_quarter"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=AssuranceLevel.values),
                name="assurance_level_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(level=AssuranceLevel.ASSURED) | ~models.Q(exceptions=""),
                name="assurance_not_assured_has_exceptions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} for the quarter from {self.quarter_start}"


class AssuranceReturnVersion(AppendOnlyModel):
    """Each version of a group's return as it was submitted: a return changed later keeps
    what it said before, so the assurance as at a date is the version submitted by then."""

    assurance_return = models.ForeignKey(
        AssuranceReturn, on_delete=models.PROTECT, related_name="versions"
    )
    level = models.CharField(max_length=15, choices=AssuranceLevel.choices)
    summary = models.TextField()
    exceptions = models.TextField(blank=True)
    escalations = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["assurance_return", "submitted_at"], name="return_version_idx")
        ]

    def __str__(self) -> str:
        return f"{self.assurance_return} as submitted at {self.submitted_at}"
