"""Every write to the groups' papers: added, replaced and removed, each file cleaned of its
hidden metadata first (``core.cleaning``), each change audited in the same transaction.

The file is written to storage before the row that names it, and removed from storage
only once the row's removal has committed, so a failure leaves at worst an unnamed file,
never a paper whose file is gone."""

import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from sightline.core.cleaning import CleanedDocument
from sightline.core.models import AuditEvent
from sightline.core.services import audit_record, changes_between, snapshot

from ..models import Group, GroupPaper, Meeting
from ..selectors import papers as read
from ..vocabulary import PaperKind

FOLDER = "group-papers"
AUDITED = ("title", "kind", "meeting", "file_name", "size", "content_type", "removed")


def _store(cleaned: CleanedDocument) -> str:
    # A random folder per file: the name in storage says nothing and cannot be guessed.
    return default_storage.save(
        f"{FOLDER}/{secrets.token_hex(16)}/{cleaned.file_name}", ContentFile(cleaned.content)
    )


def _discard_on_failure(name: str) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)


def _check(*, group: Group, meeting: Meeting | None, title: str, kind: str) -> None:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Enter the paper's title"
    if kind not in PaperKind.values:
        errors["kind"] = "Choose what kind of paper it is"
    if meeting is not None and meeting.group_id != group.pk:
        errors["meeting"] = "Choose one of this group's meetings"
    if errors:
        raise ValidationError(errors)


def group_paper_add(
    *,
    actor: Any,
    group: Group,
    title: str,
    kind: str,
    cleaned: CleanedDocument,
    meeting: Meeting | None = None,
) -> GroupPaper:
    """Keep a cleaned paper in the group's members' area. The same file with the same
    title sent twice (a double submit) is kept once."""
    title = " ".join(title.split())
    _check(group=group, meeting=meeting, title=title, kind=kind)
    checksum = hashlib.sha256(cleaned.content).hexdigest()
    existing = read.paper_same_upload(group=group, title=title, checksum=checksum)
    if existing is not None:
        return existing
    name = _store(cleaned)
    try:
        with transaction.atomic():
            paper = GroupPaper.objects.create(
                group=group,
                meeting=meeting,
                title=title,
                kind=kind,
                storage_name=name,
                file_name=cleaned.file_name,
                content_type=cleaned.content_type,
                size=len(cleaned.content),
                checksum=checksum,
                removed=list(cleaned.removed),
                uploaded_by=actor,
                uploaded_at=timezone.now(),
            )
            audit_record(
                actor=actor,
                kind=AuditEvent.Kind.CREATE,
                obj=paper,
                changes=changes_between({}, snapshot(paper, AUDITED)),
            )
    except Exception:
        _discard_on_failure(name)
        raise
    return paper


def group_paper_replace(*, actor: Any, paper: GroupPaper, cleaned: CleanedDocument) -> GroupPaper:
    """A new version of the paper's file; the old file goes once the change has committed."""
    checksum = hashlib.sha256(cleaned.content).hexdigest()
    if checksum == paper.checksum:
        return paper
    name = _store(cleaned)
    old_name = paper.storage_name
    try:
        with transaction.atomic():
            locked = GroupPaper.objects.select_for_update().get(pk=paper.pk)
            before = snapshot(locked, AUDITED)
            locked.storage_name = name
            locked.file_name = cleaned.file_name
            locked.content_type = cleaned.content_type
            locked.size = len(cleaned.content)
            locked.checksum = checksum
            locked.removed = list(cleaned.removed)
            locked.uploaded_by = actor
            locked.uploaded_at = timezone.now()
            locked.save()
            audit_record(
                actor=actor,
                kind=AuditEvent.Kind.UPDATE,
                obj=locked,
                changes=changes_between(before, snapshot(locked, AUDITED)),
                detail="File replaced",
            )
            transaction.on_commit(lambda: _discard_on_failure(old_name))
    except Exception:
        _discard_on_failure(name)
        raise
    return locked


@transaction.atomic
def group_paper_delete(*, actor: Any, paper: GroupPaper) -> None:
    """Remove the paper from the members' area; its file goes once that has committed."""
    locked = GroupPaper.objects.select_for_update().filter(pk=paper.pk).first()
    if locked is None:
        return
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.DELETE,
        obj=locked,
        changes=changes_between(snapshot(locked, AUDITED), dict.fromkeys(AUDITED)),
    )
    name = locked.storage_name
    locked.delete()
    transaction.on_commit(lambda: _discard_on_failure(name))
