"""Every write to the learning tracker: atomic, audited in the same transaction."""

import dataclasses
import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.functions import Upper
from django.template.loader import render_to_string
from django.utils import timezone

from sightline.accounts.models import Agency, Sector, User
from sightline.accounts.services import agency_create
from sightline.core.cell_limits import cell_problems, fields_of
from sightline.core.memory import collection_paused
from sightline.core.models import AuditEvent
from sightline.core.outbox import message_key, outbox_add
from sightline.core.progress import EVERY, NO_PROGRESS, Progress
from sightline.core.selectors import working_calendar
from sightline.core.services import (
    BULK_PARAMETERS,
    audit_record,
    audit_record_many,
    bulk_change,
    bulk_insert,
    bulk_insert_rows,
    changes_between,
    figures_changed,
    save_changed,
    set_changed,
    snapshot,
)
from sightline.core.tabular import ImportRejected, line_count, problem
from sightline.reviews.selectors import case_agency_pairs, cases_by_reference_key

from . import importing
from .models import (
    Action,
    ActionStatusChange,
    DisseminationReturn,
    Evidence,
    ProgressUpdate,
    Recommendation,
    RecommendationDecision,
    SignOff,
    case_withheld_from,
)
from .selectors import LEARNING_FIGURES, agency_lead_emails
from .vocabulary import OPEN_STATUSES, DisseminationMethod, EvidenceKind, SourceType

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


