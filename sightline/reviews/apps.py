from django.apps import AppConfig

from sightline.core.navigation import NavItem


class ReviewsConfig(AppConfig):
    name = "sightline.reviews"
    label = "reviews"
    verbose_name = "Case reviews"
    demo_seeder = "sightline.reviews.demo.seed"
    home_panels = (
        "sightline.reviews.panels.deadlines_panel",
        "sightline.reviews.panels.timeliness_panel",
        "sightline.reviews.panels.settings_panel",
    )
    navigation = (
        NavItem("Cases", "reviews:case_list", "reviews.view_case_list", order=10),
        NavItem("Deadlines", "reviews:deadlines", "reviews.view_deadlines", order=11),
        NavItem("Timeliness", "reviews:timeliness", "reviews.view_timeliness", order=12),
    )

    def ready(self) -> None:
        from sightline.core.views import register_import_jobs

        from . import policies, receivers  # noqa: F401  (registers rules and receivers)
        from .views import ImportView

        register_import_jobs(ImportView)
