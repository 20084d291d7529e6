import datetime

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules

from .backup import backup_schedules
from .navigation import NavItem, SettingsPage
from .scheduling import Cadence, Schedule


class CoreConfig(AppConfig):
    name = "sightline.core"
    label = "core"
    verbose_name = "Sightline core"
    demo_seeder = "sightline.core.demo.seed"
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
        Schedule(
            name="core.audit_anchor",
            label="Audit trail anchor",
            function="sightline.core.audit_seals.seal_and_anchor",
            cadence=Cadence.DAILY,
            default_time=datetime.time(6, 0),
            description="Every morning: the audit trail's hash chain is sealed and its latest "
            "hash written to the log, the anchor file and the information governance lead.",
        ),
        Schedule(
            name="core.retention_review",
            label="Retention review",
            function="sightline.core.retention_services.retention_review_scheduled",
            cadence=Cadence.MONTHLY,
            default_time=datetime.time(4, 0),
            description="On the first of each month: the records past their retention period "
            "are listed for an administrator to review, and the administrators are emailed.",
        ),
        *backup_schedules(),
    )
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
        SettingsPage(
            "Emails and background work",
            "core:background_work",
            "core.manage_background_work",
            "Whether the worker is keeping up, when the reminders run, and any email that "
            "could not be sent, to send it again.",
            order=92,
        ),
        SettingsPage(
            "Retention",
            "core:retention",
            "core.manage_retention",
            "How long each kind of record is kept, legal holds, the monthly list of records "
            "past their period, and subject access requests.",
            order=93,
        ),
    )

    def ready(self) -> None:
        from . import checks, policies, ranges  # noqa: F401  (registers checks and rules)

        ranges.install()
        # Each app's kinds of record for the retention registry (sightline.core.retention).
        autodiscover_modules("retention")
        from . import retention_kinds  # noqa: F401
