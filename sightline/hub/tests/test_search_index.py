"""The search index and the hub's public search: only approved items, public on the day,
ranked by the database's own full-text search."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from sightline.core.tests.plans import explain, postgresql_only
from sightline.hub.models import PublishedReview, SearchEntry
from sightline.hub.selectors.search import (
    HubSearchFilters,
    HubSearchResults,
    hub_search,
    mark,
    similar_learning,
)
from sightline.hub.services.search import (
    search_index_rebuild,
    search_index_remove,
    search_index_sync,
)
from sightline.hub.vocabulary import Audience, ResourceKind, ReviewKind, State
from sightline.reviews.models import PracticeTheme
from sightline.reviews.tests.factories import CaseFactory

from .factories import (
    BriefingFactory,
    NewsItemFactory,
    PublishedRecommendationFactory,
    PublishedReviewFactory,
    ResourceFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 3, 10)


def found(query="", on=TODAY, **filters):
    results = hub_search(filters=HubSearchFilters(query=query, **filters), on=on)
    return [hit.title for hit in results[0:100]]


def synced(item):
    search_index_sync(item=item)
    return item


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2025, 3, 10, 12, tzinfo=datetime.UTC), tick=False):
        yield


def test_every_kind_is_found_by_its_words():
    synced(PublishedReviewFactory.create(title="Child Q", summary="Bruising in a non-mobile baby."))
    synced(BriefingFactory.create(title="Briefing on bruising", background="Why we reviewed."))
    synced(ResourceFactory.create(title="Webinar", transcript="We talk about bruising protocols."))
    synced(NewsItemFactory.create(title="Safeguarding Week", body="Sessions on bruising."))
    assert sorted(found("bruise")) == [
        "Briefing on bruising",
        "Child Q",
        "Safeguarding Week",
        "Webinar",
    ]


def test_recommendations_and_theme_names_are_searched():
    review = PublishedReviewFactory.create(title="Adult R")
    PublishedRecommendationFactory.create(review=review, text="Commissioners should fund advocacy.")
    review.themes.add(PracticeTheme.objects.get_or_create(name="Self-neglect")[0])
    synced(review)
    assert found("advocacy") == ["Adult R"]
    assert found("neglect") == ["Adult R"]


def test_a_title_match_outranks_a_text_match():
    synced(NewsItemFactory.create(title="Sessions this spring", body="One on cuckooing for all."))
    synced(NewsItemFactory.create(title="Cuckooing explained", body="What it is and what to do."))
    assert found("cuckooing") == ["Cuckooing explained", "Sessions this spring"]


def test_snippets_mark_the_words_and_escape_the_text():
    synced(NewsItemFactory.create(title="News", body="Use the <b>escalation</b> policy early."))
    [hit] = hub_search(filters=HubSearchFilters(query="escalation"), on=TODAY)[0:1]
    assert "<mark>escalation</mark>" in hit.snippet
    # SQLite's snippet escapes the tag; PostgreSQL's headline drops it: never markup.
    assert "<b>" not in hit.snippet
    assert mark("<script>\ue000x\ue001") == "&lt;script&gt;<mark>x</mark>"


def test_drafts_are_never_indexed_and_withdrawal_removes():
    draft = synced(PublishedReviewFactory.create(published=False, summary="Secret draft words."))
    assert not SearchEntry.objects.filter(object_id=draft.pk).exists()
    review = synced(PublishedReviewFactory.create(summary="Public words about hoarding."))
    assert found("hoarding")
    PublishedReview.objects.filter(pk=review.pk).update(
        state=State.WITHDRAWN, withdrawn_at=review.approved_at, withdrawal_reason="Error"
    )
    review.refresh_from_db()
    assert search_index_sync(item=review) is False
    assert found("hoarding") == []
    assert found("secret") == []


def test_scheduled_items_appear_on_their_day_and_removed_ones_go():
    synced(
        NewsItemFactory.create(
            title="Scheduled",
            body="Tomorrow's gaslighting news.",
            live_on=TODAY + datetime.timedelta(days=1),
        )
    )
    synced(
        NewsItemFactory.create(
            title="Leaving",
            body="Gaslighting until today.",
            live_on=TODAY - datetime.timedelta(days=30),
            remove_on=TODAY + datetime.timedelta(days=1),
        )
    )
    assert found("gaslighting") == ["Leaving"]
    assert found("gaslighting", on=TODAY + datetime.timedelta(days=1)) == ["Scheduled"]
    assert found(on=TODAY + datetime.timedelta(days=1)) == ["Scheduled"]


def test_restricted_case_details_are_never_indexed():
    case = CaseFactory.create(restricted_summary="Zanzibar restricted detail", pseudonym="Child Z")
    review = synced(
        PublishedReviewFactory.create(case=case, title="Child Z", summary="Public text.")
    )
    entry = SearchEntry.objects.get(object_id=review.pk, kind="review")
    assert "Zanzibar" not in entry.text + entry.title + entry.summary
    assert found("Zanzibar") == []


def test_filters():
    theme = PracticeTheme.objects.get_or_create(name="Neglect")[0]
    child = PublishedReviewFactory.create(
        title="Child", kind=ReviewKind.LCSPR, audience=Audience.CHILDREN
    )
    child.themes.add(theme)
    adult = PublishedReviewFactory.create(
        title="Adult",
        kind=ReviewKind.SAR,
        audience=Audience.ADULTS,
        live_on=datetime.date(2023, 5, 1),
    )
    both = ResourceFactory.create(title="Tool", kind=ResourceKind.TOOL, audience=Audience.BOTH)
    for item in (child, adult, both):
        synced(item)
    assert found(kinds=("review",)) == ["Child", "Adult"]
    assert found(theme=theme.pk) == ["Child"]
    assert sorted(found(audience=Audience.ADULTS)) == ["Adult", "Tool"]
    assert found(review_kind=ReviewKind.SAR) == ["Adult"]
    assert found(year=2023) == ["Adult"]
    assert found("publication", year=2024, kinds=("review",)) == ["Child"]


@pytest.mark.parametrize(
    "query", ['"', "(", "NEAR(", "*", "a:b", "-", "OR AND NOT", '"unclosed', "^", "🙂", "x" * 500]
)
def test_query_syntax_garbage_finds_nothing_or_words_and_never_fails(query):
    synced(NewsItemFactory.create(title="News", body="Plain words."))
    results = hub_search(filters=HubSearchFilters(query=query), on=TODAY)
    assert results.count() == len(results[0:20])


def test_punctuation_alone_finds_nothing():
    synced(NewsItemFactory.create(title="News", body="Plain words."))
    assert found("!!! ...") == []
    assert found("") == ["News"]


def test_remove_and_rebuild():
    review = synced(PublishedReviewFactory.create(summary="Words"))
    news = NewsItemFactory.create(body="More words")  # approved but never synced
    PublishedReviewFactory.create(published=False)
    search_index_remove(item=review)
    assert not SearchEntry.objects.exists()
    assert search_index_rebuild() == 2
    assert set(SearchEntry.objects.values_list("kind", "object_id")) == {
        ("review", review.pk),
        ("news", news.pk),
    }
    out = io.StringIO()
    call_command("reindex_hub", stdout=out)
    assert "holds 2 items" in out.getvalue()
    assert SearchEntry.objects.count() == 2


def test_similar_learning_shares_words():
    synced(
        PublishedReviewFactory.create(
            title="Unseen men", summary="Fathers and partners unseen by agencies."
        )
    )
    synced(NewsItemFactory.create(title="Other", body="Budget news."))
    hits = similar_learning(text="Agencies should ask about fathers and partners.", on=TODAY)
    assert [hit.title for hit in hits] == ["Unseen men"]


def test_a_page_of_results_takes_the_same_queries_however_many_match(django_assert_num_queries):
    def page():
        results = hub_search(filters=HubSearchFilters(query="neglect"), on=TODAY)
        results.count()
        results[0:20]

    for n in range(3):
        synced(NewsItemFactory.create(body=f"Neglect {n}"))
    with django_assert_num_queries(2):
        page()
    for n in range(30):
        synced(NewsItemFactory.create(body=f"Neglect {n}"))
    with django_assert_num_queries(2):
        page()


@postgresql_only
def test_postgresql_search_uses_the_gin_index():
    synced(NewsItemFactory.create(body="Neglect"))
    # Enough rows, all live, that reading them by date would be reading them all.
    SearchEntry.objects.bulk_create(
        SearchEntry(
            kind="news",
            object_id=10_000 + n,
            title=f"Filler {n}",
            text=f"Other words {n}",
            audience=Audience.BOTH,
            year=2024,
            live_on=datetime.date(2024, 1, 1),
            url=f"/hub/news/filler-{n}/",
        )
        for n in range(500)
    )
    with connection.cursor() as cursor:
        # New rows wait in the GIN index's pending list until a vacuum moves them in, and the
        # planner prices a long pending list high: move them now, as autovacuum would.
        cursor.execute("SELECT gin_clean_pending_list('hub_search_vector_idx')")
        cursor.execute("ANALYZE hub_searchentry")
    results = HubSearchResults(filters=HubSearchFilters(query="neglect"), on=TODAY)
    sql, params = results._matching().query.sql_with_params()
    plan = explain(sql, params)
    assert "hub_search_vector_idx" in plan, plan
