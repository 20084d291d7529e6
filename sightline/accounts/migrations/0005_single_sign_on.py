from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_multi_factor")]

    operations: list[migrations.operations.base.Operation] = []
