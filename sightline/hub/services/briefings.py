"""Writes of seven-minute briefings: drafting (from a review, or from scratch), the business
unit's edits and its "finished" mark, and the partners' approval and withdrawal."""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from sightline.core.models import AuditEvent
from sightline.core.services import audit_record, changes_between, snapshot
from sightline.reviews.models import PracticeTheme

from ..drafting import blank_sections, draft_sections
from ..models import REASON_MAX, SECTION_MAX, SLUG_MAX, TITLE_MAX, Briefing, PublishedReview
from ..selectors.briefings import briefing_source, draft_for_review
from ..vocabulary import BRIEFING_SECTIONS, Audience, State
from .search import search_index_sync

SECTION_FIELDS = tuple(name for name, _ in BRIEFING_SECTIONS)
EDITED_FIELDS = ("title", "audience", *SECTION_FIELDS)
# How far ahead a live or removal date may be set: beyond it is surely a typing mistake.
FURTHEST_AHEAD = datetime.timedelta(days=5 * 366)


def _unique_slug(title: str) -> str:
    base = (slugify(title) or "briefing")[: SLUG_MAX - 8].strip("-")
    slug, number = base, 1
    while Briefing.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _stamp(briefing: Briefing, actor: Any) -> None:
    briefing.updated_at = timezone.now()
    briefing.updated_by = actor


def _locked(briefing: Briefing) -> Briefing:
    return Briefing.objects.select_for_update().get(pk=briefing.pk)


def briefing_draft(*, actor: Any, review: PublishedReview) -> Briefing:
    """A draft briefing on ``review``, its seven sections proposed from the review's public
    summary, themes, published recommendations and the actions agencies took. While a draft
    on the review exists, that draft is returned instead: a second submit makes no second
    draft. A review whose briefing is approved may be briefed again (an update)."""
    if review.state == State.WITHDRAWN:
        raise ValidationError("The review has been withdrawn: choose another review")
    source = briefing_source(
        review=review, review_url=settings.SIGHTLINE_BASE_URL + review.get_absolute_url()
    )
    title = f"Seven-minute briefing: {review.title}"[:TITLE_MAX]
    with transaction.atomic():
        # Drafts of one review are made one at a time, so two submits find the one draft.
        PublishedReview.objects.select_for_update().filter(pk=review.pk).first()
        existing = draft_for_review(review=review)
        if existing is not None:
            return existing
        briefing = Briefing.objects.create(
            title=title,
            slug=_unique_slug(review.title),
            audience=review.audience,
            review=review,
            created_by=actor,
            updated_by=actor,
            **draft_sections(source),
        )
        briefing.themes.set(review.themes.all())
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE,
            obj=briefing,
            changes=changes_between({}, snapshot(briefing, ["title", "slug", "review"])),
            detail="Drafted from the published review.",
        )
    return briefing


def briefing_create(
    *, actor: Any, title: str, audience: str, themes: Iterable[PracticeTheme]
) -> Briefing:
    """A briefing written from scratch, for example on a theme across reviews."""
    title = " ".join(title.split())
    if not title or len(title) > TITLE_MAX:
        raise ValidationError({"title": f"Enter a title of {TITLE_MAX} characters or fewer"})
    if audience not in Audience.values:
        raise ValidationError({"audience": "Choose who the briefing is for"})
    themes = list(themes)
    with transaction.atomic():
        briefing = Briefing.objects.create(
            title=title,
            slug=_unique_slug(title),
            audience=audience,
            created_by=actor,
            updated_by=actor,
            **blank_sections(themes=[theme.name for theme in themes]),
        )
        briefing.themes.set(themes)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE,
            obj=briefing,
            changes=changes_between({}, snapshot(briefing, ["title", "slug", "audience"])),
        )
    return briefing


def briefing_update(
    *,
    actor: Any,
    briefing: Briefing,
    values: Mapping[str, str],
    themes: Iterable[PracticeTheme],
) -> bool:
    """Save the business unit's changes to a draft. A change to a finished draft takes the
    "finished" mark off: it is finished again once someone has read it through. Returns
    whether anything changed (a second submit of the same text changes nothing)."""
    themes = list(themes)
    for name, value in values.items():
        if name not in EDITED_FIELDS:
            raise ValueError(f"Not an editable field: {name}")
        limit = TITLE_MAX if name == "title" else SECTION_MAX
        if len(value) > limit:
            raise ValidationError({name: f"Shorten this to {limit:,} characters or fewer"})
    if "audience" in values and values["audience"] not in Audience.values:
        raise ValidationError({"audience": "Choose who the briefing is for"})
    if "title" in values and not values["title"].strip():
        raise ValidationError({"title": "Enter a title"})
    with transaction.atomic():
        briefing = _locked(briefing)
        if briefing.state != State.DRAFT:
            raise ValidationError(
                "Only a draft can be changed: this briefing has been approved or withdrawn"
            )
        before = snapshot(briefing, [*values, "finished_at"])
        before_themes = sorted(briefing.themes.values_list("pk", flat=True))
        for name, value in values.items():
            setattr(briefing, name, value)
        after_themes = sorted(theme.pk for theme in themes)
        changed = any(before[name] != getattr(briefing, name) for name in values) or (
            before_themes != after_themes
        )
        if not changed:
            return False
        briefing.finished_at = None
        briefing.finished_by = None
        _stamp(briefing, actor)
        briefing.save(
            update_fields=[*values, "finished_at", "finished_by", "updated_at", "updated_by"]
        )
        briefing.themes.set(themes)
        changes = changes_between(before, snapshot(briefing, [*values, "finished_at"]))
        if before_themes != after_themes:
            changes["themes"] = {"from": before_themes, "to": after_themes}
        audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=briefing, changes=changes)
    return True


