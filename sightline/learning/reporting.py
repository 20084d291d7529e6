"""The learning report (pure: no ORM): section 2 of the learning tracker contract."""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

DECISIONS = ("accepted", "accepted_in_part", "not_accepted")
ACTION_FIGURES = (
    "actions",
    "complete",
    "complete_on_time",
    "closed_incomplete",
    "overdue",
    "open",
    "with_dissemination_evidence",
    "with_impact_evidence",
)
RECOMMENDATION_FIGURES = ("recommendations", *DECISIONS, "undecided")


def _empty(figures: Iterable[str]) -> dict[str, int]:
    return dict.fromkeys(figures, 0)


def action_standing(action: Mapping[str, Any], as_at: datetime.date) -> dict[str, bool]:
    """Which of the report's figures one action counts towards, as at ``as_at``."""
    completed = action.get("completed_date")
    complete = action["status"] == "complete" and completed is not None and completed <= as_at
    closed = not complete and action["status"] == "closed_incomplete"
    overdue = not complete and not closed and action["due_date"] < as_at
    return {
        "complete": complete,
        "complete_on_time": complete and completed <= action["due_date"],
        "closed_incomplete": closed,
        "overdue": overdue,
        "open": not (complete or closed or overdue),
        "with_dissemination_evidence": any(d <= as_at for d in action["dissemination_dates"]),
        "with_impact_evidence": any(d <= as_at for d in action["impact_dates"]),
    }


def report(
    recommendations: Iterable[Mapping[str, Any]],
    actions: Iterable[Mapping[str, Any]],
    *,
    as_at: datetime.date,
) -> dict[str, Any]:
    """Recommendations carry reference, source_type, source, made_date, decision and
    decision_reason; actions carry recommendation (its reference), agency (a name), status,
    due_date, completed_date and the dates of their dissemination and impact evidence."""
    counted = {rec["reference"]: rec for rec in recommendations if rec["made_date"] <= as_at}
    totals = _empty((*RECOMMENDATION_FIGURES, *ACTION_FIGURES))
    by_source: dict[tuple[str, str], dict[str, int]] = {}
    by_agency: dict[str, dict[str, int]] = {}

    def source_of(rec: Mapping[str, Any]) -> dict[str, int]:
        key = (rec["source_type"], rec["source"])
        if key not in by_source:
            by_source[key] = _empty((*RECOMMENDATION_FIGURES, *ACTION_FIGURES))
        return by_source[key]

    for rec in counted.values():
        decision = rec["decision"] if rec["decision"] in DECISIONS else "undecided"
        for figures in (totals, source_of(rec)):
            figures["recommendations"] += 1
            figures[decision] += 1
    for action in actions:
        source = counted.get(action["recommendation"])
        if source is None:
            continue
        standing = action_standing(action, as_at)
        agency = by_agency.setdefault(action["agency"], _empty(ACTION_FIGURES))
        for figures in (totals, source_of(source), agency):
            figures["actions"] += 1
            for name, counts in standing.items():
                figures[name] += counts
    return {
        "as_at": as_at.isoformat(),
        "totals": totals,
        "by_source": [
            {"source_type": source_type, "source": source, **figures}
            for (source_type, source), figures in sorted(by_source.items())
        ],
        "by_agency": [{"agency": name, **figures} for name, figures in sorted(by_agency.items())],
        "not_accepted": [
            {
                "recommendation_ref": rec["reference"],
                "source": rec["source"],
                "reason": rec["decision_reason"],
            }
            for rec in sorted(counted.values(), key=lambda rec: rec["reference"])
            if rec["decision"] == "not_accepted"
        ],
    }
