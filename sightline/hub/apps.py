from django.apps import AppConfig


class HubConfig(AppConfig):
    """The public learning hub: published reviews, briefings, resources and news, its
    search and newsletter. Above ``reports`` (it publishes the approved yearly report): it
    reads every app below through their selectors, and nothing below imports it."""

    name = "sightline.hub"
    label = "hub"
    verbose_name = "Learning hub"
    demo_seeder = "sightline.hub.demo.seed"

    def ready(self) -> None:
        from . import policies  # noqa: F401  (registers rules)
        from .services import newsletter  # noqa: F401  (registers its background job)
