"""The public hub: only what is public today, 404 for anything else, no cookies, lists whose
query counts stay flat as they grow, and never a word of an unpublished item or of a case's
restricted details."""

import datetime
import re

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.tests.factories import UserFactory
from sightline.hub.models import HubDocument, PublishedReview
from sightline.hub.vocabulary import Audience, ReviewKind, State
from sightline.learning.models import Recommendation
from sightline.reviews.models import Case, PracticeTheme
from sightline.reviews.tests.factories import CaseFactory

from .factories import (
    NewsItemFactory,
    PublishedRecommendationFactory,
    PublishedReviewFactory,
    ResourceFactory,
)

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    """The queries of a page read before: its view counter's row exists (an update only)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _many(count: int, theme: PracticeTheme) -> None:
    for _ in range(count):
        review = PublishedReviewFactory.create()
        review.themes.add(theme)
        PublishedRecommendationFactory.create(review=review)
        resource = ResourceFactory.create(review=review)
        resource.themes.add(theme)
        NewsItemFactory.create().themes.add(theme)


LISTS = ["hub:index", "hub:reviews", "hub:resources", "hub:news", "hub:yearly_reports"]


@pytest.mark.parametrize("name", LISTS)
def test_lists_take_the_same_queries_however_many_items(client, name):
    theme = PracticeTheme.objects.create(name="Neglect")
    _many(2, theme)
    few = _queries(client, reverse(name))
    _many(20, theme)
    assert _queries(client, reverse(name)) == few


PINNED = {"hub:index": 8, "hub:reviews": 6, "hub:resources": 3, "hub:news": 3}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_lists_query_counts_are_pinned(client, name):
    _many(3, PracticeTheme.objects.create(name="Neglect"))
    # Each count includes the page view's counter: one update.
    assert _queries(client, reverse(name)) == PINNED[name]


def test_theme_and_review_pages_stay_flat(client):
    theme = PracticeTheme.objects.create(name="Neglect")
    _many(2, theme)
    review = PublishedReview.objects.order_by("pk")[0]
    theme_url = reverse("hub:theme", args=[theme.pk])
    urls = [theme_url, review.get_absolute_url()]
    few = [_queries(client, url) for url in urls]
    _many(12, theme)
    # After the review's own (the factory numbers positions across the whole test run).
    last = max(review.recommendations.values_list("position", flat=True))
    for index in range(1, 4):
        PublishedRecommendationFactory.create(review=review, position=last + index)
    # The theme page's counts are read with the theme, however full its lists are.
    assert [_queries(client, url) for url in urls] == few
    _many(20, theme)
    assert [_queries(client, url) for url in urls] == few


def test_a_theme_page_reads_the_theme_with_its_counts_and_no_empty_list(client):
    theme = PracticeTheme.objects.create(name="Neglect")
    _many(2, theme)
    # The theme and its four counts; reviews and their themes; resources; news; the page
    # view's counter. No briefing is on the theme, so none is read.
    assert _queries(client, reverse("hub:theme", args=[theme.pk])) == 6
    empty = PracticeTheme.objects.create(name="Nothing yet")
    assert _queries(client, reverse("hub:theme", args=[empty.pk])) == 2


def test_a_retired_themes_page_is_not_found(client):
    retired = PracticeTheme.objects.create(name="Retired", is_active=False)
    _many(2, retired)
    assert client.get(reverse("hub:theme", args=[retired.pk])).status_code == 404


def test_a_theme_page_lists_the_latest_of_each_kind_and_links_to_the_rest(client):
    theme = PracticeTheme.objects.create(name="Neglect")
    _many(12, theme)

    page = client.get(reverse("hub:theme", args=[theme.pk])).content.decode()

    assert page.count('href="/hub/reviews/review-') == 10
    assert page.count('href="/hub/news/news-') == 10
    assert "See all 12 reviews on this theme" in page
    assert f'href="/hub/reviews/?theme={theme.pk}"' in page
    assert f'href="/hub/search/?type=news&amp;theme={theme.pk}"' in page


@pytest.mark.parametrize("published", [3, 10, 11])
def test_a_theme_pages_totals_count_only_what_is_public_whether_or_not_a_list_is_full(
    published,
):
    from sightline.hub.selectors import publishing

    theme = PracticeTheme.objects.create(name="Neglect")
    _many(published, theme)
    # On the theme but not public today: a draft, and one approved for tomorrow.
    PublishedReviewFactory.create(state=State.DRAFT).themes.add(theme)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    PublishedReviewFactory.create(live_on=tomorrow).themes.add(theme)
    # Public, on another theme.
    PublishedReviewFactory.create().themes.add(PracticeTheme.objects.create(name="Other"))

    page = publishing.theme_page(on=timezone.localdate(), pk=theme.pk)

    assert page.totals == {
        "reviews": published,
        "briefings": 0,
        "resources": published,
        "news": published,
    }
    assert len(page.reviews) == min(published, publishing.THEME_LISTED)


def test_reviews_filter_by_kind_theme_audience_and_year(client):
    theme = PracticeTheme.objects.create(name="Neglect")
    sar = PublishedReviewFactory.create(
        title="Adult S", kind=ReviewKind.SAR, audience=Audience.ADULTS
    )
    child = PublishedReviewFactory.create(
        title="Child C", audience=Audience.CHILDREN, live_on=datetime.date(2023, 5, 1)
    )
    child.themes.add(theme)

    def titles(**query):
        html = client.get(reverse("hub:reviews"), query).content.decode()
        return set(re.findall(r'href="/hub/reviews/[^"]+">([^<]+)<', html))

    assert titles(kind="sar") == {sar.title}
    assert titles(theme=theme.pk) == {child.title}
    assert titles(audience="adults") == {sar.title}
    assert titles(year=2023) == {child.title}
    assert titles() == {sar.title, child.title}


@pytest.mark.parametrize(
    "query", [{"kind": "secret"}, {"theme": "x"}, {"year": "1066"}, {"audience": "all"}]
)
def test_a_bad_filter_is_a_400_that_says_what_to_do(client, query):
    response = client.get(reverse("hub:reviews"), query)
    assert response.status_code == 400
    assert "from the list" in response.content.decode()


def test_a_bad_resource_kind_is_a_400(client):
    response = client.get(reverse("hub:resources"), {"kind": "secret"})
    assert response.status_code == 400
    assert "Choose a kind of resource" in response.content.decode()


def test_anything_not_public_is_not_found_even_for_staff(client):
    today = timezone.localdate()
    draft = PublishedReviewFactory.create(published=False)
    held = ResourceFactory.create(live_on=today + datetime.timedelta(days=5))
    ended = NewsItemFactory.create(live_on=datetime.date(2024, 1, 1), remove_on=today)
    urls = [draft.get_absolute_url(), held.get_absolute_url(), ended.get_absolute_url()]
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(UserFactory.create(is_superuser=True))
    for url in urls:
        assert client.get(url).status_code == 404


def test_a_review_page_shows_what_was_published_and_its_removal_date(client):
    review = PublishedReviewFactory.create(remove_on=datetime.date(2099, 6, 1))
    PublishedRecommendationFactory.create(review=review, text="Share the plan.")
    resource = ResourceFactory.create(review=review, title="Interview with the author")
    ResourceFactory.create(review=review, title="Unapproved", published=False)

    html = client.get(review.get_absolute_url()).content.decode()

    assert "Share the plan." in html
    assert "This review will be removed on 1 June 2099" in html
    assert resource.title in html
    assert "Unapproved" not in html


def test_a_resource_shows_its_transcript_on_the_page(client):
    resource = ResourceFactory.create(transcript="Speaker: welcome to the learning webinar.")
    html = client.get(resource.get_absolute_url()).content.decode()
    assert "Speaker: welcome to the learning webinar." in html
    assert 'id="transcript"' in html


def _document(review, name="report.pdf", content=b"%PDF-1.7 test"):
    return HubDocument.objects.create(
        review=review,
        title="Full report",
        stored_as=default_storage.save(f"hub/documents/t/{name}", ContentFile(content)),
        file_name=name,
        content_type="application/pdf",
        size=len(content),
        uploaded_by=UserFactory.create(),
        uploaded_at=timezone.now(),
    )


def test_a_public_document_downloads_as_an_attachment(client):
    document = _document(PublishedReviewFactory.create())
    response = client.get(reverse("hub:document", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"


def test_a_document_of_an_item_not_public_is_not_found(client):
    document = _document(PublishedReviewFactory.create(published=False))
    assert client.get(reverse("hub:document", args=[document.pk])).status_code == 404
    assert client.get(reverse("hub:document", args=[document.pk + 99])).status_code == 404


def test_an_unknown_theme_or_year_is_not_found(client):
    assert client.get(reverse("hub:theme", args=[999])).status_code == 404
    assert client.get(reverse("hub:yearly_report", args=["2022-23"])).status_code == 404
    assert client.get(reverse("hub:yearly_report", args=["nonsense"])).status_code == 404


PUBLIC_PAGES = [
    "hub:index",
    "hub:reviews",
    "hub:resources",
    "hub:news",
    "hub:yearly_reports",
    "hub:accessibility",
    "hub:privacy",
    "hub:cookies",
]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_an_anonymous_hub_page_sets_no_cookie_and_is_cached_publicly(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response.headers
    assert response["Cache-Control"] == "public, max-age=300"


def test_the_statements_say_what_a_public_service_must(client):
    accessibility = client.get(reverse("hub:accessibility")).content.decode()
    for words in ("WCAG", "2.2", "Equality and Human Rights Commission", "EASS", "prepared on"):
        assert words in accessibility.replace("Web Content Accessibility Guidelines", "WCAG")
    privacy = client.get(reverse("hub:privacy")).content.decode()
    for words in ("email address", "unsubscribed", "no cookies", "controller", "ICO"):
        assert words in privacy
    cookies = client.get(reverse("hub:cookies")).content.decode()
    for words in ("sets no cookies", "sessionid", "csrftoken"):
        assert words in cookies


# The absolute rule ---------------------------------------------------------------------------

SECRET = "ZQXJ-UNPUBLISHED"
RESTRICTED = "ZQXJ-RESTRICTED-SUMMARY"


def _leaky_world():
    """A case with distinctive restricted details and a published review from it; an
    unpublished review, resource and news item with distinctive text in every field; and
    public items beside them, so every public page has something to show."""
    theme = PracticeTheme.objects.create(name="Neglect")
    case = CaseFactory.create(
        pseudonym="Child V",
        restricted_summary=RESTRICTED,
        final_report_sent_date=datetime.date(2024, 5, 1),
        lead_reviewer=f"{SECRET} reviewer",
    )
    case.themes.add(theme)
    Case.objects.filter(pk=case.pk).update(age_band="under_1", ethnicity="mixed")
    Recommendation.objects.create(
        reference="R-77",
        source_type="case_review",
        source_case=case,
        source_title=f"{SECRET} source",
        text="Share the plan with the school.",
        made_date=datetime.date(2024, 5, 1),
    )
    public = PublishedReviewFactory.create(case=case, title="Child V: a review")
    public.themes.add(theme)
    PublishedRecommendationFactory.create(review=public)
    _document(public)
    ResourceFactory.create(review=public).themes.add(theme)
    NewsItemFactory.create().themes.add(theme)

    hidden = {
        "title": f"{SECRET} title",
        "slug": "zqxj-unpublished",
        "summary": f"{SECRET} summary",
    }
    for state in (State.DRAFT, State.WITHDRAWN):
        suffix = f"-{state}"
        values = {key: value + suffix for key, value in hidden.items()}
        extra = {"withdrawal_reason": f"{SECRET} reason", "withdrawn_at": timezone.now()}
        review = PublishedReviewFactory.create(
            published=False,
            author=f"{SECRET} author",
            kind=ReviewKind.LCSPR,
            state=state,
            **(extra if state == State.WITHDRAWN else {}),
            **values,
        )
        review.themes.add(theme)
        PublishedRecommendationFactory.create(review=review, text=f"{SECRET} recommendation")
        _document(review, name=f"zqxj-{state}.pdf")
        ResourceFactory.create(
            published=False,
            review=public,
            transcript=f"{SECRET} transcript",
            link="https://example.org/zqxj-unpublished",
            state=state,
            **(extra if state == State.WITHDRAWN else {}),
            **{key: value + "-resource" for key, value in values.items()},
        ).themes.add(theme)
        NewsItemFactory.create(
            published=False,
            body=f"{SECRET} body",
            state=state,
            **(extra if state == State.WITHDRAWN else {}),
            **{key: value + "-news" for key, value in values.items() if key != "summary"},
            summary=f"{SECRET} news summary",
        ).themes.add(theme)
    # Held back: approved, but not live until next week.
    PublishedReviewFactory.create(
        live_on=timezone.localdate() + datetime.timedelta(days=7),
        title=f"{SECRET} held back",
        slug="zqxj-held",
    ).themes.add(theme)
    return theme, public


def _public_urls(client, theme, public) -> list[str]:
    urls = [reverse(name) for name in PUBLIC_PAGES]
    urls += [reverse("hub:theme", args=[theme.pk]), public.get_absolute_url()]
    urls += [f"{reverse('hub:reviews')}?theme={theme.pk}", f"{reverse('hub:reviews')}?kind=lcspr"]
    # Every link the pages give to the hub's own pages, followed once.
    found = set()
    for url in list(urls):
        html = client.get(url).content.decode()
        found |= set(re.findall(r'href="(/hub/[^"#?]*)"', html))
    return sorted(set(urls) | found)


def test_nothing_unpublished_or_restricted_ever_appears_on_a_public_page(client):
    theme, public = _leaky_world()
    urls = _public_urls(client, theme, public)
    assert reverse("hub:document", args=[public.documents.get().pk]) in urls
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue
        content = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode(errors="replace")
        for secret in (SECRET, SECRET.lower(), RESTRICTED, "Under 1", "Mixed or multiple"):
            assert secret not in content, f"{secret} on {url}"
    for slug in ("zqxj-unpublished-draft", "zqxj-unpublished-withdrawn", "zqxj-held"):
        assert client.get(reverse("hub:review", args=[slug])).status_code == 404


@time_machine.travel(datetime.datetime(2024, 7, 1, 10, tzinfo=datetime.UTC), tick=False)
def test_the_published_yearly_report_is_shown_as_it_was_published_and_a_draft_never(client):
    from sightline.core.roles import Role
    from sightline.reports import services as reports
    from sightline.reports.selectors import drafts
    from sightline.reports.tests.drafting_helpers import YEAR, all_approved, person, started

    admin, executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE)
    report = all_approved(started(admin), writer=admin, approver=executive)
    url = reverse("hub:yearly_report", args=[YEAR.label])
    assert client.get(url).status_code == 404  # approved chapters, but not published

    reports.report_mark_ready(actor=admin, report=report)
    flagged = drafts.report_checklist(report=report).small_numbers
    reports.report_publish(
        actor=admin, report=report, acknowledged=[(item.label, item.value) for item in flagged]
    )

    html = client.get(url).content.decode()
    assert f"Yearly report {YEAR.label}</h1>" in html
    assert "Download the yearly report" not in html  # the staff page's links are not here
    listing = client.get(reverse("hub:yearly_reports")).content.decode()
    assert url in listing


def test_a_reader_with_the_page_already_gets_a_304(client):
    review = PublishedReviewFactory.create()
    first = client.get(review.get_absolute_url())
    again = client.get(review.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again["Cache-Control"] == "public, max-age=300"