def _decision_record(
    *, actor: Any, recommendation: Recommendation, on: datetime.date
) -> RecommendationDecision:
    """Add the recommendation's current decision to its dated history."""
    return RecommendationDecision.objects.create(
        recommendation=recommendation,
        decision=recommendation.decision,
        reason=recommendation.decision_reason,
        decided_on=on,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _status_record(*, actor: Any, action: Action, on: datetime.date, via: str) -> None:
    """Add the action's current status to its dated history."""
    ActionStatusChange.objects.create(
        action=action,
        status=action.status,
        on=on,
        via=via,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _by_key(model: Any, keys: list[str], *, related: tuple[str, ...] = ()) -> list[Any]:
    """Rows whose upper-cased reference is among ``keys`` (references ignore letter case),
    with their ``related`` rows (those an import's comparison reads)."""
    found: list[Any] = []
    rows = model.objects.annotate(key=Upper("reference"))
    if related:  # select_related() with none named would follow every foreign key
        rows = rows.select_related(*related)
    # As many keys a query as the database takes (SQLite: 32,766 since 3.32), up to 10,000.
    size = min(10_000, connection.features.max_query_params or 10_000)
    for start in range(0, len(keys), size):
        found.extend(rows.filter(key__in=keys[start : start + size]))
    return found


def _attach(objs: list[Any], name: str, known: Iterable[Any]) -> None:
    """Set the related object ``name`` on each of ``objs`` (stored rows of one model) from
    ``known`` (instances, some perhaps not saved yet), reading any others in one query: as
    ``select_related`` would leave them, without a new instance for every row."""
    if not objs:
        return
    field: Any = objs[0]._meta.get_field(name)
    by_key = {obj.pk: obj for obj in known if obj.pk is not None}
    missing = {getattr(obj, field.attname) for obj in objs} - by_key.keys() - {None}
    if missing:
        by_key.update(field.related_model._default_manager.in_bulk(sorted(missing)))
    for obj in objs:
        key = getattr(obj, field.attname)
        field.set_cached_value(obj, by_key[key] if key is not None else None)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@collection_paused()
def import_learning(
    *,
    actor: Any,
    name: str,
    content: bytes,
    dry_run: bool = False,
    create_agencies: bool = False,
    actor_label: str = "",
    progress: Progress = NO_PROGRESS,
    on_write: Callable[[Any], None] | None = None,
) -> LearningImportResult:
    """Create and update recommendations, actions and imported evidence from a learning
    tracker file: all or nothing (section 1 of the learning tracker contract).

    The file is read, compared with what Sightline holds and checked before any transaction
    opens (reads only, so a dry run writes nothing and, on SQLite, takes no write lock); then
    every row, history row and audit event is written in bulk in one short transaction. If
    any recommendation or action changed in between, the comparison is made again inside
    the transaction, so what is written always starts from what is stored.
    ``on_write`` is called with the result inside that transaction, after the writes (a
    background job records its outcome there: the work and its record commit together)."""
    today = timezone.localdate()
    progress.stage("Reading the file", total=line_count(name, content))
    parsed = importing.parse(name, content, today=today, progress=progress)
    read_at = timezone.now()
    plan = _learning_plan(
        actor=actor,
        name=name,
        parsed=parsed,
        today=today,
        dry_run=dry_run,
        create_agencies=create_agencies,
        progress=progress,
    )
    if dry_run:
        return plan.result
    with transaction.atomic():
        if _learning_changed_since(read_at):
            plan = _learning_plan(
                actor=actor,
                name=name,
                parsed=parsed,
                today=today,
                dry_run=dry_run,
                create_agencies=create_agencies,
                progress=progress,
            )
        _learning_write(plan, actor=actor, name=name, actor_label=actor_label, progress=progress)
        # Written in bulk, without the signals that mark the learning report's figures
        # changed for a single save: so here, as the transaction's last write.
        figures_changed(LEARNING_FIGURES)
        if on_write is not None:
            on_write(plan.result)
    return plan.result


@dataclasses.dataclass
class _LearningPlan:
    """What an import will write, worked out from the file and the stored rows."""

    result: LearningImportResult
    new_agencies: dict[str, Agency] = dataclasses.field(default_factory=dict)
    recommendations: dict[str, Recommendation] = dataclasses.field(default_factory=dict)
    rec_created: list[Recommendation] = dataclasses.field(default_factory=list)
    rec_updated: list[Recommendation] = dataclasses.field(default_factory=list)
    decisions: list[tuple[Recommendation, datetime.date]] = dataclasses.field(default_factory=list)
    # Each recommendation's agencies with an action in the file, by their names' keys.
    owning: dict[str, dict[str, Agency]] = dataclasses.field(default_factory=dict)
    act_created: list[Action] = dataclasses.field(default_factory=list)
    act_updated: list[Action] = dataclasses.field(default_factory=list)
    statuses: list[tuple[Action, datetime.date]] = dataclasses.field(default_factory=list)
    evidence_removed: list[int] = dataclasses.field(default_factory=list)
    evidence_added: list[Evidence] = dataclasses.field(default_factory=list)
    events: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def _learning_changed_since(moment: datetime.datetime) -> bool:
    """Whether any recommendation or action was added or changed since ``moment``."""
    return (
        Recommendation.objects.filter(updated_at__gte=moment).exists()
        or Action.objects.filter(updated_at__gte=moment).exists()
    )


def _imported_evidence_of(action_ids: list[int]) -> dict[tuple[int, str], list[Evidence]]:
    """The imported evidence of these actions, by (action, kind), in date order."""
    found: dict[tuple[int, str], list[Evidence]] = {}
    for start in range(0, len(action_ids), 900):
        for item in Evidence.objects.filter(
            action_id__in=action_ids[start : start + 900],
            imported=True,
            kind__in=[EvidenceKind.DISSEMINATION, EvidenceKind.IMPACT],
        ).order_by("dated", "id"):
            found.setdefault((item.action_id, item.kind), []).append(item)
    return found


def _recommendation_cells() -> dict[str, Any]:
    """The field each recommendation column of a tracker is stored in, for its length and
    range (a case review's reference is looked up, so the title's length bounds it too)."""
    return fields_of(
        Recommendation,
        {
            "recommendation_ref": "reference",
            "source": "source_title",
            "recommendation": "text",
            "made_date": "made_date",
            "decision_reason": "decision_reason",
        },
    )


def _action_cells() -> dict[str, Any]:
    """The field each action column of a tracker is stored in (its agency's name, its
    owner's email address), for its length and range."""
    cells = fields_of(
        Action,
        {
            "action_ref": "reference",
            "action": "description",
            "due_date": "due_date",
            "completed_date": "completed_date",
            "closed_reason": "closed_reason",
        },
    )
    cells |= fields_of(Agency, {"agency": "name"}) | fields_of(User, {"owner": "email"})
    cells |= fields_of(
        Evidence,
        {"dissemination_evidence": "description", "impact_evidence": "description"},
    )
    return cells


def _learning_plan(
    *,
    actor: Any,
    name: str,
    parsed: importing.ParsedTracker,
    today: datetime.date,
    dry_run: bool,
    create_agencies: bool,
    progress: Progress,
) -> _LearningPlan:
    """Compare the file with the stored rows and check it, reading only: every problem in
    one pass (``ImportRejected``), else what to write."""
    plan = _LearningPlan(result=LearningImportResult(file_name=name, dry_run=dry_run))
    result = plan.result
    # One pass names every problem: the checks against stored agencies and cases run on
    # every row, whatever problems the file's cells have.
    problems: list[str] = list(parsed.errors)
    progress.stage("Comparing the rows with what Sightline holds", total=len(parsed.actions))

    case_refs = [
        row["source"].upper()
        for _, row in parsed.recommendations.values()
        if row.get("source_type") == SourceType.CASE_REVIEW
    ]
    cases = {case.reference.upper(): case for case in cases_by_reference_key(case_refs)}
    agencies = {_key(agency.name): agency for agency in Agency.objects.all()}
    for line, row in parsed.actions:
        if row.get("agency") and _key(row["agency"]) not in agencies:
            if create_agencies:
                agency = Agency(name=" ".join(row["agency"].split()), sector=Sector.OTHER)
                agencies[_key(agency.name)] = plan.new_agencies[_key(agency.name)] = agency
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
        is_case = row.get("source_type") == SourceType.CASE_REVIEW
        if is_case and row.get("source") and row["source"].upper() not in cases:
            problems.append(
                problem(
                    line,
                    "source",
                    f"{row['source']} is not a case in Sightline: import or add the case first",
                )
            )
    for line, row in parsed.recommendations.values():
        problems.extend(cell_problems(line, row, _recommendation_cells()))
    for line, row in parsed.actions:
        problems.extend(
            cell_problems(line, row, _action_cells(), skip=importing.RECOMMENDATION_COLUMNS)
        )
    if problems:
        raise ImportRejected(problems)

    now = timezone.now()
    existing_recs = {
        rec.reference.upper(): rec
        for rec in _by_key(Recommendation, list(parsed.recommendations), related=("source_case",))
    }
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
        outcome, changes = set_changed(
            rec, fields=RECOMMENDATION_FIELDS, values=values, actor=actor, now=now
        )
        # The file gives no decision date: a decision that comes with a new recommendation
        # is dated the day it was made; a changed one, the day of the import.
        if outcome == "created":
            plan.rec_created.append(rec)
            if rec.decision:
                plan.decisions.append((rec, rec.made_date))
        elif outcome == "updated":
            plan.rec_updated.append(rec)
            if changes.keys() & {"decision", "decision_reason"}:
                plan.decisions.append((rec, today))
        result.recommendations[outcome] += 1
        if outcome != "unchanged":
            plan.events.append(_import_event(rec, outcome, changes, name))
        plan.recommendations[key] = rec

    owners = {
        user.email.lower(): user
        for user in User.objects.filter(
            email__in=[row["owner"].lower() for _, row in parsed.actions if row.get("owner")]
        )
    }
    stored_actions = _by_key(Action, [row["action_ref"].upper() for _, row in parsed.actions])
    # What the comparison reads of each stored action's recommendation, agency and owner, from
    # the rows already in hand (one query for any others) rather than a join that would make
    # three more objects for every stored action.
    _attach(stored_actions, "recommendation", plan.recommendations.values())
    _attach(stored_actions, "agency", agencies.values())
    _attach(stored_actions, "owner", owners.values())
    existing_actions = {action.reference.upper(): action for action in stored_actions}
    evidence_columns: list[tuple[str, str]] = [
        (kind, column)
        for kind, column in (
            (EvidenceKind.DISSEMINATION, "dissemination_evidence"),
            (EvidenceKind.IMPACT, "impact_evidence"),
        )
        if column in parsed.columns
    ]
    stored_evidence = (
        _imported_evidence_of([action.pk for action in existing_actions.values()])
        if evidence_columns
        else {}
    )
    for done, (_line, row) in enumerate(parsed.actions):
        if done % EVERY == 0:
            progress.advance(done)
        action = existing_actions.get(row["action_ref"].upper()) or Action(
            reference=row["action_ref"]
        )
        agency = agencies[_key(row["agency"])]
        values = {
            "recommendation": plan.recommendations[row["recommendation_ref"].upper()],
            "agency": agency,
            "description": row["action"],
            "due_date": row["due_date"],
            "status": row["status"],
            "completed_date": row.get("completed_date"),
            # A completion signed off in Sightline stays so when the same date comes back.
            "completion_imported": row.get("completed_date") is not None
            and (
                action.pk is None
                or action.completion_imported
                or action.completed_date != row.get("completed_date")
            ),
            "closed_reason": row.get("closed_reason", ""),
        }
        if "owner" in parsed.columns:
            values["owner_email"] = row["owner"].lower()
            values["owner"] = owners.get(row["owner"].lower())
        outcome, changes = set_changed(
            action, fields=ACTION_FIELDS, values=values, actor=actor, now=now
        )
        if outcome == "created":
            plan.act_created.append(action)
        elif outcome == "updated":
            action.version += 1
            plan.act_updated.append(action)
        if outcome == "created" or changes.keys() & {"status", "completed_date"}:
            plan.statuses.append((action, _imported_status_date(action, outcome, today)))
        evidence_changed = _plan_evidence(
            plan, action, row, evidence_columns, stored_evidence, recorded_at=now
        )
        if outcome == "unchanged" and evidence_changed:
            outcome, changes = "updated", {"imported evidence": {"from": None, "to": "replaced"}}
        result.actions[outcome] += 1
        if outcome != "unchanged":
            plan.events.append(_import_event(action, outcome, changes, name))
        # The agencies a recommendation is for include every agency with an action on it.
        plan.owning.setdefault(row["recommendation_ref"].upper(), {})[_key(agency.name)] = agency
    return plan


def _imported_status_date(action: Action, outcome: str, today: datetime.date) -> datetime.date:
    """The day an imported status took effect. A completion is dated by the file; otherwise
    the file gives no date, so a new action's status is dated the day its recommendation was
    made (as imported evidence is), and a changed status (a closure or a reopening) the day
    of the import."""
    if action.completed_date is not None:
        return action.completed_date
    return action.recommendation.made_date if outcome == "created" else today


def _import_event(obj: Any, outcome: str, changes: Any, name: str) -> dict[str, Any]:
    return {
        "kind": AuditEvent.Kind.CREATE if outcome == "created" else AuditEvent.Kind.UPDATE,
        "obj": obj,
        "changes": changes,
        "detail": f"Imported from {name}",
    }


def _plan_evidence(
    plan: _LearningPlan,
    action: Action,
    row: dict[str, Any],
    columns: list[tuple[str, str]],
    stored: dict[tuple[int, str], list[Evidence]],
    *,
    recorded_at: datetime.datetime,
) -> bool:
    """Plan making the action's imported evidence match the row; True when anything changes.
    Imported evidence is dated by the row: its completed date when given, else the made date."""
    dated: datetime.date = row.get("completed_date") or row["made_date"]
    changed = False
    for kind, column in columns:
        wanted = row[column]
        items = stored.get((action.pk, kind), []) if action.pk is not None else []
        if [(item.description, item.dated) for item in items] == (
            [(wanted, dated)] if wanted else []
        ):
            continue
        plan.evidence_removed.extend(item.pk for item in items)
        if wanted:
            plan.evidence_added.append(
                Evidence(
                    action=action,
                    kind=kind,
                    description=wanted,
                    dated=dated,
                    imported=True,
                    recorded_at=recorded_at,
                )
            )
        changed = True
    return changed


def _learning_write(
    plan: _LearningPlan, *, actor: Any, name: str, actor_label: str, progress: Progress
) -> None:
    """Write the plan in bulk (inside the caller's transaction)."""
    result = plan.result
    progress.stage(
        f"Saving {len(plan.rec_created) + len(plan.rec_updated):,} recommendations and "
        f"{len(plan.act_created) + len(plan.act_updated):,} actions"
    )
    recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    for agency in plan.new_agencies.values():
        created = agency_create(actor=actor, name=agency.name, sector=agency.sector)
        agency.pk, agency._state.adding, agency._state.db = created.pk, False, created._state.db
    bulk_insert(Recommendation, plan.rec_created)
    bulk_change(
        Recommendation, plan.rec_updated, [*RECOMMENDATION_FIELDS, "updated_at", "updated_by"]
    )
    recorder = {"recorded_by_id": recorded_by.pk if recorded_by is not None else None}
    bulk_insert_rows(
        RecommendationDecision,
        [
            {
                "recommendation_id": rec.pk,
                "decision": rec.decision,
                "reason": rec.decision_reason,
                "decided_on": on,
                **recorder,
            }
            for rec, on in plan.decisions
        ],
    )
    # Which agencies act on each recommendation: a new recommendation's pairs are new, so
    # they go as plain rows; a stored one's may be there already, and are skipped if so.
    through = Recommendation.agencies.through
    new_recs = {id(rec) for rec in plan.rec_created}
    pairs = [
        (plan.recommendations[key], acting.pk)
        for key, owning in plan.owning.items()
        for acting in owning.values()
    ]
    bulk_insert_rows(
        through,
        [
            {"recommendation_id": rec.pk, "agency_id": agency_pk}
            for rec, agency_pk in pairs
            if id(rec) in new_recs
        ],
        complete=True,
    )
    through.objects.bulk_create(
        [
            through(recommendation_id=rec.pk, agency_id=agency_pk)
            for rec, agency_pk in pairs
            if id(rec) not in new_recs
        ],
        batch_size=BULK_PARAMETERS // 2,
        ignore_conflicts=True,
    )
    bulk_insert(Action, plan.act_created)
    bulk_change(Action, plan.act_updated, [*ACTION_FIELDS, "version", "updated_at", "updated_by"])
    bulk_insert_rows(
        ActionStatusChange,
        [
            {
                "action_id": action.pk,
                "status": action.status,
                "on": on,
                "via": ActionStatusChange.Via.IMPORT,
                **recorder,
            }
            for action, on in plan.statuses
        ],
    )
    for start in range(0, len(plan.evidence_removed), 10_000):
        Evidence.objects.filter(pk__in=plan.evidence_removed[start : start + 10_000]).delete()
    bulk_insert(Evidence, plan.evidence_added)
    audit_record_many(actor=actor, events=plan.events, actor_email=actor_label)
    audit_record(
        actor=actor,
        actor_email=actor_label,
        kind=AuditEvent.Kind.IMPORT,
        detail=f"Learning tracker {name}: {result.summary()}",
    )


# --- Recording in the browser --------------------------------------------------


def _problems(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def recommendation_save(
    *, actor: Any, recommendation: Recommendation | None, data: dict[str, Any]
) -> Recommendation:
    """Create or change a recommendation from cleaned form data. A new or changed decision
    goes into the recommendation's dated history, on ``decided_on`` (default today)."""
    themes = data.pop("themes", None)
    agencies = data.pop("agencies", None)
    source = data.pop("source", "").strip()
    decided_on: datetime.date = data.pop("decided_on", None) or timezone.localdate()
    rec = recommendation or Recommendation()
    errors: dict[str, str] = {}
    decision_before = (rec.decision, rec.decision_reason) if rec.pk else ("", "")
    decision_after = (
        data.get("decision", rec.decision) or "",
        data.get("decision_reason", rec.decision_reason) or "",
    )
    deciding = decision_after != decision_before
    if deciding:
        made = data.get("made_date") or rec.made_date
        if decided_on > timezone.localdate():
            errors["decided_on"] = "The date of the decision must be today or in the past"
        elif made and decided_on < made:
            errors["decided_on"] = (
                "The date of the decision must be on or after the day the recommendation "
                f"was made ({made:%d/%m/%Y})"
            )
    if data.get("source_type") == SourceType.CASE_REVIEW:
        case = cases_by_reference_key([source.upper()]).first()
        if case is None:
            errors["source"] = f"{source} is not a case in Sightline: enter a case's reference"
        data |= {"source_case": case, "source_title": ""}
    else:
        data |= {"source_case": None, "source_title": source}
    if data.get("decision") == "not_accepted" and not data.get("decision_reason", "").strip():
        errors["decision_reason"] = "Give the reason the recommendation was not accepted"
    clash = _by_key(Recommendation, [data["reference"].strip().upper()])
    if any(other.pk != rec.pk for other in clash):
        errors["reference"] = (
            f"A recommendation with the reference {data['reference']} already exists"
        )
    if rec.pk and data.get("made_date"):
        earliest = rec.actions.order_by("due_date").values_list("due_date", flat=True).first()
        if earliest and earliest < data["made_date"]:
            errors["made_date"] = "An action on it is due before this date: change that first"
    _problems(errors)
    outcome, changes = save_changed(
        rec, fields=("reference", *RECOMMENDATION_FIELDS, "lead"), values=data, actor=actor
    )
    if deciding:
        _decision_record(actor=actor, recommendation=rec, on=decided_on)
        changes["decision date"] = {"from": None, "to": decided_on.isoformat()}
    for name, values in (("themes", themes), ("agencies", agencies)):
        if values is not None:
            before = sorted(str(item) for item in getattr(rec, name).all())
            getattr(rec, name).set(values)
            after = sorted(str(item) for item in values)
            if before != after:
                changes[name] = {"from": before, "to": after}
    if outcome == "created" or changes:
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE if outcome == "created" else AuditEvent.Kind.UPDATE,
            obj=rec,
            changes=changes,
        )
    return rec


EDITABLE_ACTION_FIELDS = ("agency", "description", "owner", "due_date", "next_review_date")


@transaction.atomic
def action_save(
    *,
    actor: Any,
    action: Action | None,
    recommendation: Recommendation,
    data: dict[str, Any],
    version: int | None = None,
) -> Action:
    """Create an action on a recommendation, or change one. A change needs ``version``, the
    version the person saw: if the action changed since, or the change does not say which
    version it started from, nothing is saved and they are told (never a silent overwrite)."""
    creating = action is None
    action = action or Action(recommendation=recommendation)
    if not creating:
        current = Action.objects.select_for_update().get(pk=action.pk)
        if version is None:
            raise StaleActionError(current, missing=True)
        if current.version != version:
            raise StaleActionError(current)
    errors: dict[str, str] = {}
    if not data.get("agency"):
        errors["agency"] = "Choose the agency that owns the action"
    due = data.get("due_date")
    if due is None:
        errors["due_date"] = "Enter the date the action is due"
    elif due < recommendation.made_date:
        errors["due_date"] = (
            f"The due date must be on or after the day the recommendation was made "
            f"({recommendation.made_date:%d/%m/%Y})"
        )
    if creating and _by_key(Action, [data.get("reference", "").strip().upper()]):
        errors["reference"] = f"An action with the reference {data.get('reference')} already exists"
    _problems(errors)
    owner = data.get("owner")
    values = {name: data[name] for name in EDITABLE_ACTION_FIELDS if name in data}
    if owner is not None:
        values["owner_email"] = owner.email
    elif action.owner_id is not None:
        values["owner_email"] = ""  # the owner was taken off
    # Otherwise an owner known only by an imported email address is kept.
    if creating:
        values["reference"] = data["reference"].strip()
    before_version = action.version
    outcome, changes = save_changed(
        action,
        fields=("reference", *ACTION_FIELDS, "next_review_date"),
        values=values,
        actor=actor,
    )
    if outcome != "unchanged":
        if not creating:
            Action.objects.filter(pk=action.pk).update(version=before_version + 1)
            action.version = before_version + 1
        recommendation.agencies.add(action.agency)
        if creating:
            _status_record(
                actor=actor,
                action=action,
                on=timezone.localdate(),
                via=ActionStatusChange.Via.CREATED,
            )
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE if creating else AuditEvent.Kind.UPDATE,
            obj=action,
            changes=changes,
        )
    return action


class StaleActionError(ValidationError):
    """The action changed after the form was opened; ``current`` is how it stands now."""

    def __init__(self, current: Action, *, missing: bool = False) -> None:
        super().__init__(
            "Your form did not say which version of this action you started from (it may "
            "come from a page opened before an update), so it was not saved. The action as "
            "it is saved now is shown below: check it, then make your change again."
            if missing
            else "Someone else changed this action after you opened it. Their version is "
            "shown below: check it, then make your change again."
        )
        self.current = current


def _bump(action: Action, actor: Any, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(action, name, value)
    action.version += 1
    action.updated_at, action.updated_by = timezone.now(), actor
    action.save(update_fields=[*fields, "version", "updated_at", "updated_by"])


@transaction.atomic
def progress_record(
    *, actor: Any, action: Action, status: str, note: str, on: datetime.date
) -> ProgressUpdate:
    """A dated update on an open action; it may move the action between open statuses."""
    if action.status not in OPEN_STATUSES:
        raise ValidationError("This action is closed: it takes no more updates")
    if status not in OPEN_STATUSES:
        raise ValidationError({"status": "To complete or close the action, use Close the action"})
    if on > timezone.localdate():
        raise ValidationError({"on": "The date must be today or in the past"})
    update = ProgressUpdate.objects.create(
        action=action, status=status, note=note.strip(), on=on, recorded_by=actor
    )
    changes = {"status": {"from": action.status, "to": status}} if status != action.status else {}
    _bump(action, actor, status=status)
    if changes:
        _status_record(actor=actor, action=action, on=on, via=ActionStatusChange.Via.PROGRESS)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=action,
        changes=changes,
        detail=f"Progress update: {update.note}",
    )
    return update


@transaction.atomic
def evidence_record(*, actor: Any, action: Action, **fields: Any) -> Evidence:
    if fields["dated"] > timezone.localdate():
        raise ValidationError({"dated": "The date must be today or in the past"})
    evidence = Evidence.objects.create(action=action, recorded_by=actor, **fields)
    _bump(action, actor)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=action,
        changes={
            "evidence": {
                "from": None,
                "to": f"{evidence.get_kind_display()}: {evidence.description}",
            }
        },
    )
    return evidence


