"""Reads of the partnership's governance: its groups, their members and meetings, and the
assurance each group gives the Executive every quarter."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.http import Http404
from django.utils import timezone

from sightline.learning.selectors import action_shown_annotations

from ..models import (
    AssuranceReturn,
    AssuranceReturnVersion,
    Group,
    GroupMember,
    Meeting,
    MeetingDecision,
)
from ..quarters import Quarter
from ..vocabulary import AssuranceLevel, GroupKind
from .data import current_exceptions_for_group, exceptions_for_quarter

RECENT_RETURNS = 8  # two years of quarters on a group's page


def _count(queryset: QuerySet[Any], field: str) -> Coalesce:
    """How many rows of ``queryset`` point at the outer row: a correlated count, so the
    list never aggregates a join of every row."""
    return Coalesce(
        Subquery(
            queryset.filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _latest_return(field: str) -> Subquery:
    return Subquery(
        AssuranceReturn.objects.filter(group=OuterRef("pk"))
        .order_by("-quarter_start")
        .values(field)[:1]
    )


def group_list() -> list[dict[str, Any]]:
    """Every group, active first, each with its number of seats and meetings and its
    latest assurance return's quarter and level."""
    groups = (
        Group.objects.select_related("chair", "reports_to")
        .annotate(
            member_count=_count(GroupMember.objects.all(), "group"),
            meeting_count=_count(Meeting.objects.all(), "group"),
            latest_return_start=_latest_return("quarter_start"),
            latest_return_level=_latest_return("level"),
        )
        .order_by("-is_active", Lower("name"))
    )
    return [
        {
            "group": group,
            "member_count": group.member_count,
            "meeting_count": group.meeting_count,
            "latest_quarter": Quarter.starting(group.latest_return_start)
            if group.latest_return_start
            else None,
            "latest_level": group.latest_return_level or "",
            "latest_label": AssuranceLevel(group.latest_return_level).label
            if group.latest_return_level
            else "",
        }
        for group in groups
    ]


def group_get(*, pk: int) -> Group:
    group = Group.objects.select_related("chair", "reports_to").filter(pk=pk).first()
    if group is None:
        raise Http404("No such group.")
    return group


def group_name_taken(*, name: str, exclude_pk: int | None = None) -> bool:
    others = Group.objects.annotate(key=Lower("name")).filter(key=" ".join(name.split()).lower())
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def group_below(*, group: Group) -> set[int]:
    """The ids of every group that reports to ``group``, directly or through others."""
    links = dict(Group.objects.values_list("pk", "reports_to_id"))
    below: set[int] = set()
    frontier = {group.pk}
    while frontier:
        frontier = {pk for pk, parent in links.items() if parent in frontier} - below
        below |= frontier
    return below


def members_by_agency(*, group: Group) -> list[dict[str, Any]]:
    """The group's seats, under each agency: ``[{"agency": agency, "members": [...]}]``."""
    seats = (
        GroupMember.objects.filter(group=group)
        .select_related("agency", "user")
        .order_by(Lower("agency__name"), "agency_id", "user__full_name", "pk")
    )
    agencies: dict[int, dict[str, Any]] = {}
    for seat in seats:
        agencies.setdefault(seat.agency_id, {"agency": seat.agency, "members": []})[
            "members"
        ].append(seat)
    return list(agencies.values())


def group_page(*, group: Group) -> dict[str, Any]:
    returns = (
        AssuranceReturn.objects.filter(group=group)
        .select_related("submitted_by")
        .order_by("-quarter_start")[:RECENT_RETURNS]
    )
    meetings = (
        Meeting.objects.filter(group=group)
        .annotate(
            decision_count=_count(MeetingDecision.objects.all(), "meeting"),
            action_count=_count(Meeting.actions.through.objects.all(), "meeting"),
        )
        .order_by("-held_on")
    )
    return {
        "agencies": members_by_agency(group=group),
        "meetings": list(meetings),
        "returns": [
            {"return": item, "quarter": Quarter.starting(item.quarter_start)} for item in returns
        ],
        "subgroups": list(Group.objects.filter(reports_to=group).order_by(Lower("name"))),
        "exceptions": current_exceptions_for_group(group=group),
    }


def member_get(*, group: Group, pk: int) -> GroupMember:
    member = (
        GroupMember.objects.select_related("agency", "user", "group")
        .filter(group=group, pk=pk)
        .first()
    )
    if member is None:
        raise Http404("No such member of the group.")
    return member


def member_exists(*, group: Group, agency: Any, user: Any) -> bool:
    return GroupMember.objects.filter(group=group, agency=agency, user=user).exists()


def meeting_get(*, pk: int) -> Meeting:
    meeting = Meeting.objects.select_related("group", "recorded_by").filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def meeting_on(*, group: Group, held_on: Any, exclude_pk: int | None = None) -> bool:
    meetings = Meeting.objects.filter(group=group, held_on=held_on)
    if exclude_pk is not None:
        meetings = meetings.exclude(pk=exclude_pk)
    return meetings.exists()


