import datetime

from django.apps import AppConfig

from sightline.core.scheduling import Cadence, Schedule


class HubConfig(AppConfig):
    """The public learning hub: published reviews, briefings, resources and news, its
    search and newsletter. Above ``reports`` (it publishes the approved yearly report): it
    reads every app below through their selectors, and nothing below imports it."""

    name = "sightline.hub"
    label = "hub"
    verbose_name = "Learning hub"
    demo_seeder = "sightline.hub.demo.seed"
    home_panels = ("sightline.hub.panels.hub_panel",)
    schedules = (
        Schedule(
            name="hub.newsletter_tidy",
            label="Newsletter addresses",
            function="sightline.hub.services.newsletter.subscribers_tidy",
            cadence=Cadence.DAILY,
            default_time=datetime.time(3, 30),
            description="Every night: addresses never confirmed are forgotten 30 days after "
            "their link expired, and unsubscribed ones 30 days after they unsubscribed.",
        ),
    )

    def ready(self) -> None:
        from . import policies  # noqa: F401  (registers rules)
        from .services import newsletter  # noqa: F401  (registers its background job)