@transaction.atomic
def action_close(
    *, actor: Any, action: Action, outcome: str, on: datetime.date, reason: str = ""
) -> SignOff:
    """Complete an action, or close it without completion, with the signer's sign-off."""
    if action.status not in OPEN_STATUSES:
        raise ValidationError("This action is already closed")
    if not actor.has_perm("learning.sign_off", action):
        raise ValidationError(
            "Only a partnership administrator or the recommendation's lead, and never the "
            "action's owner, can sign off an action"
        )
    if on > timezone.localdate():
        raise ValidationError({"on": "The date must be today or in the past"})
    if outcome == "complete":
        if not action.evidence.exists():
            raise ValidationError(
                "Record evidence of dissemination or impact before completing the action"
            )
        fields = {
            "status": "complete",
            "completed_date": on,
            "completion_imported": False,
            "closed_date": on,
        }
    elif outcome == "closed_incomplete":
        if not reason.strip():
            raise ValidationError(
                {"reason": "Give the reason the action is closed without completion"}
            )
        fields = {"status": "closed_incomplete", "closed_reason": reason.strip(), "closed_date": on}
    else:
        raise ValidationError({"outcome": "Choose whether the action is complete or closed"})
    before = snapshot(action, ACTION_FIELDS)
    _bump(action, actor, **fields)
    _status_record(actor=actor, action=action, on=on, via=ActionStatusChange.Via.SIGN_OFF)
    sign_off = SignOff.objects.create(
        action=action,
        signed_by=actor,
        snapshot=snapshot(action, (*ACTION_FIELDS, "next_review_date", "closed_date")),
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=action,
        changes=changes_between(before, snapshot(action, ACTION_FIELDS)),
        detail=f"Signed off by {actor.email}",
    )
    return sign_off


