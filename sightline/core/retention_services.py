"""Retention: periods, legal holds, the monthly review and disposal (writes), and the reads the
pages need. Disposal happens only here, approved by an administrator, in one transaction, and
is audited by kind and count: never a restricted value."""

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .audit_seals import ArchiveError
from .models import (
    AuditEvent,
    LegalHold,
    RetentionReview,
    RetentionReviewItem,
    RetentionSetting,
)
from .outbox import message_key, outbox_add
from .retention import (
    Candidate,
    RecordKind,
    SubjectQuery,
    SubjectRow,
    all_kinds,
    is_held,
    kind_named,
    months_before,
)
from .roles import Role
from .scheduling import LONDON
from .services import access_log_record, audit_record

Item = RetentionReviewItem


@dataclass(frozen=True)
class Period:
    kind: RecordKind
    months: int | None
    is_default: bool


# --- reads ---


def retention_periods() -> list[Period]:
    chosen = dict(RetentionSetting.objects.values_list("kind", "months"))
    return [
        Period(kind, chosen.get(kind.key, kind.default_months), kind.key not in chosen)
        for kind in all_kinds()
    ]


def retention_period(key: str) -> int | None:
    kind = kind_named(key)
    if kind is None:
        return None
    chosen = RetentionSetting.objects.filter(kind=key).values_list("months", flat=True).first()
    return chosen if chosen is not None else kind.default_months


def legal_hold_list() -> list[LegalHold]:
    return list(
        LegalHold.objects.select_related("person", "placed_by", "released_by").order_by(
            "released_at", "-placed_at", "-pk"
        )
    )


def legal_hold_get(*, pk: int) -> LegalHold:
    from .exceptions import NotVisibleError

    hold = LegalHold.objects.select_related("person").filter(pk=pk).first()
    if hold is None:
        raise NotVisibleError
    return hold


def active_holds() -> tuple[set[str], set[int]]:
    """The case references (upper case) and people that an active legal hold covers."""
    refs: set[str] = set()
    people: set[int] = set()
    for covers, ref, person in LegalHold.objects.filter(released_at__isnull=True).values_list(
        "covers", "case_reference", "person_id"
    ):
        if covers == LegalHold.Covers.CASE:
            refs.add(ref.upper())
        elif person is not None:
            people.add(person)
    return refs, people


def retention_review_list() -> list[RetentionReview]:
    from django.db.models import Count, Q

    return list(
        RetentionReview.objects.annotate(
            pending=Count("items", filter=Q(items__status=Item.Status.PENDING)),
            total=Count("items"),
        ).order_by("-month")
    )


def retention_review_get(*, pk: int) -> RetentionReview:
    from .exceptions import NotVisibleError

    review = RetentionReview.objects.filter(pk=pk).first()
    if review is None:
        raise NotVisibleError
    return review


def retention_review_items(review: RetentionReview) -> Any:
    """The month's items in a stable order, for a page at a time (a month can list thousands)."""
    return review.items.select_related("decided_by").order_by("kind", "dated", "pk")


def retention_review_pending(review: RetentionReview) -> int:
    return review.items.filter(status=RetentionReviewItem.Status.PENDING).count()


# --- periods and holds ---


@transaction.atomic
def retention_setting_save(*, actor: Any, key: str, months: int | None) -> None:
    """Set the period of ``key`` (in months), or go back to its default with ``None``."""
    kind = kind_named(key)
    if kind is None:
        raise ValidationError("There is no such kind of record.")
    before = retention_period(key)
    if months is None:
        RetentionSetting.objects.filter(kind=key).delete()
    else:
        if not kind.min_months <= months <= kind.max_months:
            raise ValidationError(
                {"months": f"Enter a period between {kind.min_months} and {kind.max_months} months"}
            )
        RetentionSetting.objects.update_or_create(
            kind=key,
            defaults={"months": months, "updated_at": timezone.now(), "updated_by": actor},
        )
    after = months if months is not None else kind.default_months
    if before != after:
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            changes={"retention_months": {"from": before, "to": after}},
            detail=f"Retention period of {kind.label}",
        )


@transaction.atomic
def legal_hold_add(
    *, actor: Any, covers: str, reason: str, case_reference: str = "", person: Any = None
) -> LegalHold:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the records must be kept"})
    if covers == LegalHold.Covers.CASE:
        case_reference = case_reference.strip()
        if not case_reference:
            raise ValidationError({"case_reference": "Enter the case's reference"})
        person = None
    elif covers == LegalHold.Covers.PERSON:
        if person is None:
            raise ValidationError({"person": "Choose the person"})
        case_reference = ""
    else:
        raise ValidationError({"covers": "Choose whether the hold covers a case or a person"})
    hold = LegalHold.objects.create(
        covers=covers,
        case_reference=case_reference,
        person=person,
        reason=reason,
        placed_by=actor,
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=hold,
        changes={"covers": {"from": None, "to": covers}, "reason": {"from": None, "to": reason}},
    )
    return hold


@transaction.atomic
def legal_hold_release(*, actor: Any, hold: LegalHold, reason: str) -> LegalHold:
    locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if locked.released_at is not None:
        raise ValidationError("This legal hold was already released.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the hold can be released"})
    locked.released_at, locked.released_by, locked.release_reason = timezone.now(), actor, reason
    locked.save(update_fields=["released_at", "released_by", "release_reason"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=locked,
        changes={
            "released": {"from": False, "to": True},
            "release_reason": {"from": None, "to": reason},
        },
    )
    return locked


# --- the monthly review ---


def _candidates(now: datetime.datetime) -> Iterable[tuple[RecordKind, Candidate]]:
    for period in retention_periods():
        if period.months is None:
            continue
        before = months_before(now, period.months)
        for candidate in period.kind.finder()(before=before):
            yield period.kind, candidate


def _administrator_emails() -> list[str]:
    return sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, memberships__role=Role.ADMINISTRATOR)
            .values_list("email", flat=True)
        )
    )


