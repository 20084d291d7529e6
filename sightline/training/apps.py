from django.apps import AppConfig

from sightline.core.navigation import NavItem


class TrainingConfig(AppConfig):
    name = "sightline.training"
    label = "training"
    verbose_name = "Multi-agency training"
    demo_seeder = "sightline.training.demo.seed"
    home_panels = ("sightline.training.panels.training_panel",)
    navigation = (NavItem("Training", "training:catalogue", "training.browse", order=30),)

    def ready(self) -> None:
        from . import policies  # noqa: F401  (registers rules)