# --- Dissemination returns ---------------------------------------------------------


@transaction.atomic
def returns_request(*, actor: Any, case: Any, notify: bool = True) -> list[DisseminationReturn]:
    """Ask each agency involved in a published review how it spread the learning; each
    agency's leads are emailed. Agencies already asked are not asked twice."""
    if case.published_date is None:
        raise ValidationError("Ask for dissemination returns once the review is published")
    asked = set(DisseminationReturn.objects.filter(case=case).values_list("agency_id", flat=True))
    created = [
        DisseminationReturn.objects.create(
            case=case,
            agency=agency,
            requested_on=timezone.localdate(),
            created_by=actor,
            updated_by=actor,
        )
        for agency in case.agencies.order_by("name")
        if agency.pk not in asked
    ]
    if not created and not asked:
        raise ValidationError(
            "No agencies are recorded as involved in this case: add them to the case first"
        )
    for item in created:
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE,
            obj=item,
            changes={"requested from": {"from": None, "to": item.agency.name}},
        )
    if notify:
        _ask_for_returns(case, created)
    return created


def _ask_for_returns(case: Any, created: list[DisseminationReturn]) -> None:
    recipients = agency_lead_emails(agency_ids=[item.agency_id for item in created])
    for item in created:
        for email in recipients.get(item.agency_id, []):
            outbox_add(
                key=message_key("learning.return_request", item.pk, email),
                kind="learning.return_request",
                to=email,
                subject=f"Dissemination return requested: {case.reference}",
                body=render_to_string(
                    "learning/email/return_request.txt",
                    {
                        "item": item,
                        "link": f"{settings.SIGHTLINE_BASE_URL}/learning/returns/{item.pk}/",
                        "reminder": False,
                    },
                ),
            )


