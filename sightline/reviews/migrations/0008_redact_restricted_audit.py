"""Removes restricted values already in the audit trail, before the chain is first sealed.

Placeholder: filled in by the change that builds it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reviews", "0007_restricted_history"), ("core", "0009_access_log_restricted_shown")]

    operations: list[migrations.operations.base.Operation] = []
