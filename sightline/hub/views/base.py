"""What every public hub page shares: no sign-in, caching headers suited to public content
(signed-in people get ``no-store``, as on every signed-in page), and a count of its views."""

import re
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.decorators import method_decorator
from django.views import View

from ..services.usage import page_view_count

# Long enough to spare the server under a burst of readers; short enough that a withdrawal
# is gone from caches within minutes.
PUBLIC_MAX_AGE = 300
# Crawlers that say what they are are not readers; a count of them would hide what is read.
CRAWLER = re.compile(r"bot|crawl|spider|slurp|preview", re.IGNORECASE)


def cache_public[R: HttpResponseBase](request: HttpRequest, response: R) -> R:
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_store=True)
        return response
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    if request.method == "GET" and response.status_code == 200 and not response.streaming:
        # A reader who has the page already is told so (304), sparing the transfer.
        set_response_etag(response)
        return get_conditional_response(  # type: ignore[return-value]
            request,
            etag=response["ETag"],
            response=response,  # type: ignore[arg-type]
        )
    return response


@method_decorator(login_not_required, name="dispatch")
class PublicView(View):
    """A public page: rendered for anyone, cached as public content, its views counted (a
    page shown, GET only: not a HEAD, a redirect, a missing page or a crawler)."""

    counted = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        if (
            self.counted
            and request.method == "GET"
            and response.status_code == 200
            and not CRAWLER.search(request.headers.get("User-Agent", ""))
        ):
            page_view_count(path=request.path, on=timezone.localdate())
        return cache_public(request, response)


class Placeholder(PublicView):
    heading = ""

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return render(request, "hub/placeholder.html", {"heading": self.heading})


def placeholder(heading: str) -> Any:
    return Placeholder.as_view(heading=heading)
