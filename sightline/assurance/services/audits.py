"""Every write to the multi-agency audit programme: atomic, audited in the same transaction,
email sent only once the change is committed. Findings are learning tracker
recommendations, made through its service, so their actions are tracked like any other."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sightline.core.models import AuditEvent
from sightline.core.outbox import message_key, outbox_add
from sightline.core.services import audit_record, changes_between, snapshot
from sightline.learning.models import Recommendation
from sightline.learning.selectors import agency_lead_emails
from sightline.learning.vocabulary import SourceType

from ..models import Audit, AuditReturn, AuditStatusChange
from ..quarters import Quarter
from ..vocabulary import AuditStatus
from .inspections import recommendation_link, sources_retitle

AUDIT_FIELDS = (
    "title",
    "scope",
    "quarter_start",
    "status",
    "questionnaire",
    "returns_due_on",
    "summary",
    "group",
)
RETURN_FIELDS = ("returned_on", "cases_audited", "answers")


def _values(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: data.get(name) for name in AUDIT_FIELDS}
    values["title"] = " ".join((values["title"] or "").split())
    for name in ("scope", "summary"):
        values[name] = (values[name] or "").strip()
    # One question a line: stray spaces and blank lines are not kept.
    values["questionnaire"] = "\n".join(
        line.strip() for line in (values["questionnaire"] or "").splitlines() if line.strip()
    )
    values["status"] = values["status"] or AuditStatus.PLANNED
    return values


def _check(values: dict[str, Any], audit: Audit | None) -> None:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if not values["title"]:
        errors["title"] = "Enter the audit's title"
    if not values["scope"]:
        errors["scope"] = "Say what the audit looks at, and in which cases"
    try:
        Quarter.starting(values["quarter_start"])
    except (TypeError, ValueError):
        errors["quarter_start"] = "Enter the quarter the audit is planned for, like 2025-26 Q1"
    due = values["returns_due_on"]
    changed_due = audit is None or due != audit.returns_due_on
    if due is not None and changed_due and due < today:
        errors["returns_due_on"] = "The date returns are due must be today or later"
    status = values["status"]
    if status not in AuditStatus.values:
        errors["status"] = "Choose the audit's status"
    elif status == AuditStatus.REPORTED and not values["summary"]:
        errors["summary"] = "Write what the audit found before marking it reported"
    if audit is not None:
        if status == AuditStatus.PLANNED and audit.returns.exists():
            errors["status"] = (
                "Agencies have been asked for returns, so the audit is in progress or reported"
            )
        answered = audit.returns.filter(returned_on__isnull=False).exists()
        if answered and values["questionnaire"] != "\n".join(audit.questions):
            errors["questionnaire"] = (
                "An agency has answered these questions, so they cannot change now"
            )
    if errors:
        raise ValidationError(errors)


def _themes_changed(audit: Audit, themes: list[Any] | None) -> dict[str, Any]:
    if themes is None:
        return {}
    before = sorted(theme.name for theme in audit.themes.all())
    audit.themes.set(themes)
    after = sorted(theme.name for theme in themes)
    return {"themes": {"from": before, "to": after}} if before != after else {}


def _status_record(audit: Audit, actor: Any) -> None:
    """Add the audit's status, from today, to its dated history."""
    AuditStatusChange.objects.create(
        audit=audit,
        status=audit.status,
        changed_on=timezone.localdate(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        recorded_at=timezone.now(),
    )


@transaction.atomic
def audit_create(*, actor: Any, data: dict[str, Any]) -> Audit:
    """Plan an audit. The date its returns are due, when given, is today or later."""
    values = _values(data)
    _check(values, None)
    audit = Audit(**values, created_by=actor, updated_by=actor)
    audit.save()
    _status_record(audit, actor)
    changes = changes_between({}, snapshot(audit, AUDIT_FIELDS))
    changes |= _themes_changed(audit, data.get("themes"))
    audit_record(actor=actor, kind=AuditEvent.Kind.CREATE, obj=audit, changes=changes)
    return audit


@transaction.atomic
def audit_edit(*, actor: Any, audit: Audit, data: dict[str, Any]) -> Audit:
    """Change an audit: its plan, its questionnaire (until an agency has answered it), its
    status, and what it found."""
    values = _values(data)
    _check(values, audit)
    before = snapshot(audit, AUDIT_FIELDS)
    old_title = audit.title
    for name, value in values.items():
        setattr(audit, name, value)
    changes = changes_between(before, snapshot(audit, AUDIT_FIELDS))
    if changes:
        audit.updated_at, audit.updated_by = timezone.now(), actor
        audit.save()
    if "status" in changes:
        _status_record(audit, actor)
    changes |= _themes_changed(audit, data.get("themes"))
    if changes:
        audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=audit, changes=changes)
    if audit.title != old_title:
        sources_retitle(
            actor=actor,
            recommendations=audit.recommendations.filter(source_type=SourceType.AUDIT),
            old=old_title,
            new=audit.title,
        )
    return audit


