"""Every write to the partnership's governance records: groups, their members, meetings
and assurance returns. Atomic, and audited in the same transaction."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from sightline.core.models import AuditEvent
from sightline.core.services import audit_record, changes_between, snapshot
from sightline.learning.selectors import actions_by_reference

from ..models import (
    AssuranceReturn,
    AssuranceReturnVersion,
    Group,
    GroupMember,
    Meeting,
    MeetingDecision,
)
from ..quarters import Quarter
from ..selectors import groups as read
from ..vocabulary import AssuranceLevel, GroupKind

GROUP_FIELDS = ("name", "kind", "purpose", "terms_of_reference", "chair", "reports_to", "is_active")
RETURN_FIELDS = ("level", "summary", "exceptions", "escalations")


def _problems(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def record_changes(
    obj: models.Model, fields: Sequence[str], values: dict[str, Any], actor: Any
) -> tuple[str, dict[str, Any]]:
    """Set ``values`` on ``obj`` and save it when it is new or something changed, keeping
    who-and-when fields where the model has them. Returns ``created``, ``updated`` or
    ``unchanged``, and the changes for the audit trail."""
    creating = obj.pk is None
    before = {} if creating else snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    changes = changes_between(before, snapshot(obj, fields))
    if not creating and not changes:
        return "unchanged", {}
    if hasattr(obj, "updated_by"):
        obj.updated_at, obj.updated_by = timezone.now(), actor  # type: ignore[attr-defined]
        if creating:
            obj.created_by = actor  # type: ignore[attr-defined]
    obj.save()
    return ("created" if creating else "updated"), changes


def _audit(actor: Any, outcome: str, obj: models.Model, changes: dict[str, Any]) -> None:
    if outcome != "unchanged":
        kind = AuditEvent.Kind.CREATE if outcome == "created" else AuditEvent.Kind.UPDATE
        audit_record(actor=actor, kind=kind, obj=obj, changes=changes)


# --- Groups -------------------------------------------------------------------------


def _check_group(group: Group | None, values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    name = values["name"]
    if not name:
        errors["name"] = "Enter the group's name"
    elif read.group_name_taken(name=name, exclude_pk=group.pk if group else None):
        errors["name"] = f"There is already a group called {name}: choose another name"
    parent = values.get("reports_to")
    if parent is not None and group is not None:
        if parent.pk == group.pk:
            errors["reports_to"] = "A group cannot report to itself"
        elif parent.pk in read.group_below(group=group):
            errors["reports_to"] = (
                f"{parent} reports to {group}, so {group} cannot report to it: choose a "
                "group above it"
            )
    if values.get("kind") == GroupKind.EXECUTIVE and parent is not None:
        errors["reports_to"] = "The Executive reports to no other group: leave this blank"
    _problems(errors)


def _group_values(fields: dict[str, Any]) -> dict[str, Any]:
    values = {name: fields[name] for name in GROUP_FIELDS if name in fields}
    for name in ("name", "purpose", "terms_of_reference"):
        if name in values:
            values[name] = (values[name] or "").strip()
    if "name" in values:
        values["name"] = " ".join(values["name"].split())
    return values


@transaction.atomic
def group_create(
    *,
    actor: Any,
    name: str,
    kind: str = GroupKind.SUBGROUP,
    purpose: str = "",
    terms_of_reference: str = "",
    chair: Any = None,
    reports_to: Group | None = None,
) -> Group:
    values = _group_values(
        {
            "name": name,
            "kind": kind,
            "purpose": purpose,
            "terms_of_reference": terms_of_reference,
            "chair": chair,
            "reports_to": reports_to,
            "is_active": True,
        }
    )
    _check_group(None, values)
    group = Group()
    outcome, changes = record_changes(group, GROUP_FIELDS, values, actor)
    _audit(actor, outcome, group, changes)
    return group


@transaction.atomic
def group_update(*, actor: Any, group: Group, **fields: Any) -> Group:
    """Change any of the group's name, kind, purpose, terms of reference, chair, the group
    it reports to, and whether it is active."""
    unknown = set(fields) - set(GROUP_FIELDS)
    if unknown:
        raise TypeError(f"group_update() got unexpected fields {sorted(unknown)}")
    group = Group.objects.select_for_update().get(pk=group.pk)
    values = _group_values(fields)
    _check_group(group, {**{name: getattr(group, name) for name in GROUP_FIELDS}, **values})
    outcome, changes = record_changes(group, GROUP_FIELDS, values, actor)
    _audit(actor, outcome, group, changes)
    return group


# --- Members --------------------------------------------------------------------------


@transaction.atomic
def group_member_add(
    *, actor: Any, group: Group, agency: Any, user: Any = None, role: str = ""
) -> GroupMember:
    """Give ``agency`` a seat on ``group``, filled by ``user`` (who must work for it) or
    left to be named later."""
    errors: dict[str, str] = {}
    if agency is None:
        errors["agency"] = "Choose the agency"
    elif user is not None and agency.pk not in user.agency_ids:
        errors["user"] = (
            f"{user.full_name or user.email} does not work for {agency} in Sightline: choose "
            "someone from the agency, or give them a role there first"
        )
    elif read.member_exists(group=group, agency=agency, user=user):
        who = user.full_name or user.email if user is not None else "A seat with no one named"
        errors["user"] = f"{who} is already on the group for {agency}"
    _problems(errors)
    member = GroupMember.objects.create(
        group=group, agency=agency, user=user, role=" ".join(role.split())
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=member,
        changes=changes_between({}, snapshot(member, ("group", "agency", "user", "role"))),
    )
    return member


@transaction.atomic
def group_member_remove(*, actor: Any, member: GroupMember) -> None:
    before = snapshot(member, ("group", "agency", "user", "role"))
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.DELETE,
        obj=member,
        changes=changes_between(before, dict.fromkeys(before)),
    )
    member.delete()


# --- Meetings -------------------------------------------------------------------------


def _clean_lines(items: Sequence[str]) -> list[str]:
    return [" ".join(item.split()) for item in items if item.strip()]


def _meeting_write(
    *,
    actor: Any,
    meeting: Meeting,
    held_on: datetime.date,
    notes: str,
    decisions: Sequence[str],
    action_references: Sequence[str],
) -> Meeting:
    creating = meeting.pk is None
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting"
    elif read.meeting_on(group=meeting.group, held_on=held_on, exclude_pk=meeting.pk):
        errors["held_on"] = (
            f"{meeting.group} already has a meeting on {held_on.day} {held_on:%B %Y}: "
            "change that meeting instead"
        )
    references = _clean_lines(action_references)
    actions = actions_by_reference(references=references)
    unknown = [ref for ref in dict.fromkeys(references) if ref.upper() not in actions]
    if unknown:
        errors["action_references"] = (
            f"{', '.join(unknown)} {'is not an action' if len(unknown) == 1 else 'are not actions'}"
            " in the learning tracker: check the reference, or add the action there first"
        )
    _problems(errors)
    wanted_decisions = _clean_lines(decisions)
    wanted_actions = sorted({action.pk: action for action in actions.values()}.values(), key=str)
    before_decisions = [] if creating else list(meeting.decisions.values_list("text", flat=True))
    before_actions = [] if creating else sorted(str(action) for action in meeting.actions.all())

    outcome, changes = record_changes(
        meeting,
        ("group", "held_on", "notes"),
        {"held_on": held_on, "notes": notes.strip(), "recorded_by": actor}
        if creating
        else {"held_on": held_on, "notes": notes.strip()},
        actor,
    )
    if before_decisions != wanted_decisions:
        meeting.decisions.all().delete()
        MeetingDecision.objects.bulk_create(
            MeetingDecision(meeting=meeting, text=text) for text in wanted_decisions
        )
        changes["decisions"] = {"from": before_decisions, "to": wanted_decisions}
    after_actions = [str(action) for action in wanted_actions]
    if before_actions != after_actions:
        meeting.actions.set(wanted_actions)
        changes["actions"] = {"from": before_actions, "to": after_actions}
    if outcome == "unchanged" and changes:
        outcome = "updated"
    _audit(actor, outcome, meeting, changes)
    return meeting


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    group: Group,
    held_on: datetime.date,
    notes: str = "",
    decisions: Sequence[str] = (),
    action_references: Sequence[str] = (),
) -> Meeting:
    """Record a meeting of ``group``, its decisions (one each) and the learning tracker
    actions agreed at it, named by their references."""
    return _meeting_write(
        actor=actor,
        meeting=Meeting(group=group),
        held_on=held_on,
        notes=notes,
        decisions=decisions,
        action_references=action_references,
    )


@transaction.atomic
def meeting_update(
    *,
    actor: Any,
    meeting: Meeting,
    held_on: datetime.date,
    notes: str = "",
    decisions: Sequence[str] = (),
    action_references: Sequence[str] = (),
) -> Meeting:
    """Change a meeting's date and notes, and replace its decisions and linked actions."""
    meeting = Meeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)
    return _meeting_write(
        actor=actor,
        meeting=meeting,
        held_on=held_on,
        notes=notes,
        decisions=decisions,
        action_references=action_references,
    )


