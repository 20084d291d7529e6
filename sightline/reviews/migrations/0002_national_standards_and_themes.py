"""The national timeliness standards (case review data contract, section 2) and the starting
list of practice themes. Plain data: no application code is imported."""

from django.db import migrations

STANDARDS = [
    # code, route, start, done, rule, amount, outcome, description
    (
        "child.notification",
        "child",
        "incident_aware_date",
        "panel_notified_date",
        "within_working_days",
        5,
        "",
        "Panel notified within 5 working days",
    ),
    (
        "child.rapid_review",
        "child",
        "incident_aware_date",
        "rapid_review_sent_date",
        "within_working_days",
        15,
        "",
        "Rapid review sent within 15 working days",
    ),
    (
        "child.publication",
        "child",
        "review_initiated_date",
        "published_date",
        "within_calendar_months",
        6,
        "lcspr",
        "Local review published within 6 months",
    ),
    (
        "child.final_report_notice",
        "child",
        "published_date",
        "final_report_sent_date",
        "at_least_working_days_before",
        7,
        "",
        "Final report sent at least 7 working days before publication",
    ),
    (
        "dhr.decision",
        "dhr",
        "referral_date",
        "decision_date",
        "within_calendar_months",
        1,
        "",
        "Decision within 1 month",
    ),
    (
        "dhr.completion",
        "dhr",
        "decision_date",
        "home_office_sent_date",
        "within_calendar_months",
        6,
        "dhr",
        "Review sent to the Home Office within 6 months",
    ),
]

THEMES = [
    "Voice of the child or adult",
    "Professional curiosity",
    "Information sharing",
    "Risk assessment and decision-making",
    "Critical thinking and challenge",
    "Escalation",
    "Working with reluctance to engage",
    "Men and fathers in the family",
    "Safer sleep",
    "Non-accidental injury in babies",
    "Domestic abuse and coercive control",
    "Parental mental health",
    "Substance misuse",
    "Exploitation and harm outside the home",
    "Children missing education",
    "Transition to adulthood",
    "Mental capacity",
    "Self-neglect",
    "Hospital discharge",
    "Race, culture and identity",
    "Disability and diagnostic overshadowing",
    "Organisational leadership and culture",
]


def load(apps, schema_editor):
    Standard = apps.get_model("reviews", "TimelinessStandard")
    Theme = apps.get_model("reviews", "PracticeTheme")
    for position, (code, route, start, done, rule, amount, outcome, description) in enumerate(
        STANDARDS
    ):
        Standard.objects.update_or_create(
            code=code,
            defaults={
                "route": route,
                "start_field": start,
                "done_field": done,
                "rule": rule,
                "amount": amount,
                "outcome": outcome,
                "description": description,
                "is_national": True,
                "is_active": True,
                "position": position * 10,
            },
        )
    for name in THEMES:
        Theme.objects.get_or_create(name=name)


def unload(apps, schema_editor):
    apps.get_model("reviews", "TimelinessStandard").objects.filter(
        code__in=[row[0] for row in STANDARDS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
