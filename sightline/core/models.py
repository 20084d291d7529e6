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
        # redact: restricted values taken out of earlier events (reviews 0008).
        REDACTED = "redacted", "Restricted values removed"

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
    # redact: whether the page read showed restricted details (a case page shows them only
    # to those who need to know; the entry says which view the person had).
    restricted_shown = models.BooleanField(default=False)

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


# --- chain: the audit trail's hash chain (sightline/core/audit_seals.py) ---


class AuditSeal(AppendOnlyModel):
    """One block of audit events or access-log entries, sealed: its hash covers the rows'
    hashes and the seal before it, so no sealed row can change unnoticed."""

    class Trail(models.TextChoices):
        AUDIT = "audit_event", "Audit trail"
        ACCESS = "access_log", "Access log"

    table = models.CharField(max_length=16, choices=Trail.choices)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    count = models.PositiveIntegerField()
    # SHA-256 over the rows' hashes in id order; then over this seal and the one before.
    rows_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Unique: two workers sealing at once cannot fork the chain, the second one fails.
    previous_hash = models.CharField(max_length=64, unique=True)
    # Each row's id and the start of its hash, to name the event that no longer matches.
    digests = models.BinaryField()
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_id__lte=models.F("last_id"), count__gt=0),
                name="audit_seal_range",
            ),
        ]
        indexes = [models.Index(fields=["table", "last_id"], name="audit_seal_table_idx")]

    def __str__(self) -> str:
        return f"Seal {self.pk}: {self.get_table_display()} {self.first_id}-{self.last_id}"


class AuditCheckpoint(AppendOnlyModel):
    """Where the chain restarts after sealed blocks were archived and removed: the last
    archived seal's hash, and the last event id archived from each table."""

    seal_id = models.BigIntegerField(unique=True)
    hash = models.CharField(max_length=64)
    audit_last_id = models.BigIntegerField()
    access_last_id = models.BigIntegerField()
    before = models.DateField()
    seals = models.PositiveIntegerField()
    events = models.PositiveIntegerField()
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    created_by_email = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Checkpoint at seal {self.seal_id}"


# --- retain: retention periods, legal holds and the monthly retention review ---

RETENTION_MONTHS_MIN = 1
RETENTION_MONTHS_MAX = 1200  # a hundred years


class RetentionSetting(models.Model):
    """The partnership's retention period for one kind of record (``sightline.core.retention``
    names the kinds). A kind with no row keeps its documented default."""

    kind = models.CharField(max_length=40, unique=True)
    months = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(months__gte=RETENTION_MONTHS_MIN)
                & models.Q(months__lte=RETENTION_MONTHS_MAX),
                name="retention_months_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.months} months"


class LegalHold(models.Model):
    """Records about a case or a person that must not be disposed of (litigation, an inquiry,
    a complaint) until the hold is released."""

    class Covers(models.TextChoices):
        CASE = "case", "A case"
        PERSON = "person", "A person"

    covers = models.CharField(max_length=8, choices=Covers.choices)
    case_reference = models.CharField(max_length=40, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(covers="case") & ~models.Q(case_reference=""))
                | (models.Q(covers="person") & models.Q(person__isnull=False)),
                name="legal_hold_covers_something",
            ),
        ]

    def __str__(self) -> str:
        what = (
            self.case_reference if self.covers == self.Covers.CASE else f"person {self.person_id}"
        )
        return f"Legal hold on {what}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class RetentionReview(models.Model):
    """One month's list of records past their retention period, for an administrator to
    approve their disposal item by item or all at once."""

    month = models.CharField(max_length=7, unique=True)  # "2026-12"
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"Retention review {self.month}"


class RetentionReviewItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        DISPOSED = "disposed", "Disposed of"
        HELD = "held", "Kept: legal hold"
        GONE = "gone", "No longer past its period"

    review = models.ForeignKey(RetentionReview, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=40)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    # What the record is, without any restricted value: "Case CR-2019-03".
    label = models.CharField(max_length=200)
    dated = models.DateField()
    case_reference = models.CharField(max_length=40, blank=True)
    person_id = models.IntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "dated", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "kind", "object_type", "object_id"],
                name="retention_item_once",
            ),
        ]
        indexes = [models.Index(fields=["review", "status"], name="retention_item_status_idx")]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display()})"


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