def retention_review_build(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Make (or add to) this month's list of records past their period, marking those a legal
    hold covers, and tell the administrators when there is something to decide."""
    now = now or timezone.now()
    month = now.astimezone(LONDON).strftime("%Y-%m")
    refs, people = active_holds()
    with transaction.atomic():
        review, _ = RetentionReview.objects.get_or_create(month=month)
        known = set(review.items.values_list("kind", "object_type", "object_id"))
        new = [
            Item(
                review=review,
                kind=kind.key,
                object_type=candidate.object_type,
                object_id=candidate.object_id,
                label=candidate.label[:200],
                dated=candidate.dated,
                case_reference=candidate.case_reference,
                person_id=candidate.person_id,
                status=Item.Status.HELD
                if is_held(candidate, case_refs=refs, person_ids=people)
                else Item.Status.PENDING,
            )
            for kind, candidate in _candidates(now)
            if (kind.key, candidate.object_type, candidate.object_id) not in known
        ]
        Item.objects.bulk_create(new, ignore_conflicts=True)
        pending = review.items.filter(status=Item.Status.PENDING).count()
        held = sum(item.status == Item.Status.HELD for item in new)
        emailed = 0
        if pending:
            path = reverse("core:retention_review", kwargs={"pk": review.pk})
            link = f"{settings.SIGHTLINE_BASE_URL}{path}"
            for email in _administrator_emails():
                emailed += outbox_add(
                    key=message_key("core.retention_review", review.month, email),
                    kind="core.retention_review",
                    to=email,
                    subject=f"Retention review for {review.month}: {pending} records to decide",
                    body=(
                        f"{pending} records are past their retention period and wait for your "
                        f"decision ({held} more are kept by a legal hold).\n\n"
                        f"Review them: {link}\n"
                    ),
                )
    return {"listed": len(new), "pending": pending, "held": held, "emailed": emailed}


def retention_review_scheduled(*, now: datetime.datetime) -> dict[str, int]:
    """The monthly schedule's function (``core.retention_review``)."""
    return retention_review_build(now=now)


@transaction.atomic
def retention_dispose(
    *, actor: Any, review: RetentionReview, item_ids: list[int] | None = None
) -> Counter[str]:
    """Dispose of the review's pending items (``item_ids``, or all): each kind through its own
    disposer, after checking again that the record is still past its period and that no legal
    hold covers it. All or nothing. Returns how many of each kind were disposed of."""
    now = timezone.now()
    items = review.items.select_for_update().filter(status=Item.Status.PENDING)
    if item_ids is not None:
        items = items.filter(pk__in=item_ids)
    chosen = list(items.order_by("pk"))
    if not chosen:
        raise ValidationError("Choose at least one record waiting for a decision.")
    refs, people = active_holds()
    by_kind: dict[str, list[RetentionReviewItem]] = {}
    for item in chosen:
        candidate = Candidate(
            item.object_type,
            item.object_id,
            item.label,
            item.dated,
            item.case_reference,
            item.person_id,
        )
        if is_held(candidate, case_refs=refs, person_ids=people):
            item.status = Item.Status.HELD
        else:
            by_kind.setdefault(item.kind, []).append(item)
    done: Counter[str] = Counter()
    for key, kind_items in by_kind.items():
        kind = kind_named(key)
        months = retention_period(key)
        if kind is None or months is None:
            for item in kind_items:
                item.status = Item.Status.GONE
            continue
        before = months_before(now, months)
        still = {
            (c.object_type, c.object_id) for c in kind.finder()(before=before)
        }  # still past its period, by today's setting
        due = [item for item in kind_items if (item.object_type, item.object_id) in still]
        for item in kind_items:
            item.status = Item.Status.GONE
        if not due:
            continue
        try:
            kind.disposer()(ids=[item.object_id for item in due], actor=actor, before=before)
        except ArchiveError as error:
            raise ValidationError(str(error)) from error
        for item in due:
            item.status = Item.Status.DISPOSED
        done[key] = len(due)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.DELETE,
            obj=review,
            changes={
                "retention_kind": {"from": None, "to": key},
                "records": {"from": None, "to": len(due)},
            },
            detail=f"Retention: {kind.disposal} {len(due)} of {kind.label}",
        )
    for item in chosen:
        item.decided_by, item.decided_at = actor, now
    Item.objects.bulk_update(chosen, ["status", "decided_by", "decided_at"])
    return done


# --- subject access requests ---


def subject_access_rows(query: SubjectQuery) -> list[tuple[str, SubjectRow]]:
    """Every value held about the person, from every kind that can find them."""
    rows: list[tuple[str, SubjectRow]] = []
    seen: set[str] = set()
    for kind in all_kinds():
        finder = kind.subject_finder()
        if finder is None or kind.subject in seen:
            continue
        seen.add(kind.subject)
        rows += [(kind.label, row) for row in finder(query=query)]
    return rows


def subject_access_exported(*, actor: Any, query: SubjectQuery, rows: int) -> None:
    """Record, in the access log, that a subject access export was delivered."""
    asked = ", ".join(
        part
        for part in (
            f"name {query.name}" if query.name else "",
            f"email {query.email}" if query.email else "",
            f"case {query.case_reference}" if query.case_reference else "",
        )
        if part
    )
    access_log_record(
        user=actor,
        action="export",
        object_type="core.subject_access",
        object_repr="Subject access request (CSV)",
        detail=f"{rows} values about {asked}"[:2000],
    )
