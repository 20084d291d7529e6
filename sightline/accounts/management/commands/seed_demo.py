"""Load the fictional demo partnership. Running it again changes nothing."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from sightline.accounts import demo, services
from sightline.accounts.models import Agency, Membership, User


class Command(BaseCommand):
    help = "Create the fictional demo partnership: agencies and one user per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=demo.DEFAULT_PASSWORD,
            help=f"Password for new demo users (default: {demo.DEFAULT_PASSWORD}).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users (used by 'make run').",
        )

    def handle(self, *args: Any, password: str, if_empty: bool, **options: Any) -> None:
        if if_empty and User.objects.exists():
            self.stdout.write("The database already has users: demo data not loaded.")
            return
        with transaction.atomic():
            agencies, created_agencies = self._agencies()
            created_users = self._users(agencies, password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo partnership ready: {created_agencies} agencies and "
                f"{created_users} users created."
            )
        )
        self.stdout.write("Sign in at http://127.0.0.1:8000 as any of:")
        for role, _, _, _ in demo.USERS:
            self.stdout.write(f"  {role.label:<32} {demo.demo_email(role)}")
        self.stdout.write(
            f"with the password given to seed_demo (default: {demo.DEFAULT_PASSWORD})."
        )

    def _agencies(self) -> tuple[dict[str, Agency], int]:
        existing = {agency.name: agency for agency in Agency.objects.all()}
        created = 0
        for name, sector in demo.AGENCIES:
            if name not in existing:
                existing[name] = services.agency_create(actor=None, name=name, sector=sector)
                created += 1
        return existing, created

    def _users(self, agencies: dict[str, Agency], password: str) -> int:
        created = 0
        for role, full_name, job_title, agency_name in demo.USERS:
            email = demo.demo_email(role)
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = services.user_create(
                    actor=None,
                    email=email,
                    full_name=full_name,
                    job_title=job_title,
                    password=password,
                    send_password_link=False,
                )
                created += 1
            agency = agencies[agency_name]
            if not Membership.objects.filter(user=user, agency=agency, role=role).exists():
                services.membership_add(actor=None, user=user, agency=agency, role=role)
        return created
