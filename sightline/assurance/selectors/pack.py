"""Reads for the Executive pack. Each section takes a fixed number of queries whatever the
size of the register, the tracker or the data, and hands ``pack.assemble`` plain rows."""

import datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from sightline.learning.models import Action
from sightline.learning.selectors import overdue_by_agency
from sightline.learning.vocabulary import ActionStatus
from sightline.reviews.selectors import timeliness_report

from ..models import (
    AssuranceReturn,
    DataPoint,
    Group,
    Inspection,
    Measure,
    Priority,
    PriorityUpdate,
    Risk,
    RiskAcceptance,
    RiskSettings,
)
from ..pack import as_at_for
from ..quarters import Quarter
from ..vocabulary import AssuranceLevel, Direction, GroupKind, RiskCategory


def risk_appetite() -> int:
    """The highest residual score the partnership accepts. Read only: a partnership that has
    not set its matrix yet has the default appetite."""
    settings_row = RiskSettings.objects.order_by("pk").only("appetite").first()
    return settings_row.appetite if settings_row is not None else RiskSettings().appetite


def risks_above_appetite(*, quarter: Quarter, appetite: int) -> list[dict[str, Any]]:
    """Risks open at the quarter's end with a residual score above ``appetite``, each with the
    latest acceptance that covers the quarter's end at its current score, if any (two
    queries: the risks, then the acceptances that cover them)."""
    end = quarter.end
    rows = (
        Risk.objects.filter(residual_score__gt=appetite, opened_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        .order_by("-residual_score", "reference")
        .values_list(
            "pk",
            "reference",
            "title",
            "category",
            "owner__full_name",
            "residual_score",
            "next_review_on",
        )
    )
    categories = dict(RiskCategory.choices)
    risks = {
        pk: {
            "reference": reference,
            "title": title,
            "category": categories.get(category, ""),
            "owner": owner,
            "residual_score": score,
            "next_review_on": next_review,
            "accepted_until": None,
            "accepted_by": "",
        }
        for pk, reference, title, category, owner, score, next_review in rows
    }
    acceptances = (
        RiskAcceptance.objects.filter(
            risk__residual_score__gt=appetite,
            accepted_on__lte=end,
            until__gte=end,
            residual_score__gte=F("risk__residual_score"),
        )
        .order_by("risk_id", "accepted_on", "pk")
        .values_list("risk_id", "until", "accepted_by__full_name")
    )
    # In date order, so the latest acceptance of each risk is the one left.
    for risk_id, until, accepted_by in acceptances:
        if risk_id in risks:
            risks[risk_id] |= {"accepted_until": until, "accepted_by": accepted_by}
    return list(risks.values())


def _open_at(as_at: datetime.date) -> Q:
    """Actions not complete and not closed on ``as_at``."""
    complete = Q(status=ActionStatus.COMPLETE, completed_date__lte=as_at)
    closed = Q(status=ActionStatus.CLOSED_INCOMPLETE) & (
        Q(closed_date__isnull=True) | Q(closed_date__lte=as_at)
    )
    return ~complete & ~closed


def inspection_actions_due(*, quarter: Quarter, as_at: datetime.date) -> list[dict[str, Any]]:
    """Actions on inspections' recommendations due by the quarter's end and open on
    ``as_at``, with the (latest) inspection each answers."""
    links = Inspection.recommendations.through.objects
    inspection = (
        links.filter(recommendation_id=OuterRef("recommendation_id"))
        .order_by("-inspection__started_on", "-inspection_id")
        .values("inspection__title")[:1]
    )
    rows = (
        Action.objects.filter(
            recommendation_id__in=links.values("recommendation_id"), due_date__lte=quarter.end
        )
        .filter(_open_at(as_at))
        .annotate(inspection=Subquery(inspection))
        .order_by("due_date", "reference")
        .values_list(
            "reference",
            "description",
            "agency__name",
            "due_date",
            "status",
            "completed_date",
            "closed_date",
            "recommendation__reference",
            "inspection",
        )
    )
    labels = dict(ActionStatus.choices)
    return [
        {
            "reference": reference,
            "description": description,
            "agency": agency,
            "due_date": due,
            "status": status,
            "status_label": labels.get(status, status),
            "finished_on": completed or closed,
            "recommendation": recommendation,
            "inspection": title,
        }
        for (
            reference,
            description,
            agency,
            due,
            status,
            completed,
            closed,
            recommendation,
            title,
        ) in rows
    ]


def returns_not_assured(*, quarter: Quarter) -> list[dict[str, Any]]:
    rows = (
        AssuranceReturn.objects.filter(
            quarter_start=quarter.start,
            level__in=[AssuranceLevel.PARTIAL, AssuranceLevel.NOT_ASSURED],
        )
        .order_by("group__name")
        .values_list("group__name", "level", "exceptions", "escalations")
    )
    return [
        {
            "group": group,
            "level": level,
            "level_label": AssuranceLevel(level).label,
            "exceptions": exceptions,
            "escalations": escalations,
        }
        for group, level, exceptions, escalations in rows
    ]


def returns_missing(*, quarter: Quarter) -> list[str]:
    """Active subgroups and boards, set up by the quarter's end, with no return for it."""
    after_end = timezone.make_aware(
        datetime.datetime.combine(quarter.next().start, datetime.time.min)
    )
    made = AssuranceReturn.objects.filter(group=OuterRef("pk"), quarter_start=quarter.start)
    return list(
        Group.objects.filter(is_active=True, created_at__lt=after_end)
        .exclude(kind=GroupKind.EXECUTIVE)
        .exclude(Exists(made))
        .order_by("name")
        .values_list("name", flat=True)
    )


def threshold_breaches(*, quarter: Quarter) -> list[dict[str, Any]]:
    """Figures recorded for the quarter past their measure's threshold. The measures with a
    threshold are listed first, so that each one's figure for the quarter is found in the
    (measure, quarter) index rather than by reading every figure."""
    watched = Measure.objects.filter(threshold__isnull=False).values("pk")
    past = Q(measure__direction=Direction.ABOVE, value__gt=F("measure__threshold")) | Q(
        measure__direction=Direction.BELOW, value__lt=F("measure__threshold")
    )
    rows = (
        DataPoint.objects.filter(measure_id__in=watched, quarter_start=quarter.start)
        .filter(past)
        .order_by("measure__group__name", "measure__name")
        .values_list(
            "measure__group__name",
            "measure__name",
            "measure__code",
            "measure__dataset",
            "measure__breakdown",
            "measure__unit",
            "value",
            "measure__threshold",
            "measure__direction",
            "note",
        )
    )
    return [
        {
            "group": group,
            "measure": name,
            "code": code,
            "dataset": dataset,
            "breakdown": breakdown,
            "unit": unit,
            "value": value,
            "threshold": threshold,
            "direction": direction,
            "note": note,
        }
        for group, name, code, dataset, breakdown, unit, value, threshold, direction, note in rows
    ]


def case_review_timeliness(*, quarter: Quarter, as_at: datetime.date) -> dict[str, Any]:
    """The reviews app's timeliness report for standards whose clock started in the quarter."""
    return timeliness_report(as_at=as_at, since=quarter.start, with_cases=False)


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
    return {
        "quarter": quarter,
        "today": today,
        "appetite": appetite,
        "risks": risks_above_appetite(quarter=quarter, appetite=appetite),
        "inspection_actions": inspection_actions_due(quarter=quarter, as_at=as_at),
        "returns": returns_not_assured(quarter=quarter),
        "missing_returns": returns_missing(quarter=quarter),
        "breaches": threshold_breaches(quarter=quarter),
        "timeliness": case_review_timeliness(quarter=quarter, as_at=as_at),
        "overdue_by_agency": overdue_learning(quarter=quarter, today=today),
        "priorities": priority_status(quarter=quarter),
    }
