from django.apps import AppConfig

from sightline.core.navigation import SettingsPage


class AccountsConfig(AppConfig):
    name = "sightline.accounts"
    label = "accounts"
    verbose_name = "Accounts and partner agencies"
    demo_seeder = "sightline.accounts.demo.seed"
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
    )

    def ready(self) -> None:
        from . import policies, signals  # noqa: F401  (registers rules and signal receivers)
        from .mfa import checks  # noqa: F401  (registers the demonstration's check)
