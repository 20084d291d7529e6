import datetime

from django.apps import AppConfig

from sightline.core.navigation import SettingsPage
from sightline.core.scheduling import Cadence, Schedule


class AccountsConfig(AppConfig):
    name = "sightline.accounts"
    label = "accounts"
    verbose_name = "Accounts and partner agencies"
    demo_seeder = "sightline.accounts.demo.seed"
    home_panels = ("sightline.accounts.panels.access_reviews_panel",)
    settings_pages = (
        SettingsPage(
            "Users",
            "accounts:user_list",
            "accounts.manage_users",
            "Add people, give them roles in their agencies, send password links and "
            "deactivate accounts.",
            order=10,
        ),
        SettingsPage(
            "Agencies",
            "accounts:agency_list",
            "accounts.view_agency_list",
            "The partner agencies, their sectors, and who holds which role in each.",
            order=11,
        ),
        SettingsPage(
            "Access reviews",
            "accounts:access_review_list",
            "accounts.view_all_access_reviews",
            "Every six months each agency's leads confirm who still needs access: where "
            "each agency's review stands.",
            order=12,
        ),
        SettingsPage(
            "Single sign-on requests",
            "accounts:sso_link_list",
            "accounts.manage_sso_links",
            "Confirm which account a first sign-in with an organisation's work account "
            "belongs to, or refuse it.",
            order=13,
        ),
    )
    schedules = (
        Schedule(
            name="accounts.inactive_suspensions",
            label="Suspend accounts not used for 90 days",
            function="sightline.accounts.services.inactive_suspensions_scheduled",
            cadence=Cadence.DAILY,
            default_time=datetime.time(6, 0),
            description="Suspends every account not signed in to for the inactivity period "
            "(SIGHTLINE_INACTIVE_DAYS) and emails the person and their agency leads.",
        ),
        Schedule(
            name="accounts.access_reviews",
            label="Access reviews and their reminders",
            function="sightline.accounts.services.access_reviews_scheduled",
            cadence=Cadence.DAILY,
            default_time=datetime.time(6, 30),
            description="Opens each agency's access review every six months and reminds its "
            "agency leads each week until it is done.",
        ),
    )

    def ready(self) -> None:
        from . import checks, policies, signals  # noqa: F401  (registers rules, checks, receivers)
        from .mfa import checks as mfa_checks  # noqa: F401  (registers the demonstration's check)
