from django.apps import AppConfig

from sightline.core.navigation import NavItem


class AccountsConfig(AppConfig):
    name = "sightline.accounts"
    label = "accounts"
    verbose_name = "Accounts and partner agencies"
    demo_seeder = "sightline.accounts.demo.seed"
    navigation = (
        NavItem("Home", "accounts:home", "accounts.view_home", order=0),
        NavItem("Users", "accounts:user_list", "accounts.manage_users", order=80),
        NavItem("Agencies", "accounts:agency_list", "accounts.view_agency_list", order=81),
    )

    def ready(self) -> None:
        from . import policies, signals  # noqa: F401  (registers rules and signal receivers)
