"""Every write to case reviews: checked, atomic, audited in the same transaction, and with
the case's stage and deadlines kept in step."""

import dataclasses
import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from sightline.core.calendar import WorkingCalendar
from sightline.core.cell_limits import cell_problems, fields_of
from sightline.core.memory import collection_paused
from sightline.core.models import AuditEvent
from sightline.core.outbox import message_key, outbox_add
from sightline.core.progress import EVERY, NO_PROGRESS, Progress
from sightline.core.selectors import working_calendar
from sightline.core.services import (
    audit_record,
    audit_record_many,
    bulk_change,
    bulk_insert,
    changes_between,
    figures_changed,
    snapshot,
)
from sightline.core.tabular import ImportRejected, line_count

from . import importing, timeliness
from .lifecycle import opened_on, stage_of
from .models import (
    REFERRAL_REASON_MAX,
    CalendarFeed,
    Case,
    CaseAssignment,
    CaseDeadline,
    Decision,
    Pause,
    PracticeTheme,
    Referral,
    ReferralStatus,
    RelatedCase,
    RestrictedDetailsRevision,
    TimelinessStandard,
)
from .selectors import (
    TIMELINESS_FIGURES,
    cases_by_reference_key,
    next_due,
    referral_by_submission,
    review_officer_emails,
)
from .validation import case_problems
from .vocabulary import MILESTONES, MILESTONES_BY_ROUTE, Route

CASE_FIELDS = (
    "reference",
    "route",
    "pseudonym",
    "outcome",
    *MILESTONES,
    "restricted_summary",
    "age_band",
    "sex",
    "ethnicity",
    "disability",
    "legal_status",
    "harm_types",
    "officer",
    "lead_reviewer",
)


def _today() -> datetime.date:
    return timezone.localdate()


def _derive(case: Case) -> None:
    facts = case.facts()
    case.stage = stage_of(facts)
    case.opened_on = opened_on(facts)


def _case_snapshot(case: Case) -> dict[str, Any]:
    values = snapshot(case, CASE_FIELDS)
    if case.pk:
        values["themes"] = sorted(theme.name for theme in case.themes.all())
        values["agencies"] = sorted(agency.name for agency in case.agencies.all())
    else:
        values["themes"] = values["agencies"] = []
    return values


def _raise_problems(problems: list[tuple[str, str]]) -> None:
    if problems:
        errors: dict[str, list[str]] = {}
        for field, message in problems:
            errors.setdefault(field, []).append(message)
        raise ValidationError(errors)


def deadlines_for(
    cases: Iterable[dict[str, Any]],
    standards: list[TimelinessStandard],
    calendar: WorkingCalendar,
) -> list[CaseDeadline]:
    """A deadline for each standard whose start has happened and whose milestone has not."""
    specs = [(standard, standard.spec()) for standard in standards]
    rows = []
    for facts in cases:
        for standard, spec in specs:
            if spec.rule == timeliness.Rule.BEFORE_WORKING_DAYS or facts["route"] != spec.route:
                continue
            if spec.outcome and facts.get("outcome") != spec.outcome:
                continue
            start = facts.get(spec.start_field)
            if start is None or facts.get(spec.done_field) is not None:
                continue
            rows.append(
                CaseDeadline(
                    case_id=facts["pk"],
                    standard=standard,
                    due=timeliness.due_date(spec, start, calendar),
                )
            )
    return rows


@transaction.atomic
def deadlines_refresh(*, case_ids: list[int] | None = None) -> int:
    """Recount the deadlines of these cases (all cases when None), after any change, with
    each case's next due date (``Case.next_due_on``, written only where it moved), and mark
    the timeliness report's inputs changed. Every path that writes deadlines comes here."""
    standards = list(TimelinessStandard.objects.filter(is_active=True))
    calendar = working_calendar()
    cases = Case.objects.order_by("pk")
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
        CaseDeadline.objects.filter(case_id__in=case_ids).delete()
    else:
        CaseDeadline.objects.all().delete()
    fields = ("pk", "route", "outcome", "next_due_on", *MILESTONES)
    created = 0
    moved: list[int] = []

    def write(batch: list[dict[str, Any]]) -> int:
        rows = deadlines_for(batch, standards, calendar)
        earliest: dict[int, datetime.date] = {}
        for row in rows:
            if row.case_id not in earliest or row.due < earliest[row.case_id]:
                earliest[row.case_id] = row.due
        moved.extend(
            facts["pk"] for facts in batch if earliest.get(facts["pk"]) != facts["next_due_on"]
        )
        return len(CaseDeadline.objects.bulk_create(rows))

    batch: list[dict[str, Any]] = []
    for facts in cases.values(*fields).iterator(chunk_size=5000):
        batch.append(facts)
        if len(batch) == 5000:
            created += write(batch)
            batch = []
    created += write(batch)
    _next_due_write(moved)
    timeliness_changed()
    return created


