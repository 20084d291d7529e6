"""Restricted details keep their own history behind the need-to-know list.

Each case's restricted details as they stand become the first entry of its history (saved
when and by whom the case was last saved), so that the audit trail's values can be removed
(0008) without losing what the cases hold now."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

RESTRICTED_FIELDS = (
    "restricted_summary",
    "age_band",
    "sex",
    "ethnicity",
    "disability",
    "legal_status",
)


def first_revisions(apps, schema_editor):
    Case = apps.get_model("reviews", "Case")
    Revision = apps.get_model("reviews", "RestrictedDetailsRevision")
    blank = models.Q(**dict.fromkeys(RESTRICTED_FIELDS, ""))
    cases = Case.objects.exclude(blank).order_by("pk")
    batch = []
    for case in cases.iterator(chunk_size=2000):
        batch.append(
            Revision(
                case_id=case.pk,
                saved_at=case.updated_at,
                saved_by_id=case.updated_by_id,
                changed_fields=[],
                **{name: getattr(case, name) for name in RESTRICTED_FIELDS},
            )
        )
        if len(batch) >= 2000:
            Revision.objects.bulk_create(batch)
            batch = []
    Revision.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0006_referrals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RestrictedDetailsRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("saved_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("changed_fields", models.JSONField(blank=True, default=list)),
                ("restricted_summary", models.TextField(blank=True)),
                (
                    "age_band",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("under_1", "Under 1"),
                            ("1_4", "1 to 4"),
                            ("5_9", "5 to 9"),
                            ("10_15", "10 to 15"),
                            ("16_17", "16 to 17"),
                            ("18_25", "18 to 25"),
                            ("26_64", "26 to 64"),
                            ("65_plus", "65 and over"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "sex",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("female", "Female"),
                            ("male", "Male"),
                            ("not_known", "Not known"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "ethnicity",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("white", "White"),
                            ("mixed", "Mixed or multiple ethnic groups"),
                            ("asian", "Asian or Asian British"),
                            ("black", "Black, Black British, Caribbean or African"),
                            ("other", "Other ethnic group"),
                            ("not_known", "Not known"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "disability",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("none", "None known"),
                            ("disability", "Disability"),
                            ("learning_disability", "Learning disability"),
                            ("both", "Disability and learning disability"),
                            ("not_known", "Not known"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "legal_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("cp_plan", "Child protection plan"),
                            ("child_in_need", "Child in need"),
                            ("looked_after", "Looked after"),
                            ("care_leaver", "Care leaver"),
                            ("none", "None"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="restricted_revisions",
                        to="reviews.case",
                    ),
                ),
                (
                    "saved_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Blank when the service itself saved them (demo data, a script).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-saved_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["case", "-saved_at", "-id"], name="restricted_rev_case_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(first_revisions, migrations.RunPython.noop),
    ]
