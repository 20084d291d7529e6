"""Load the fictional demo partnership. Running it again changes nothing.

Each app that has demo data names a seeder in its AppConfig (``demo_seeder``: the dotted path
of a function ``seed(*, password, stdout)``); they run in INSTALLED_APPS order, so each app's
data can build on the apps before it.
"""

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.module_loading import import_string

from sightline.core.outbox import held_back

DEFAULT_PASSWORD = "sightline-demo"  # noqa: S105 (the demo's published password)
DEMO_DOMAIN = "demo.sightline.test"


class Command(BaseCommand):
    help = (
        "Create the fictional demo partnership: agencies, a user per role, and each app's records."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password for new demo users (default: {DEFAULT_PASSWORD}).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database has users and none of them is a demo user "
            "(used by 'make run', so that a real partnership's database is left alone).",
        )

    def handle(self, *args: Any, password: str, if_empty: bool, **options: Any) -> None:
        users = get_user_model().objects
        if if_empty and users.exists() and not users.filter(email__endswith=f"@{DEMO_DOMAIN}"):
            self.stdout.write("The database has real users: demo data not loaded.")
            return
        # Its people are fictional: changes made while loading it write no email.
        with transaction.atomic(), held_back():
            for config in apps.get_app_configs():
                seeder = getattr(config, "demo_seeder", None)
                if seeder:
                    import_string(seeder)(password=password, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo partnership ready."))
