"""The audit trail's hash chain: seals, checkpoints and the triggers that refuse TRUNCATE.

Placeholder: filled in by the change that builds it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0007_outbox_headers")]

    operations: list[migrations.operations.base.Operation] = []
