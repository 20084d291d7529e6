"""The yearly report's drafts. Chapter text versions and small-number acknowledgements are
append-only: database triggers refuse changes to them (and, on PostgreSQL, their removal),
as for the audit trail. SQLite gets only the update trigger, because Django's test flush
deletes rows there."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

APPEND_ONLY = ("reports_chapterversion", "reports_smallnumberacknowledgement")


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in APPEND_ONLY:
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION sightline_append_only()"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in APPEND_ONLY:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("core", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChapterVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                ("text", models.TextField(max_length=20000)),
                ("written_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "written_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["chapter", "number"],
            },
        ),
        migrations.CreateModel(
            name="ReportChapter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "chapter",
                    models.CharField(
                        choices=[
                            ("introduction", "Introduction and context"),
                            ("priorities_progress", "Progress on last year's priorities"),
                            ("development_impact", "Development and impact"),
                            ("practice_reviews", "Practice reviews: activity and impact"),
                            ("learning_embedded", "Learning from reviews and its impact"),
                            ("system_assurance", "System assurance"),
                            ("training_impact", "The impact of multi-agency training"),
                            ("independent_scrutiny", "Independent scrutiny"),
                            ("next_steps", "Next steps and priorities"),
                        ],
                        max_length=40,
                    ),
                ),
                ("approved_at", models.DateTimeField(blank=True, null=True)),
                (
                    "approved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "approved_version",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="reports.chapterversion",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="owned_report_chapters",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["report", "pk"],
            },
        ),
        migrations.AddField(
            model_name="chapterversion",
            name="chapter",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="versions",
                to="reports.reportchapter",
            ),
        ),
        migrations.CreateModel(
            name="ReportSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "position_since",
                    models.DateField(
                        blank=True,
                        help_text="The first day of the cumulative case review position; blank for every case.",
                        null=True,
                        verbose_name="case review position since",
                    ),
                ),
                (
                    "small_number_threshold",
                    models.PositiveSmallIntegerField(
                        default=5,
                        help_text="Figures about people below this are flagged before publication.",
                        verbose_name="small number threshold",
                    ),
                ),
                (
                    "panel_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="Calendar days after publication by which the report is sent to the panel.",
                        verbose_name="days to send to the national panel",
                    ),
                ),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "yearly report settings",
                "verbose_name_plural": "yearly report settings",
            },
        ),
        migrations.CreateModel(
            name="YearlyReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "start_year",
                    models.PositiveSmallIntegerField(unique=True, verbose_name="financial year"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("ready", "Ready to publish"),
                            ("published", "Published"),
                        ],
                        default="draft",
                        max_length=10,
                    ),
                ),
                (
                    "ready_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="marked ready at"),
                ),
                ("published_at", models.DateTimeField(blank=True, null=True)),
                ("published_figures", models.JSONField(blank=True, null=True)),
                ("published_narratives", models.JSONField(blank=True, null=True)),
                ("published_html", models.TextField(blank=True)),
                (
                    "panel_due_on",
                    models.DateField(
                        blank=True, null=True, verbose_name="to be sent to the national panel by"
                    ),
                ),
                (
                    "panel_sent_on",
                    models.DateField(
                        blank=True, null=True, verbose_name="sent to the national panel on"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "panel_sent_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="sending recorded by",
                    ),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "ready_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="marked ready by",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-start_year"],
            },
        ),
        migrations.CreateModel(
            name="SmallNumberAcknowledgement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("label", models.CharField(max_length=300)),
                ("value", models.IntegerField()),
                ("acknowledged_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "acknowledged_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="acknowledgements",
                        to="reports.yearlyreport",
                    ),
                ),
            ],
            options={
                "ordering": ["report", "label"],
            },
        ),
        migrations.AddField(
            model_name="reportchapter",
            name="report",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="chapters",
                to="reports.yearlyreport",
            ),
        ),
        migrations.CreateModel(
            name="ContentException",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "content",
                    models.CharField(
                        choices=[
                            (
                                "wt.what_done",
                                "What the partners have done as a result of the arrangements, including on child safeguarding practice reviews",
                            ),
                            (
                                "wt.effectiveness",
                                "How effective the arrangements have been in practice",
                            ),
                            (
                                "wt.impact",
                                "Evidence of the impact of the partners' and relevant agencies' work, including training, on outcomes for children and families",
                            ),
                            (
                                "wt.little_progress",
                                "Analysis of any areas with little or no evidence of progress on agreed priorities",
                            ),
                            (
                                "wt.review_actions",
                                "Decisions and actions taken (or planned) to implement the recommendations of local and national reviews, with any resulting improvements",
                            ),
                            (
                                "wt.voice",
                                "How the partners sought and used feedback from children and families",
                            ),
                            (
                                "ca.objective",
                                "What the board did in the year to achieve its objective",
                            ),
                            ("ca.strategy", "What the board did to implement its strategy"),
                            ("ca.members", "What each member did to implement the strategy"),
                            (
                                "ca.sar_findings",
                                "Findings of safeguarding adult reviews concluded in the year",
                            ),
                            (
                                "ca.sar_ongoing",
                                "Safeguarding adult reviews ongoing at the end of the year",
                            ),
                            (
                                "ca.sar_implementation",
                                "What the board did to implement the findings of reviews",
                            ),
                            (
                                "ca.sar_not_implemented",
                                "Each finding the board decided not to implement, with the reasons",
                            ),
                            (
                                "panel.training_outcomes",
                                "The difference training made beyond attendees' ratings (impact surveys, reach by sector against the workforce)",
                            ),
                            (
                                "panel.learning_embedded",
                                "How learning from reviews was disseminated and embedded (dissemination returns, evidence of impact)",
                            ),
                        ],
                        max_length=40,
                    ),
                ),
                ("reason", models.TextField(max_length=1000)),
                ("withdrawn_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "withdrawn_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="exceptions",
                        to="reports.yearlyreport",
                    ),
                ),
            ],
            options={
                "ordering": ["report", "content", "-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Circulation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "recipient",
                    models.CharField(
                        choices=[
                            ("la_chief_executive", "The local authority's chief executive"),
                            ("la_leader", "The leader of the local authority"),
                            ("pcc", "The police and crime commissioner"),
                            ("chief_constable", "The chief constable"),
                            ("healthwatch", "Healthwatch"),
                            ("hwb_chair", "The chair of the health and wellbeing board"),
                            ("national_panel", "The Child Safeguarding Practice Review Panel"),
                            ("what_works", "The What Works centre for children's social care"),
                            ("other", "Someone else"),
                        ],
                        max_length=30,
                    ),
                ),
                ("name", models.CharField(blank=True, max_length=150, verbose_name="name or role")),
                ("organisation", models.CharField(blank=True, max_length=150)),
                ("sent_on", models.DateField()),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="circulation",
                        to="reports.yearlyreport",
                    ),
                ),
            ],
            options={
                "ordering": ["report", "sent_on", "pk"],
            },
        ),
        migrations.AddConstraint(
            model_name="chapterversion",
            constraint=models.UniqueConstraint(
                fields=("chapter", "number"), name="chapter_version_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="chapterversion",
            constraint=models.CheckConstraint(
                condition=models.Q(("number__gte", 1)), name="chapter_version_from_1"
            ),
        ),
        migrations.AddConstraint(
            model_name="reportsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("small_number_threshold__gte", 1), ("small_number_threshold__lte", 100)
                ),
                name="report_settings_threshold_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("panel_days__gte", 0), ("panel_days__lte", 90)),
                name="report_settings_panel_days_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyreport",
            constraint=models.CheckConstraint(
                condition=models.Q(("start_year__gte", 2000), ("start_year__lte", 2099)),
                name="yearly_report_year_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyreport",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["draft", "ready", "published"])),
                name="yearly_report_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyreport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "published"), _negated=True),
                    models.Q(
                        ("panel_due_on__isnull", False),
                        ("published_at__isnull", False),
                        ("published_figures__isnull", False),
                        ("published_narratives__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="yearly_report_published_frozen",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyreport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "ready"), _negated=True),
                    ("ready_at__isnull", False),
                    _connector="OR",
                ),
                name="yearly_report_ready_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyreport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("panel_sent_on__isnull", True), ("status", "published"), _connector="OR"
                ),
                name="yearly_report_panel_after_publication",
            ),
        ),
        migrations.AddConstraint(
            model_name="smallnumberacknowledgement",
            constraint=models.UniqueConstraint(
                fields=("report", "label", "value"), name="small_number_acknowledged_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="reportchapter",
            constraint=models.UniqueConstraint(
                fields=("report", "chapter"), name="report_chapter_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="reportchapter",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("approved_at__isnull", True),
                        ("approved_by__isnull", True),
                        ("approved_version__isnull", True),
                    ),
                    models.Q(
                        ("approved_at__isnull", False),
                        ("approved_by__isnull", False),
                        ("approved_version__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="report_chapter_approval_whole",
            ),
        ),
        migrations.AddConstraint(
            model_name="contentexception",
            constraint=models.UniqueConstraint(
                condition=models.Q(("withdrawn_at__isnull", True)),
                fields=("report", "content"),
                name="content_exception_one_standing",
            ),
        ),
        migrations.AddConstraint(
            model_name="circulation",
            constraint=models.UniqueConstraint(
                fields=("report", "recipient", "name", "organisation", "sent_on"),
                name="circulation_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="circulation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("recipient", "other"), _negated=True),
                    models.Q(("name", ""), _negated=True),
                    _connector="OR",
                ),
                name="circulation_other_named",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