def _next_due_write(case_ids: list[int]) -> None:
    """Set these cases' next due date from their deadlines: one UPDATE for each 900 cases."""
    for start in range(0, len(case_ids), 900):
        Case.objects.filter(pk__in=case_ids[start : start + 900]).update(next_due_on=next_due())


def timeliness_changed() -> None:
    """Give the timeliness report's inputs a new version, so that no cached report of the
    old ones is served again (core's cached figures)."""
    figures_changed(TIMELINESS_FIGURES)


@transaction.atomic
def case_save(*, actor: Any, case: Case | None, data: dict[str, Any]) -> Case:
    """Create a case (``case`` None) or change one, from cleaned form data."""
    creating = case is None
    case = case or Case()
    before = {} if creating else _case_snapshot(case)
    themes = data.pop("themes", None)
    agencies = data.pop("agencies", None)
    for field, value in data.items():
        setattr(case, field, value)
    problems = case_problems(case.facts(), today=_today())
    reference_taken = cases_by_reference_key([case.reference.upper()]).exclude(pk=case.pk).exists()
    if reference_taken:
        problems.append(("reference", f"A case with the reference {case.reference} already exists"))
    _raise_problems(problems)
    _derive(case)
    case.updated_at, case.updated_by = timezone.now(), actor
    if creating:
        case.created_by = actor
    case.save()
    if themes is not None:
        case.themes.set(themes)
    if agencies is not None:
        case.agencies.set(agencies)
    changes = changes_between(before, _case_snapshot(case))
    if creating or changes:
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE if creating else AuditEvent.Kind.UPDATE,
            obj=case,
            changes=changes,
        )
    _restricted_revision_record(case=case, actor=actor, changes=changes, creating=creating)
    deadlines_refresh(case_ids=[case.pk])
    return case


def _restricted_revision_record(
    *, case: Case, actor: Any, changes: dict[str, Any], creating: bool
) -> RestrictedDetailsRevision | None:
    """Keep the case's restricted details as this save left them, when any of them changed
    (on a new case, when any was given): their own history, behind the need-to-know list,
    while the audit trail says only that they changed."""
    changed = sorted(
        name
        for name in Case.RESTRICTED_FIELDS
        if name in changes and (not creating or getattr(case, name))
    )
    if not changed:
        return None
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return RestrictedDetailsRevision.objects.create(
        case=case,
        saved_by=actor if is_user else None,
        changed_fields=changed,
        **{name: getattr(case, name) or "" for name in Case.RESTRICTED_FIELDS},
    )


@transaction.atomic
def decision_record(
    *,
    actor: Any,
    case: Case,
    decided_on: datetime.date,
    decision: str,
    reasons: str,
    decided_by: str,
) -> Decision:
    if decided_on > _today():
        raise ValidationError({"decided_on": "The decision date must be today or in the past"})
    record = Decision.objects.create(
        case=case,
        decided_on=decided_on,
        decision=decision.strip(),
        reasons=reasons.strip(),
        decided_by=decided_by.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=case,
        changes={"decisions": {"from": None, "to": f"{decided_on:%d/%m/%Y}: {record.decision}"}},
        detail=f"Decision recorded, by {record.decided_by}: {record.reasons}",
    )
    return record


