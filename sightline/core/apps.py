from django.apps import AppConfig

from .navigation import NavItem


class CoreConfig(AppConfig):
    name = "sightline.core"
    label = "core"
    verbose_name = "Sightline core"
    home_panels = ("sightline.core.panels.background_panel",)
    navigation = (
        NavItem("Audit trail", "core:audit_trail", "core.view_audit_trail", order=90),
        NavItem("Access log", "core:access_log", "core.view_access_log", order=91),
    )

    def ready(self) -> None:
        from . import checks, policies  # noqa: F401  (registers checks and rules)
