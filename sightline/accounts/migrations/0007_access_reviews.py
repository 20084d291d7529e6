from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_sign_in_throttle")]

    operations: list[migrations.operations.base.Operation] = []
