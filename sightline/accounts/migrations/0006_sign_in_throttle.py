import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_single_sign_on")]

    operations = [
        migrations.CreateModel(
            name="ThrottleHit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scope", models.CharField(max_length=40)),
                ("key", models.CharField(max_length=64)),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["scope", "key", "at"], name="throttlehit_scope_key_at"),
                    models.Index(fields=["at"], name="throttlehit_at"),
                ],
            },
        ),
    ]
