from django.apps import AppConfig

from sightline.core.navigation import NavItem


class LearningConfig(AppConfig):
    name = "sightline.learning"
    label = "learning"
    verbose_name = "Case learning tracker"
    demo_seeder = "sightline.learning.demo.seed"
    home_panels = ("sightline.learning.panels.actions_panel",)
    navigation = (
        NavItem("Learning", "learning:recommendation_list", "learning.view_tracker", order=20),
    )

    def ready(self) -> None:
        from sightline.core.views import register_import_jobs

        from . import policies  # noqa: F401  (registers rules)
        from .views import LearningImportView

        register_import_jobs(LearningImportView)