def meeting_page(*, user: Any, meeting: Meeting) -> dict[str, Any]:
    """The meeting's decisions and actions; of the actions, only those the user may see
    (``actions_withheld`` counts the others: learning from a case not shared with them)."""
    actions = list(
        meeting.actions.select_related("agency", "recommendation")
        .annotate(**action_shown_annotations(user=user))
        .order_by("due_date", "reference")
    )
    return {
        "decisions": list(meeting.decisions.order_by("pk")),
        "actions": [action for action in actions if getattr(action, "shown", False)],
        "actions_withheld": len(
            [action for action in actions if not getattr(action, "shown", False)]
        ),
    }


def assurance_return_for(*, group: Group, quarter: Quarter) -> AssuranceReturn | None:
    return (
        AssuranceReturn.objects.select_related("submitted_by")
        .filter(group=group, quarter_start=quarter.start)
        .first()
    )


def returns_for_quarter(*, quarter: Quarter) -> list[dict[str, Any]]:
    """Every active group that gives the Executive assurance (all but the Executive itself)
    and was set up by the end of ``quarter`` (or gave a return for it), by name, with its
    return for the quarter or none. Each: group, quarter, return (or None), missing, level
    (empty when missing), level_label ("No return" when missing), summary, exceptions,
    escalations and submitted_at."""
    after_end = timezone.make_aware(
        datetime.datetime.combine(quarter.next().start, datetime.time.min)
    )
    returns = {
        item.group_id: item
        for item in AssuranceReturn.objects.filter(
            quarter_start=quarter.start, group__is_active=True
        ).select_related("submitted_by")
    }
    groups = list(
        Group.objects.filter(is_active=True)
        .filter(Q(created_at__lt=after_end) | Q(pk__in=list(returns)))
        .exclude(kind=GroupKind.EXECUTIVE)
        .select_related("chair")
        .order_by(Lower("name"), "pk")
    )
    rows = []
    for group in groups:
        item = returns.get(group.pk)
        rows.append(
            {
                "group": group,
                "quarter": quarter,
                "return": item,
                "missing": item is None,
                "level": item.level if item else "",
                "level_label": item.get_level_display() if item else "No return",
                "summary": item.summary if item else "",
                "exceptions": item.exceptions if item else "",
                "escalations": item.escalations if item else "",
                "submitted_at": item.submitted_at if item else None,
            }
        )
    return rows


def rollup(*, quarter: Quarter) -> dict[str, Any]:
    """The roll-up to the Executive for ``quarter``: each group's return, with the data
    exceptions raised to it, and the count at each level of assurance."""
    rows = returns_for_quarter(quarter=quarter)
    data_exceptions = exceptions_for_quarter(quarter=quarter)
    by_group: dict[int, list[dict[str, Any]]] = {}
    for item in data_exceptions:
        by_group.setdefault(item["group"].pk, []).append(item)
    for row in rows:
        row["data_exceptions"] = by_group.get(row["group"].pk, [])
    counts = dict.fromkeys(AssuranceLevel.values, 0)
    for row in rows:
        if row["level"]:
            counts[row["level"]] += 1
    listed = {row["group"].pk for row in rows}
    return {
        "rows": rows,
        "counts": [
            {"level": level, "label": label, "count": counts[level]}
            for level, label in AssuranceLevel.choices
        ],
        "missing": sum(1 for row in rows if row["missing"]),
        "data_exceptions": data_exceptions,
        # Figures raised to a group with no row above (the Executive, or a group stood down).
        "other_exceptions": [item for item in data_exceptions if item["group"].pk not in listed],
    }


# --- As they stood on a date ------------------------------------------------------------


@dataclass(frozen=True)
class GroupReturnPosition:
    """A group's assurance for a quarter as it stood at the end of a day: the version of its
    return submitted by then, or none."""

    group_id: int
    group: str
    quarter: Quarter
    missing: bool
    level: str
    level_label: str
    summary: str
    exceptions: str
    escalations: str
    submitted_at: datetime.datetime | None