@transaction.atomic
def pause_record(
    *,
    actor: Any,
    case: Case,
    reason: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    standard_code: str = "",
    note: str = "",
) -> Pause:
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": "The end of the pause must be on or after its start"})
    if started_on > _today():
        raise ValidationError({"started_on": "The pause must have started today or in the past"})
    pause = Pause.objects.create(
        case=case,
        reason=reason,
        started_on=started_on,
        ended_on=ended_on,
        standard_code=standard_code,
        note=note.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=case,
        changes={"pauses": {"from": None, "to": str(pause)}},
        detail=f"Reason for delay recorded: {pause.get_reason_display()}. {pause.note}".strip(),
    )
    return pause


@transaction.atomic
def pause_end(*, actor: Any, pause: Pause, ended_on: datetime.date) -> Pause:
    if pause.ended_on is not None:
        raise ValidationError("This pause has already ended")
    if ended_on < pause.started_on:
        raise ValidationError({"ended_on": "The end of the pause must be on or after its start"})
    pause.ended_on = ended_on
    pause.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=pause.case,
        changes={"pauses": {"from": str(pause), "to": f"ended {ended_on:%d/%m/%Y}"}},
    )
    return pause


@transaction.atomic
def assignment_add(*, actor: Any, case: Case, user: Any) -> CaseAssignment:
    if CaseAssignment.objects.filter(case=case, user=user).exists():
        raise ValidationError({"user": f"{user.full_name} is already on this case"})
    assignment = CaseAssignment.objects.create(case=case, user=user)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=case,
        changes={"people on the case": {"from": None, "to": user.email}},
    )
    return assignment


@transaction.atomic
def assignment_remove(*, actor: Any, assignment: CaseAssignment) -> None:
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=assignment.case,
        changes={"people on the case": {"from": assignment.user.email, "to": None}},
    )
    assignment.delete()


@transaction.atomic
def related_case_add(
    *,
    actor: Any,
    case: Case,
    kind: str,
    reference: str,
    note: str = "",
) -> RelatedCase:
    """Relate another review to the case; a reference Sightline knows links to that case."""
    linked_case = cases_by_reference_key([reference.strip().upper()]).first()
    if linked_case is not None and linked_case.pk == case.pk:
        raise ValidationError({"reference": "A case cannot be related to itself"})
    relation = RelatedCase.objects.create(
        case=case,
        kind=kind,
        reference=reference.strip(),
        linked_case=linked_case,
        note=note.strip(),
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=case,
        changes={"related cases": {"from": None, "to": str(relation)}},
    )
    return relation


STANDARD_FIELDS = (
    "code",
    "route",
    "start_field",
    "done_field",
    "rule",
    "amount",
    "outcome",
    "description",
    "is_active",
)


@transaction.atomic
def standard_save(
    *, actor: Any, standard: TimelinessStandard | None, data: dict[str, Any]
) -> TimelinessStandard:
    """Add a local standard or change one; every case's deadlines are recounted."""
    creating = standard is None
    standard = standard or TimelinessStandard(is_national=False)
    before = {} if creating else snapshot(standard, STANDARD_FIELDS)
    for field, value in data.items():
        setattr(standard, field, value)
    problems = []
    if standard.start_field == standard.done_field:
        problems.append(
            ("done_field", "The milestone measured must differ from the one it counts from")
        )
    route_fields = MILESTONES_BY_ROUTE[standard.route]
    for field in ("start_field", "done_field"):
        if getattr(standard, field) not in route_fields:
            problems.append((field, f"That milestone is not used on the {standard.route} route"))
    if TimelinessStandard.objects.filter(code=standard.code).exclude(pk=standard.pk).exists():
        problems.append(("code", f"A standard with the code {standard.code} already exists"))
    _raise_problems(problems)
    standard.save()
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE if creating else AuditEvent.Kind.UPDATE,
        obj=standard,
        changes=changes_between(before, snapshot(standard, STANDARD_FIELDS)),
    )
    deadlines_refresh()
    return standard


# --- Import -------------------------------------------------------------------


@dataclasses.dataclass
class ImportResult:
    file_name: str
    created: list[str] = dataclasses.field(default_factory=list)
    updated: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{len(self.created)} cases {verb} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged."
        )


