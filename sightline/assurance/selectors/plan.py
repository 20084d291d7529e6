"""Reads of the strategic plan: the priorities, their latest status, action plans, measures
and scrutiny findings. A fixed number of queries whatever the number of rows."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone

from sightline.learning.models import Action
from sightline.learning.selectors import action_shown_annotations, actions_as_at
from sightline.learning.vocabulary import OPEN_STATUSES, ActionStatus

from ..charts import format_value
from ..models import DataPoint, Priority, PriorityMeasure, PriorityUpdate, ScrutinyFinding
from ..quarters import Quarter
from ..vocabulary import MeasureKind, Rag


@dataclass(frozen=True)
class Progress:
    """How far a priority's action plan has got, as at a date."""

    actions: int = 0
    complete: int = 0
    closed: int = 0
    overdue: int = 0

    @property
    def open(self) -> int:
        """Open and not yet due."""
        return self.actions - self.complete - self.closed - self.overdue


@dataclass(frozen=True)
class PlanRow:
    priority: Priority
    latest: dict[str, Any] | None
    progress: Progress
    measures: list[dict[str, Any]] = field(default_factory=list)
    finding: dict[str, Any] | None = None


def _latest_update(column: str) -> Subquery:
    updates = PriorityUpdate.objects.filter(priority=OuterRef("pk")).order_by(
        "-quarter_start", "-recorded_at", "-pk"
    )
    return Subquery(updates.values(column)[:1])


def _latest_finding(column: str) -> Subquery:
    findings = ScrutinyFinding.objects.filter(priority=OuterRef("pk")).order_by("-found_on", "-pk")
    return Subquery(findings.values(column)[:1])


def _progress(priority_ids: Iterable[int], today: datetime.date) -> dict[int, Progress]:
    """Each priority's action plan counted in one grouped query over the links."""
    links = Priority.actions.through.objects.filter(priority_id__in=list(priority_ids))
    rows = (
        links.order_by()
        .values("priority_id")
        .annotate(
            actions=Count("pk"),
            complete=Count("pk", filter=Q(action__status=ActionStatus.COMPLETE)),
            closed=Count("pk", filter=Q(action__status=ActionStatus.CLOSED_INCOMPLETE)),
            overdue=Count(
                "pk", filter=Q(action__status__in=OPEN_STATUSES, action__due_date__lt=today)
            ),
        )
    )
    return {
        row["priority_id"]: Progress(
            actions=row["actions"],
            complete=row["complete"],
            closed=row["closed"],
            overdue=row["overdue"],
        )
        for row in rows
    }


