"""Reads of inspections, their recommendations' actions in the learning tracker, and the
quarterly inspection update for the Executive."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from sightline.accounts.models import Agency, User
from sightline.learning.models import Action, Recommendation
from sightline.learning.vocabulary import OPEN_STATUSES, ActionStatus

from ..models import Inspection
from ..quarters import Quarter


def counted(rows: QuerySet[Any], key: str) -> Coalesce:
    """How many of ``rows`` belong to the outer row, as a subquery (``key`` is the lookup
    from a row to the outer row's key): a list's counts without aggregating a join."""
    numbers = rows.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(numbers, output_field=IntegerField()), Value(0))


def inspection_list(*, inspectorate: str = "") -> QuerySet[Inspection]:
    """Inspections, latest first, each with how many recommendations it made and how many of
    their actions are open and overdue."""
    through = Inspection.recommendations.through
    today = timezone.localdate()
    actions = Action.objects.filter(recommendation__inspections=OuterRef("pk"))
    inspections = Inspection.objects.all()
    if inspectorate:
        inspections = inspections.filter(inspectorate=inspectorate)
    return inspections.annotate(
        recommendation_count=counted(
            through.objects.filter(inspection=OuterRef("pk")), "inspection"
        ),
        open_actions=counted(
            actions.filter(status__in=OPEN_STATUSES), "recommendation__inspections"
        ),
        overdue_actions=counted(
            actions.filter(status__in=OPEN_STATUSES, due_date__lt=today),
            "recommendation__inspections",
        ),
    ).order_by("-started_on", "title")


def inspection_get(*, pk: int) -> Inspection:
    inspection = Inspection.objects.filter(pk=pk).first()
    if inspection is None:
        raise Http404("No such inspection.")
    return inspection


def findings_with_actions(recommendations: QuerySet[Recommendation]) -> list[Recommendation]:
    """Recommendations (or audit findings), oldest first, each with its actions loaded."""
    return list(
        recommendations.select_related("lead")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("agency").order_by("due_date", "reference"),
            )
        )
        .order_by("made_date", "reference")
    )


def inspection_page(*, inspection: Inspection) -> dict[str, Any]:
    return {
        "recommendations": findings_with_actions(inspection.recommendations.all()),
        "today": timezone.localdate(),
    }


def recommendation_form_options() -> dict[str, list[Any]]:
    """What the form for a new inspection recommendation or audit finding offers."""
    return {
        "leads": list(User.objects.filter(is_active=True).order_by("full_name", "email")),
        "agencies": list(Agency.objects.filter(is_active=True).order_by("name")),
    }


def suggested_reference(*, prefix: str) -> str:
    """The first free reference of the form ``INS12/R3`` (the third recommendation from
    inspection 12), suggested for the next recommendation."""
    taken = {
        reference.upper()
        for reference in Recommendation.objects.filter(
            reference__istartswith=f"{prefix}/R"
        ).values_list("reference", flat=True)
    }
    number = 1
    while f"{prefix}/R{number}".upper() in taken:
        number += 1
    return f"{prefix}/R{number}"


# --- The quarterly inspection update ------------------------------------------------


def _as_at(quarter: Quarter, today: datetime.date) -> datetime.date:
    """Overdue is judged at the quarter's end, or today while the quarter is still running."""
    return min(today, quarter.end)


def _done_by(as_at: datetime.date) -> Q:
    """Actions complete, or closed without completion, on ``as_at``."""
    return Q(status=ActionStatus.COMPLETE, completed_date__lte=as_at) | Q(
        status=ActionStatus.CLOSED_INCOMPLETE
    ) & (Q(closed_date__isnull=True) | Q(closed_date__lte=as_at))


_ROW_COLUMNS = (
    "recommendation__inspections__pk",
    "recommendation__inspections__title",
    "recommendation_id",
    "recommendation__reference",
    "pk",
    "reference",
    "description",
    "agency__name",
    "due_date",
    "status",
    "completed_date",
    "closed_date",
)


def _action_rows(
    condition: Q, *, quarter: Quarter, as_at: datetime.date, order: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Actions on inspections' recommendations meeting ``condition``, one row for each
    inspection an action answers, with what the quarter makes of it."""
    start, end = quarter.start, quarter.end
    rows = (
        Action.objects.filter(recommendation__inspections__isnull=False)
        .filter(condition)
        .order_by(*order)
        .values_list(*_ROW_COLUMNS)
    )
    found = []
    for (
        inspection_id,
        title,
        recommendation_id,
        recommendation,
        action_id,
        reference,
        description,
        agency,
        due_date,
        status,
        completed_date,
        closed_date,
    ) in rows:
        done_by = completed_date if status == ActionStatus.COMPLETE else closed_date
        done = status not in OPEN_STATUSES and (done_by is None or done_by <= as_at)
        found.append(
            {
                "inspection_id": inspection_id,
                "inspection": title,
                "recommendation_id": recommendation_id,
                "recommendation": recommendation,
                "action_id": action_id,
                "reference": reference,
                "description": description,
                "agency": agency,
                "due_date": due_date,
                "status": ActionStatus(status).label,
                "status_code": status,
                "completed_date": completed_date,
                "closed_date": closed_date,
                "due_in_quarter": start <= due_date <= end,
                "overdue": due_date < as_at and not done,
                "completed_in_quarter": status == ActionStatus.COMPLETE
                and completed_date is not None
                and start <= completed_date <= end,
            }
        )
    return found


def inspection_actions_for_quarter(
    *, quarter: Quarter, today: datetime.date | None = None
) -> list[dict[str, Any]]:
    """For the Executive pack: each action on an inspection's recommendations that is due by
    the end of ``quarter`` and still open on the quarter's last day (or today, while the
    quarter runs), so overdue or due in the quarter; soonest due first, one row an action.

    Each row: reference (the action's), description, agency (its name), due_date, status (its
    label), status_code, recommendation (its reference), inspection (the title of the latest
    inspection it answers), action_id, recommendation_id, inspection_id, completed_date,
    closed_date, and the flags overdue, due_in_quarter and completed_in_quarter (always false
    here)."""
    as_at = _as_at(quarter, today or timezone.localdate())
    rows = _action_rows(
        Q(due_date__lte=quarter.end) & ~_done_by(as_at),
        quarter=quarter,
        as_at=as_at,
        order=(
            "due_date",
            "reference",
            "-recommendation__inspections__started_on",
            "-recommendation__inspections__pk",
        ),
    )
    seen: set[int] = set()
    unique = []
    for row in rows:
        if row["action_id"] not in seen:
            seen.add(row["action_id"])
            unique.append(row)
    return unique


def _update_actions(*, quarter: Quarter, as_at: datetime.date) -> list[dict[str, Any]]:
    """The update's actions: due in the quarter, overdue on ``as_at``, or completed in the
    quarter; by inspection, recommendation and due date, a row for each inspection."""
    start, end = quarter.start, quarter.end
    due = Q(due_date__gte=start, due_date__lte=end)
    completed = Q(status=ActionStatus.COMPLETE, completed_date__gte=start, completed_date__lte=end)
    overdue = Q(due_date__lt=as_at) & ~_done_by(as_at)
    return _action_rows(
        due | completed | overdue,
        quarter=quarter,
        as_at=as_at,
        order=(
            "recommendation__inspections__title",
            "recommendation__inspections__pk",
            "recommendation__reference",
            "due_date",
            "reference",
        ),
    )


def inspection_update_for_quarter(
    *, quarter: Quarter, today: datetime.date | None = None
) -> dict[str, Any]:
    """The quarterly inspection update for the Executive: the inspections started or
    published in ``quarter``; for every inspection, its actions due in the quarter, overdue
    and completed in the quarter, counted for each inspection and listed."""
    today = today or timezone.localdate()
    as_at = _as_at(quarter, today)
    start, end = quarter.start, quarter.end
    inspections = list(
        Inspection.objects.filter(
            Q(started_on__gte=start, started_on__lte=end)
            | Q(published_on__gte=start, published_on__lte=end)
        ).order_by("started_on", "title")
    )
    actions = _update_actions(quarter=quarter, as_at=as_at)
    by_inspection: dict[int, dict[str, Any]] = {}
    for row in actions:
        entry = by_inspection.setdefault(
            row["inspection_id"],
            {
                "inspection_id": row["inspection_id"],
                "inspection": row["inspection"],
                "due_in_quarter": 0,
                "overdue": 0,
                "completed_in_quarter": 0,
            },
        )
        for flag in ("due_in_quarter", "overdue", "completed_in_quarter"):
            entry[flag] += row[flag]
    counts = list(by_inspection.values())
    return {
        "quarter": quarter,
        "as_at": as_at,
        "inspections": [
            {
                "inspection": inspection,
                "started_in_quarter": start <= inspection.started_on <= end,
                "published_in_quarter": inspection.published_on is not None
                and start <= inspection.published_on <= end,
            }
            for inspection in inspections
        ],
        "counts": counts,
        "totals": {
            flag: sum(row[flag] for row in counts)
            for flag in ("due_in_quarter", "overdue", "completed_in_quarter")
        },
        "actions": actions,
    }


UPDATE_COLUMNS = (
    "inspection",
    "recommendation",
    "action",
    "agency",
    "due date",
    "status",
    "completed date",
    "due in the quarter",
    "overdue",
    "completed in the quarter",
)


def inspection_update_rows(*, update: dict[str, Any]) -> list[list[Any]]:
    """The update's actions in UPDATE_COLUMNS, for a spreadsheet."""
    return [
        [
            row["inspection"],
            row["recommendation"],
            row["reference"],
            row["agency"],
            row["due_date"].isoformat(),
            row["status"],
            row["completed_date"].isoformat() if row["completed_date"] else "",
            "yes" if row["due_in_quarter"] else "no",
            "yes" if row["overdue"] else "no",
            "yes" if row["completed_in_quarter"] else "no",
        ]
        for row in update["actions"]
    ]


@dataclass(frozen=True)
class InspectionActionDue:
    """An action on an inspection's recommendation, due by a quarter's end and still open on
    the quarter's last day (or today, while it runs). ``status`` is the code,
    ``status_label`` the words; ``finished_on`` is the day it was completed or closed since,
    if it has been."""

    reference: str
    description: str
    agency: str
    due_date: datetime.date
    status: str
    status_label: str
    finished_on: datetime.date | None
    recommendation: str
    inspection: str


def inspection_actions_due(*, quarter: Quarter, today: datetime.date) -> list[InspectionActionDue]:
    """``inspection_actions_for_quarter`` as typed rows, for the Executive pack."""
    return [
        InspectionActionDue(
            reference=row["reference"],
            description=row["description"],
            agency=row["agency"],
            due_date=row["due_date"],
            status=row["status_code"],
            status_label=row["status"],
            finished_on=row["completed_date"] or row["closed_date"],
            recommendation=row["recommendation"],
            inspection=row["inspection"],
        )
        for row in inspection_actions_for_quarter(quarter=quarter, today=today)
    ]
