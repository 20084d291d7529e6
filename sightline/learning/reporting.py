"""The learning report (pure: no ORM): section 2 of the learning tracker contract.

The selector counts actions in the database, grouped by source and agency (see
``selectors.learning_report``); this module adds the groups up into the report's shape.
"""

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


def no_action_figures() -> dict[str, int]:
    return _empty(ACTION_FIGURES)


def count_actions(
    figures: dict[str, int], *, status: str, count: int, on_time: int, due_before: int
) -> None:
    """Add ``count`` actions that had ``status`` at the report's date to ``figures``, each in
    exactly one of complete, closed without completion, overdue or open. ``on_time``: how
    many of them were completed on or before their due date; ``due_before``: how many were
    due before the report's date."""
    figures["actions"] += count
    if status == "complete":
        figures["complete"] += count
        figures["complete_on_time"] += on_time
    elif status == "closed_incomplete":
        figures["closed_incomplete"] += count
    else:
        figures["overdue"] += due_before
        figures["open"] += count - due_before


def report(
    recommendations: Iterable[Mapping[str, Any]],
    action_groups: Iterable[Mapping[str, Any]],
    *,
    as_at: datetime.date,
) -> dict[str, Any]:
    """``recommendations``: those made by ``as_at``, with reference, source_type, source,
    decision and decision_reason. ``action_groups``: counts of their actions for each
    (source_type, source, agency), one count for each of ACTION_FIGURES."""
    totals = _empty((*RECOMMENDATION_FIGURES, *ACTION_FIGURES))
    by_source: dict[tuple[str, str], dict[str, int]] = {}
    by_agency: dict[str, dict[str, int]] = {}
    not_accepted = []

    def source_of(source_type: str, source: str) -> dict[str, int]:
        key = (source_type, source)
        if key not in by_source:
            by_source[key] = _empty((*RECOMMENDATION_FIGURES, *ACTION_FIGURES))
        return by_source[key]

    for rec in recommendations:
        decision = rec["decision"] if rec["decision"] in DECISIONS else "undecided"
        for figures in (totals, source_of(rec["source_type"], rec["source"])):
            figures["recommendations"] += 1
            figures[decision] += 1
        if decision == "not_accepted":
            not_accepted.append(
                {
                    "recommendation_ref": rec["reference"],
                    "source": rec["source"],
                    "reason": rec["decision_reason"],
                }
            )
    for group in action_groups:
        if group["agency"] not in by_agency:
            by_agency[group["agency"]] = _empty(ACTION_FIGURES)
        targets = (
            totals,
            source_of(group["source_type"], group["source"]),
            by_agency[group["agency"]],
        )
        for name in ACTION_FIGURES:
            for figures in targets:
                figures[name] += group[name]
    return {
        "as_at": as_at.isoformat(),
        "totals": totals,
        "by_source": [
            {"source_type": source_type, "source": source, **figures}
            for (source_type, source), figures in sorted(by_source.items())
        ],
        "by_agency": [{"agency": name, **figures} for name, figures in sorted(by_agency.items())],
        "not_accepted": sorted(not_accepted, key=lambda item: item["recommendation_ref"]),
    }
