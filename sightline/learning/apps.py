import datetime

from django.apps import AppConfig

from sightline.core.navigation import NavItem
from sightline.core.scheduling import Cadence, Schedule


class LearningConfig(AppConfig):
    name = "sightline.learning"
    label = "learning"
    verbose_name = "Case learning tracker"
    demo_seeder = "sightline.learning.demo.seed"
    home_panels = ("sightline.learning.panels.actions_panel",)
    navigation = (
        NavItem("Learning", "learning:recommendation_list", "learning.view_tracker", order=20),
    )
    schedules = (
        Schedule(
            name="learning.reminders",
            label="Learning action and dissemination return reminders",
            function="sightline.learning.services.learning_reminders_scheduled",
            cadence=Cadence.DAILY,
            default_time=datetime.time(7, 15),
            description="Emails about actions due within 5 working days or overdue, and "
            "dissemination returns outstanding.",
        ),
        Schedule(
            name="learning.digest",
            label="Weekly digest for agency leads",
            function="sightline.learning.services.learning_digest_scheduled",
            cadence=Cadence.WEEKLY,
            default_time=datetime.time(7, 30),
            description="Each Monday, every agency lead's list of their agency's open actions.",
        ),
    )

    def ready(self) -> None:
        from sightline.core.views import register_import_jobs

        from . import (
            policies,  # noqa: F401  (registers rules)
            receivers,
        )
        from .views import LearningImportView

        receivers.connect()

        register_import_jobs(LearningImportView)
