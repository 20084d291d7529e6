"""The learning tracker's kind of record for the retention registry: completed actions keep
what was learnt and done, but no longer say who owned or changed them."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from sightline.core.retention import (
    Candidate,
    Disposal,
    RecordKind,
    SubjectQuery,
    SubjectRow,
    register,
    subject_filter,
)

from .models import Action


def _past(before: datetime.datetime) -> Any:
    people = Q(owner__isnull=False) | ~Q(owner_email="") | Q(created_by__isnull=False)
    return Action.objects.filter(completed_date__lt=before.date()).filter(
        people | Q(updated_by__isnull=False)
    )


def learning_past(*, before: datetime.datetime) -> Iterable[Candidate]:
    rows = _past(before).only("reference", "completed_date", "owner_id")
    return [
        Candidate(
            object_type="learning.action",
            object_id=str(action.pk),
            label=f"Learning action {action.reference}",
            dated=action.completed_date,
            person_id=action.owner_id,
        )
        for action in rows.order_by("completed_date", "pk")
    ]


def learning_anonymise(*, ids: list[str], actor: Any, before: datetime.datetime) -> int:
    return (
        _past(before)
        .filter(pk__in=ids)
        .update(owner=None, owner_email="", created_by=None, updated_by=None)
    )


def subject_rows(*, query: SubjectQuery) -> Iterable[SubjectRow]:
    who = subject_filter(query, email=("owner_email", "owner__email"), name=("owner__full_name",))
    return [
        SubjectRow("Learning action", str(action.pk), field, str(getattr(action, field)))
        for action in Action.objects.filter(who).order_by("pk")
        for field in ("reference", "description", "owner_email", "status", "due_date")
    ]


register(
    RecordKind(
        key="learning",
        label="Learning",
        description="Learning actions and who owned them; the recommendations and what was "
        "done are kept.",
        default_months=None,
        source="No statutory period: Working Together to Safeguard Children 2023 asks "
        "partnerships to show how learning improved practice, with no period. Partnership "
        "decision.",
        counts_from="When the action was completed",
        disposal=Disposal.ANONYMISE,
        find="sightline.learning.retention.learning_past",
        dispose="sightline.learning.retention.learning_anonymise",
        subject="sightline.learning.retention.subject_rows",
    )
)
