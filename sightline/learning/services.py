"""Every write to the learning tracker: atomic, audited in the same transaction."""

import dataclasses
import datetime
from typing import Any

from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone

from sightline.accounts.models import Agency, Sector, User
from sightline.accounts.services import agency_create
from sightline.core.models import AuditEvent
from sightline.core.services import audit_record, audit_record_many, changes_between, snapshot
from sightline.reviews.importing import problem
from sightline.reviews.selectors import cases_by_reference_key
from sightline.reviews.services import ImportRejected

from . import importing
from .models import Action, Evidence, Recommendation
from .vocabulary import EvidenceKind, SourceType

RECOMMENDATION_FIELDS = (
    "source_type",
    "source_case",
    "source_title",
    "text",
    "made_date",
    "decision",
    "decision_reason",
)
ACTION_FIELDS = (
    "recommendation",
    "agency",
    "description",
    "owner",
    "owner_email",
    "due_date",
    "status",
    "completed_date",
    "completion_imported",
    "closed_reason",
)


@dataclasses.dataclass
class LearningImportResult:
    file_name: str
    dry_run: bool = False
    recommendations: dict[str, int] = dataclasses.field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0}
    )
    actions: dict[str, int] = dataclasses.field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0}
    )
    agencies_created: list[str] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        r, a = self.recommendations, self.actions
        text = (
            f"recommendations: {r['created']} created, {r['updated']} updated, "
            f"{r['unchanged']} unchanged; actions: {a['created']} created, {a['updated']} "
            f"updated, {a['unchanged']} unchanged"
        )
        if self.agencies_created:
            text += f"; agencies created: {', '.join(self.agencies_created)}"
        return ("Dry run, nothing saved: " if self.dry_run else "") + text + "."


def _by_key(model: Any, keys: list[str]) -> list[Any]:
    """Rows whose upper-cased reference is among ``keys`` (references ignore letter case)."""
    found: list[Any] = []
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        found.extend(model.objects.annotate(key=Upper("reference")).filter(key__in=chunk))
    return found


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _save(
    model_object: Any, fields: tuple[str, ...], values: dict[str, Any], actor: Any
) -> tuple[str, dict[str, Any]]:
    """Set ``values`` and save when new or changed. Returns the outcome (created, updated
    or unchanged) and the changes."""
    creating = model_object.pk is None
    before = {} if creating else snapshot(model_object, fields)
    for name, value in values.items():
        setattr(model_object, name, value)
    changes = changes_between(before, snapshot(model_object, fields))
    if not creating and not changes:
        return "unchanged", {}
    model_object.updated_at, model_object.updated_by = timezone.now(), actor
    if creating:
        model_object.created_by = actor
    model_object.save()
    return ("created" if creating else "updated"), changes


