"""Reads for the Executive pack. Each section takes a fixed number of queries whatever the
size of the register, the tracker or the data, and hands ``pack.assemble`` plain rows.

The inspection actions, the assurance returns and the data exceptions are read by the
inspections, groups and data selectors, which share their rules with the quarterly inspection
update and the roll-up, so the pack and those pages count alike; here they are only put in
the pack's shape."""

import datetime
from typing import Any

from django.db.models import Case, Count, OuterRef, Q, Subquery, Value, When

from sightline.learning.models import Action
from sightline.learning.selectors import overdue_by_agency
from sightline.learning.vocabulary import ActionStatus
from sightline.reviews.selectors import timeliness_report

from ..models import Priority, PriorityUpdate, Risk, RiskSettings
from ..pack import as_at_for
from ..quarters import Quarter
from ..vocabulary import AssuranceLevel, RiskCategory
from .data import exceptions_for_quarter
from .groups import returns_for_quarter
from .inspections import inspection_actions_for_quarter
from .risks import newest_acceptance, with_accepted_until

NOT_FULLY_ASSURED = {AssuranceLevel.PARTIAL, AssuranceLevel.NOT_ASSURED}


def risk_appetite() -> int:
    """The highest residual score the partnership accepts. Read only: a partnership that has
    not set its matrix yet has the default appetite."""
    settings_row = RiskSettings.objects.order_by("pk").only("appetite").first()
    return settings_row.appetite if settings_row is not None else RiskSettings().appetite


