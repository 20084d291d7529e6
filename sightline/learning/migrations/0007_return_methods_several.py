"""A dissemination return records every way the learning was spread, not just one: the one
method already recorded becomes the first of the list (and back again, on reversal)."""

from django.db import migrations, models


def one_to_several(apps, schema_editor):
    DisseminationReturn = apps.get_model("learning", "DisseminationReturn")
    for item in DisseminationReturn.objects.exclude(method="").only("pk", "method"):
        DisseminationReturn.objects.filter(pk=item.pk).update(methods=[item.method])


def several_to_one(apps, schema_editor):
    DisseminationReturn = apps.get_model("learning", "DisseminationReturn")
    for item in DisseminationReturn.objects.only("pk", "methods"):
        first = item.methods[0] if item.methods else ""
        DisseminationReturn.objects.filter(pk=item.pk).update(method=first)


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0006_action_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="disseminationreturn",
            name="methods",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(one_to_several, several_to_one),
        migrations.RemoveField(
            model_name="disseminationreturn",
            name="method",
        ),
    ]
