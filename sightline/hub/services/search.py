"""The search index: what is approved, in the words the search reads.

The publishing services call ``search_index_sync`` after every approval, edit, withdrawal
and removal date they record; ``search_index_rebuild`` (``sightline reindex_hub``) makes the
whole index again from the items. The index is derived from the items, whose own changes
are audited where they are made, so writing it records no audit event of its own.

Nothing here reads a case: a published review carries its own text, written for the
public, and that is all the index holds."""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from ..models import (
    Briefing,
    NewsItem,
    Publishable,
    PublishedReview,
    Resource,
    SearchEntry,
)
from ..vocabulary import BRIEFING_SECTIONS, State

SUMMARY_LENGTH = 300
Kind = SearchEntry.Kind
KINDS: dict[type[Model], str] = {
    PublishedReview: Kind.REVIEW,
    Briefing: Kind.BRIEFING,
    Resource: Kind.RESOURCE,
    NewsItem: Kind.NEWS,
}


def _kind_of(item: Publishable) -> str:
    kind = KINDS.get(type(item))
    if kind is None:
        raise TypeError(f"{type(item).__name__} is not searched")
    return kind


def _indexable(item: Publishable, today: datetime.date) -> bool:
    """Approved and not yet due to come down: what the index holds. An item approved for a
    later day is held already; the search applies the public dates."""
    return (
        item.state == State.APPROVED
        and item.live_on is not None
        and (item.remove_on is None or item.remove_on > today)
    )


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SUMMARY_LENGTH:
        return text
    return text[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _words(item: Publishable) -> tuple[str, str, str]:
    """(text, summary, subtype) of an item: every public word of it but the title."""
    if isinstance(item, PublishedReview):
        recommendations = [rec.text for rec in item.recommendations.all()]
        return "\n\n".join([item.summary, *recommendations]), item.summary, item.kind
    if isinstance(item, Briefing):
        sections = [getattr(item, field) for field, _ in BRIEFING_SECTIONS]
        text = "\n\n".join(section for section in sections if section)
        return text, item.background or item.what_we_learned or text, ""
    if isinstance(item, Resource):
        return "\n\n".join([item.summary, item.transcript]), item.summary, item.kind
    if isinstance(item, NewsItem):
        return "\n\n".join([item.summary, item.body]), item.summary, ""
    raise TypeError(f"{type(item).__name__} is not searched")


def _fields(item: Publishable) -> dict[str, Any]:
    text, summary, subtype = _words(item)
    themes = sorted(theme.name for theme in item.themes.all())  # type: ignore[attr-defined]
    assert item.live_on is not None
    return {
        "title": item.title,
        "text": text,
        "summary": _shorten(summary),
        "subtype": subtype,
        "theme_names": "; ".join(themes)[:2000],
        "audience": item.audience,
        "year": item.live_on.year,
        "live_on": item.live_on,
        "remove_on": item.remove_on,
        "url": item.get_absolute_url(),  # type: ignore[attr-defined]
    }


@transaction.atomic
def search_index_refresh(*, item: Publishable) -> SearchEntry | None:
    """Put ``item`` in the index as it now stands; take it out when it is not approved (a
    draft, a withdrawn item, one past its removal date). None when it is not held."""
    kind = _kind_of(item)
    if not _indexable(item, timezone.localdate()):
        search_index_remove(item=item)
        return None
    entry, _ = SearchEntry.objects.update_or_create(
        kind=kind, object_id=item.pk, defaults=_fields(item)
    )
    entry.themes.set(item.themes.all())  # type: ignore[attr-defined]
    return entry


def search_index_remove(*, item: Publishable) -> None:
    SearchEntry.objects.filter(kind=_kind_of(item), object_id=item.pk).delete()


def search_index_sync(*, item: Publishable) -> bool:
    """The one call for the publishing services: after any change to ``item``, the index
    holds it when approved and not otherwise. Whether it is held."""
    return search_index_refresh(item=item) is not None


def _approved(model: type[Any], today: datetime.date) -> Any:
    items = model.objects.filter(
        Q(remove_on__isnull=True) | Q(remove_on__gt=today),
        state=State.APPROVED,
        live_on__isnull=False,
    ).prefetch_related("themes")
    if model is PublishedReview:
        items = items.prefetch_related("recommendations")
    return items.order_by("pk")


@transaction.atomic
def search_index_rebuild() -> int:
    """Empty the index and fill it again from every approved item. How many it holds."""
    today = timezone.localdate()
    SearchEntry.objects.all().delete()
    count = 0
    for model, kind in KINDS.items():
        items = list(_approved(model, today).iterator(chunk_size=500))
        entries = SearchEntry.objects.bulk_create(
            [SearchEntry(kind=kind, object_id=item.pk, **_fields(item)) for item in items],
            batch_size=500,
        )
        SearchEntry.themes.through.objects.bulk_create(
            [
                SearchEntry.themes.through(searchentry_id=entry.pk, practicetheme_id=theme.pk)
                for entry, item in zip(entries, items, strict=True)
                for theme in item.themes.all()
            ],
            batch_size=1000,
        )
        count += len(entries)
    return count