def risks_above_appetite(*, quarter: Quarter, appetite: int) -> list[dict[str, Any]]:
    """Risks open at the quarter's end with a residual score above ``appetite``, each with the
    acceptance covering the quarter's end, decided as the register decides it (the newest
    acceptance made by then). One query."""
    end = quarter.end
    risks = (
        Risk.objects.filter(residual_score__gt=appetite, opened_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        .order_by("-residual_score", "reference")
    )
    rows = (
        with_accepted_until(risks, end, made_by=end)
        .annotate(
            accepted_by=Case(
                When(
                    accepted_until__isnull=False,
                    then=newest_acceptance("accepted_by__full_name", on_or_before=end),
                ),
                default=Value(""),
            )
        )
        .values_list(
            "reference",
            "title",
            "category",
            "owner__full_name",
            "residual_score",
            "next_review_on",
            "accepted_until",
            "accepted_by",
        )
    )
    categories = dict(RiskCategory.choices)
    return [
        {
            "reference": reference,
            "title": title,
            "category": categories.get(category, ""),
            "owner": owner,
            "residual_score": score,
            "next_review_on": next_review,
            "accepted_until": until,
            "accepted_by": accepted_by or "",
        }
        for reference, title, category, owner, score, next_review, until, accepted_by in rows
    ]


def inspection_actions_due(*, quarter: Quarter, today: datetime.date) -> list[dict[str, Any]]:
    """The inspections area's actions due by the quarter's end and still open on the pack's
    date, in the pack's shape: ``status`` is the code, ``status_label`` the words, and
    ``finished_on`` the day the action was completed or closed, if it has been since."""
    return [
        {
            "reference": row["reference"],
            "description": row["description"],
            "agency": row["agency"],
            "due_date": row["due_date"],
            "status": row["status_code"],
            "status_label": row["status"],
            "finished_on": row["completed_date"] or row["closed_date"],
            "recommendation": row["recommendation"],
            "inspection": row["inspection"],
        }
        for row in inspection_actions_for_quarter(quarter=quarter, today=today)
    ]


def group_returns(*, quarter: Quarter) -> tuple[list[dict[str, Any]], list[str]]:
    """From the roll-up's rows for the quarter: the returns that are partially assured or not
    assured, and the names of the groups that have made none."""
    not_assured: list[dict[str, Any]] = []
    missing: list[str] = []
    for row in returns_for_quarter(quarter=quarter):
        if row["missing"]:
            missing.append(row["group"].name)
        elif row["level"] in NOT_FULLY_ASSURED:
            not_assured.append(
                {
                    "group": row["group"].name,
                    "level": row["level"],
                    "level_label": row["level_label"],
                    "exceptions": row["exceptions"],
                    "escalations": row["escalations"],
                }
            )
    return not_assured, missing


def threshold_breaches(*, quarter: Quarter) -> list[dict[str, Any]]:
    """The data area's figures for the quarter beyond their measure's threshold, as plain
    rows: names rather than the measure and group themselves."""
    return [
        {
            "group": row["group"].name,
            "measure": row["measure"].name,
            "code": row["measure"].code,
            "dataset": row["measure"].dataset,
            "breakdown": row["measure"].breakdown,
            "unit": row["unit"],
            "value": row["value"],
            "threshold": row["threshold"],
            "direction": row["direction"],
            "note": row["note"],
        }
        for row in exceptions_for_quarter(quarter=quarter)
    ]


def case_review_timeliness(*, quarter: Quarter, as_at: datetime.date) -> dict[str, Any]:
    """The reviews app's timeliness report for standards whose clock started in the quarter."""
    return timeliness_report(as_at=as_at, since=quarter.start, with_cases=False)


def _open_at(as_at: datetime.date) -> Q:
    """Actions not complete and not closed on ``as_at``."""
    complete = Q(status=ActionStatus.COMPLETE, completed_date__lte=as_at)
    closed = Q(status=ActionStatus.CLOSED_INCOMPLETE) & (
        Q(closed_date__isnull=True) | Q(closed_date__lte=as_at)
    )
    return ~complete & ~closed


def overdue_learning(*, quarter: Quarter, today: datetime.date) -> list[dict[str, Any]]:
    """Overdue learning actions for each agency: the learning tracker's own count of today's
    for the current quarter; for one that has ended, those past their due date and neither
    complete nor closed on its last day (one grouped query)."""
    if today <= quarter.end:
        return [
            {"agency": row["agency__name"], "overdue": row["overdue"]}
            for row in overdue_by_agency()
        ]
    end = quarter.end
    rows = (
        Action.objects.filter(due_date__lt=end, recommendation__made_date__lte=end)
        .filter(_open_at(end))
        .order_by()
        .values("agency__name")
        .annotate(overdue=Count("pk"))
        .values_list("agency__name", "overdue")
    )
    return [{"agency": agency, "overdue": count} for agency, count in rows]


def priority_status(*, quarter: Quarter) -> list[dict[str, Any]]:
    """Each current priority's status for the quarter: the latest update for it, if any."""
    updates = PriorityUpdate.objects.filter(
        priority=OuterRef("pk"), quarter_start=quarter.start
    ).order_by("-recorded_at", "-pk")
    rows = (
        Priority.objects.filter(is_active=True)
        .annotate(
            quarter_rag=Subquery(updates.values("rag")[:1]),
            quarter_reason=Subquery(updates.values("reason")[:1]),
            quarter_recorded_at=Subquery(updates.values("recorded_at")[:1]),
        )
        .order_by("position", "name")
        .values_list(
            "pk",
            "name",
            "lead__full_name",
            "quarter_rag",
            "quarter_reason",
            "quarter_recorded_at",
        )
    )
    return [
        {
            "pk": pk,
            "name": name,
            "lead": lead or "",
            "rag": rag,
            "reason": reason or "",
            "recorded_at": recorded_at,
        }
        for pk, name, lead, rag, reason, recorded_at in rows
    ]


def pack_rows(*, quarter: Quarter, today: datetime.date) -> dict[str, Any]:
    """Every row the pack for ``quarter`` needs, as ``pack.assemble``'s keyword arguments."""
    as_at = as_at_for(quarter, today)
    appetite = risk_appetite()
    returns, missing = group_returns(quarter=quarter)
    return {
        "quarter": quarter,
        "today": today,
        "appetite": appetite,
        "risks": risks_above_appetite(quarter=quarter, appetite=appetite),
        "inspection_actions": inspection_actions_due(quarter=quarter, today=today),
        "returns": returns,
        "missing_returns": missing,
        "breaches": threshold_breaches(quarter=quarter),
        "timeliness": case_review_timeliness(quarter=quarter, as_at=as_at),
        "overdue_by_agency": overdue_learning(quarter=quarter, today=today),
        "priorities": priority_status(quarter=quarter),
    }
