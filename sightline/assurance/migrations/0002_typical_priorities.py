"""The typical set of strategic priorities a partnership starts with. Plain data."""

from django.db import migrations

PRIORITIES = [
    ("Safeguarding under 1s", "Babies are seen, heard and protected by every agency."),
    ("Domestic abuse", "Victims and their children are safe, and abusers are held to account."),
    (
        "Transitional safeguarding",
        "Young people moving into adulthood keep the protection they need.",
    ),
    (
        "Exploitation and contextual safeguarding",
        "Children and adults are protected from harm outside the home.",
    ),
    (
        "Social, emotional and mental health",
        "Children and adults get timely help with their emotional and mental health.",
    ),
]


def load(apps, schema_editor):
    Priority = apps.get_model("assurance", "Priority")
    for position, (name, description) in enumerate(PRIORITIES, start=1):
        Priority.objects.get_or_create(
            name=name, defaults={"description": description, "position": position}
        )


def remove(apps, schema_editor):
    apps.get_model("assurance", "Priority").objects.filter(
        name__in=[name for name, _ in PRIORITIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("assurance", "0001_initial")]

    operations = [migrations.RunPython(load, remove)]