# --- Assurance returns ------------------------------------------------------------------


@transaction.atomic
def assurance_return_submit(
    *,
    actor: Any,
    group: Group,
    quarter: Quarter,
    level: str,
    summary: str,
    exceptions: str = "",
    escalations: str = "",
    today: datetime.date | None = None,
) -> AssuranceReturn:
    """Give ``group``'s assurance to the Executive for ``quarter``: one return a quarter,
    so a second submission replaces the first (and the audit trail keeps what changed).
    A group that is not fully assured must say what the exceptions are."""
    today = today or timezone.localdate()
    values = {
        "level": level,
        "summary": summary.strip(),
        "exceptions": exceptions.strip(),
        "escalations": escalations.strip(),
    }
    errors: dict[str, str] = {}
    if group.kind == GroupKind.EXECUTIVE:
        errors["group"] = "The Executive receives the groups' returns: it gives none itself"
    if quarter.start > today:
        errors["quarter"] = f"{quarter.label} has not begun yet: give the return once it has"
    if level not in AssuranceLevel.values:
        errors["level"] = "Choose how assured the group is"
    if not values["summary"]:
        errors["summary"] = "Summarise the assurance the group gives"
    if (
        level in AssuranceLevel.values
        and level != AssuranceLevel.ASSURED
        and not values["exceptions"]
    ):
        errors["exceptions"] = (
            f"Describe the exceptions: a group that is {AssuranceLevel(level).label.lower()} "
            "must say where it is not assured"
        )
    _problems(errors)
    item = (
        AssuranceReturn.objects.select_for_update()
        .filter(group=group, quarter_start=quarter.start)
        .first()
    ) or AssuranceReturn(group=group, quarter_start=quarter.start)
    creating = item.pk is None
    before = {} if creating else snapshot(item, RETURN_FIELDS)
    for name, value in values.items():
        setattr(item, name, value)
    changes = changes_between(before, snapshot(item, RETURN_FIELDS))
    if creating or changes:
        item.submitted_by, item.submitted_at = actor, timezone.now()
        item.save()
        AssuranceReturnVersion.objects.create(
            assurance_return=item,
            level=item.level,
            summary=item.summary,
            exceptions=item.exceptions,
            escalations=item.escalations,
            submitted_by=actor,
            submitted_at=item.submitted_at,
        )
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE if creating else AuditEvent.Kind.UPDATE,
            obj=item,
            changes=changes,
            detail=f"Assurance return for {quarter.label}",
        )
    return item
