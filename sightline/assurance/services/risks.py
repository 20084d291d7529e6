"""Every write to the risk register. Each function checks the risk's state and every input
first, then saves and writes the audit trail in one transaction: a refusal saves nothing.
The scoring rules (the matrix, levels, review frequencies, appetite) are ``scoring``'s."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.core.models import AuditEvent
from sightline.core.services import audit_record, changes_between, snapshot
from sightline.learning.models import Action
from sightline.learning.selectors import actions_by_reference

from .. import scoring
from ..models import (
    Risk,
    RiskAcceptance,
    RiskAssessment,
    RiskControl,
    RiskSettings,
    RiskSettingsChange,
)
from ..selectors.risks import risk_largest_scores
from ..vocabulary import RiskCategory, RiskStatus

RISK_FIELDS = (
    "reference",
    "title",
    "category",
    "owner",
    "cause",
    "consequence",
    "inherent_likelihood",
    "inherent_impact",
    "inherent_score",
    "residual_likelihood",
    "residual_impact",
    "residual_score",
    "residual_reason",
    "status",
    "opened_on",
    "last_reviewed_on",
    "next_review_on",
    "closed_on",
)
SCORE_FIELDS = (
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
)
SETTINGS_FIELDS = (
    "likelihood_levels",
    "impact_levels",
    "appetite",
    "low_max",
    "medium_max",
    "high_max",
    "review_days_low",
    "review_days_medium",
    "review_days_high",
    "review_days_very_high",
)
CLOSED_MESSAGE = "This risk is closed: it cannot be changed"


@dataclass(frozen=True)
class ControlInput:
    """A control as entered: ``pk`` names an existing control of the risk, None a new one."""

    description: str
    effectiveness: str
    pk: int | None = None


def _refuse(errors: dict[str, str]) -> None:
    """Refuse with every problem found: ``__all__`` is about the risk, not one field."""
    if "__all__" in errors:
        raise ValidationError(errors["__all__"])
    if errors:
        raise ValidationError(errors)


def _matrix() -> scoring.Matrix:
    return scoring.Matrix.of(RiskSettings.current())


def _details_problems(
    *,
    risk: Risk | None,
    reference: str,
    title: str,
    category: str,
    owner: Any,
    cause: str,
    consequence: str,
) -> dict[str, str]:
    errors = {}
    if not reference.strip():
        errors["reference"] = "Enter the risk's reference"
    else:
        clash = Risk.objects.filter(reference__iexact=reference.strip())
        if risk is not None:
            clash = clash.exclude(pk=risk.pk)
        if clash.exists():
            errors["reference"] = (
                f"A risk with the reference {reference.strip()} already exists: enter a "
                "different reference"
            )
    if not title.strip():
        errors["title"] = "Enter the risk's title"
    if category not in RiskCategory.values:
        errors["category"] = "Choose the risk's category"
    if owner is None:
        errors["owner"] = "Choose who owns the risk"
    elif not owner.has_perm("assurance.own_risk"):
        errors["owner"] = (
            f"{owner.full_name or owner.email} is not an executive member or partnership "
            "administrator: choose someone who is"
        )
    if not cause.strip():
        errors["cause"] = "Describe the cause of the risk"
    if not consequence.strip():
        errors["consequence"] = "Describe what would happen if the risk occurred"
    return errors


def _control_problems(risk: Risk | None, controls: Sequence[ControlInput]) -> dict[str, str]:
    known = set(risk.controls.values_list("pk", flat=True)) if risk is not None else set()
    for control in controls:
        if not control.description.strip():
            return {"controls": "Describe each control"}
        if control.effectiveness not in RiskControl.Effectiveness.values:
            return {"controls": "Choose how effective each control is"}
        if control.pk is not None and control.pk not in known:
            return {"controls": "A control was removed by someone else: reload the page"}
    return {}


def _control_labels(risk: Risk) -> list[str]:
    return [
        f"{control.description} ({control.get_effectiveness_display().lower()})"
        for control in risk.controls.all()
    ]


def _controls_save(risk: Risk, controls: Sequence[ControlInput]) -> None:
    """Make the risk's controls the ones given: keep, change, add, and remove the rest."""
    kept = {control.pk for control in controls if control.pk is not None}
    risk.controls.exclude(pk__in=kept).delete()
    existing = {control.pk: control for control in risk.controls.all()}
    for control in controls:
        row = existing.get(control.pk) if control.pk is not None else None
        row = row or RiskControl(risk=risk)
        if (row.description, row.effectiveness) != (
            control.description.strip(),
            control.effectiveness,
        ):
            row.description, row.effectiveness = control.description.strip(), control.effectiveness
            row.save()


