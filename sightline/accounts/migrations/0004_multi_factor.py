from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_sign_in_details")]

    operations: list[migrations.operations.base.Operation] = []
