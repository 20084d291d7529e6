"""Search: the hub's public search, and the signed-in search across what a person may see."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from sightline.core.models import AccessLogEntry
from sightline.core.pagination import paginate
from sightline.core.services import access_log_record
from sightline.core.views import PolicyView

from ..search_forms import HubSearchForm, SignedInSearchForm
from ..selectors.search import (
    HubSearchFilters,
    everything_for,
    hub_search,
    search_themes,
    search_years,
)
from .base import PublicView

PER_PAGE = 20


class HubSearchView(PublicView):
    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        form = HubSearchForm(
            request.GET or None, themes=search_themes(), years=search_years(on=today)
        )
        context: dict[str, Any] = {"form": form, "query": ""}
        if form.is_bound and not form.is_valid():
            return render(request, "hub/search/search.html", context, status=400)
        data = form.cleaned_data if form.is_bound else {}
        filters = HubSearchFilters(
            query=data.get("q", ""),
            kinds=tuple(data.get("type", ())),
            theme=data.get("theme"),
            audience=data.get("audience", ""),
            review_kind=data.get("route", ""),
            year=data.get("year"),
        )
        results = paginate(request, hub_search(filters=filters, on=today), per_page=PER_PAGE)
        context |= {
            "query": filters.query.strip(),
            "hits": results.items,
            "page": results.page,
            "pagination": results.pagination,
            "filtered": any(
                [filters.kinds, filters.theme, filters.audience, filters.review_kind, filters.year]
            ),
        }
        return render(request, "hub/search/search.html", context)


class SignedInSearchView(PolicyView):
    permission = "hub.search_records"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = SignedInSearchForm(request.GET or None)
        context: dict[str, Any] = {
            "form": form,
            "results": None,
            "can_list_cases": request.user.has_perm("reviews.view_case_list"),
            "can_list_learning": request.user.has_perm("learning.view_tracker"),
        }
        if form.is_bound and not form.is_valid():
            return render(request, "hub/search/everything.html", context, status=400)
        query = form.cleaned_data["q"].strip() if form.is_bound else ""
        if query:
            results = everything_for(user=request.user, query=query, on=timezone.localdate())
            if results.cases.rows:
                # Matching pseudonyms is a way to look for a named child's or adult's case:
                # the log shows who searched for what and found cases, as it shows who opened
                # a restricted record. Searches that find no case are not logged, so the log
                # stays a record of reads of case data rather than of every keystroke.
                access_log_record(
                    user=request.user,
                    action=AccessLogEntry.Action.VIEW,
                    object_type="reviews.case",
                    object_repr=f"Search results: {len(results.cases.rows)} cases",
                    detail=f"Searched for: {results.query}",
                )
            context["results"] = results
        return render(request, "hub/search/everything.html", context)


urlpatterns = [
    path("search/", HubSearchView.as_view(), name="search"),
    path("search/everything/", SignedInSearchView.as_view(), name="signed_in_search"),
]
