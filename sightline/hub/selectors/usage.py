"""Which public learning is read: each public item's page views this month and over the last
twelve months, from the per-month counters (nothing about readers is kept)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, Sum

from ..models import Briefing, NewsItem, PageView, PublishedReview, Resource

MONTHS = 12
USAGE_MODELS = (
    (PublishedReview, "Review"),
    (Briefing, "Briefing"),
    (Resource, "Resource"),
    (NewsItem, "News"),
)


@dataclass(frozen=True)
class UsageRow:
    title: str
    kind: str
    path: str
    live_on: datetime.date
    this_month: int
    last_year: int


def months_back(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month ``count`` months before ``month``'s."""
    index = month.year * 12 + month.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def usage_rows(*, on: datetime.date, least_read_first: bool = False) -> list[UsageRow]:
    """Every public item with its views; most read first, or least read first. One query per
    kind of item and one for the counts, however many items and months there are."""
    month = on.replace(day=1)
    since = months_back(month, MONTHS - 1)
    counts: dict[str, tuple[int, int]] = {
        row["path"]: (row["now"] or 0, row["total"] or 0)
        for row in PageView.objects.filter(month__gte=since, month__lte=month)
        .values("path")
        .annotate(total=Sum("views"), now=Sum("views", filter=Q(month=month)))
        .order_by()
    }
    rows = []
    for model, label in USAGE_MODELS:
        for item in model.objects.public(on=on).only("pk", "title", "slug", "live_on"):
            path = item.get_absolute_url()
            this_month, last_year = counts.get(path, (0, 0))
            rows.append(
                UsageRow(
                    title=item.title,
                    kind=label,
                    path=path,
                    live_on=item.live_on,
                    this_month=this_month,
                    last_year=last_year,
                )
            )
    if least_read_first:
        return sorted(rows, key=lambda row: (row.last_year, row.this_month, row.title))
    return sorted(rows, key=lambda row: (-row.last_year, -row.this_month, row.title))
