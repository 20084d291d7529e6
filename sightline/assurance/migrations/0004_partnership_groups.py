"""The partnership's standard groups: the Executive, its subgroups and boards, as the
partnership starts with them. Plain data; the partnership renames, adds and stands down
groups in Sightline afterwards."""

from django.db import migrations

EXECUTIVE = "Executive"

# (name, kind, purpose, reports to)
GROUPS = [
    (
        EXECUTIVE,
        "executive",
        "The statutory safeguarding partners' leaders: set the partnership's priorities, "
        "hold its budget and receive every group's assurance.",
        None,
    ),
    (
        "Practice review group",
        "subgroup",
        "Considers serious incidents, runs rapid reviews and case reviews, and oversees the "
        "learning from them.",
        EXECUTIVE,
    ),
    (
        "Children's system assurance group",
        "subgroup",
        "Scrutinises data, audits and inspections of the children's safeguarding system.",
        EXECUTIVE,
    ),
    (
        "Adults' system assurance group",
        "subgroup",
        "Scrutinises data, audits and inspections of the adults' safeguarding system, "
        "including the Safeguarding Adults Collection.",
        EXECUTIVE,
    ),
    (
        "Practice development group",
        "subgroup",
        "Turns learning into practice: the multi-agency training offer, briefings and "
        "practice guidance.",
        EXECUTIVE,
    ),
    (
        "Education safeguarding committee",
        "subgroup",
        "Assures safeguarding in schools, colleges and early years settings.",
        EXECUTIVE,
    ),
    (
        "Under 1s steering group",
        "subgroup",
        "Leads the priority on safeguarding babies: safer sleep, non-accidental injury and "
        "support for parents.",
        EXECUTIVE,
    ),
    (
        "Exploitation strategic group",
        "subgroup",
        "Leads the response to exploitation and harm outside the home, for children and adults.",
        EXECUTIVE,
    ),
    (
        "Exploitation operational group",
        "subgroup",
        "Brings agencies together on the people, places and patterns of exploitation.",
        "Exploitation strategic group",
    ),
    (
        "Domestic abuse board",
        "board",
        "Leads the partnership's response to domestic abuse, with the Community Safety "
        "Partnership.",
        EXECUTIVE,
    ),
]


def load(apps, schema_editor):
    Group = apps.get_model("assurance", "Group")
    made = {}
    for name, kind, purpose, _ in GROUPS:
        group = Group.objects.filter(name__iexact=name).first()
        if group is None:
            group = Group.objects.create(name=name, kind=kind, purpose=purpose)
        made[name] = group
    for name, _, _, parent in GROUPS:
        group = made[name]
        if parent is not None and group.reports_to_id is None:
            group.reports_to = made[parent]
            group.save(update_fields=["reports_to"])


class Migration(migrations.Migration):
    dependencies = [("assurance", "0003_append_only_triggers")]

    # Going back keeps the groups: by then they hold the partnership's meetings and returns.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