def _measures(priority_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Each priority's measures, with the latest figure of a linked dataset measure."""
    points = DataPoint.objects.filter(measure=OuterRef("data_measure")).order_by("-quarter_start")
    measures = (
        PriorityMeasure.objects.filter(priority_id__in=list(priority_ids))
        .select_related("data_measure")
        .annotate(
            latest_value=Subquery(points.values("value")[:1]),
            latest_quarter=Subquery(points.values("quarter_start")[:1]),
        )
        .order_by("priority", "kind", "pk")
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for measure in measures:
        data = measure.data_measure
        latest = None
        if data is not None and measure.latest_value is not None:
            quarter = Quarter.containing(measure.latest_quarter)
            value = format_value(measure.latest_value, data.unit)
            latest = f"{value} in {quarter.label}"
        found.setdefault(measure.priority_id, []).append(
            {
                "kind": measure.kind,
                "kind_label": MeasureKind(measure.kind).label,
                "description": measure.description,
                "target": measure.target,
                "data_measure": data.name if data is not None else "",
                "latest": latest,
            }
        )
    return found


def _latest(priority: Any) -> dict[str, Any] | None:
    if priority.latest_rag is None:
        return None
    return {
        "quarter": Quarter.containing(priority.latest_quarter),
        "rag": priority.latest_rag,
        "rag_label": Rag(priority.latest_rag).label,
        "reason": priority.latest_reason,
        "recorded_at": priority.latest_at,
    }


def _finding(priority: Any) -> dict[str, Any] | None:
    if priority.finding_on is None:
        return None
    return {
        "found_on": priority.finding_on,
        "scrutineer": priority.finding_by,
        "finding": priority.finding_text,
    }


def plan_rows(*, today: datetime.date | None = None) -> list[PlanRow]:
    """Every priority, current ones first, each with its latest status, action plan progress,
    measures and latest scrutiny finding (three queries)."""
    today = today or timezone.localdate()
    priorities = list(
        Priority.objects.select_related("lead")
        .annotate(
            latest_quarter=_latest_update("quarter_start"),
            latest_rag=_latest_update("rag"),
            latest_reason=_latest_update("reason"),
            latest_at=_latest_update("recorded_at"),
            finding_on=_latest_finding("found_on"),
            finding_by=_latest_finding("scrutineer"),
            finding_text=_latest_finding("finding"),
        )
        .order_by("-is_active", "position", "name")
    )
    ids = [priority.pk for priority in priorities]
    progress = _progress(ids, today)
    measures = _measures(ids)
    return [
        PlanRow(
            priority=priority,
            latest=_latest(priority),
            progress=progress.get(priority.pk, Progress()),
            measures=measures.get(priority.pk, []),
            finding=_finding(priority),
        )
        for priority in priorities
    ]


def priority_get(*, pk: int) -> Priority:
    priority = Priority.objects.select_related("lead").filter(pk=pk).first()
    if priority is None:
        raise Http404("No such priority.")
    return priority


def priority_page(
    *, user: Any, priority: Priority, today: datetime.date | None = None
) -> dict[str, Any]:
    """Everything the priority's page shows, read here so that the template reads nothing."""
    today = today or timezone.localdate()
    updates = []
    counted: set[datetime.date] = set()
    for update in priority.updates.select_related("recorded_by").order_by(
        "-quarter_start", "-recorded_at", "-pk"
    ):
        updates.append(
            {
                "quarter": Quarter.containing(update.quarter_start),
                "rag": update.rag,
                "rag_label": update.get_rag_display(),
                "reason": update.reason,
                "recorded_at": update.recorded_at,
                "recorded_by": update.recorded_by.full_name if update.recorded_by else "",
                # The latest update for a quarter counts; earlier ones are kept as history.
                "counts": update.quarter_start not in counted,
            }
        )
        counted.add(update.quarter_start)
    actions = action_plan_rows(user=user, priority=priority, today=today)
    return {
        "updates": updates,
        "actions": [row for row in actions if row["shown"]],
        "actions_withheld": sum(1 for row in actions if not row["shown"]),
        "progress": _progress([priority.pk], today).get(priority.pk, Progress()),
        "measures": _measures([priority.pk]).get(priority.pk, []),
        "findings": list(priority.findings.order_by("-found_on", "-pk")),
        "today": today,
    }


def action_plan_rows(
    *, user: Any, priority: Priority, today: datetime.date | None = None
) -> list[dict[str, Any]]:
    """The actions in the priority's action plan, soonest due first; ``shown`` is false for
    those the user may not see (learning from a case review not shared with them)."""
    today = today or timezone.localdate()
    return [
        {
            "pk": action.pk,
            "reference": action.shown_reference,
            "shown": getattr(action, "shown", False),
            "description": action.description,
            "agency": action.agency.name,
            "due_date": action.due_date,
            "status": action.status,
            "status_label": action.get_status_display(),
            "overdue": action.status in OPEN_STATUSES and action.due_date < today,
        }
        for action in priority.actions.select_related("agency")
        .annotate(**action_shown_annotations(user=user))
        .order_by("due_date", "reference")
    ]


def priority_action_get(*, priority: Priority, pk: int) -> Action:
    """One action in the priority's action plan."""
    action = priority.actions.filter(pk=pk).first()
    if action is None:
        raise Http404("That action is not in the priority's action plan.")
    return action


# --- As they stood on a date ------------------------------------------------------------


@dataclass(frozen=True)
class PriorityPosition:
    """A priority as it stood at the end of a day: its latest status recorded by then (for
    a quarter that had begun by then) and its action plan's progress then."""

    priority_id: int
    name: str
    lead: str
    is_active: bool
    quarter: Quarter | None
    rag: str
    rag_label: str
    reason: str
    recorded_at: datetime.datetime | None
    progress: Progress


def priority_positions_as_at(*, on: datetime.date) -> list[PriorityPosition]:
    """Every priority, in the plan's order, as it stood at the end of ``on``: a status
    recorded later (even for an earlier quarter) does not count, and the action plan is
    counted by the learning tracker's statuses as they stood then. ``is_active`` is the
    priority's standing now: the plan keeps no dates for it. Two queries."""
    end = timezone.make_aware(
        datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min)
    )
    updates = PriorityUpdate.objects.filter(
        priority=OuterRef("pk"), recorded_at__lt=end, quarter_start__lte=on
    ).order_by("-quarter_start", "-recorded_at", "-pk")
    rows = list(
        Priority.objects.annotate(
            then_quarter=Subquery(updates.values("quarter_start")[:1]),
            then_rag=Subquery(updates.values("rag")[:1]),
            then_reason=Subquery(updates.values("reason")[:1]),
            then_at=Subquery(updates.values("recorded_at")[:1]),
        )
        .order_by("-is_active", "position", "name")
        .values(
            "pk",
            "name",
            "lead__full_name",
            "is_active",
            "then_quarter",
            "then_rag",
            "then_reason",
            "then_at",
        )
    )
    counted = (
        actions_as_at(as_at=on)
        .filter(priorities__isnull=False)
        .order_by()
        .values("priorities")
        .annotate(
            actions=Count("pk"),
            complete=Count("pk", filter=Q(status_then=ActionStatus.COMPLETE)),
            closed=Count("pk", filter=Q(status_then=ActionStatus.CLOSED_INCOMPLETE)),
            overdue=Count(
                "pk",
                filter=Q(due_date__lt=on)
                & ~Q(status_then__in=[ActionStatus.COMPLETE, ActionStatus.CLOSED_INCOMPLETE]),
            ),
        )
    )
    progress = {
        row["priorities"]: Progress(
            actions=row["actions"],
            complete=row["complete"],
            closed=row["closed"],
            overdue=row["overdue"],
        )
        for row in counted
    }
    return [
        PriorityPosition(
            priority_id=row["pk"],
            name=row["name"],
            lead=row["lead__full_name"] or "",
            is_active=row["is_active"],
            quarter=Quarter.containing(row["then_quarter"]) if row["then_quarter"] else None,
            rag=row["then_rag"] or "",
            rag_label=Rag(row["then_rag"]).label if row["then_rag"] else "No status yet",
            reason=row["then_reason"] or "",
            recorded_at=row["then_at"],
            progress=progress.get(row["pk"], Progress()),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class PriorityStatus:
    """A current priority and its status for a quarter: the latest update recorded for that
    quarter, or none (``rag`` None) when no one has said how it is going yet."""

    pk: int
    name: str
    lead: str
    rag: str | None
    reason: str
    recorded_at: datetime.datetime | None


def priority_statuses_for_quarter(*, quarter: Quarter) -> list[PriorityStatus]:
    """Each current priority in the plan's order with its status for ``quarter``. One query."""
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
            "pk", "name", "lead__full_name", "quarter_rag", "quarter_reason", "quarter_recorded_at"
        )
    )
    return [
        PriorityStatus(
            pk=pk,
            name=name,
            lead=lead or "",
            rag=rag,
            reason=reason or "",
            recorded_at=recorded_at,
        )
        for pk, name, lead, rag, reason, recorded_at in rows
    ]
