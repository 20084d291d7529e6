"""The multi-agency audit programme: audits, the questionnaires agencies return, and the
findings that become learning tracker actions."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from sightline.accounts.models import Agency
from sightline.core.models import AppendOnlyModel, TimeStampedModel
from sightline.learning.models import Recommendation
from sightline.reviews.models import PracticeTheme

from ..vocabulary import AuditStatus


class Audit(TimeStampedModel):
    title = models.CharField(max_length=200)
    scope = models.TextField(help_text="What the audit looks at, and in which cases.")
    quarter_start = models.DateField(help_text="The quarter it is planned for.")
    status = models.CharField(
        max_length=20, choices=AuditStatus.choices, default=AuditStatus.PLANNED
    )
    questionnaire = models.TextField(
        help_text="The questions agencies answer, one on each line.", blank=True
    )
    returns_due_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="What the audit found, once reported.")
    themes = models.ManyToManyField(PracticeTheme, blank=True, related_name="audits")
    group = models.ForeignKey(
        "assurance.Group", on_delete=models.PROTECT, null=True, blank=True, related_name="audits"
    )
    # Its findings, each with actions, in the learning tracker.
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="audits")

    class Meta:
        ordering = ["-quarter_start", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assurance:audit_detail", kwargs={"pk": self.pk})

    @property
    def questions(self) -> list[str]:
        """The questionnaire's questions, one a line; blank lines are not questions."""
        return [line.strip() for line in self.questionnaire.splitlines() if line.strip()]


class AuditReturn(models.Model):
    """One agency's questionnaire for an audit: asked for, then returned."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="returns")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="audit_returns")
    requested_on = models.DateField()
    returned_on = models.DateField(null=True, blank=True)
    cases_audited = models.PositiveIntegerField(null=True, blank=True)
    answers = models.TextField(blank=True)
    returned_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["audit", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "agency"], name="audit_return_once_per_agency"
            ),
            models.CheckConstraint(
                condition=models.Q(returned_on__isnull=True) | ~models.Q(answers=""),
                name="audit_return_has_answers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} return for {self.audit}"

    # The answers are kept as one text that reads on its own, each answer under its
    # numbered question: "1. Question" on a line, then the answer, then a blank line.

    @staticmethod
    def compose_answers(questions: list[str], answers: list[str]) -> str:
        return "\n\n".join(
            f"{number}. {question}\n{answer.strip()}"
            for number, (question, answer) in enumerate(zip(questions, answers, strict=True), 1)
        )

    def answers_to(self, questions: list[str]) -> list[str] | None:
        """Each question's answer, in order; None when the answers were not written under
        these questions (so they can only be shown as they were returned)."""
        lines = self.answers.splitlines()
        starts: list[int] = []
        for number, question in enumerate(questions, 1):
            try:
                starts.append(lines.index(f"{number}. {question}", starts[-1] + 1 if starts else 0))
            except ValueError:
                return None
        ends = [*starts[1:], len(lines)]
        return [
            "\n".join(lines[start + 1 : end]).strip()
            for start, end in zip(starts, ends, strict=True)
        ]


class AuditStatusChange(AppendOnlyModel):
    """Each change of an audit's status and the day it was made: the audit holds the latest,
    this the history, so the programme as at a date shows each audit's status then."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="status_changes")
    status = models.CharField(max_length=20, choices=AuditStatus.choices)
    changed_on = models.DateField()
    # Null for a change carried over when the history began.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_on", "-pk"]
        indexes = [models.Index(fields=["audit", "changed_on"], name="audit_status_change_idx")]

    def __str__(self) -> str:
        return f"{self.audit} {self.get_status_display().lower()} from {self.changed_on}"
