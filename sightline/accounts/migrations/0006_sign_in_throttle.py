from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_single_sign_on")]

    operations: list[migrations.operations.base.Operation] = []