def group_returns_as_at(*, quarter: Quarter, on: datetime.date) -> list[GroupReturnPosition]:
    """Each group the roll-up for ``quarter`` lists (see ``returns_for_quarter``), by name,
    with its return as it stood at the end of ``on``: the latest version submitted by then,
    so a return changed or first given later does not change the answer. A return with no
    versions (written outside the services) counts from when it was submitted. Which groups
    are listed follows their standing now (active, set up by the quarter's end): groups keep
    no dated history of that. Two queries."""
    end = timezone.make_aware(
        datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min)
    )
    after_end = timezone.make_aware(
        datetime.datetime.combine(quarter.next().start, datetime.time.min)
    )
    versions = AssuranceReturnVersion.objects.filter(assurance_return=OuterRef("pk"))
    latest = versions.filter(submitted_at__lt=end).order_by("-submitted_at", "-pk")
    fields = ("level", "summary", "exceptions", "escalations", "submitted_at")
    then = {
        row["group_id"]: row
        for row in AssuranceReturn.objects.filter(
            quarter_start=quarter.start, group__is_active=True
        )
        .annotate(
            has_versions=Exists(versions),
            **{f"then_{name}": Subquery(latest.values(name)[:1]) for name in fields},
        )
        .values("group_id", "has_versions", *fields, *(f"then_{name}" for name in fields))
    }
    groups = (
        Group.objects.filter(is_active=True)
        .filter(Q(created_at__lt=after_end) | Q(pk__in=list(then)))
        .exclude(kind=GroupKind.EXECUTIVE)
        .order_by(Lower("name"), "pk")
        .values_list("pk", "name")
    )
    labels = dict(AssuranceLevel.choices)
    positions = []
    for pk, name in groups:
        row = then.get(pk)
        values: dict[str, Any] = {}
        if row is not None and row["has_versions"]:
            if row["then_submitted_at"] is not None:
                values = {name: row[f"then_{name}"] for name in fields}
        elif row is not None and row["submitted_at"] < end:
            values = {name: row[name] for name in fields}
        positions.append(
            GroupReturnPosition(
                group_id=pk,
                group=name,
                quarter=quarter,
                missing=not values,
                level=values.get("level", ""),
                level_label=labels.get(values.get("level", ""), "No return"),
                summary=values.get("summary", ""),
                exceptions=values.get("exceptions", ""),
                escalations=values.get("escalations", ""),
                submitted_at=values.get("submitted_at"),
            )
        )
    return positions


def missing_returns_count(*, quarter: Quarter) -> int:
    """How many of ``returns_for_quarter``'s groups have no return for ``quarter``: the
    groups set up by its end that give the Executive assurance, counted in one query."""
    after_end = timezone.make_aware(
        datetime.datetime.combine(quarter.next().start, datetime.time.min)
    )
    given = AssuranceReturn.objects.filter(group=OuterRef("pk"), quarter_start=quarter.start)
    return (
        Group.objects.filter(is_active=True, created_at__lt=after_end)
        .exclude(kind=GroupKind.EXECUTIVE)
        .exclude(Exists(given))
        .count()
    )


@dataclass(frozen=True)
class GroupReturn:
    """A group's assurance return for a quarter, by names; ``missing`` when it made none."""

    group: str
    missing: bool
    level: str  # empty when missing
    level_label: str
    exceptions: str
    escalations: str


def group_returns_for_quarter(*, quarter: Quarter) -> list[GroupReturn]:
    """``returns_for_quarter`` as typed rows: every group that gives the Executive assurance,
    by name, with its return for ``quarter`` or none."""
    return [
        GroupReturn(
            group=row["group"].name,
            missing=row["missing"],
            level=row["level"],
            level_label=row["level_label"],
            exceptions=row["exceptions"],
            escalations=row["escalations"],
        )
        for row in returns_for_quarter(quarter=quarter)
    ]


@dataclass(frozen=True)
class QuarterAssurance:
    """How many returns for a quarter said partially assured, and not assured."""

    quarter: Quarter
    partial: int
    not_assured: int

    @property
    def not_fully_assured(self) -> int:
        return self.partial + self.not_assured


def assurance_levels_by_quarter(*, quarters: list[Quarter]) -> list[QuarterAssurance]:
    """For each of ``quarters``: the returns of groups active now (the Executive's own left
    out, as in the roll-up) that said partially assured or not assured. One grouped query."""
    counted = {
        row["quarter_start"]: row
        for row in AssuranceReturn.objects.filter(
            quarter_start__in=[quarter.start for quarter in quarters], group__is_active=True
        )
        .exclude(group__kind=GroupKind.EXECUTIVE)
        .order_by()
        .values("quarter_start")
        .annotate(
            partial=Count("pk", filter=Q(level=AssuranceLevel.PARTIAL)),
            not_assured=Count("pk", filter=Q(level=AssuranceLevel.NOT_ASSURED)),
        )
    }
    empty = {"partial": 0, "not_assured": 0}
    return [
        QuarterAssurance(
            quarter=quarter,
            partial=counted.get(quarter.start, empty)["partial"],
            not_assured=counted.get(quarter.start, empty)["not_assured"],
        )
        for quarter in quarters
    ]


@dataclass(frozen=True)
class Escalation:
    """What a group's assurance return for a quarter escalated to the Executive."""

    quarter: Quarter
    group: str
    escalations: str


def escalations_for_quarters(*, quarters: list[Quarter]) -> list[Escalation]:
    """The escalations in the returns for ``quarters`` of groups active now (the Executive's
    own left out, as in the roll-up), newest quarter first, then by group. One query."""
    by_start = {quarter.start: quarter for quarter in quarters}
    rows = (
        AssuranceReturn.objects.filter(quarter_start__in=list(by_start), group__is_active=True)
        .exclude(group__kind=GroupKind.EXECUTIVE)
        .exclude(escalations="")
        .order_by("-quarter_start", Lower("group__name"), "group_id")
        .values_list("quarter_start", "group__name", "escalations")
    )
    return [
        Escalation(quarter=by_start[start], group=name, escalations=text)
        for start, name, text in rows
        if text.strip()
    ]
