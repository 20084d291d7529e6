"""sightline subject_access: everything held about a person, as CSV, for a subject access
request. The export is recorded in the access log against the administrator named."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.core import retention_services as service
from sightline.core.exports import csv_text
from sightline.core.retention import SubjectQuery
from sightline.core.roles import Role


class Command(BaseCommand):
    help = "Every record about a person (by name, email or case reference), as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actor", required=True, help="The administrator's email address")
        parser.add_argument("--name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--case", default="", help="A case reference")
        parser.add_argument("--output", help="Write the CSV to this file (default: standard out)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = (
            get_user_model()
            .objects.filter(
                email__iexact=options["actor"],
                is_active=True,
                memberships__role=Role.ADMINISTRATOR,
            )
            .first()
        )
        if actor is None:
            raise CommandError("--actor must be an active administrator's email address.")
        query = SubjectQuery(
            name=options["name"].strip()[:150],
            email=options["email"].strip()[:254],
            case_reference=options["case"].strip()[:40],
        )
        if not query:
            raise CommandError("Give at least one of --name, --email or --case.")
        rows = service.subject_access_rows(query)
        body = csv_text(
            ["kind of record", "record", "record id", "field", "value"],
            ([kind, row.record, row.object_id, row.field, row.value] for kind, row in rows),
        )
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as file:
                file.write(body)
        else:
            self.stdout.write(body, ending="")
        service.subject_access_exported(actor=actor, query=query, rows=len(rows))
        self.stderr.write(f"{len(rows)} values found; the export is in the access log.")