def _set_scores(risk: Risk, scores: scoring.Scores, residual_reason: str) -> None:
    risk.inherent_likelihood, risk.inherent_impact = scores[:2]
    risk.residual_likelihood, risk.residual_impact = scores[2:]
    risk.inherent_score, risk.residual_score = scores.inherent, scores.residual
    risk.residual_reason = residual_reason.strip()


def _assess(risk: Risk, *, on: datetime.date, note: str, actor: Any) -> RiskAssessment:
    return RiskAssessment.objects.create(
        risk=risk,
        assessed_on=on,
        inherent_likelihood=risk.inherent_likelihood,
        inherent_impact=risk.inherent_impact,
        residual_likelihood=risk.residual_likelihood,
        residual_impact=risk.residual_impact,
        note=note,
        next_review_on=risk.next_review_on,
        assessed_by=actor,
        recorded_at=timezone.now(),
    )


def _touch(risk: Risk, actor: Any) -> None:
    risk.updated_at, risk.updated_by = timezone.now(), actor


@transaction.atomic
def risk_create(
    *,
    actor: Any,
    reference: str,
    title: str,
    category: str,
    owner: Any,
    cause: str,
    consequence: str,
    inherent_likelihood: int | None,
    inherent_impact: int | None,
    residual_likelihood: int | None,
    residual_impact: int | None,
    residual_reason: str = "",
    next_review_on: datetime.date | None = None,
    controls: Sequence[ControlInput] = (),
) -> Risk:
    """Add a risk to the register with its first assessment. The first review is the date
    given (today or later, and no later than the level's frequency allows) or, when none is
    given, the latest date that frequency allows."""
    today = timezone.localdate()
    matrix = _matrix()
    errors = _details_problems(
        risk=None,
        reference=reference,
        title=title,
        category=category,
        owner=owner,
        cause=cause,
        consequence=consequence,
    )
    scores, score_errors = scoring.checked_scores(
        matrix,
        inherent_likelihood=inherent_likelihood,
        inherent_impact=inherent_impact,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
        residual_reason=residual_reason,
    )
    errors |= score_errors | _control_problems(None, controls)
    if next_review_on is not None:
        errors |= scoring.first_review_problems(
            matrix,
            residual=scores.residual if scores else None,
            next_review_on=next_review_on,
            today=today,
        )
    _refuse(errors)
    assert scores is not None
    risk = Risk(
        reference=reference.strip(),
        title=title.strip(),
        category=category,
        owner=owner,
        cause=cause.strip(),
        consequence=consequence.strip(),
        status=RiskStatus.OPEN,
        opened_on=today,
        last_reviewed_on=today,
        created_by=actor,
        updated_by=actor,
    )
    _set_scores(risk, scores, residual_reason)
    risk.next_review_on = next_review_on or scoring.next_review(matrix, risk.residual_score, today)
    risk.save()
    _controls_save(risk, controls)
    _assess(risk, on=today, note="First assessment, when the risk was added.", actor=actor)
    changes = changes_between({}, snapshot(risk, RISK_FIELDS))
    if controls:
        changes["controls"] = {"from": None, "to": _control_labels(risk)}
    audit_record(actor=actor, kind=AuditEvent.Kind.CREATE, obj=risk, changes=changes)
    return risk


@transaction.atomic
def risk_update(
    *,
    actor: Any,
    risk: Risk,
    reference: str,
    title: str,
    category: str,
    owner: Any,
    cause: str,
    consequence: str,
    controls: Sequence[ControlInput] | None = None,
) -> Risk:
    """Change a risk's details and controls. Scores change only through a review, so that
    each change of score is in the risk's history."""
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.status != RiskStatus.OPEN:
        raise ValidationError(CLOSED_MESSAGE)
    errors = _details_problems(
        risk=risk,
        reference=reference,
        title=title,
        category=category,
        owner=owner,
        cause=cause,
        consequence=consequence,
    )
    if controls is not None:
        errors |= _control_problems(risk, controls)
    _refuse(errors)
    before = snapshot(risk, RISK_FIELDS)
    controls_before = _control_labels(risk)
    risk.reference, risk.title, risk.category = reference.strip(), title.strip(), category
    risk.owner, risk.cause, risk.consequence = owner, cause.strip(), consequence.strip()
    changes = changes_between(before, snapshot(risk, RISK_FIELDS))
    if controls is not None:
        _controls_save(risk, controls)
        controls_after = _control_labels(risk)
        if controls_after != controls_before:
            changes["controls"] = {"from": controls_before, "to": controls_after}
    if changes:
        _touch(risk, actor)
        risk.save()
        audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=risk, changes=changes)
    return risk


