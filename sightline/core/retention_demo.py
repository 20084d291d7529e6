"""The demo's retention: periods set for cases and their restricted details, a legal hold on
the oldest finished case, and this month's review waiting for an administrator. Run by the
case reviews' demo seeder once its cases exist (the core's own seeder runs before them)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from . import retention_services as service
from .models import LegalHold, RetentionReview
from .retention import kind_named, months_before
from .roles import Role

# Fictional choices for the demo, not advice: the partnership decides its own periods.
DEMO_PERIODS = {"cases": 84, "restricted_details": 60}


def seed_retention(*, stdout: Any) -> None:
    if RetentionReview.objects.exists() or LegalHold.objects.exists():
        stdout.write("Retention: a review or legal hold exists already, none added.")
        return
    administrator = (
        get_user_model()
        .objects.filter(is_active=True, memberships__role=Role.ADMINISTRATOR)
        .order_by("pk")
        .first()
    )
    for key, months in DEMO_PERIODS.items():
        service.retention_setting_save(actor=administrator, key=key, months=months)
    cases = kind_named("cases")
    now = timezone.now()
    oldest = next(iter(cases.finder()(before=months_before(now, 84)))) if cases else None
    if administrator is not None and oldest is not None:
        service.legal_hold_add(
            actor=administrator,
            covers=LegalHold.Covers.CASE,
            case_reference=oldest.case_reference,
            reason="Fictional demo: a civil claim about this case is under way.",
        )
    result = service.retention_review_build(now=now)
    stdout.write(
        f"Retention: {result['pending']} records waiting for review, {result['held']} kept by "
        "a legal hold."
    )