@transaction.atomic
def return_submit(
    *,
    actor: Any,
    item: DisseminationReturn,
    returned_on: datetime.date,
    methods: list[str],
    staff_reached: int | None,
    summary: str,
) -> DisseminationReturn:
    if returned_on > timezone.localdate():
        raise ValidationError({"returned_on": "The date must be today or in the past"})
    published = item.case.published_date
    if published is not None and returned_on < published:
        raise ValidationError(
            {"returned_on": "The learning cannot have been spread before the review was published"}
        )
    if not methods or any(method not in DisseminationMethod.values for method in methods):
        raise ValidationError({"methods": "Select how the learning was spread"})
    # In the vocabulary's order, each once, so that the same answers always read the same.
    chosen = [value for value in DisseminationMethod.values if value in methods]
    before = snapshot(item, ("returned_on", "methods", "staff_reached", "summary"))
    item.returned_on, item.methods, item.staff_reached = returned_on, chosen, staff_reached
    item.summary, item.returned_by = summary.strip(), actor
    item.updated_at, item.updated_by = timezone.now(), actor
    item.save()
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=item,
        changes=changes_between(
            before, snapshot(item, ("returned_on", "methods", "staff_reached", "summary"))
        ),
    )
    return item


# --- Reminders and the weekly digest -------------------------------------------------

