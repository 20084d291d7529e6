from django.apps import AppConfig

from .navigation import NavItem, SettingsPage


class CoreConfig(AppConfig):
    name = "sightline.core"
    label = "core"
    verbose_name = "Sightline core"
    navigation = (NavItem("Settings", "core:settings", "core.view_settings", order=80),)
    settings_pages = (
        SettingsPage(
            "Closure days",
            "core:closure_days",
            "core.manage_closure_days",
            "Days the partnership is closed beyond England's bank holidays: they are not "
            "working days, so no deadline counts them.",
            order=30,
        ),
        SettingsPage(
            "Audit trail",
            "core:audit_trail",
            "core.view_audit_trail",
            "Every change anyone made, every sign-in and every refused request, with who, when "
            "and from where.",
            order=90,
        ),
        SettingsPage(
            "Access log",
            "core:access_log",
            "core.view_access_log",
            "Who opened a case's page or downloaded an export, and when.",
            order=91,
        ),
    )

    def ready(self) -> None:
        from . import checks, policies  # noqa: F401  (registers checks and rules)
