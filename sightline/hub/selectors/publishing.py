"""What the public hub shows, and the business unit's list of everything on it.

Every public read goes through ``public(on=...)``: an item that is not public on the day is
a page that does not exist (404), never a refusal that would say it does. Nothing here reads
a case: a published review's words are its own."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from sightline.core.counting import counted
from sightline.reports.models import ReportStatus, YearlyReport
from sightline.reports.selectors import drafts as report_drafts
from sightline.reports.yearly.document import ReportDocument
from sightline.reports.yearly.years import FinancialYear
from sightline.reviews.models import Case, PracticeTheme

from ..models import (
    Briefing,
    HubDocument,
    NewsItem,
    Publishable,
    PublishedReview,
    Resource,
)
from ..vocabulary import Audience, ResourceKind, ReviewKind, State

LATEST = 3
# An item coming down within this many days is listed as "coming down soon" for staff.
SOON_DAYS = 30
MAX_YEAR = 2100
MIN_YEAR = 2000


def _themes() -> Prefetch:
    return Prefetch("themes", queryset=PracticeTheme.objects.order_by("name"))


# Public lists ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewFilters:
    kind: str = ""
    theme: int | None = None
    audience: str = ""
    year: int | None = None


def _audience(rows: QuerySet[Any], audience: str) -> QuerySet[Any]:
    """Items for one workforce include those for both."""
    if audience in (Audience.CHILDREN, Audience.ADULTS):
        return rows.filter(audience__in=[audience, Audience.BOTH])
    return rows


def review_list(*, on: datetime.date, filters: ReviewFilters | None = None) -> QuerySet[Any]:
    filters = filters or ReviewFilters()
    rows = PublishedReview.objects.public(on=on).defer("summary").prefetch_related(_themes())
    if filters.kind in ReviewKind.values:
        rows = rows.filter(kind=filters.kind)
    if filters.theme is not None:
        rows = rows.filter(themes__id=filters.theme)
    if filters.year is not None:
        rows = rows.filter(live_on__year=filters.year)
    return _audience(rows, filters.audience).order_by("-live_on", "title", "pk")


def review_years(*, on: datetime.date) -> list[int]:
    """The years reviews were published in, newest first, for the filter."""
    return sorted(
        {day.year for day in PublishedReview.objects.public(on=on).dates("live_on", "year")},
        reverse=True,
    )


def theme_choices() -> list[PracticeTheme]:
    return list(PracticeTheme.objects.filter(is_active=True).order_by("name"))


def resource_list(*, on: datetime.date, kind: str = "") -> QuerySet[Any]:
    # A resource's themes are shown on its own page only, never in a list.
    rows = Resource.objects.public(on=on).defer("transcript")
    if kind in ResourceKind.values:
        rows = rows.filter(kind=kind)
    return rows.order_by("-live_on", "title", "pk")


def news_list(*, on: datetime.date) -> QuerySet[Any]:
    return NewsItem.objects.public(on=on).defer("body").order_by("-live_on", "title", "pk")


def _public_briefings(on: datetime.date) -> QuerySet[Any]:
    return Briefing.objects.public(on=on).only("title", "slug", "live_on", "review_id")


@dataclass(frozen=True)
class HubHome:
    reviews: list[PublishedReview]
    briefings: list[Briefing]
    resources: list[Resource]
    news: list[NewsItem]
    yearly_reports: list[FinancialYear]


def hub_home(*, on: datetime.date) -> HubHome:
    return HubHome(
        reviews=list(review_list(on=on)[:LATEST]),
        briefings=list(_public_briefings(on).order_by("-live_on", "title")[:LATEST]),
        resources=list(resource_list(on=on)[:LATEST]),
        news=list(news_list(on=on)[:LATEST]),
        yearly_reports=published_years(),
    )


THEME_LISTED = 10


@dataclass(frozen=True)
class ThemePage:
    """The latest of each kind on a theme (``THEME_LISTED`` at most), and how many there
    are: the rest are reached through the lists and search, filtered by the theme."""

    theme: PracticeTheme
    reviews: list[PublishedReview]
    briefings: list[Briefing]
    resources: list[Resource]
    news: list[NewsItem]
    totals: dict[str, int]


def theme_page(*, on: datetime.date, pk: int) -> ThemePage:
    """What is public on one practice theme: the latest few of each kind and their counts,
    so the page stays the same size however much the partnership publishes. The theme and
    the four counts are one query; a kind with nothing on the theme is not read."""
    lists = {
        "reviews": review_list(on=on, filters=ReviewFilters(theme=pk)),
        "briefings": _public_briefings(on).filter(themes__id=pk).order_by("-live_on", "title"),
        "resources": resource_list(on=on).filter(themes__id=pk),
        "news": news_list(on=on).filter(themes__id=pk),
    }
    theme = (
        PracticeTheme.objects.filter(pk=pk, is_active=True)
        .order_by()
        .annotate(**{f"{kind}_total": counted(rows) for kind, rows in lists.items()})
        .first()
    )
    if theme is None:
        raise Http404("No such theme.")
    totals = {kind: getattr(theme, f"{kind}_total") for kind in lists}
    listed = {
        kind: list(rows[:THEME_LISTED]) if totals[kind] else [] for kind, rows in lists.items()
    }
    return ThemePage(theme=theme, totals=totals, **listed)


# Public pages ----------------------------------------------------------------------------


def _documents() -> Prefetch:
    return Prefetch(
        "documents",
        queryset=HubDocument.objects.only(
            "pk", "title", "file_name", "content_type", "size", "review_id", "resource_id"
        ),
    )


@dataclass(frozen=True)
class ReviewPage:
    review: PublishedReview
    briefings: list[Briefing]
    resources: list[Resource]


def review_page(*, on: datetime.date, slug: str) -> ReviewPage:
    review = (
        PublishedReview.objects.public(on=on)
        .defer("case", "home_office_cleared_on")
        .prefetch_related(_themes(), "recommendations", _documents())
        .filter(slug=slug)
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    return ReviewPage(
        review=review,
        briefings=list(_public_briefings(on).filter(review=review).order_by("-live_on")),
        resources=list(resource_list(on=on).filter(review=review)),
    )


def resource_get(*, on: datetime.date, slug: str) -> Resource:
    resource = (
        Resource.objects.public(on=on)
        .prefetch_related(_themes(), _documents())
        .filter(slug=slug)
        .first()
    )
    if resource is None:
        raise Http404("No such resource.")
    # The review it belongs to is named only when that review is public too.
    if (
        resource.review_id
        and not PublishedReview.objects.public(on=on).filter(pk=resource.review_id).exists()
    ):
        resource.public_review = None
    else:
        resource.public_review = resource.review if resource.review_id else None
    return resource


def news_get(*, on: datetime.date, slug: str) -> NewsItem:
    news = NewsItem.objects.public(on=on).prefetch_related(_themes()).filter(slug=slug).first()
    if news is None:
        raise Http404("No such news.")
    return news


def document_get_public(*, on: datetime.date, pk: int) -> HubDocument:
    """A document of a public review or resource; 404 for any other."""
    document = (
        HubDocument.objects.filter(pk=pk)
        .filter(
            Q(review__in=PublishedReview.objects.public(on=on).values("pk"))
            | Q(resource__in=Resource.objects.public(on=on).values("pk"))
        )
        .first()
    )
    if document is None:
        raise Http404("No such document.")
    return document


# Published yearly reports ------------------------------------------------------------------


def published_years() -> list[FinancialYear]:
    """The years whose yearly report was published, with the layout kept, newest first."""
    return [
        FinancialYear(start)
        for start in YearlyReport.objects.filter(
            status=ReportStatus.PUBLISHED, published_document__isnull=False
        )
        .order_by("-start_year")
        .values_list("start_year", flat=True)
    ]


def published_report(*, year_label: str) -> ReportDocument:
    """The year's report as it was published (frozen then); 404 when it was not."""
    try:
        year = FinancialYear.parse(year_label)
    except ValueError:
        raise Http404("No such year.") from None
    document = report_drafts.published_document(year=year)
    if document is None:
        raise Http404("No published report for this year.")
    return document