ACTION_REMINDER_WORKING_DAYS = 5


def learning_reminders_send(
    *, today: datetime.date | None = None, digest: bool | None = None
) -> dict[str, int]:
    """Write to the outbox an email about each action due within five working days or
    overdue (to its owner, else the owning agency's leads) and each outstanding dissemination
    return (to the agency's leads), at most one a day each; and, on Mondays or when
    ``digest``, the digests. Returns how many emails of each kind were written."""
    today = today or timezone.localdate()
    calendar = working_calendar()
    horizon = calendar.add_working_days(today, ACTION_REMINDER_WORKING_DAYS)
    written = {"actions": 0, "returns": 0, "digests": 0}
    actions = _named_for_email(
        Action.objects.filter(status__in=OPEN_STATUSES, due_date__lte=horizon)
        .select_related("agency", "owner", "recommendation__source_case")
        .order_by("due_date", "reference")
    )
    returns = list(
        DisseminationReturn.objects.filter(returned_on__isnull=True).select_related(
            "case", "agency"
        )
    )
    leads = agency_lead_emails(
        agency_ids=[a.agency_id for a, _ in actions] + [r.agency_id for r in returns]
    )
    with transaction.atomic():
        for action, reference in actions:
            recipients = (
                [action.owner.email]
                if action.owner and action.owner.is_active
                else leads.get(action.agency_id, [])
            )
            overdue = action.due_date < today
            for email in recipients:
                written["actions"] += outbox_add(
                    key=message_key("learning.action", action.pk, email, today),
                    kind="learning.action_reminder",
                    to=email,
                    subject=(
                        f"{'Overdue' if overdue else 'Due soon'}: learning action {reference}"
                    ),
                    body=render_to_string(
                        "learning/email/action_reminder.txt",
                        {
                            "action": action,
                            "reference": reference,
                            "overdue": overdue,
                            "link": f"{settings.SIGHTLINE_BASE_URL}/learning/actions/{action.pk}/",
                        },
                    ),
                )
        for item in returns:
            for email in leads.get(item.agency_id, []):
                written["returns"] += outbox_add(
                    key=message_key("learning.return", item.pk, email, today),
                    kind="learning.return_reminder",
                    to=email,
                    subject=f"Reminder: dissemination return for {item.case.reference}",
                    body=render_to_string(
                        "learning/email/return_request.txt",
                        {
                            "item": item,
                            "reminder": True,
                            "link": f"{settings.SIGHTLINE_BASE_URL}/learning/returns/{item.pk}/",
                        },
                    ),
                )
        if digest if digest is not None else today.weekday() == 0:
            written["digests"] = learning_digest_send(today=today)
    return written


