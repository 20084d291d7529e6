"""One-time tokens that make create forms idempotent.

Placeholder: filled in by the change that builds it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0009_access_log_restricted_shown")]

    operations: list[migrations.operations.base.Operation] = []
