from django.apps import AppConfig

from sightline.core.navigation import NavItem


class AssuranceConfig(AppConfig):
    name = "sightline.assurance"
    label = "assurance"
    verbose_name = "System assurance"
    demo_seeder = "sightline.assurance.demo.seed"
    navigation = (NavItem("Assurance", "assurance:overview", "assurance.view", order=25),)
    home_panels = ("sightline.assurance.panels.your_groups_panel",)

    def ready(self) -> None:
        from . import policies  # noqa: F401  (registers rules)