def _existing_cases(references: list[str]) -> dict[str, Case]:
    """Stored cases by upper-cased reference (references match whatever their letter case)."""
    found: dict[str, Case] = {}
    keys = sorted({reference.upper() for reference in references})
    for start in range(0, len(keys), 900):
        for case in cases_by_reference_key(keys[start : start + 900]):
            found[case.reference.upper()] = case
    return found


@collection_paused()
def import_cases(
    *,
    actor: Any,
    name: str,
    content: bytes,
    dry_run: bool = False,
    actor_label: str = "",
    progress: Progress = NO_PROGRESS,
    on_write: Callable[[Any], None] | None = None,
) -> ImportResult:
    """Create and update cases from a case file: all or nothing (section 1 of the contract).

    The file is read, compared with the stored cases and checked before any transaction
    opens (reads only: a dry run writes nothing and, on SQLite, takes no write lock); then
    the cases, their audit events and their deadlines are written in bulk in one short
    transaction. If any case was added or changed in between, the comparison is made again
    inside the transaction, so what is written always starts from what is stored.
    ``on_write`` is called with the result inside that transaction, after the writes (a
    background job records its outcome there: the work and its record commit together)."""
    today = _today()
    progress.stage("Reading the file", total=line_count(name, content))
    parsed = importing.parse(name, content, progress=progress)
    read_at = timezone.now()
    plan = _case_import_plan(
        name=name, parsed=parsed, today=today, dry_run=dry_run, progress=progress
    )
    if dry_run:
        return plan.result
    with transaction.atomic():
        if Case.objects.filter(updated_at__gte=read_at).exists():
            plan = _case_import_plan(
                name=name, parsed=parsed, today=today, dry_run=dry_run, progress=progress
            )
        _case_import_write(plan, actor=actor, name=name, actor_label=actor_label, progress=progress)
        if on_write is not None:
            on_write(plan.result)
    return plan.result


def _case_cells() -> dict[str, Any]:
    """The case field each column of a case file is stored in, for its length and range."""
    return fields_of(Case, {column: column for column in importing.COLUMNS})


@dataclasses.dataclass
class _CaseImportPlan:
    result: ImportResult
    columns: list[str]
    to_create: list[Case]
    to_update: list[tuple[Case, dict[str, Any]]]


def _case_import_plan(
    *,
    name: str,
    parsed: importing.ParsedFile,
    today: datetime.date,
    dry_run: bool,
    progress: Progress,
) -> _CaseImportPlan:
    """Compare the file with the stored cases and check every row, reading only: every
    problem in one pass (``ImportRejected``), else the cases to create and to change."""
    progress.stage("Comparing the rows with the cases Sightline holds", total=len(parsed.rows))
    imported = [column for column in parsed.columns if column not in ("reference",)]
    existing = _existing_cases([row["reference"] for _, row in parsed.rows])
    result = ImportResult(file_name=name, dry_run=dry_run)
    # One pass names every problem: the case rules run on every row, beside its cells'.
    problems: list[str] = list(parsed.errors)
    to_create: list[Case] = []
    to_update: list[tuple[Case, dict[str, Any]]] = []
    for done, (line, row) in enumerate(parsed.rows):
        if done % EVERY == 0:
            progress.advance(done)
        case = existing.get(row["reference"].upper())
        before = snapshot(case, imported) if case else {}
        target = case or Case(reference=row["reference"])
        for column in imported:
            setattr(target, column, row[column])
        named = {column for named_line, column in parsed.named if named_line == line}
        for column, message in case_problems(target.facts(), today=today):
            if (line, column) not in parsed.named:
                problems.append(importing.problem(line, column, message))
                named.add(column)
        # Each cell's length and range, unless a rule above already named that cell.
        problems.extend(cell_problems(line, row, _case_cells(), skip=named))
        if case is None:
            to_create.append(target)
            result.created.append(target.reference)
            continue
        changes = changes_between(before, snapshot(target, imported))
        if changes:
            to_update.append((target, changes))
            result.updated[target.reference] = changes
        else:
            result.unchanged.append(target.reference)
    if problems:
        raise ImportRejected(problems)
    return _CaseImportPlan(
        result=result, columns=imported, to_create=to_create, to_update=to_update
    )