def briefing_finish(*, actor: Any, briefing: Briefing) -> Briefing:
    """The business unit marks a draft as finished: ready for the partners to approve."""
    with transaction.atomic():
        briefing = _locked(briefing)
        if briefing.state != State.DRAFT:
            raise ValidationError("Only a draft can be marked as finished")
        if briefing.finished_at is not None:
            return briefing
        empty = [
            heading for name, heading in BRIEFING_SECTIONS if not getattr(briefing, name).strip()
        ]
        if empty:
            names = ", ".join(heading.lower() for heading in empty)
            verb = "is" if len(empty) == 1 else "are"
            raise ValidationError(
                f"Write every section before marking the briefing as finished: {names} {verb} empty"
            )
        briefing.finished_by = actor
        briefing.finished_at = timezone.now()
        _stamp(briefing, actor)
        briefing.save(update_fields=["finished_by", "finished_at", "updated_at", "updated_by"])
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=briefing,
            changes={"finished_at": {"from": None, "to": briefing.finished_at.isoformat()}},
        )
    return briefing


def _check_dates(live_on: datetime.date, remove_on: datetime.date | None) -> None:
    today = timezone.localdate()
    if live_on > today + FURTHEST_AHEAD:
        raise ValidationError({"live_on": "The live date must be within 5 years from today"})
    if remove_on is not None:
        if remove_on <= live_on:
            raise ValidationError({"remove_on": "The removal date must be after the live date"})
        if remove_on > today + FURTHEST_AHEAD:
            raise ValidationError(
                {"remove_on": "The removal date must be within 5 years from today"}
            )


def briefing_approve(
    *,
    actor: Any,
    briefing: Briefing,
    live_on: datetime.date,
    remove_on: datetime.date | None = None,
) -> Briefing:
    """The partners approve a finished draft to go live on ``live_on`` (held back to a later
    day if need be), and to come down on ``remove_on`` if given."""
    _check_dates(live_on, remove_on)
    with transaction.atomic():
        briefing = _locked(briefing)
        if briefing.state == State.APPROVED:
            if briefing.live_on == live_on and briefing.remove_on == remove_on:
                return briefing
            raise ValidationError("This briefing has already been approved")
        if briefing.state != State.DRAFT:
            raise ValidationError("A withdrawn briefing cannot be approved")
        if briefing.finished_at is None:
            raise ValidationError(
                "The business unit must mark the briefing as finished before it is approved"
            )
        before = snapshot(briefing, ["state", "live_on", "remove_on"])
        briefing.state = State.APPROVED
        briefing.approved_by = actor
        briefing.approved_at = timezone.now()
        briefing.live_on = live_on
        briefing.remove_on = remove_on
        _stamp(briefing, actor)
        briefing.save(
            update_fields=[
                "state",
                "approved_by",
                "approved_at",
                "live_on",
                "remove_on",
                "updated_at",
                "updated_by",
            ]
        )
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=briefing,
            changes=changes_between(before, snapshot(briefing, ["state", "live_on", "remove_on"])),
        )
        search_index_sync(item=briefing)
    return briefing


def briefing_withdraw(*, actor: Any, briefing: Briefing, reason: str) -> Briefing:
    """Take a briefing down for good, with the reason. It is never public again."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the briefing is being withdrawn"})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": f"The reason must be {REASON_MAX:,} characters or fewer: shorten it"}
        )
    with transaction.atomic():
        briefing = _locked(briefing)
        if briefing.state == State.WITHDRAWN:
            return briefing
        before = snapshot(briefing, ["state", "withdrawal_reason"])
        briefing.state = State.WITHDRAWN
        briefing.withdrawn_by = actor
        briefing.withdrawn_at = timezone.now()
        briefing.withdrawal_reason = reason
        _stamp(briefing, actor)
        briefing.save(
            update_fields=[
                "state",
                "withdrawn_by",
                "withdrawn_at",
                "withdrawal_reason",
                "updated_at",
                "updated_by",
            ]
        )
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=briefing,
            changes=changes_between(before, snapshot(briefing, ["state", "withdrawal_reason"])),
        )
        search_index_sync(item=briefing)
    return briefing