# The business unit's list ----------------------------------------------------------------


@dataclass(frozen=True)
class ManagedItem:
    item: Publishable
    kind_label: str
    kind: str
    status: str
    status_colour: str


@dataclass
class ManageList:
    drafts: list[ManagedItem] = field(default_factory=list)
    scheduled: list[ManagedItem] = field(default_factory=list)
    live: list[ManagedItem] = field(default_factory=list)
    leaving: list[ManagedItem] = field(default_factory=list)
    withdrawn: list[ManagedItem] = field(default_factory=list)
    ended: list[ManagedItem] = field(default_factory=list)


MANAGED = (
    (PublishedReview, "Review", "review"),
    (Resource, "Resource", "resource"),
    (NewsItem, "News", "news"),
)
STAFF_FIELDS = ("pk", "title", "slug", "state", "live_on", "remove_on", "updated_at")


def manage_list(*, on: datetime.date) -> ManageList:
    """Every review, resource and news item by where it is in publishing: one query each."""
    result = ManageList()
    soon = on + datetime.timedelta(days=SOON_DAYS)
    for model, label, kind in MANAGED:
        for item in model.objects.only(*STAFF_FIELDS).order_by("-updated_at", "pk"):
            if item.state == State.DRAFT:
                bucket, status, colour = result.drafts, "Draft", "grey"
            elif item.state == State.WITHDRAWN:
                bucket, status, colour = result.withdrawn, "Withdrawn", "red"
            elif item.live_on is None or item.live_on > on:
                bucket, status, colour = result.scheduled, "Held back", "yellow"
            elif item.remove_on is not None and item.remove_on <= on:
                bucket, status, colour = result.ended, "Taken down", "grey"
            elif item.remove_on is not None and item.remove_on <= soon:
                bucket, status, colour = result.leaving, "Coming down soon", "orange"
            else:
                bucket, status, colour = result.live, "Live", "green"
            bucket.append(ManagedItem(item, label, kind, status, colour))
    return result


def review_for_staff(*, pk: int) -> PublishedReview:
    review = (
        PublishedReview.objects.select_related("case", "approved_by", "withdrawn_by")
        .prefetch_related(_themes(), "recommendations", "documents")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    return review


def resource_for_staff(*, pk: int) -> Resource:
    resource = (
        Resource.objects.select_related("review", "approved_by", "withdrawn_by")
        .prefetch_related(_themes(), "documents")
        .filter(pk=pk)
        .first()
    )
    if resource is None:
        raise Http404("No such resource.")
    return resource


def news_for_staff(*, pk: int) -> NewsItem:
    news = (
        NewsItem.objects.select_related("approved_by", "withdrawn_by")
        .prefetch_related(_themes())
        .filter(pk=pk)
        .first()
    )
    if news is None:
        raise Http404("No such news.")
    return news


def document_for_staff(*, pk: int) -> HubDocument:
    document = HubDocument.objects.select_related("review", "resource").filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    return document


def review_choices() -> list[PublishedReview]:
    """Reviews a resource may belong to: any not withdrawn."""
    return list(PublishedReview.objects.exclude(state=State.WITHDRAWN).only("pk", "title"))


def case_by_reference(*, reference: str) -> Case | None:
    """The case with ``reference`` (whatever its letter case), for drafting a review from."""
    return Case.objects.filter(reference__iexact=reference.strip()).first()