@transaction.atomic
def risk_review(
    *,
    actor: Any,
    risk: Risk,
    assessed_on: datetime.date,
    inherent_likelihood: int | None,
    inherent_impact: int | None,
    residual_likelihood: int | None,
    residual_impact: int | None,
    note: str,
    residual_reason: str = "",
) -> RiskAssessment:
    """Record a review: the scores now, appended to the risk's history. The next review is
    due as often as the new residual level asks, counted from the review's date."""
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.status != RiskStatus.OPEN:
        raise ValidationError("This risk is closed: a closed risk is not reviewed")
    today = timezone.localdate()
    matrix = _matrix()
    scores, errors = scoring.checked_scores(
        matrix,
        inherent_likelihood=inherent_likelihood,
        inherent_impact=inherent_impact,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
        residual_reason=residual_reason,
    )
    if assessed_on > today:
        errors["assessed_on"] = "The date of the review must be today or in the past"
    elif assessed_on < risk.last_reviewed_on:
        errors["assessed_on"] = (
            "The date of the review must be the same as or after the last review "
            f"({scoring.long_date(risk.last_reviewed_on)})"
        )
    if not note.strip():
        errors["note"] = "Say what the review found"
    _refuse(errors)
    assert scores is not None
    before = snapshot(risk, RISK_FIELDS)
    _set_scores(risk, scores, residual_reason)
    risk.last_reviewed_on = assessed_on
    risk.next_review_on = scoring.next_review(matrix, risk.residual_score, assessed_on)
    _touch(risk, actor)
    risk.save()
    assessment = _assess(risk, on=assessed_on, note=note.strip(), actor=actor)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=risk,
        changes=changes_between(before, snapshot(risk, RISK_FIELDS)),
        detail=f"Reviewed: {assessment.note}",
    )
    return assessment


@transaction.atomic
def risk_accept(
    *, actor: Any, risk: Risk, reason: str, until: datetime.date | None
) -> RiskAcceptance:
    """Accept a risk above the partnership's appetite: who, why and until when, at the
    residual score it has now (if it gets worse, it must be accepted again)."""
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    today = timezone.localdate()
    _refuse(
        scoring.acceptance_problems(
            _matrix(),
            is_open=risk.status == RiskStatus.OPEN,
            residual=risk.residual_score,
            reason=reason,
            until=until,
            today=today,
        )
    )
    assert until is not None
    acceptance = RiskAcceptance.objects.create(
        risk=risk,
        accepted_by=actor,
        reason=reason.strip(),
        accepted_on=today,
        until=until,
        residual_score=risk.residual_score,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=risk,
        changes={
            "accepted above appetite until": {"from": None, "to": until.isoformat()},
        },
        detail=f"Accepted at residual score {risk.residual_score}: {acceptance.reason}",
    )
    return acceptance


@transaction.atomic
def risk_close(*, actor: Any, risk: Risk, closed_on: datetime.date, reason: str) -> Risk:
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.status != RiskStatus.OPEN:
        raise ValidationError("This risk is already closed")
    errors = {}
    if closed_on > timezone.localdate():
        errors["closed_on"] = "The date the risk closed must be today or in the past"
    elif closed_on < risk.opened_on:
        errors["closed_on"] = (
            "The date the risk closed must be the same as or after the day it was opened "
            f"({scoring.long_date(risk.opened_on)})"
        )
    if not reason.strip():
        errors["reason"] = "Give the reason the risk is closed"
    _refuse(errors)
    before = snapshot(risk, RISK_FIELDS)
    risk.status, risk.closed_on = RiskStatus.CLOSED, closed_on
    _touch(risk, actor)
    risk.save()
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=risk,
        changes=changes_between(before, snapshot(risk, RISK_FIELDS)),
        detail=f"Closed: {reason.strip()}",
    )
    return risk


