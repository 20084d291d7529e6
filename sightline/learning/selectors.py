"""Reads of the learning tracker."""

import datetime
from typing import Any

from . import reporting
from .models import Action, Evidence, Recommendation
from .vocabulary import EvidenceKind


def learning_report(*, as_at: datetime.date) -> dict[str, Any]:
    """The learning report as at ``as_at``: three queries, whatever the number of actions."""
    recommendations = [
        {
            "reference": rec.reference,
            "source_type": rec.source_type,
            "source": rec.source,
            "made_date": rec.made_date,
            "decision": rec.decision,
            "decision_reason": rec.decision_reason,
        }
        for rec in Recommendation.objects.select_related("source_case").only(
            "reference",
            "source_type",
            "source_title",
            "source_case__reference",
            "made_date",
            "decision",
            "decision_reason",
        )
    ]
    dates: dict[tuple[int, str], list[datetime.date]] = {}
    for action_id, kind, dated in Evidence.objects.values_list("action_id", "kind", "dated"):
        dates.setdefault((action_id, kind), []).append(dated)
    actions = [
        {
            "recommendation": row["recommendation__reference"],
            "agency": row["agency__name"],
            "status": row["status"],
            "due_date": row["due_date"],
            "completed_date": row["completed_date"],
            "dissemination_dates": dates.get((row["pk"], EvidenceKind.DISSEMINATION), []),
            "impact_dates": dates.get((row["pk"], EvidenceKind.IMPACT), []),
        }
        for row in Action.objects.values(
            "pk",
            "recommendation__reference",
            "agency__name",
            "status",
            "due_date",
            "completed_date",
        )
    ]
    return reporting.report(recommendations, actions, as_at=as_at)