def _case_import_write(
    plan: _CaseImportPlan, *, actor: Any, name: str, actor_label: str, progress: Progress
) -> None:
    """Write the plan in bulk, inside the caller's transaction: the cases, an audit event for
    each, the import's own event, then the touched cases' deadlines."""
    to_create, to_update, imported = plan.to_create, plan.to_update, plan.columns
    progress.stage(f"Saving {len(to_create) + len(to_update):,} cases")
    now = timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    for case in to_create:
        _derive(case)
        case.created_at = case.updated_at = now
        case.created_by = case.updated_by = user
    bulk_insert(Case, to_create)
    for case, _ in to_update:
        _derive(case)
        case.updated_at, case.updated_by = now, user
    bulk_change(
        Case,
        [case for case, _ in to_update],
        [*imported, "stage", "opened_on", "updated_at", "updated_by"],
    )
    events = [
        {
            "kind": AuditEvent.Kind.CREATE,
            "obj": case,
            "changes": changes_between({}, snapshot(case, ["reference", *imported])),
            "detail": f"Imported from {name}",
        }
        for case in to_create
    ] + [
        {
            "kind": AuditEvent.Kind.UPDATE,
            "obj": case,
            "changes": changes,
            "detail": f"Imported from {name}",
        }
        for case, changes in to_update
    ]
    audit_record_many(actor=actor, events=events, actor_email=actor_label)
    audit_record(
        actor=actor,
        actor_email=actor_label,
        kind=AuditEvent.Kind.IMPORT,
        detail=f"Case file {name}: {plan.result.summary()}",
    )
    touched = [case.pk for case in to_create] + [case.pk for case, _ in to_update]
    progress.stage("Working out the cases' deadlines", total=len(touched))
    for start in range(0, len(touched), IMPORT_DEADLINE_CHUNK):
        progress.advance(start)
        deadlines_refresh(case_ids=touched[start : start + IMPORT_DEADLINE_CHUNK])


# Cases whose deadlines an import recounts at a time: few statements, each within SQLite's
# limit on a statement's parameters (32,766).
IMPORT_DEADLINE_CHUNK = 10_000


# --- Reminders and calendar feeds ---------------------------------------------

REMINDER_WORKING_DAYS = 2
# Reminders stop once a deadline is this far overdue (it stays on the deadlines page): an
# imported history with milestones never recorded must not mean an email every day for ever.
REMINDER_OVERDUE_LIMIT_WORKING_DAYS = 20


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Write an email to whoever is responsible for each deadline due within two working days
    or overdue (by up to four weeks), at most one a day for each deadline and person, to the
    outbox, which sends them. Returns how many were written."""
    today = today or _today()
    calendar = working_calendar()
    horizon = calendar.add_working_days(today, REMINDER_WORKING_DAYS)
    oldest = calendar.working_days_before(today, REMINDER_OVERDUE_LIMIT_WORKING_DAYS)
    deadlines = (
        CaseDeadline.objects.filter(due__lte=horizon, due__gte=oldest)
        .select_related("case", "case__officer", "standard")
        .order_by("due", "case__reference")
    )
    fallback = None
    written = 0
    with transaction.atomic():
        for deadline in deadlines:
            case = deadline.case
            # The responsible officer only while they may still open the case the email
            # links to.
            officer = case.officer
            if (
                officer is not None
                and officer.is_active
                and officer.has_perm("reviews.view_case", case)
            ):
                recipients = [officer.email]
            else:
                if fallback is None:
                    fallback = review_officer_emails()
                recipients = fallback
            overdue = deadline.due < today
            for email in recipients:
                written += outbox_add(
                    key=message_key(
                        "reviews.deadline", case.pk, deadline.standard.code, email, today
                    ),
                    kind="reviews.deadline_reminder",
                    to=email,
                    subject=(
                        f"{'Overdue' if overdue else 'Due soon'}: {case.reference} "
                        f"{deadline.standard.spec().describe()}"
                    ),
                    body=render_to_string(
                        "reviews/email/reminder.txt",
                        {
                            "case": case,
                            "deadline": deadline,
                            "overdue": overdue,
                            "link": f"{settings.SIGHTLINE_BASE_URL}{case.get_absolute_url()}",
                        },
                    ),
                )
    return written


def reminders_scheduled(*, now: datetime.datetime) -> dict[str, int]:
    """The worker's daily run."""
    return {"reminders": reminders_send(today=timezone.localdate(now))}


