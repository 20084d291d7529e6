"""Create the first partnership administrator on a new installation."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sightline.accounts import services
from sightline.accounts.models import Agency, Sector
from sightline.core.roles import Role


class Command(BaseCommand):
    help = (
        "Create a partnership administrator and email them a link to set their password. "
        "The agency is created (sector 'other') if Sightline does not know it yet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True, help="The administrator's full name.")
        parser.add_argument("--agency", required=True, help="The agency they work for.")

    def handle(self, *args: Any, email: str, name: str, agency: str, **options: Any) -> None:
        try:
            with transaction.atomic():
                home = Agency.objects.filter(name__iexact=agency.strip()).first()
                if home is None:
                    home = services.agency_create(actor=None, name=agency, sector=Sector.OTHER)
                user = services.user_create(
                    actor=None,
                    email=email,
                    full_name=name,
                    agency=home,
                    role=Role.ADMINISTRATOR,
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{user.email} is an administrator and has been sent a link to set a password."
            )
        )
