import datetime

from django.apps import AppConfig

from .navigation import NavItem
from .scheduling import Cadence, Schedule


class CoreConfig(AppConfig):
    name = "sightline.core"
    label = "core"
    verbose_name = "Sightline core"
    home_panels = ("sightline.core.panels.background_panel",)
    schedules = (
        Schedule(
            name="core.housekeeping",
            label="Housekeeping",
            function="sightline.core.services.housekeeping",
            cadence=Cadence.DAILY,
            default_time=datetime.time(3, 0),
            description="Every night: expired sessions and finished background jobs older "
            "than 7 days are removed.",
        ),
    )
    navigation = (
        NavItem("Audit trail", "core:audit_trail", "core.view_audit_trail", order=90),
        NavItem("Access log", "core:access_log", "core.view_access_log", order=91),
    )

    def ready(self) -> None:
        from . import checks, policies  # noqa: F401  (registers checks and rules)
