"""Retention periods, legal holds and the monthly retention review.

Placeholder: filled in by the change that builds it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0010_submission_tokens")]

    operations: list[migrations.operations.base.Operation] = []
