import datetime

from django.apps import AppConfig

from sightline.core.navigation import NavItem
from sightline.core.scheduling import Cadence, Schedule


class TrainingConfig(AppConfig):
    name = "sightline.training"
    label = "training"
    verbose_name = "Multi-agency training"
    demo_seeder = "sightline.training.demo.seed"
    home_panels = ("sightline.training.panels.training_panel",)
    navigation = (NavItem("Training", "training:catalogue", "training.browse", order=30),)
    schedules = (
        Schedule(
            name="training.reminders",
            label="Training reminders, evaluations and impact surveys",
            function="sightline.training.services.training_reminders_scheduled",
            cadence=Cadence.HOURLY,
            default_time=datetime.time(0, 5),
            description="Every hour: reminders of sessions within 48 hours, evaluation "
            "requests not yet made, impact surveys that are due, and places whose manager "
            "did not approve them in 14 days released.",
        ),
    )

    def ready(self) -> None:
        from . import policies  # noqa: F401  (registers rules)
