"""The throttle's counts, kept in the database so every worker process counts together."""

from django.db import models
from django.utils import timezone


class ThrottleHit(models.Model):
    """One counted event (a failed sign-in, an email asked for) under one limit's scope.

    ``key`` is an HMAC (keyed with ``SECRET_KEY``) of what is counted, an email address, a
    client's internet address or a device: the table holds neither addresses nor emails.
    Rows older than the longest window are deleted as new ones are written."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["scope", "key", "at"], name="throttlehit_scope_key_at"),
            models.Index(fields=["at"], name="throttlehit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} at {self.at:%Y-%m-%d %H:%M:%S}"
