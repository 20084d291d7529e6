"""Assurance's kind of record for the retention registry: the papers uploaded to the groups'
members' areas (minutes, agendas, papers). Each file goes once the deletion has committed."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction

from sightline.core.retention import (
    Candidate,
    Disposal,
    RecordKind,
    SubjectQuery,
    SubjectRow,
    register,
    subject_filter,
)

from .models import GroupPaper


def uploads_past(*, before: datetime.datetime) -> Iterable[Candidate]:
    rows = GroupPaper.objects.filter(uploaded_at__lt=before).only("pk", "uploaded_at")
    return [
        Candidate(
            object_type="assurance.grouppaper",
            object_id=str(paper.pk),
            label=f"Group paper {paper.pk}",
            dated=paper.uploaded_at.date(),
        )
        for paper in rows.order_by("uploaded_at", "pk")
    ]


def _remove_file(name: str) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)


def uploads_delete(*, ids: list[str], actor: Any, before: datetime.datetime) -> int:
    chosen = GroupPaper.objects.filter(uploaded_at__lt=before, pk__in=ids)
    names = list(chosen.values_list("storage_name", flat=True))
    deleted, _ = chosen.delete()
    for name in names:
        transaction.on_commit(lambda name=name: _remove_file(name))  # type: ignore[misc]
    return int(deleted)


def subject_rows(*, query: SubjectQuery) -> Iterable[SubjectRow]:
    who = subject_filter(query, email=("uploaded_by__email",), name=("uploaded_by__full_name",))
    return [
        SubjectRow("Group paper", str(paper.pk), field, str(getattr(paper, field)))
        for paper in GroupPaper.objects.filter(who).order_by("pk")
        for field in ("title", "file_name", "uploaded_at")
    ]


register(
    RecordKind(
        key="uploads",
        label="Uploads",
        description="Files uploaded to the assurance groups' members' areas. Files published "
        "on the learning hub stay as published.",
        default_months=None,
        source="No statutory period for a partnership's meeting papers. Partnership "
        "decision, following the local authority's schedule for committee papers (IRMS "
        "Retention Guidelines for Local Authorities).",
        counts_from="The upload",
        disposal=Disposal.DELETE,
        find="sightline.assurance.retention.uploads_past",
        dispose="sightline.assurance.retention.uploads_delete",
        subject="sightline.assurance.retention.subject_rows",
    )
)
