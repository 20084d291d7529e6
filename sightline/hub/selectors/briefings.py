"""Reads of seven-minute briefings: the public list and page (only what is public), the
business unit's list and the rows a draft is made from."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from sightline.learning import selectors as learning
from sightline.reviews.models import PracticeTheme

from ..drafting import AgencyActions, ReviewSource
from ..models import Briefing, PublishedReview
from ..vocabulary import Audience, State

_THEMES = Prefetch("themes", queryset=PracticeTheme.objects.order_by("name"))


@dataclass(frozen=True)
class BriefingFilters:
    theme: PracticeTheme | None = None
    audience: str = ""


def briefing_public_list(*, on: datetime.date, filters: BriefingFilters) -> QuerySet[Briefing]:
    """Public briefings, newest first, with their themes."""
    briefings = Briefing.objects.public(on=on)
    if filters.theme is not None:
        briefings = briefings.filter(themes=filters.theme)
    if filters.audience:
        # A briefing for both workforces is for each of them.
        briefings = briefings.filter(audience__in=[filters.audience, Audience.BOTH])
    return briefings.prefetch_related(_THEMES).order_by("-live_on", "title", "pk")


def briefing_public_themes(*, on: datetime.date) -> list[PracticeTheme]:
    """The themes of public briefings: the theme filter's choices."""
    public = Briefing.objects.public(on=on).values("pk")
    return list(
        PracticeTheme.objects.filter(
            pk__in=Briefing.themes.through.objects.filter(briefing_id__in=public).values(
                "practicetheme_id"
            )
        ).order_by("name")
    )


@dataclass(frozen=True)
class BriefingPage:
    briefing: Briefing
    themes: list[PracticeTheme]
    # The review it came from, only while that review is public too.
    review: PublishedReview | None


def briefing_public_get(*, slug: str, on: datetime.date) -> BriefingPage:
    """A public briefing, or 404 for anything else (a draft, withdrawn, not yet live)."""
    briefing = Briefing.objects.public(on=on).filter(slug=slug).first()
    if briefing is None:
        raise Http404("No such briefing.")
    return _page(briefing, on=on)


def briefing_preview_get(*, slug: str, on: datetime.date) -> BriefingPage:
    """Any briefing by slug, for the business unit's preview of a draft's files."""
    briefing = Briefing.objects.filter(slug=slug).first()
    if briefing is None:
        raise Http404("No such briefing.")
    return _page(briefing, on=on)


def _page(briefing: Briefing, *, on: datetime.date) -> BriefingPage:
    review = None
    if briefing.review_id is not None:
        review = PublishedReview.objects.public(on=on).filter(pk=briefing.review_id).first()
    return BriefingPage(
        briefing=briefing, themes=list(briefing.themes.order_by("name")), review=review
    )


def briefing_staff_list() -> QuerySet[Briefing]:
    """Every briefing for the business unit: drafts first, then by when they went live."""
    return Briefing.objects.select_related("review").order_by("state", "-live_on", "title", "pk")


def briefing_get(*, pk: int) -> Briefing:
    briefing = (
        Briefing.objects.select_related("review", "finished_by", "approved_by", "withdrawn_by")
        .prefetch_related(_THEMES)
        .filter(pk=pk)
        .first()
    )
    if briefing is None:
        raise Http404("No such briefing.")
    return briefing


def reviews_to_brief() -> list[PublishedReview]:
    """Published reviews a briefing may be drafted from: any not withdrawn."""
    return list(PublishedReview.objects.exclude(state=State.WITHDRAWN).order_by("title", "pk"))


def draft_for_review(*, review: PublishedReview) -> Briefing | None:
    """The draft briefing on ``review`` in progress, if there is one."""
    return Briefing.objects.filter(review=review, state=State.DRAFT).order_by("pk").first()


def briefing_source(*, review: PublishedReview, review_url: str) -> ReviewSource:
    """The rows a briefing is drafted from: the review's own public words, its published
    recommendations, its themes, and the learning actions counted by agency. The case is
    used only for its id, to find the actions; nothing of the case is read."""
    actions: tuple[AgencyActions, ...] = ()
    if review.case_id is not None:
        actions = tuple(
            AgencyActions(
                agency=row.agency,
                total=row.total,
                complete=row.complete,
                descriptions=row.descriptions,
            )
            for row in learning.case_actions_by_agency(case_id=review.case_id)
        )
    return ReviewSource(
        title=review.title,
        kind=review.get_kind_display(),
        summary=review.summary,
        themes=tuple(review.themes.order_by("name").values_list("name", flat=True)),
        recommendations=tuple(
            review.recommendations.order_by("position").values_list("text", flat=True)
        ),
        actions=actions,
        review_url=review_url,
        partnership=settings.SIGHTLINE_PARTNERSHIP_NAME,
    )
