"""Every write to the strategic plan: atomic, audited in the same transaction."""

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Lower
from django.utils import timezone

from sightline.core.models import AuditEvent
from sightline.core.services import audit_record, changes_between, snapshot
from sightline.learning.models import Action
from sightline.learning.selectors import actions_by_reference

from ..models import Measure, Priority, PriorityMeasure, PriorityUpdate, ScrutinyFinding
from ..quarters import Quarter
from ..vocabulary import MeasureKind, Rag

PRIORITY_FIELDS = ("name", "description", "lead", "is_active")
# A red or amber status asks for a reason that explains it: a few words at least, not "red".
MIN_WORDS_OFF_TRACK = 5


def _problems(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _name_taken(name: str, *, other_than: int | None = None) -> bool:
    same = Priority.objects.annotate(key=Lower("name")).filter(key=name.lower())
    if other_than is not None:
        same = same.exclude(pk=other_than)
    return same.exists()


@transaction.atomic
def priority_create(
    *, actor: Any, name: str, description: str = "", lead: Any = None, is_active: bool = True
) -> Priority:
    """A new priority, placed after the others."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Enter the priority's name"})
    if _name_taken(name):
        raise ValidationError({"name": f"There is already a priority called {name}"})
    last = Priority.objects.aggregate(last=Max("position"))["last"] or 0
    priority = Priority.objects.create(
        name=name,
        description=description.strip(),
        lead=lead,
        is_active=is_active,
        position=last + 1,
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=priority,
        changes=changes_between({}, snapshot(priority, PRIORITY_FIELDS)),
    )
    return priority


@transaction.atomic
def priority_edit(
    *, actor: Any, priority: Priority, description: str, lead: Any, is_active: bool
) -> Priority:
    """Change what a priority is about, who leads it, and whether it is current. Its name is
    kept: training courses and past packs refer to it."""
    fields = ("description", "lead", "is_active")
    before = snapshot(priority, fields)
    priority.description = description.strip()
    priority.lead = lead
    priority.is_active = is_active
    changes = changes_between(before, snapshot(priority, fields))
    if changes:
        priority.save(update_fields=["description", "lead", "is_active"])
        audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=priority, changes=changes)
    return priority


def reason_problem(rag: str, reason: str) -> str | None:
    """What is wrong with the reason given for a status, or None when it will do."""
    words = re.findall(r"\w+", reason)
    if not words:
        return "Give the reason for the status"
    if rag in (Rag.RED, Rag.AMBER) and len(words) < MIN_WORDS_OFF_TRACK:
        label = Rag(rag).label.lower()
        return (
            f"Say why the priority is {label}: what is off track and what is being done "
            "about it, in a sentence or more"
        )
    return None


@transaction.atomic
def priority_update_record(
    *, actor: Any, priority: Priority, quarter: Quarter, rag: str, reason: str
) -> PriorityUpdate:
    """A priority's red, amber or green status for a quarter, with the reason. Earlier updates
    for the quarter are kept; the latest counts."""
    errors: dict[str, str] = {}
    if rag not in Rag.values:
        errors["rag"] = "Choose red, amber or green"
    else:
        problem = reason_problem(rag, reason)
        if problem:
            errors["reason"] = problem
    current = Quarter.containing(timezone.localdate())
    if quarter > current:
        errors["quarter"] = (
            f"{quarter.label} has not started yet: choose {current.label} or an earlier quarter"
        )
    _problems(errors)
    if not priority.is_active:
        raise ValidationError("This is no longer a current priority: it takes no more updates")
    update = PriorityUpdate.objects.create(
        priority=priority,
        quarter_start=quarter.start,
        rag=rag,
        reason=reason.strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=update,
        changes=changes_between(
            {}, {"quarter": quarter.label, "rag": update.rag, "reason": update.reason}
        ),
    )
    return update


def parse_references(text: str) -> list[str]:
    """Action references written one on each line or separated by commas, in order, once."""
    seen: dict[str, str] = {}
    for part in re.split(r"[,\n\r;]+", text):
        reference = part.strip()
        if reference and reference.upper() not in seen:
            seen[reference.upper()] = reference
    return list(seen.values())


def _action_plan(priority: Priority) -> list[str]:
    return sorted(priority.actions.values_list("reference", flat=True))


@transaction.atomic
def priority_actions_link(*, actor: Any, priority: Priority, references: Iterable[str]) -> int:
    """Add learning tracker actions, named by their references, to the priority's action
    plan: all of them or, when any reference is unknown, none. Returns how many were added."""
    wanted = list(references)
    if not wanted:
        raise ValidationError({"references": "Enter the reference of at least one action"})
    found = actions_by_reference(references=wanted)
    unknown = [reference for reference in wanted if reference.strip().upper() not in found]
    if unknown:
        listed = ", ".join(unknown)
        raise ValidationError(
            {
                "references": f"No learning action has the reference {listed}: check it in "
                "the learning tracker"
                if len(unknown) == 1
                else f"No learning actions have the references {listed}: check them in the "
                "learning tracker"
            }
        )
    before = _action_plan(priority)
    new = [action.pk for action in found.values() if action.reference not in before]
    if not new:
        raise ValidationError(
            {"references": "Those actions are already in the action plan: enter another one"}
        )
    priority.actions.add(*new)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=priority,
        changes={"actions": {"from": before, "to": _action_plan(priority)}},
    )
    return len(new)


@transaction.atomic
def priority_action_unlink(*, actor: Any, priority: Priority, action: Action) -> None:
    """Take an action out of the priority's action plan (the action itself is kept)."""
    before = _action_plan(priority)
    if action.reference not in before:
        raise ValidationError(f"{action.reference} is not in this priority's action plan")
    priority.actions.remove(action)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=priority,
        changes={"actions": {"from": before, "to": _action_plan(priority)}},
    )


@transaction.atomic
def priority_measure_add(
    *,
    actor: Any,
    priority: Priority,
    kind: str,
    description: str,
    target: str = "",
    data_measure: Measure | None = None,
) -> PriorityMeasure:
    """How progress on, or the impact of, the priority is measured."""
    errors: dict[str, str] = {}
    if kind not in MeasureKind.values:
        errors["kind"] = "Choose whether it measures progress or impact"
    if not description.strip():
        errors["description"] = "Say what is measured"
    _problems(errors)
    measure = PriorityMeasure.objects.create(
        priority=priority,
        kind=kind,
        description=description.strip(),
        target=target.strip(),
        data_measure=data_measure,
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=measure,
        changes=changes_between(
            {}, snapshot(measure, ("priority", "kind", "description", "target", "data_measure"))
        ),
    )
    return measure


@transaction.atomic
def scrutiny_finding_add(
    *,
    actor: Any,
    priority: Priority,
    found_on: datetime.date,
    scrutineer: str,
    finding: str,
    response: str = "",
) -> ScrutinyFinding:
    """What the independent scrutineer found about a priority, and the partnership's response."""
    errors: dict[str, str] = {}
    if found_on > timezone.localdate():
        errors["found_on"] = "The date must be today or in the past"
    if not scrutineer.strip():
        errors["scrutineer"] = "Enter who carried out the scrutiny"
    if not finding.strip():
        errors["finding"] = "Say what the scrutiny found"
    _problems(errors)
    now = timezone.now()
    item = ScrutinyFinding.objects.create(
        priority=priority,
        found_on=found_on,
        scrutineer=scrutineer.strip(),
        finding=finding.strip(),
        response=response.strip(),
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=item,
        changes=changes_between(
            {}, snapshot(item, ("priority", "found_on", "scrutineer", "finding", "response"))
        ),
    )
    return item
