from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Dashboards, the Executive pack and the yearly report: reads every domain app through
    its selectors and writes only its own drafts and their approvals."""

    name = "sightline.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from . import policies  # noqa: F401  (registers rules)
        from .views import yearly  # noqa: F401  (registers the yearly report's PDF and Word jobs)
