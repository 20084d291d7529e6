"""Page-numbered lists with GOV.UK pagination parameters."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE = 25


@dataclass(frozen=True)
class PageOfResults:
    page: Page
    pagination: dict[str, Any] | None

    @property
    def items(self) -> list[Any]:
        return list(self.page.object_list)


def _url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return f"?{query.urlencode()}"


def _numbers(current: int, last: int) -> list[int | None]:
    """Page numbers to show: first, last and the neighbours of the current page."""
    wanted = sorted({1, last, current - 1, current, current + 1} & set(range(1, last + 1)))
    shown: list[int | None] = []
    for number in wanted:
        previous = shown[-1] if shown else None
        if previous is not None and number - previous > 1:
            shown.append(None)
        shown.append(number)
    return shown


def paginate(request: HttpRequest, items: Any, *, per_page: int = PER_PAGE) -> PageOfResults:
    """The requested page of ``items``; an out-of-range or malformed page number gives the last."""
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    if paginator.num_pages <= 1:
        return PageOfResults(page=page, pagination=None)
    params: dict[str, Any] = {
        "items": [
            {"ellipsis": True}
            if number is None
            else {"number": number, "href": _url(request, number), "current": number == page.number}
            for number in _numbers(page.number, paginator.num_pages)
        ]
    }
    if page.has_previous():
        params["previous"] = {"href": _url(request, page.previous_page_number())}
    if page.has_next():
        params["next"] = {"href": _url(request, page.next_page_number())}
    return PageOfResults(page=page, pagination=params)
