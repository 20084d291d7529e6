"""Publishing: drafts of reviews, resources and news; the decision to publish them (who, from
which day, until when); withdrawal with a reason; the documents published with them.

Publishing is the partners' decision, so approving records who made it and when the item goes
live, which may be later than today (held back past a sensitive date). Editing an approved
item is allowed, for corrections, and each change is in the audit trail with what it was;
a withdrawn item is never edited or approved again. A draft made from a case takes only what
may be public: the pseudonym, the route, the themes and the wording of the recommendations,
never the case's restricted details."""

import datetime
import secrets
from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from sightline.core.cleaning import MAX_DOCUMENT_BYTES, DocumentRefused, document_clean
from sightline.core.services import audit_record, changes_between, save_changed, snapshot
from sightline.reviews.models import Case, PracticeTheme
from sightline.reviews.vocabulary import Outcome, Route

from ..models import (
    SLUG_MAX,
    HubDocument,
    NewsItem,
    Publishable,
    PublishedRecommendation,
    PublishedReview,
    Resource,
)
from ..vocabulary import ResourceKind, ReviewKind, State
from .search import search_index_sync

REVIEW_FIELDS = ("title", "audience", "kind", "summary", "author", "home_office_cleared_on")
RESOURCE_FIELDS = (
    "title",
    "audience",
    "kind",
    "summary",
    "link",
    "duration_minutes",
    "transcript",
    "review",
)
NEWS_FIELDS = ("title", "audience", "summary", "body")
MAX_RECOMMENDATIONS = 50
# Read no more of an upload than cleaning accepts, and one byte to know it was too big.
MAX_UPLOAD_BYTES = MAX_DOCUMENT_BYTES
RECORDINGS = (ResourceKind.WEBINAR, ResourceKind.PODCAST, ResourceKind.INTERVIEW)
# Tries at a free slug when two drafts with the same title are saved at the same moment.
SLUG_ATTEMPTS = 5

KIND_BY_ROUTE = {
    Route.CHILD: ReviewKind.LCSPR,
    Route.ADULT: ReviewKind.SAR,
    Route.DHR: ReviewKind.DHR,
    Route.LOCAL: ReviewKind.LOCAL,
}
LOCAL_NOT_AGREED = (
    "Learning from a local learning review is for partner agencies only. Confirm that the "
    "partners agreed its learning may be public, or choose another case"
)


def _label(item: Publishable) -> str:
    return {
        PublishedReview: "review",
        Resource: "resource",
        NewsItem: "news",
    }[type(item)]


