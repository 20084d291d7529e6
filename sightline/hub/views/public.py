"""The public hub's pages: no sign-in, only what is published on the day.

Anything not public is a page that does not exist (404), whoever asks: never a refusal that
would say it is there."""

from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from sightline.core.pagination import paginate

from ..forms.publishing import ReviewFilterForm
from ..selectors import publishing as selectors
from ..vocabulary import ResourceKind
from .base import PublicView

PER_PAGE = 20


class IndexView(PublicView):
    def get(self, request: HttpRequest) -> HttpResponse:
        home = selectors.hub_home(on=timezone.localdate())
        return render(
            request, "hub/public/index.html", {"home": home, "themes": selectors.theme_choices()}
        )


class ReviewListView(PublicView):
    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        form = ReviewFilterForm(
            request.GET or None,
            themes=selectors.theme_choices(),
            years=selectors.review_years(on=today),
        )
        if form.is_bound and not form.is_valid():
            context = {"form": form, "page": None, "filtered": True}
            return render(request, "hub/public/reviews.html", context, status=400)
        data = form.cleaned_data if form.is_bound else {}
        filters = selectors.ReviewFilters(
            kind=data.get("kind") or "",
            theme=data.get("theme") or None,
            audience=data.get("audience") or "",
            year=data.get("year") or None,
        )
        page = paginate(
            request, selectors.review_list(on=today, filters=filters), per_page=PER_PAGE
        )
        return render(
            request,
            "hub/public/reviews.html",
            {"form": form, "page": page, "filtered": any(data.values())},
        )


class ReviewView(PublicView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        page = selectors.review_page(on=timezone.localdate(), slug=slug)
        return render(request, "hub/public/review.html", {"page": page})


class ResourceListView(PublicView):
    def get(self, request: HttpRequest) -> HttpResponse:
        kind = request.GET.get("kind", "")
        if kind and kind not in ResourceKind.values:
            return render(
                request,
                "hub/public/resources.html",
                {"page": None, "kind": "", "kinds": ResourceKind.choices, "bad_kind": True},
                status=400,
            )
        page = paginate(
            request, selectors.resource_list(on=timezone.localdate(), kind=kind), per_page=PER_PAGE
        )
        return render(
            request,
            "hub/public/resources.html",
            {"page": page, "kind": kind, "kinds": ResourceKind.choices, "bad_kind": False},
        )


class ResourceView(PublicView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        resource = selectors.resource_get(on=timezone.localdate(), slug=slug)
        return render(request, "hub/public/resource.html", {"resource": resource})


class NewsListView(PublicView):
    def get(self, request: HttpRequest) -> HttpResponse:
        page = paginate(request, selectors.news_list(on=timezone.localdate()), per_page=PER_PAGE)
        return render(request, "hub/public/news.html", {"page": page})


class NewsItemView(PublicView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        news = selectors.news_get(on=timezone.localdate(), slug=slug)
        return render(request, "hub/public/news_item.html", {"news": news})


class ThemeView(PublicView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        page = selectors.theme_page(on=timezone.localdate(), pk=pk)
        return render(request, "hub/public/theme.html", {"page": page})


class YearlyReportListView(PublicView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request, "hub/public/yearly_reports.html", {"years": selectors.published_years()}
        )


class YearlyReportView(PublicView):
    """The yearly report as the partnership published it: frozen then, never a draft."""

    def get(self, request: HttpRequest, year: str) -> HttpResponse:
        document = selectors.published_report(year_label=year)
        return render(request, "hub/public/yearly_report.html", {"document": document})


class DocumentView(PublicView):
    """A document of a public review or resource, as a download."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        document = selectors.document_get_public(on=timezone.localdate(), pk=pk)
        try:
            handle = default_storage.open(document.stored_as, "rb")
        except FileNotFoundError:
            raise Http404("No such document.") from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=document.file_name,
            content_type=document.content_type,
        )


class StatementView(PublicView):
    template = ""

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return render(request, self.template)


urlpatterns = [
    path("", IndexView.as_view(), name="index"),
    path("reviews/", ReviewListView.as_view(), name="reviews"),
    path("reviews/<slug:slug>/", ReviewView.as_view(), name="review"),
    path("resources/", ResourceListView.as_view(), name="resources"),
    path("resources/<slug:slug>/", ResourceView.as_view(), name="resource"),
    path("news/", NewsListView.as_view(), name="news"),
    path("news/<slug:slug>/", NewsItemView.as_view(), name="news_item"),
    path("themes/<int:pk>/", ThemeView.as_view(), name="theme"),
    path("documents/<int:pk>/", DocumentView.as_view(), name="document"),
    path("yearly-reports/", YearlyReportListView.as_view(), name="yearly_reports"),
    path("yearly-reports/<str:year>/", YearlyReportView.as_view(), name="yearly_report"),
    path(
        "accessibility/",
        StatementView.as_view(template="hub/public/accessibility.html"),
        name="accessibility",
    ),
    path("privacy/", StatementView.as_view(template="hub/public/privacy.html"), name="privacy"),
    path("cookies/", StatementView.as_view(template="hub/public/cookies.html"), name="cookies"),
]
