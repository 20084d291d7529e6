"""Restricted details keep their own history behind the need-to-know list.

Placeholder: filled in by the change that builds it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reviews", "0006_referrals")]

    operations: list[migrations.operations.base.Operation] = []
