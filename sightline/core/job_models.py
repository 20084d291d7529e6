"""A piece of heavy work someone asked for (an import, a PDF), run by the worker.

The row is the durable record: the tasks backend may lose a job when its worker is killed,
so a running job keeps a heartbeat, and ``background_jobs_recover`` starts again (or fails,
with a message saying so) any job whose heartbeat has stopped.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class BackgroundJob(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting to start"
        RUNNING = "running", "In progress"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    # A UUID: the job's address is shared with no one, but it must not be guessable either.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="background_jobs"
    )
    kind = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    # What the kind needs to do the work: JSON only (a held file's token, a quarter...).
    params = models.JSONField(default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    # What is happening, or why it failed, in plain words for the person who asked.
    message = models.CharField(max_length=300, blank=True)
    # Problems to list when it failed (an import's), or what the next step shows (a preview).
    result_data = models.JSONField(default=dict, blank=True)
    # The file made, in the default storage under jobs/, deleted when the job expires.
    result_file = models.CharField(max_length=200, blank=True)
    result_name = models.CharField(max_length=150, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    # Where to go when done: the record made, or the next step (an import's preview).
    result_url = models.CharField(max_length=300, blank=True)
    next_job = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="previous_job"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # When it was last put on the queue: a job waiting long after this is queued again.
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat_idx"),
            models.Index(fields=["status", "queued_at"], name="job_status_queued_idx"),
            models.Index(fields=["user", "created_at"], name="job_user_idx"),
            models.Index(fields=["expires_at"], name="job_expires_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_total__isnull=True)
                | models.Q(progress_done__lte=models.F("progress_total")),
                name="job_progress_in_range",
            ),
            models.CheckConstraint(condition=models.Q(attempts__lte=20), name="job_attempts_range"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("core:job", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)
