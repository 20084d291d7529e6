from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Dashboards, the Executive pack and the yearly report: reads every domain app through
    its selectors and writes only its own drafts and their approvals."""

    name = "sightline.reports"
    label = "reports"
    verbose_name = "Reports"
    home_panels = ("sightline.reports.panels.executive.executive_panel",)

    def ready(self) -> None:
        from . import policies  # noqa: F401  (registers rules)
        from .views import pack  # noqa: F401  (registers the pack's PDF job)
