import datetime

from django.apps import AppConfig

from sightline.core.navigation import NavItem, SettingsPage
from sightline.core.scheduling import Cadence, Schedule


class ReportsConfig(AppConfig):
    """Dashboards, the Executive pack and the yearly report: reads every domain app through
    its selectors and writes only its own drafts and their approvals."""

    name = "sightline.reports"
    label = "reports"
    verbose_name = "Reports"
    demo_seeder = "sightline.reports.demo.seed"
    settings_pages = (
        SettingsPage(
            "Yearly report",
            "reports:yearly_settings",
            "reports.manage_settings",
            "Where the yearly report's case review position starts, the threshold below which "
            "figures about people are flagged, and the days allowed to send it to the "
            "national panel.",
            order=45,
        ),
    )
    home_panels = (
        "sightline.reports.panels.executive.executive_panel",
        "sightline.reports.panels.roles.business_unit_panel",
        "sightline.reports.panels.roles.agency_panel",
        "sightline.reports.panels.roles.review_group_panel",
        "sightline.reports.panels.roles.trainer_panel",
        "sightline.reports.panels.roles.practitioner_panel",
    )
    schedules = (
        Schedule(
            name="reports.snapshots",
            label="Trend figures of past quarters",
            function="sightline.reports.services.quarter_snapshots_refresh",
            cadence=Cadence.DAILY,
            default_time=datetime.time(2, 30),
            description="Counts again the last twelve closed quarters' trend figures "
            "(deadlines met, actions overdue, risks above appetite), which the dashboards "
            "and the Executive pack read rather than recount.",
        ),
    )
    # Each person's own: the dashboard of their main role (the others are linked from it).
    navigation = (NavItem("Dashboard", "reports:dashboard", "reports.view_dashboard", order=5),)

    def ready(self) -> None:
        from . import policies  # noqa: F401  (registers rules)

        # Each registers its background jobs: the pack's PDF, the yearly report's PDF and Word.
        from .views import pack, yearly  # noqa: F401
