"""What browsers and proxies may keep: nothing signed in, public hub pages for minutes."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.mark.parametrize("name", ["accounts:home", "core:audit_trail", "core:audit_trail_export"])
def test_signed_in_pages_and_downloads_are_never_stored(admin_client, name):
    response = admin_client.get(reverse(name))

    assert response.status_code == 200
    assert {"no-store", "private"} <= _directives(response)


def test_the_sign_in_page_is_not_stored_either(client):
    response = client.get(reverse("accounts:sign_in"))

    assert "no-store" in _directives(response)


def test_a_public_hub_page_may_be_cached_by_anyone_for_minutes(client):
    response = client.get(reverse("hub:index"))

    assert {"public", "max-age=300"} <= _directives(response)
    assert "no-store" not in _directives(response)


def test_a_hub_page_seen_signed_in_is_not_stored(admin_client):
    response = admin_client.get(reverse("hub:index"))

    assert {"no-store", "private"} <= _directives(response)
    assert "public" not in _directives(response)


# Every kind of response a signed-in person can get, and the feed read with its token alone.
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("reviews:case_list", {}),  # a page
        ("core:audit_trail_export", {}),  # a CSV download
        ("reviews:case_export", {"fmt": "xlsx"}),  # a workbook
        ("learning:export", {"fmt": "csv"}),  # the learning tracker
        ("reviews:case_detail", {"pk": 999999}),  # not found
    ],
)
def test_every_kind_of_signed_in_response_is_never_stored(admin_client, name, kwargs):
    response = admin_client.get(reverse(name, kwargs=kwargs))

    assert response.status_code in {200, 404}
    assert {"no-store", "private"} <= _directives(response)


def test_a_refusal_is_never_stored(make_user, client):
    from sightline.core.roles import Role

    client.force_login(make_user(Role.PRACTITIONER))
    response = client.get(reverse("core:audit_trail"))

    assert response.status_code in {403, 404}
    assert {"no-store", "private"} <= _directives(response)


def test_a_calendar_feed_read_with_its_token_is_never_stored(client, make_user):
    from sightline.core.roles import Role
    from sightline.reviews import services

    feed = services.calendar_feed_reset(user=make_user(Role.REVIEW_OFFICER))
    response = client.get(reverse("reviews:calendar_feed", args=[feed.token]))

    assert response.status_code == 200
    assert {"no-store", "private"} <= _directives(response)


def _through_middleware(response, *, signed_in: bool):
    from types import SimpleNamespace

    from django.test import RequestFactory

    from sightline.core.middleware import NoStoreMiddleware

    request = RequestFactory().get("/")
    request.user = SimpleNamespace(is_authenticated=signed_in)  # type: ignore[assignment]
    return NoStoreMiddleware(lambda _request: response)(request)


def _responses():
    import io

    from django.http import FileResponse, HttpResponse, StreamingHttpResponse

    return {
        "page": HttpResponse("page"),
        "file": FileResponse(io.BytesIO(b"%PDF-1.7"), content_type="application/pdf"),
        "stream": StreamingHttpResponse(iter([b"a,b\n"]), content_type="text/csv"),
    }


@pytest.mark.parametrize("kind", ["page", "file", "stream"])
def test_the_rule_covers_pages_files_and_streams(kind):
    response = _through_middleware(_responses()[kind], signed_in=True)

    assert {"no-store", "private"} <= _directives(response)


@pytest.mark.parametrize("kind", ["page", "file", "stream"])
def test_a_view_cannot_let_a_signed_in_response_be_cached(kind):
    response = _responses()[kind]
    response["Cache-Control"] = "public, max-age=300"

    response = _through_middleware(response, signed_in=True)

    assert _directives(response) == {"private", "no-store"}


def test_a_view_may_set_its_own_caching_for_someone_signed_out():
    from django.http import HttpResponse

    response = HttpResponse("public")
    response["Cache-Control"] = "public, max-age=300"

    response = _through_middleware(response, signed_in=False)

    assert _directives(response) == {"public", "max-age=300"}
