"""The access log says whether restricted details were shown; audit events can record a redaction.

Placeholder: filled in by the change that builds it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0008_audit_chain")]

    operations: list[migrations.operations.base.Operation] = []