@transaction.atomic
def calendar_feed_reset(*, user: Any) -> CalendarFeed:
    """Give the user a private feed address, replacing any old one, which stops working."""
    CalendarFeed.objects.filter(user=user).delete()
    feed = CalendarFeed.objects.create(user=user)
    audit_record(
        actor=user, kind=AuditEvent.Kind.UPDATE, obj=user, detail="Calendar feed address reset."
    )
    return feed


@transaction.atomic
def theme_save(
    *, actor: Any, theme: PracticeTheme | None, name: str, is_active: bool = True
) -> PracticeTheme:
    name = name.strip()
    clash = PracticeTheme.objects.filter(name__iexact=name)
    if theme is not None:
        clash = clash.exclude(pk=theme.pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a theme called {name}"})
    creating = theme is None
    theme = theme or PracticeTheme()
    before = {} if creating else snapshot(theme, ["name", "is_active"])
    theme.name, theme.is_active = name, is_active
    theme.save()
    changes = changes_between(before, snapshot(theme, ["name", "is_active"]))
    if changes:
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE if creating else AuditEvent.Kind.UPDATE,
            obj=theme,
            changes=changes,
        )
    return theme


# --- Referrals ------------------------------------------------------------------

REFERRAL_FIELDS = ("route", "pseudonym", "aware_on", "referring_agency", "status", "case")


def _link(obj: Any) -> str:
    return f"{settings.SIGHTLINE_BASE_URL}{obj.get_absolute_url()}"


def _referral_email(
    referral: Referral, *, kind: str, to: str, subject: str, **context: Any
) -> None:
    outbox_add(
        key=message_key(f"reviews.referral_{kind}", referral.pk, to),
        kind=f"reviews.referral_{kind}",
        to=to,
        subject=subject,
        body=render_to_string(
            f"reviews/email/referral_{kind}.txt",
            {"referral": referral, "link": _link(referral), **context},
        ),
    )


@transaction.atomic
def referral_make(
    *, actor: Any, agency: Any, submission_key: str, data: dict[str, Any]
) -> tuple[Referral, bool]:
    """Record a referral for review from cleaned form data, on behalf of ``agency`` (one the
    actor belongs to). A second post of the same form (``submission_key``) makes nothing new:
    the first referral is returned, with False. The referrer gets an acknowledgement and the
    review officers a notification, neither holding what the referral says happened."""
    if agency.pk not in actor.agency_ids:
        raise ValidationError({"referring_agency": "Choose an agency you belong to"})
    aware_on = data.get("aware_on")
    if aware_on is not None and aware_on > _today():
        raise ValidationError(
            {"aware_on": "The date your agency became aware must be today or in the past"}
        )
    earlier = referral_by_submission(referrer=actor, key=submission_key)
    if earlier is not None:
        return earlier, False
    agencies = data.pop("agencies", [])
    referral = Referral(
        referrer=actor, referring_agency=agency, submission_key=submission_key, **data
    )
    # The one-time key's uniqueness is left to the database, below: checked here as well, a
    # second post arriving meanwhile would be refused with an error rather than answered
    # with the first referral.
    referral.full_clean(exclude=["agencies", "submission_key"])
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        # The same form's other post committed first: it made the referral.
        earlier = referral_by_submission(referrer=actor, key=submission_key)
        if earlier is None:
            raise
        return earlier, False
    referral.agencies.set(agencies)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=referral,
        changes=changes_between({}, snapshot(referral, REFERRAL_FIELDS)),
        detail=f"Referred for review by {agency.name}",
    )
    _referral_email(
        referral,
        kind="received",
        to=referral.contact_email,
        subject=f"We have your referral {referral.reference}",
    )
    for email in review_officer_emails():
        _referral_email(
            referral,
            kind="new",
            to=email,
            subject=f"New referral for review: {referral.reference} from {agency.name}",
        )
    return referral, True


