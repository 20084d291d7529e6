"""The papers of a group's members' area: agendas, minutes, meeting papers, terms of
reference and the induction pack. Each file was checked and cleaned of hidden metadata
(``core.cleaning``) before it was kept; the file itself is in the default storage under a
name nobody can guess, and reaches members only through the download view."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from sightline.core.cleaning import MAX_DOCUMENT_BYTES

from ..vocabulary import PaperKind
from .groups import Group, Meeting


class GroupPaper(models.Model):
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="papers")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="papers"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=PaperKind.choices, default=PaperKind.PAPER)
    storage_name = models.CharField(max_length=200, unique=True)
    file_name = models.CharField(max_length=100)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # The cleaned file's SHA-256: a second submit of the same upload finds the first.
    checksum = models.CharField(max_length=64)
    removed = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["group", "kind"], name="group_paper_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=PaperKind.values), name="group_paper_kind_valid"
            ),
            models.CheckConstraint(condition=~models.Q(title=""), name="group_paper_titled"),
            models.CheckConstraint(
                condition=models.Q(size__lte=MAX_DOCUMENT_BYTES), name="group_paper_size_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.group})"