def _action_references(risk: Risk) -> list[str]:
    return sorted(risk.actions.values_list("reference", flat=True))


@transaction.atomic
def risk_action_link(*, actor: Any, risk: Risk, reference: str) -> Action:
    """Link a learning tracker action to the risk as a mitigating action."""
    if risk.status != RiskStatus.OPEN:
        raise ValidationError(CLOSED_MESSAGE)
    if not reference.strip():
        _refuse({"reference": "Enter the reference of a learning action, for example R-2024-01/A1"})
    action = actions_by_reference(references=[reference]).get(reference.strip().upper())
    if action is None:
        _refuse(
            {
                "reference": f"There is no learning action with the reference "
                f"{reference.strip()}: check the reference in the learning tracker"
            }
        )
    assert action is not None
    before = _action_references(risk)
    if action.reference in before:
        _refuse({"reference": f"{action.reference} is already linked to this risk"})
    risk.actions.add(action)
    _audit_actions(actor, risk, before)
    return action


@transaction.atomic
def risk_action_unlink(*, actor: Any, risk: Risk, action: Action) -> None:
    if risk.status != RiskStatus.OPEN:
        raise ValidationError(CLOSED_MESSAGE)
    before = _action_references(risk)
    risk.actions.remove(action)
    _audit_actions(actor, risk, before)


def _audit_actions(actor: Any, risk: Risk, before: list[str]) -> None:
    after = _action_references(risk)
    if after != before:
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=risk,
            changes={"mitigating actions": {"from": before, "to": after}},
        )


@transaction.atomic
def risk_settings_update(
    *,
    actor: Any,
    likelihood_levels: int,
    impact_levels: int,
    appetite: int,
    low_max: int,
    medium_max: int,
    high_max: int,
    review_days_low: int,
    review_days_medium: int,
    review_days_high: int,
    review_days_very_high: int,
) -> RiskSettings:
    """Change the matrix, bands, appetite and review frequencies. The matrix may not shrink
    below the scores of open risks. When a level's reviews become more frequent, open risks
    due later than the new frequency allows are brought forward; longer frequencies apply
    from each risk's next review."""
    matrix = scoring.Matrix(
        likelihood_levels=likelihood_levels,
        impact_levels=impact_levels,
        appetite=appetite,
        low_max=low_max,
        medium_max=medium_max,
        high_max=high_max,
        review_days_low=review_days_low,
        review_days_medium=review_days_medium,
        review_days_high=review_days_high,
        review_days_very_high=review_days_very_high,
    )
    largest_likelihood, largest_impact = risk_largest_scores()
    _refuse(
        scoring.matrix_problems(
            matrix, largest_likelihood=largest_likelihood, largest_impact=largest_impact
        )
    )
    settings_row = RiskSettings.objects.select_for_update().get(pk=RiskSettings.current().pk)
    before = snapshot(settings_row, SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        setattr(settings_row, name, getattr(matrix, name))
    changes = changes_between(before, snapshot(settings_row, SETTINGS_FIELDS))
    if not changes:
        return settings_row
    if not RiskSettingsChange.objects.exists():
        # The settings held until now begin the history, so that dates before this change
        # keep them.
        RiskSettingsChange.objects.create(
            effective_on=timezone.localdate(settings_row.updated_at),
            recorded_at=settings_row.updated_at,
            **before,
        )
    settings_row.save()
    RiskSettingsChange.objects.create(
        effective_on=timezone.localdate(),
        recorded_by=actor,
        recorded_at=timezone.now(),
        **{name: getattr(matrix, name) for name in SETTINGS_FIELDS},
    )
    moved = _bring_reviews_forward(matrix)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=settings_row,
        changes=changes,
        detail=f"Next review brought forward for {moved} open risk{'s' if moved != 1 else ''}",
    )
    return settings_row


def _bring_reviews_forward(matrix: scoring.Matrix) -> int:
    due = Risk.objects.filter(status=RiskStatus.OPEN).values_list(
        "pk", "residual_score", "last_reviewed_on", "next_review_on"
    )
    moved = []
    for pk, residual, last_reviewed, next_review_on in due.iterator(chunk_size=2000):
        latest = scoring.next_review(matrix, residual, last_reviewed)
        if next_review_on > latest:
            moved.append(Risk(pk=pk, next_review_on=latest))
    Risk.objects.bulk_update(moved, ["next_review_on"], batch_size=500)
    return len(moved)