@transaction.atomic
def import_learning(
    *,
    actor: Any,
    name: str,
    content: bytes,
    dry_run: bool = False,
    create_agencies: bool = False,
    actor_label: str = "",
) -> LearningImportResult:
    """Create and update recommendations, actions and imported evidence from a learning
    tracker file: all or nothing (section 1 of the learning tracker contract)."""
    today = timezone.localdate()
    parsed = importing.parse(name, content, today=today)
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    result = LearningImportResult(file_name=name, dry_run=dry_run)
    problems: list[str] = []

    case_refs = [
        row["source"].upper()
        for _, row in parsed.recommendations.values()
        if row["source_type"] == SourceType.CASE_REVIEW
    ]
    cases = {case.reference.upper(): case for case in cases_by_reference_key(case_refs)}
    agencies = {_key(agency.name): agency for agency in Agency.objects.all()}
    for line, row in parsed.actions:
        if _key(row["agency"]) not in agencies:
            if create_agencies:
                agency = agency_create(
                    actor=actor, name=" ".join(row["agency"].split()), sector=Sector.OTHER
                )
                agencies[_key(agency.name)] = agency
                result.agencies_created.append(agency.name)
            else:
                problems.append(
                    problem(
                        line,
                        "agency",
                        f"'{row['agency']}' is not an agency Sightline knows: "
                        "check the name, add the agency, or import with --create-agencies",
                    )
                )
    for line, row in parsed.recommendations.values():
        if row["source_type"] == SourceType.CASE_REVIEW and row["source"].upper() not in cases:
            problems.append(
                problem(
                    line,
                    "source",
                    f"{row['source']} is not a case in Sightline: import or add the case first",
                )
            )
    if problems:
        raise ImportRejected(problems)

    existing_recs = {
        rec.reference.upper(): rec for rec in _by_key(Recommendation, list(parsed.recommendations))
    }
    events: list[dict[str, Any]] = []
    recommendations: dict[str, Recommendation] = {}
    for key, (_line, row) in parsed.recommendations.items():
        rec = existing_recs.get(key) or Recommendation(reference=row["recommendation_ref"])
        is_case = row["source_type"] == SourceType.CASE_REVIEW
        values = {
            "source_type": row["source_type"],
            "source_case": cases.get(row["source"].upper()) if is_case else None,
            "source_title": "" if is_case else row["source"],
            "text": row["recommendation"],
            "made_date": row["made_date"],
        }
        for column in ("decision", "decision_reason"):
            if column in parsed.columns:
                values[column] = row[column]
        outcome, changes = _save(rec, RECOMMENDATION_FIELDS, values, actor)
        result.recommendations[outcome] += 1
        if outcome != "unchanged":
            events.append(
                {
                    "kind": AuditEvent.Kind.CREATE
                    if outcome == "created"
                    else AuditEvent.Kind.UPDATE,
                    "obj": rec,
                    "changes": changes,
                    "detail": f"Imported from {name}",
                }
            )
        recommendations[key] = rec

    owners = {
        user.email.lower(): user
        for user in User.objects.filter(
            email__in=[row["owner"].lower() for _, row in parsed.actions if row.get("owner")]
        )
    }
    existing_actions = {
        action.reference.upper(): action
        for action in _by_key(Action, [row["action_ref"].upper() for _, row in parsed.actions])
    }
    for _line, row in parsed.actions:
        action = existing_actions.get(row["action_ref"].upper()) or Action(
            reference=row["action_ref"]
        )
        values = {
            "recommendation": recommendations[row["recommendation_ref"].upper()],
            "agency": agencies[_key(row["agency"])],
            "description": row["action"],
            "due_date": row["due_date"],
            "status": row["status"],
            "completed_date": row.get("completed_date"),
            "completion_imported": row.get("completed_date") is not None,
            "closed_reason": row.get("closed_reason", ""),
        }
        if "owner" in parsed.columns:
            values["owner_email"] = row["owner"].lower()
            values["owner"] = owners.get(row["owner"].lower())
        outcome, changes = _save(action, ACTION_FIELDS, values, actor)
        evidence_changed = _imported_evidence(action, row, parsed.columns)
        if outcome == "unchanged" and evidence_changed:
            outcome, changes = "updated", {"imported evidence": {"from": None, "to": "replaced"}}
        result.actions[outcome] += 1
        if outcome != "unchanged":
            events.append(
                {
                    "kind": AuditEvent.Kind.CREATE
                    if outcome == "created"
                    else AuditEvent.Kind.UPDATE,
                    "obj": action,
                    "changes": changes,
                    "detail": f"Imported from {name}",
                }
            )
    # The agencies a recommendation is for include every agency with an action on it.
    for key, rec in recommendations.items():
        owning = {
            agencies[_key(row["agency"])]
            for _, row in parsed.actions
            if row["recommendation_ref"].upper() == key
        }
        if owning:
            rec.agencies.add(*owning)
    if dry_run:
        transaction.set_rollback(True)
        return result
    audit_record_many(actor=actor, events=events, actor_email=actor_label)
    audit_record(
        actor=actor,
        actor_email=actor_label,
        kind=AuditEvent.Kind.IMPORT,
        detail=f"Learning tracker {name}: {result.summary()}",
    )
    return result


def _imported_evidence(action: Action, row: dict[str, Any], columns: list[str]) -> bool:
    """Make the action's imported evidence match the row; True when anything changed.
    Imported evidence is dated by the row: its completed date when given, else the made date."""
    dated: datetime.date = row.get("completed_date") or row["made_date"]
    changed = False
    for kind, column in (
        (EvidenceKind.DISSEMINATION, "dissemination_evidence"),
        (EvidenceKind.IMPACT, "impact_evidence"),
    ):
        if column not in columns:
            continue
        wanted = row[column]
        stored = list(Evidence.objects.filter(action=action, kind=kind, imported=True))
        if [(item.description, item.dated) for item in stored] == (
            [(wanted, dated)] if wanted else []
        ):
            continue
        Evidence.objects.filter(pk__in=[item.pk for item in stored]).delete()
        if wanted:
            Evidence.objects.create(
                action=action, kind=kind, description=wanted, dated=dated, imported=True
            )
        changed = True
    return changed
