"""The shared kernel's records: who-and-when fields, the audit trail and the access log."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

# Re-exported: Django finds an app's models through its models module.
from .job_models import BackgroundJob as BackgroundJob


class TimeStampedModel(models.Model):
    """Who created and last changed a row, and when."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """Raised by any attempt to change or remove an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} records are append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} records are append-only.")


class AppendOnlyModel(models.Model):
    """A record that is written once and never changed or deleted. Each such table also gets
    database triggers in a migration (see core's 0002), so no code path can get round it."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{type(self).__name__} records are append-only.")


class AuditEvent(AppendOnlyModel):
    class Kind(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        SIGN_OUT = "sign_out", "Signed out"
        SESSION_ENDED = "session_ended", "Session ended"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
        ACCESS_DENIED = "access_denied", "Access denied"
        CSRF_FAILURE = "csrf_failure", "Forged or expired form"
        IMPORT = "import", "Imported"

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as text so the record reads the same whatever later happens to the account.
    actor_email = models.CharField(max_length=254, blank=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    detail = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_idx"),
            models.Index(fields=["kind", "occurred_at"], name="audit_kind_idx"),
        ]

    def __str__(self) -> str:
        who = self.actor_email or "System"
        return f"{who}: {self.get_kind_display()} {self.object_repr}".strip()


class AccessLogEntry(AppendOnlyModel):
    """A read of a restricted record, or an export: who saw what, and when."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    detail = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "access log entries"
        indexes = [
            models.Index(
                fields=["object_type", "object_id", "occurred_at"], name="access_object_idx"
            ),
            models.Index(fields=["user", "occurred_at"], name="access_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.get_action_display()} {self.object_repr}"


class ClosureDay(models.Model):
    """A day the partnership is closed beyond the bank holidays (not a working day)."""

    date = models.DateField(unique=True)
    description = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d %B %Y}: {self.description}"


class OutboxMessage(models.Model):
    """One email to one person, written in the transaction of the change that causes it and
    sent by the worker after commit. ``key`` says what makes it one message (for a daily
    reminder: kind, recipient, subject record and day), so it is never made twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        DEAD = "dead", "Not sent: gave up"
        UNCERTAIN = "uncertain", "Perhaps sent: check before sending again"

    key = models.CharField(max_length=400, unique=True)
    kind = models.CharField(max_length=60)
    recipient = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # [{"filename": ..., "content": ..., "mimetype": ...}]: text parts such as calendar files.
    attachments = models.JSONField(default=list, blank=True)
    # {"List-Unsubscribe": ...}: headers of this message alone, besides those every message has.
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=64, blank=True)
    # Set, and committed, just before the end of the message goes to the mail server: a lease
    # that runs out after this may have been delivered, so it is never sent again by itself.
    handed_over_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # A message carrying a password or approval link keeps no copy of it once sent.
    forget_body_when_sent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["status", "lease_expires_at"], name="outbox_lease_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attempts__lte=100), name="outbox_attempts_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.recipient} ({self.get_status_display()})"


class ScheduleRun(models.Model):
    """One run of a schedule for one slot (a day, a week): unique, so two workers never run
    the same slot and a run missed while no worker was up is still made once."""

    schedule = models.CharField(max_length=60)
    slot = models.CharField(max_length=20)  # "2026-12-03" for a day, "2026-W49" for a week
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the run did ({"reminders": 3, ...}) or, when it failed, why.
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "slot"], name="schedule_run_once"),
        ]
        indexes = [models.Index(fields=["schedule", "-started_at"], name="schedule_run_latest_idx")]

    def __str__(self) -> str:
        return f"{self.schedule} {self.slot}"


class ScheduleSetting(models.Model):
    """When the partnership wants a schedule to run: kept in the service, changed by
    administrators and audited. A schedule with no row runs at its default time."""

    schedule = models.CharField(max_length=60, unique=True)
    run_at = models.TimeField()
    is_enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.schedule} at {self.run_at:%H:%M}"


class FiguresVersion(models.Model):
    """For each topic of cached figures (the timeliness report, the learning report), a stamp
    that every write to the figures' inputs changes, in the same transaction: the cache key
    of those figures (``selectors.cached_figures``), so that a change is seen at once by
    every process, and a cached report is never served for data it was not counted from. A
    fresh random stamp rather than a counter, so that a rolled-back change never reuses a
    stamp that figures counted inside it were cached under."""

    topic = models.CharField(max_length=40, unique=True)
    stamp = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.topic} figures, version {self.stamp}"


# --- once: one-time tokens of create forms ---


class SubmissionToken(models.Model):
    """A create form's one-time token, stored in the transaction that made the record: a
    second submit of the same form (a double click, back and send again, two posts at once)
    finds it and is sent to the record already made (``sightline.core.once``). The unique
    token is what serialises two simultaneous posts. Kept for ``SUBMISSION_TOKENS_KEPT``,
    then removed by the nightly housekeeping."""

    TOKEN_MAX = 64
    URL_MAX = 500

    token = models.CharField(max_length=TOKEN_MAX, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    url = models.CharField(max_length=URL_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"Form sent at {self.created_at:%Y-%m-%d %H:%M}, went to {self.url}"