def _named_for_email(actions: Any) -> list[tuple[Action, str]]:
    """Each action with the reference an email gives it: its own, with its case's reference
    taken out unless the action's agency was involved in the case. An email leaves Sightline
    and goes to the action's owner or its agency's leads, so it names a case only where that
    agency may see it (decision 0013)."""
    rows = list(actions)
    case_ids = {a.recommendation.source_case_id for a in rows} - {None}
    involved = case_agency_pairs(case_ids=case_ids)
    named = []
    for action in rows:
        case = action.recommendation.source_case
        shared = case is None or (case.pk, action.agency_id) in involved
        named.append(
            (
                action,
                action.reference
                if shared
                else case_withheld_from(action.reference, case.reference),
            )
        )
    return named


def learning_digest_send(*, today: datetime.date | None = None) -> int:
    """Write to the outbox each agency lead's digest of their agency's open actions, once a
    day at most. Returns how many were written."""
    today = today or timezone.localdate()
    open_actions: dict[int, list[tuple[Action, str]]] = {}
    for action, reference in _named_for_email(
        Action.objects.filter(status__in=OPEN_STATUSES)
        .select_related("agency", "recommendation__source_case")
        .order_by("due_date")
    ):
        open_actions.setdefault(action.agency_id, []).append((action, reference))
    all_leads = agency_lead_emails(agency_ids=list(open_actions))
    written = 0
    with transaction.atomic():
        for agency_id, items in open_actions.items():
            for email in all_leads.get(agency_id, []):
                written += outbox_add(
                    key=message_key("learning.digest", agency_id, email, today),
                    kind="learning.digest",
                    to=email,
                    subject=f"Your agency's open learning actions: {len(items)}",
                    body=render_to_string(
                        "learning/email/digest.txt",
                        {
                            "agency": items[0][0].agency,
                            "actions": items,
                            "today": today,
                            "link": f"{settings.SIGHTLINE_BASE_URL}/learning/actions/?mine=1",
                        },
                    ),
                )
    return written


def learning_reminders_scheduled(*, now: datetime.datetime) -> dict[str, int]:
    """The worker's daily run (the digest has its own weekly schedule)."""
    return learning_reminders_send(today=timezone.localdate(now), digest=False)


def learning_digest_scheduled(*, now: datetime.datetime) -> dict[str, int]:
    """The worker's Monday run."""
    return {"digests": learning_digest_send(today=timezone.localdate(now))}