def _undecided(referral: Referral) -> Referral:
    """The referral read again under a lock, refused if it was decided meanwhile (two review
    officers acting at once, or a second click)."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.is_decided:
        done = "became a case" if locked.status == ReferralStatus.CASE else "was closed"
        raise ValidationError(f"{locked.reference} has already been decided: it {done}")
    return locked


def _referral_decided(
    *, actor: Any, referral: Referral, status: str, detail: str = "", **fields: Any
) -> None:
    before = snapshot(referral, REFERRAL_FIELDS)
    referral.status = status
    referral.decided_by, referral.decided_at = actor, timezone.now()
    for name, value in fields.items():
        setattr(referral, name, value)
    referral.save(update_fields=["status", "decided_by", "decided_at", *fields])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=referral,
        changes=changes_between(before, snapshot(referral, REFERRAL_FIELDS)),
        detail=detail,
    )


@transaction.atomic
def referral_consider(*, actor: Any, referral: Referral) -> Referral:
    """Mark a new referral as under consideration by the review group."""
    locked = _undecided(referral)
    if locked.status != ReferralStatus.NEW:
        raise ValidationError(f"{locked.reference} is already under consideration")
    before = snapshot(locked, REFERRAL_FIELDS)
    locked.status = ReferralStatus.CONSIDERING
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=locked,
        changes=changes_between(before, snapshot(locked, REFERRAL_FIELDS)),
    )
    return locked


def referral_case_dates(referral: Referral) -> dict[str, datetime.date]:
    """The milestone a referral's dates become on its case. A child serious incident runs
    from when the local authority became aware of it (the referring agency's date is the best
    known, for the officer to correct); the other routes run from the referral, which is what
    the partnership received."""
    if referral.route == Route.CHILD:
        return {"incident_aware_date": referral.aware_on}
    return {"referral_date": timezone.localtime(referral.created_at).date()}


@transaction.atomic
def referral_convert(*, actor: Any, referral: Referral, reference: str, route: str) -> Case:
    """Make a case of an undecided referral, through the case service: its route, pseudonym,
    age band, agencies (the referring one included), what it says (as the case's restricted
    summary) and its date as the route's starting milestone."""
    locked = _undecided(referral)
    locked.route = route
    involved = set(referral.agencies.all()) | {referral.referring_agency}
    summary = (
        f"From referral {locked.reference} by {referral.referring_agency.name}.\n\n"
        f"What happened: {locked.what_happened}\n\n"
        f"Why it may need a review: {locked.why_review}"
    )
    try:
        case = case_save(
            actor=actor,
            case=None,
            data={
                "reference": reference,
                "route": route,
                "pseudonym": locked.pseudonym,
                "age_band": locked.age_band,
                "restricted_summary": summary,
                "agencies": sorted(involved, key=lambda agency: agency.pk),
                **referral_case_dates(locked),
            },
        )
    except ValidationError as error:
        # The case rules name case milestones; the officer sees them as the referral's date.
        if hasattr(error, "error_dict"):
            raise ValidationError(
                {
                    field if field in ("reference", "route") else "__all__": [
                        message for item in errors for message in item.messages
                    ]
                    for field, errors in error.error_dict.items()
                }
            ) from error
        raise
    _referral_decided(
        actor=actor,
        referral=locked,
        status=ReferralStatus.CASE,
        detail=f"Made into case {case.reference}",
        case=case,
        route=route,
    )
    _referral_email(
        locked,
        kind="case",
        to=locked.contact_email,
        subject=f"Your referral {locked.reference} will be considered for a review",
    )
    return case


@transaction.atomic
def referral_close(*, actor: Any, referral: Referral, reason: str) -> Referral:
    """Close an undecided referral with no case, telling the referrer why."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the referral is closed"})
    if len(reason) > REFERRAL_REASON_MAX:
        raise ValidationError(
            {"reason": f"The reason must be {REFERRAL_REASON_MAX:,} characters or fewer"}
        )
    locked = _undecided(referral)
    _referral_decided(
        actor=actor,
        referral=locked,
        status=ReferralStatus.CLOSED,
        detail="Closed with a reason, sent to the referrer",
        closing_reason=reason,
    )
    _referral_email(
        locked,
        kind="closed",
        to=locked.contact_email,
        subject=f"Your referral {locked.reference}: no review",
        reason=reason,
    )
    return locked
