import datetime

from django.apps import AppConfig

from sightline.core.navigation import NavItem, SettingsPage
from sightline.core.scheduling import Cadence, Schedule


class ReviewsConfig(AppConfig):
    name = "sightline.reviews"
    label = "reviews"
    verbose_name = "Case reviews"
    demo_seeder = "sightline.reviews.demo.seed"
    home_panels = (
        "sightline.reviews.panels.deadlines_panel",
        "sightline.reviews.panels.timeliness_panel",
        "sightline.reviews.panels.referrals_panel",
        "sightline.reviews.panels.settings_panel",
    )
    navigation = (
        NavItem("Cases", "reviews:case_list", "reviews.view_case_list", order=10),
        NavItem("Deadlines", "reviews:deadlines", "reviews.view_deadlines", order=11),
        NavItem("Timeliness", "reviews:timeliness", "reviews.view_timeliness", order=12),
    )
    schedules = (
        Schedule(
            name="reviews.deadline_reminders",
            label="Case deadline reminders",
            function="sightline.reviews.services.reminders_scheduled",
            cadence=Cadence.DAILY,
            default_time=datetime.time(7, 0),
            description="Emails about deadlines due within 2 working days or overdue.",
        ),
    )
    settings_pages = (
        SettingsPage(
            "Timeliness standards",
            "reviews:standard_list",
            "reviews.manage_standards",
            "The national and local deadlines each review route is measured against, in "
            "working days or months.",
            order=40,
        ),
        SettingsPage(
            "Practice themes",
            "reviews:theme_list",
            "reviews.manage_themes",
            "The themes cases, recommendations and courses are tagged with, for the reports.",
            order=41,
        ),
    )

    def ready(self) -> None:
        from sightline.core.views import register_import_jobs

        from . import access, policies, receivers  # noqa: F401  (registers rules and receivers)
        from .views import ImportView

        register_import_jobs(ImportView)
        access.register()
