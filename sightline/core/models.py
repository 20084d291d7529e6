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
