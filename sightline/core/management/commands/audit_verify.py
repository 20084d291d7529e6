"""``sightline audit_verify``: recompute the audit trail's hash chain and say whether it holds.

Exit status 0: every sealed event matches. 1: the first event (or seal) that does not is
named. 2: the check could not run (bad arguments, no database)."""

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from sightline.core import audit_seals

EXPECT = re.compile(r"^(\d{1,18}):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = "Check the audit trail and access log against their hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            action="store_true",
            help="Once the chain verifies, anchor its head (log, anchor file, email)",
        )
        parser.add_argument(
            "--expect",
            metavar="SEAL:HASH",
            help="An anchored head (from the anchor email) that must still be in the chain",
        )

    def handle(self, *args: Any, anchor: bool, expect: str | None, **options: Any) -> None:
        expected = None
        if expect:
            match = EXPECT.match(expect.strip().lower())
            if match is None:
                self.stderr.write(
                    "--expect must be a seal number and its 64-character hash: N:HASH"
                )
                raise SystemExit(2)
            expected = audit_seals.Head(int(match[1]), match[2], timezone.now())
        try:
            result = audit_seals.verify(expected=expected)
        except (DatabaseError, OSError, ValueError) as error:
            self.stderr.write(f"The audit trail could not be checked: {error}")
            raise SystemExit(2) from error
        if result.mismatch is not None:
            self.stderr.write(f"Audit trail does not verify. {result.mismatch.describe()}.")
            self.stderr.write(
                f"{result.events} events in {result.seals} seals matched before it. "
                "Keep the database as it is and tell the information governance lead."
            )
            raise SystemExit(1)
        self.stdout.write(f"{result.events} events verified in {result.seals} seals")
        if result.unsealed:
            self.stdout.write(f"{result.unsealed} newer events not sealed yet")
        if result.checkpoint_seal_id is not None:
            self.stdout.write(
                f"Verified from the archive checkpoint at seal {result.checkpoint_seal_id}"
            )
        if anchor:
            try:
                current = audit_seals.anchor()
            except (DatabaseError, OSError) as error:
                self.stderr.write(f"The chain's head could not be anchored: {error}")
                raise SystemExit(2) from error
            if current is not None:
                self.stdout.write(f"Anchored the head: {current.as_line()}")