@transaction.atomic
def audit_returns_request(
    *, actor: Any, audit: Audit, agencies: list[Any], notify: bool = True
) -> list[AuditReturn]:
    """Ask ``agencies`` for their return to the audit's questionnaire; their leads are
    emailed once this is saved. An agency already asked is not asked again. A planned audit
    is in progress from then."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    today = timezone.localdate()
    if audit.status == AuditStatus.REPORTED:
        raise ValidationError("This audit has been reported: it takes no more returns")
    if not audit.questions:
        raise ValidationError("Add the questionnaire to the audit before asking for returns")
    if audit.returns_due_on is None or audit.returns_due_on < today:
        raise ValidationError(
            "Set the date returns are due, today or later, before asking for returns"
        )
    if not agencies:
        raise ValidationError({"agencies": "Choose the agencies to ask for a return"})
    asked = set(audit.returns.values_list("agency_id", flat=True))
    new = [agency for agency in agencies if agency.pk not in asked]
    if not new:
        raise ValidationError({"agencies": "Those agencies have already been asked: choose others"})
    created = [
        AuditReturn.objects.create(audit=audit, agency=agency, requested_on=today)
        for agency in sorted(new, key=lambda agency: agency.name)
    ]
    for item in created:
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE,
            obj=item,
            changes={"requested from": {"from": None, "to": item.agency.name}},
        )
    if audit.status == AuditStatus.PLANNED:
        audit.status = AuditStatus.IN_PROGRESS
        audit.updated_at, audit.updated_by = timezone.now(), actor
        audit.save(update_fields=["status", "updated_at", "updated_by"])
        _status_record(audit, actor)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=audit,
            changes={"status": {"from": AuditStatus.PLANNED, "to": AuditStatus.IN_PROGRESS}},
        )
    if notify:
        leads = agency_lead_emails(agency_ids=[item.agency_id for item in created])
        _send_requests(audit, created, leads)
    return created


def _send_requests(audit: Audit, created: list[AuditReturn], leads: dict[int, list[str]]) -> None:
    for item in created:
        link = settings.SIGHTLINE_BASE_URL + reverse(
            "assurance:audit_return_submit", kwargs={"pk": item.pk}
        )
        body = render_to_string(
            "assurance/email/audit_return_request.txt",
            {
                "audit": audit,
                "item": item,
                "questions": audit.questions,
                "link": link,
                "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME,
            },
        )
        for email in leads.get(item.agency_id, []):
            outbox_add(
                key=message_key("assurance.audit_return_request", item.pk, email),
                kind="assurance.audit_return_request",
                to=email,
                subject=f"Multi-agency audit return requested: {audit.title}",
                body=body,
            )


@transaction.atomic
def audit_return_submit(
    *, actor: Any, item: AuditReturn, answers: list[str], cases_audited: int | None
) -> AuditReturn:
    """An agency's answers to the audit's questionnaire, one for each question. It may be
    corrected until the audit is reported; the date it was first returned is kept."""
    audit = item.audit
    if audit.status == AuditStatus.REPORTED:
        raise ValidationError("This audit has been reported: its returns can no longer change")
    questions = audit.questions
    errors: dict[str, str] = {}
    if len(answers) != len(questions):
        raise ValidationError("The questions have changed since the page was opened: reload it")
    for number, answer in enumerate(answers, 1):
        if not answer.strip():
            errors[f"answer_{number}"] = f"Answer question {number}"
    if cases_audited is None or cases_audited < 0:
        errors["cases_audited"] = "Enter how many cases your agency audited"
    if errors:
        raise ValidationError(errors)
    before = snapshot(item, RETURN_FIELDS)
    item.returned_on = item.returned_on or timezone.localdate()
    item.cases_audited = cases_audited
    item.answers = AuditReturn.compose_answers(questions, answers)
    item.returned_by = actor
    changes = changes_between(before, snapshot(item, RETURN_FIELDS))
    if changes:
        item.save()
        audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=item, changes=changes)
    return item


def audit_finding_add(*, actor: Any, audit: Audit, data: dict[str, Any]) -> Recommendation:
    """Record a finding of the audit as a learning tracker recommendation (with the audit's
    themes) and link it; its actions are then added in the learning tracker."""
    return recommendation_link(
        actor=actor,
        owner=audit,
        source_type=SourceType.AUDIT,
        data=data,
        not_before=audit.quarter_start,
        too_early="The date must be on or after the start of the audit's quarter",
        change="findings",
        themes=list(audit.themes.all()),
    )