def slug_for(model: type[Publishable], title: str, *, exclude_pk: int | None = None) -> str:
    """A slug from ``title`` that no other item of ``model`` has: ``-2``, ``-3``... added."""
    base = (slugify(title)[: SLUG_MAX - 6].strip("-")) or "item"
    taken = set(
        model.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _save_new(item: Publishable) -> None:
    """Save a new item under a free slug; a clash with a draft saved at the same moment (a
    double submit) takes the next one."""
    for _ in range(SLUG_ATTEMPTS):
        item.slug = slug_for(type(item), item.title)
        try:
            with transaction.atomic():
                item.save()
            return
        except IntegrityError:
            if not type(item).objects.filter(slug=item.slug).exists():
                raise
    raise ValidationError({"title": "Another item with this title is being saved: try again"})


def _refuse_withdrawn(item: Publishable) -> None:
    if item.state == State.WITHDRAWN:
        raise ValidationError(
            "This has been withdrawn and cannot be changed or published again: "
            "start a new draft instead"
        )


def _save(
    *,
    actor: Any,
    item: Publishable,
    fields: Iterable[str],
    values: dict[str, Any],
    themes: Iterable[PracticeTheme] | None,
) -> dict[str, Any]:
    """Create or update ``item`` with ``values`` and ``themes``; the changes, for the audit."""
    fields = tuple(fields)
    before_themes = _theme_names(item)
    if item.pk is None:
        for name, value in values.items():
            setattr(item, name, value)
        item.created_by = item.updated_by = actor
        _save_new(item)
        changes = changes_between({}, snapshot(item, fields))
    else:
        _, changes = save_changed(item, fields=fields, values=values, actor=actor)
    if themes is not None:
        chosen = list(themes)
        after_themes = sorted(theme.name for theme in chosen)
        if after_themes != before_themes:
            item.themes.set(chosen)  # type: ignore[attr-defined]
            changes["themes"] = {"from": before_themes, "to": after_themes}
    return changes


def _theme_names(item: Publishable) -> list[str]:
    if item.pk is None:
        return []
    return sorted(theme.name for theme in item.themes.all())  # type: ignore[attr-defined]


def _audit_save(*, actor: Any, item: Publishable, created: bool, changes: dict) -> None:
    label = _label(item)
    if created:
        audit_record(actor=actor, kind=f"hub.{label}_drafted", obj=item, changes=changes)
    elif changes:
        # A correction to something already public is part of the public record: say so.
        detail = "Changed after approval." if item.state == State.APPROVED else ""
        audit_record(
            actor=actor, kind=f"hub.{label}_changed", obj=item, changes=changes, detail=detail
        )


# Reviews ---------------------------------------------------------------------------------


def review_prefill(*, case: Case, partners_agreed: bool = False) -> dict[str, Any]:
    """What a draft review made from ``case`` starts with: only what may be public (its
    pseudonym, route, themes and the wording of its accepted recommendations).

    A local learning review's learning is for partner agencies only, so a draft is made from
    one only when the partners agreed its learning may be public."""
    from sightline.learning import selectors as learning

    if case.route == Route.LOCAL and not partners_agreed:
        raise ValidationError({"partners_agreed": LOCAL_NOT_AGREED})
    kind = KIND_BY_ROUTE[Route(case.route)]
    if case.outcome == Outcome.NATIONAL:
        kind = ReviewKind.THEMATIC
    name = case.pseudonym or "A review"
    return {
        "title": f"{name}: {ReviewKind(kind).label.lower()}",
        "kind": kind,
        "themes": list(case.themes.filter(is_active=True)),
        "recommendations": [item.text for item in learning.review_learning(case=case)],
    }


def _recommendations_set(review: PublishedReview, texts: list[str]) -> dict[str, Any]:
    texts = [text.strip() for text in texts if text.strip()]
    if len(texts) > MAX_RECOMMENDATIONS:
        raise ValidationError(
            {"recommendations": f"Publish at most {MAX_RECOMMENDATIONS} recommendations"}
        )
    before = list(review.recommendations.values_list("text", flat=True))
    if before == texts:
        return {}
    review.recommendations.all().delete()
    PublishedRecommendation.objects.bulk_create(
        PublishedRecommendation(review=review, position=number, text=text)
        for number, text in enumerate(texts, start=1)
    )
    return {"recommendations": {"from": before, "to": texts}}


@transaction.atomic
def review_save(
    *,
    actor: Any,
    review: PublishedReview | None = None,
    values: dict[str, Any],
    themes: Iterable[PracticeTheme] | None = None,
    recommendations: list[str] | None = None,
    case: Case | None = None,
    partners_agreed: bool = False,
) -> PublishedReview:
    """Draft a review (``review`` None), from ``case`` if given, or change one. Values not
    given keep what the draft has; from a case, what it does not give comes from the case."""
    if review is not None:
        _refuse_withdrawn(review)
        review = PublishedReview.objects.select_for_update().get(pk=review.pk)
    created = review is None
    if created:
        review = PublishedReview()
        if case is not None:
            if PublishedReview.objects.filter(case=case).exists():
                raise ValidationError({"case": "This case already has a review on the hub"})
            prefill = review_prefill(case=case, partners_agreed=partners_agreed)
            review.case = case
            values = {"title": prefill["title"], "kind": prefill["kind"], **values}
            themes = prefill["themes"] if themes is None else themes
            if recommendations is None:
                recommendations = prefill["recommendations"]
    assert review is not None
    changes = _save(actor=actor, item=review, fields=REVIEW_FIELDS, values=values, themes=themes)
    if recommendations is not None:
        changes |= _recommendations_set(review, recommendations)
    _audit_save(actor=actor, item=review, created=created, changes=changes)
    search_index_sync(item=review)
    return review


def _review_may_go_public(review: PublishedReview) -> None:
    if review.kind == ReviewKind.DHR and review.home_office_cleared_on is None:
        raise ValidationError(
            "A domestic homicide review is published only once the Home Office quality "
            "assurance panel has cleared it: record the date it was cleared first"
        )
    case = review.case
    # The report must be finished: sent to the Panel or the Home Office, or recorded as
    # published. Reviews with no such milestone (adult and local reviews) record the
    # publication on the case first.
    if case is not None and not (
        case.final_report_sent_date or case.home_office_sent_date or case.published_date
    ):
        raise ValidationError(
            f"The case {case.reference} has no final report yet: record the date the final "
            "report was sent, or the date it was published, on the case first"
        )


# Resources and news -------------------------------------------------------------------


def _simple_save[T: Publishable](
    *,
    actor: Any,
    model: type[T],
    item: T | None,
    fields: Iterable[str],
    values: dict[str, Any],
    themes: Iterable[PracticeTheme] | None,
) -> T:
    """Draft or change a resource or news item: what both share with no extra parts."""
    if item is not None:
        _refuse_withdrawn(item)
        item = cast(T, model._default_manager.select_for_update().get(pk=item.pk))
    created = item is None
    saved = item or model()
    changes = _save(actor=actor, item=saved, fields=fields, values=values, themes=themes)
    _audit_save(actor=actor, item=saved, created=created, changes=changes)
    search_index_sync(item=saved)
    return saved


@transaction.atomic
def resource_save(
    *,
    actor: Any,
    resource: Resource | None = None,
    values: dict[str, Any],
    themes: Iterable[PracticeTheme] | None = None,
) -> Resource:
    return _simple_save(
        actor=actor,
        model=Resource,
        item=resource,
        fields=RESOURCE_FIELDS,
        values=values,
        themes=themes,
    )


@transaction.atomic
def news_save(
    *,
    actor: Any,
    news: NewsItem | None = None,
    values: dict[str, Any],
    themes: Iterable[PracticeTheme] | None = None,
) -> NewsItem:
    return _simple_save(
        actor=actor, model=NewsItem, item=news, fields=NEWS_FIELDS, values=values, themes=themes
    )


# The decision ----------------------------------------------------------------------------


def _approve(
    *, actor: Any, item: Publishable, live_on: datetime.date, remove_on: datetime.date | None
) -> Publishable:
    item = type(item).objects.select_for_update().get(pk=item.pk)
    _refuse_withdrawn(item)
    if remove_on is not None and remove_on <= live_on:
        raise ValidationError({"remove_on": "The removal date must be after the live date"})
    if isinstance(item, PublishedReview):
        _review_may_go_public(item)
    if isinstance(item, Resource) and item.kind in RECORDINGS and not item.transcript.strip():
        raise ValidationError(
            "Add the transcript before publishing a recording: readers who cannot hear it need it"
        )
    if item.state == State.APPROVED and (item.live_on, item.remove_on) == (live_on, remove_on):
        return item  # the same decision again (a double submit)
    fields = ("state", "live_on", "remove_on")
    before = snapshot(item, fields)
    first = item.state != State.APPROVED
    item.state = State.APPROVED
    item.live_on, item.remove_on = live_on, remove_on
    if first:
        item.approved_by, item.approved_at = actor, timezone.now()
    item.save()
    audit_record(
        actor=actor,
        kind=f"hub.{_label(item)}_approved" if first else f"hub.{_label(item)}_dates_changed",
        obj=item,
        changes=changes_between(before, snapshot(item, fields)),
    )
    search_index_sync(item=item)
    return item


@transaction.atomic
def review_approve(
    *,
    actor: Any,
    item: PublishedReview,
    live_on: datetime.date,
    remove_on: datetime.date | None = None,
) -> PublishedReview:
    """Record the partners' decision to publish: public from ``live_on`` (which may be held
    back to a later day) until ``remove_on``, if given. Approving again changes the dates."""
    result = _approve(actor=actor, item=item, live_on=live_on, remove_on=remove_on)
    assert isinstance(result, PublishedReview)
    return result


@transaction.atomic
def resource_approve(
    *, actor: Any, item: Resource, live_on: datetime.date, remove_on: datetime.date | None = None
) -> Resource:
    result = _approve(actor=actor, item=item, live_on=live_on, remove_on=remove_on)
    assert isinstance(result, Resource)
    return result


@transaction.atomic
def news_approve(
    *, actor: Any, item: NewsItem, live_on: datetime.date, remove_on: datetime.date | None = None
) -> NewsItem:
    result = _approve(actor=actor, item=item, live_on=live_on, remove_on=remove_on)
    assert isinstance(result, NewsItem)
    return result


def _withdraw(*, actor: Any, item: Publishable, reason: str) -> Publishable:
    item = type(item).objects.select_for_update().get(pk=item.pk)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why it is being withdrawn"})
    if item.state == State.WITHDRAWN:
        return item  # already done (a double submit)
    if item.state != State.APPROVED:
        raise ValidationError("Only an approved item can be withdrawn: a draft is not public")
    item.state = State.WITHDRAWN
    item.withdrawn_by, item.withdrawn_at = actor, timezone.now()
    item.withdrawal_reason = reason
    item.save()
    audit_record(actor=actor, kind=f"hub.{_label(item)}_withdrawn", obj=item, detail=reason)
    search_index_sync(item=item)
    return item


@transaction.atomic
def review_withdraw(*, actor: Any, item: PublishedReview, reason: str) -> PublishedReview:
    """Take a review off the hub for good, with the reason (for example a family's request)."""
    result = _withdraw(actor=actor, item=item, reason=reason)
    assert isinstance(result, PublishedReview)
    return result


@transaction.atomic
def resource_withdraw(*, actor: Any, item: Resource, reason: str) -> Resource:
    result = _withdraw(actor=actor, item=item, reason=reason)
    assert isinstance(result, Resource)
    return result


@transaction.atomic
def news_withdraw(*, actor: Any, item: NewsItem, reason: str) -> NewsItem:
    result = _withdraw(actor=actor, item=item, reason=reason)
    assert isinstance(result, NewsItem)
    return result


# Documents -------------------------------------------------------------------------------


def document_upload(
    *, actor: Any, item: PublishedReview | Resource, title: str, name: str, content: bytes
) -> HubDocument:
    """Clean the file of hidden metadata (author, comments, tracked changes...) and keep it
    under a path no one can guess; ``removed`` on the result says what was taken out."""
    _refuse_withdrawn(item)
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Enter the document's title, as readers will see it"})
    try:
        cleaned = document_clean(name=name, content=content)
    except DocumentRefused as error:
        raise ValidationError({"file": str(error)}) from error
    stored_as = default_storage.save(
        f"hub/documents/{secrets.token_urlsafe(24)}/{cleaned.file_name}",
        ContentFile(cleaned.content),
    )
    try:
        with transaction.atomic():
            document = HubDocument.objects.create(
                review=item if isinstance(item, PublishedReview) else None,
                resource=item if isinstance(item, Resource) else None,
                title=title,
                stored_as=stored_as,
                file_name=cleaned.file_name,
                content_type=cleaned.content_type,
                size=len(cleaned.content),
                removed=list(cleaned.removed),
                uploaded_by=actor,
                uploaded_at=timezone.now(),
            )
            audit_record(
                actor=actor,
                kind="hub.document_uploaded",
                obj=document,
                detail=f"{cleaned.file_name} for {item}. Removed: "
                + ("; ".join(cleaned.removed) or "nothing"),
            )
    except Exception:
        default_storage.delete(stored_as)
        raise
    return document


@transaction.atomic
def document_remove(*, actor: Any, document: HubDocument) -> None:
    audit_record(actor=actor, kind="hub.document_removed", obj=document, detail=document.file_name)
    stored_as = document.stored_as
    document.delete()
    transaction.on_commit(lambda: default_storage.delete(stored_as))
