"""Benchmark of the public learning hub at 10,000 published items: its public pages and its
search, each timed beside raw SQL returning the same rows in the same run (issue 16).

The items are generated here (``items_add``): 1,500 published reviews with four to eight
recommendations each, 1,500 seven-minute briefings, 2,000 resources (two in five of them
recordings with a transcript of 1,500 to 4,000 words), 5,000 news items, themed from the
practice themes, published over the last eight years; and, not counted in the 10,000, 300
drafts, 100 withdrawn items and 100 approved for a later day, which the search must not find
today. Then ``search_index_rebuild()`` builds the index, timed.

Pages are found by URL name (``hub:index``, ``hub:reviews``, ``hub:review``, ``hub:theme``,
``hub:resources``), so the script measures whatever the pages are when it runs: a page that
does not exist yet is skipped with a note. Each page is requested by someone signed out
(``DEBUG`` off, the whole middleware stack), 30 times after an untimed one. The raw SQL
beside a page is what that page has to show when built: 25 rows of its list and the count
(``hand``). The searches: several queries, with and without filters, 30 times each, beside
hand-written SQL for the same 20 results (count, ranked ids, their rows with snippets).

Verdict: PASS when a page's p95 is at most 100 ms, a search's at most 200 ms, and each is at
most three times raw SQL's p95, or within 20 ms of it where raw SQL takes under 10 ms
(``harness.page_verdict``). On PostgreSQL, ``EXPLAIN (ANALYZE, BUFFERS)`` of the search's
statements for one query is printed, showing the GIN index at work.

Run from the repository root: ``make bench`` or ``.venv/bin/python bench/bench_hub.py``
(``DATABASE_URL=postgres://...`` for PostgreSQL). It builds its data in a database (SQLite)
or scratch schema (PostgreSQL) of its own, dropped at the end.
"""

from __future__ import annotations

import datetime
import functools
import random
import sys
import time
from typing import Any
from urllib.parse import urlencode

import harness
from harness import say

REVIEWS, BRIEFINGS, RESOURCES, NEWS = 1_500, 1_500, 2_000, 5_000
DRAFTS, WITHDRAWN, SCHEDULED = 300, 100, 100
REQUESTS = 30
PAGE_GOAL_MS = 100.0
SEARCH_GOAL_MS = 200.0
PER_PAGE = 20
SEED = 20261203
TODAY = datetime.date.today()
BATCH = 1_000

# Words of the partnership's reviews; a few common, many rare (weights fall off by rank).
TERMS = (  # noqa: SIM905 (a paragraph of words reads better than 200 quoted ones)
    "safeguarding child adult family practitioner agency police health school social care "
    "neglect assessment risk referral information sharing professional curiosity mother "
    "father partner household home visit escalation strategy meeting plan review learning "
    "recommendation training supervision threshold domestic abuse violence coercive control "
    "mental substance alcohol drugs housing homelessness exploitation criminal county lines "
    "missing episodes bruising injury infant baby sleep hospital emergency department general "
    "practitioner midwife health visitor nursery teacher disability autism communication "
    "advocacy carer capacity consent self-neglect hoarding financial abuse scam care home "
    "nursing discharge transition young people adolescent online harm sexual grooming trauma "
    "voice lived experience think family whole approach multi-agency partnership board "
    "business unit independent reviewer author panel rapid national guidance statutory "
    "working together duty care act section enquiry case conference core group protection "
    "plan child in need looked after foster placement kinship court proceedings interpreter "
    "language culture faith ethnicity poverty cost living debt benefits employment isolation "
    "loneliness bereavement suicide self-harm overdose pregnancy concealed denial disguised "
    "compliance chronology record keeping handover capacity workload vacancy agency staff "
    "turnover management oversight audit assurance action evidence impact outcome improvement"
).split()
FILLER = (  # noqa: SIM905
    "the of and to a in that was were for on with as by at from it this be had have not "
    "but or which there their they she he her his when who would should could also after "
    "before during about into more than further these those each other"
).split()
RARE = ("cuckooing", "gaslighting", "fabricated", "radicalisation")
# What people search for: a word everywhere, a phrase, a rare word, a pair.
QUERIES = ("neglect", '"unseen men"', "cuckooing", "professional curiosity", "hoarding")


def words(rng: random.Random, count: int) -> str:
    """``count`` words of plausible review prose: three filler words to two terms, the terms
    Zipf-like, now and then a rare word or the unseen men every review warns of."""
    weights = [1 / (rank + 1) for rank in range(len(TERMS))]
    chosen = rng.choices(TERMS, weights=weights, k=count * 2 // 5)
    filler = rng.choices(FILLER, k=count - len(chosen))
    mixed = chosen + filler
    rng.shuffle(mixed)
    if rng.random() < 0.03:
        mixed.insert(rng.randrange(len(mixed) + 1), "unseen men")
    if rng.random() < 0.005:
        mixed.insert(rng.randrange(len(mixed) + 1), rng.choice(RARE))
    text = " ".join(mixed)
    return text[0].upper() + text[1:] + "."


def capped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "."


# --- Generated data -----------------------------------------------------------------------


def items_add(rng: random.Random) -> dict[str, Any]:
    from django.utils import timezone

    from sightline.accounts.models import User
    from sightline.hub import models
    from sightline.hub.vocabulary import Audience, ResourceKind, ReviewKind, State
    from sightline.reviews.models import PracticeTheme

    approver = User.objects.create_user("bench-approver@example.test", None, full_name="Approver")
    themes = list(PracticeTheme.objects.values_list("pk", flat=True))
    now = timezone.now()
    first = TODAY - datetime.timedelta(days=8 * 365)
    total = REVIEWS + BRIEFINGS + RESOURCES + NEWS + DRAFTS + WITHDRAWN + SCHEDULED
    states = (
        ["public"] * (REVIEWS + BRIEFINGS + RESOURCES + NEWS)
        + ["draft"] * DRAFTS
        + ["withdrawn"] * WITHDRAWN
        + ["scheduled"] * SCHEDULED
    )
    rng.shuffle(states)
    counter = iter(range(total))

    def publishing(n: int) -> dict[str, Any]:
        state = states[next(counter)]
        live = first + datetime.timedelta(days=rng.randrange((TODAY - first).days))
        if state == "scheduled":
            live = TODAY + datetime.timedelta(days=rng.randint(1, 60))
        common = {
            "slug": f"item-{n}",
            "audience": rng.choice(Audience.values),
            "live_on": live,
            "state": State.APPROVED,
            "approved_by": approver,
            "approved_at": now,
        }
        if state == "draft":
            common |= {"state": State.DRAFT, "approved_by": None, "approved_at": None}
        if state == "withdrawn":
            common |= {"state": State.WITHDRAWN, "withdrawn_at": now, "withdrawal_reason": "Bench"}
        return common

    def themed(model: Any, field: str, items: list[Any]) -> None:
        through = model.themes.through
        through.objects.bulk_create(
            [
                through(**{field: item.pk, "practicetheme_id": theme})
                for item in items
                for theme in rng.sample(themes, rng.randint(1, 3))
            ],
            batch_size=BATCH * 2,
        )

    kinds = [ReviewKind.LCSPR] * 5 + [ReviewKind.SAR] * 3 + [ReviewKind.DHR] + [ReviewKind.THEMATIC]
    reviews = models.PublishedReview.objects.bulk_create(
        [
            models.PublishedReview(
                title=f"{rng.choice(['Child', 'Adult', 'Family'])} {n}: {words(rng, 6)}",
                kind=(kind := rng.choice(kinds)),
                summary=capped(words(rng, rng.randint(300, 550)), 4000),
                author="Independent reviewer",
                home_office_cleared_on=TODAY if kind == ReviewKind.DHR else None,
                **publishing(n),
            )
            for n in range(REVIEWS)
        ],
        batch_size=BATCH,
    )
    models.PublishedRecommendation.objects.bulk_create(
        [
            models.PublishedRecommendation(
                review=review, position=p + 1, text=words(rng, rng.randint(30, 60))
            )
            for review in reviews
            for p in range(rng.randint(4, 8))
        ],
        batch_size=BATCH * 2,
    )
    themed(models.PublishedReview, "publishedreview_id", reviews)
    briefings = models.Briefing.objects.bulk_create(
        [
            models.Briefing(
                title=f"Seven-minute briefing: {words(rng, 5)}",
                finished_by=approver,
                finished_at=now,
                **{
                    field: capped(words(rng, rng.randint(60, 120)), 4000)
                    for field in (
                        "background",
                        "why_it_matters",
                        "what_happened",
                        "what_we_learned",
                        "what_to_do",
                        "questions",
                        "further_information",
                    )
                },
                **(publishing(n) | {"slug": f"briefing-{n}"}),
            )
            for n in range(BRIEFINGS)
        ],
        batch_size=BATCH,
    )
    themed(models.Briefing, "briefing_id", briefings)
    recordings = [ResourceKind.WEBINAR, ResourceKind.PODCAST, ResourceKind.INTERVIEW]
    resources = []
    for n in range(RESOURCES):
        sort: str = (
            rng.choice(recordings)
            if rng.random() < 0.4
            else rng.choice([ResourceKind.GUIDANCE, ResourceKind.TOOL])
        )
        resources.append(
            models.Resource(
                title=f"{ResourceKind(sort).label}: {words(rng, 5)}",
                kind=sort,
                summary=words(rng, rng.randint(60, 120)),
                transcript=capped(words(rng, rng.randint(1_500, 4_000)), 50_000)
                if sort in recordings
                else "",
                duration_minutes=rng.randint(10, 90) if sort in recordings else None,
                **(publishing(n) | {"slug": f"resource-{n}"}),
            )
        )
    resources = models.Resource.objects.bulk_create(resources, batch_size=BATCH // 2)
    themed(models.Resource, "resource_id", resources)
    news = models.NewsItem.objects.bulk_create(
        [
            models.NewsItem(
                title=f"News: {words(rng, 6)}",
                summary=capped(words(rng, 30), 300),
                body=words(rng, rng.randint(150, 400)),
                **(publishing(n) | {"slug": f"news-{n}"}),
            )
            # The drafts, withdrawn and scheduled items fall among every kind (``states``);
            # the news takes what is left of the 10,500.
            for n in range(NEWS + DRAFTS + WITHDRAWN + SCHEDULED)
        ],
        batch_size=BATCH,
    )
    themed(models.NewsItem, "newsitem_id", news)
    return {"themes": themes}


# --- Pages and their raw SQL --------------------------------------------------------------


def public_filter(alias: str) -> str:
    return (
        f"{alias}.state = 'approved' AND {alias}.live_on <= %s "
        f"AND ({alias}.remove_on IS NULL OR {alias}.remove_on > %s)"
    )


def page_targets(themes: list[int]) -> list[tuple[str, str, list[tuple[str, list[Any]]]]]:
    """(label, URL, raw SQL) for each public page that exists: the SQL is the rows the page
    shows when built, 25 of its list and the count."""
    from django.urls import NoReverseMatch, reverse

    from sightline.hub.models import PublishedReview

    today = [TODAY, TODAY]
    review = PublishedReview.objects.public(on=TODAY).order_by("-live_on").first()
    assert review is not None
    cols = "SELECT r.id, r.title, r.slug, r.kind, r.live_on, r.summary"
    lists = {
        "reviews": f"{cols} FROM hub_publishedreview r WHERE {public_filter('r')}",
        "resources": "SELECT r.id, r.title, r.slug, r.kind, r.live_on, r.summary "
        f"FROM hub_resource r WHERE {public_filter('r')}",
    }

    def listing(sql: str) -> list[tuple[str, list[Any]]]:
        return [
            (f"{sql} ORDER BY r.live_on DESC, r.title LIMIT 25", today),
            (f"SELECT count(*) FROM ({sql}) counted", today),
        ]

    latest = [
        (
            f"SELECT r.id, r.title, r.slug, r.live_on FROM {table} r WHERE {public_filter('r')} "
            "ORDER BY r.live_on DESC, r.title LIMIT 5",
            today,
        )
        for table in ("hub_publishedreview", "hub_briefing", "hub_resource", "hub_newsitem")
    ]
    # The page lists the latest of each kind on the theme and says how many there are.
    by_theme = [
        (
            f"SELECT r.id, r.title, r.slug, r.live_on FROM {table} r JOIN {table}_themes t "
            f"ON t.{field}_id = r.id WHERE t.practicetheme_id = %s AND {public_filter('r')} "
            "ORDER BY r.live_on DESC, r.title LIMIT 25",
            [themes[0], *today],
        )
        if listed
        else (
            f"SELECT COUNT(*) FROM {table} r JOIN {table}_themes t ON t.{field}_id = r.id "
            f"WHERE t.practicetheme_id = %s AND {public_filter('r')}",
            [themes[0], *today],
        )
        for table, field in (
            ("hub_publishedreview", "publishedreview"),
            ("hub_briefing", "briefing"),
            ("hub_resource", "resource"),
            ("hub_newsitem", "newsitem"),
        )
        for listed in (True, False)
    ]
    one_review = [
        (
            f"{cols}, r.author FROM hub_publishedreview r WHERE r.slug = %s AND "
            f"{public_filter('r')}",
            [review.slug, *today],
        ),
        (
            "SELECT position, text FROM hub_publishedrecommendation WHERE review_id = %s "
            "ORDER BY position",
            [review.pk],
        ),
        (
            "SELECT t.name FROM reviews_practicetheme t JOIN hub_publishedreview_themes rt "
            "ON rt.practicetheme_id = t.id WHERE rt.publishedreview_id = %s ORDER BY t.name",
            [review.pk],
        ),
    ]
    wanted = [
        ("hub index", "hub:index", {}, latest),
        ("reviews list", "hub:reviews", {}, listing(lists["reviews"])),
        ("a review", "hub:review", {"slug": review.slug}, one_review),
        ("theme page", "hub:theme", {"pk": themes[0]}, by_theme),
        ("resources list", "hub:resources", {}, listing(lists["resources"])),
    ]
    targets = []
    for label, name, kwargs, sql in wanted:
        try:
            targets.append((label, reverse(name, kwargs=kwargs), sql))
        except NoReverseMatch:
            say(f"  {label}: no page named {name} yet, skipped")
    return targets


def search_targets(themes: list[int]) -> list[tuple[str, dict[str, Any]]]:
    """(label, query string) for each search timed."""
    return [
        *[(f"search {query}", {"q": query}) for query in QUERIES],
        ("search neglect, reviews only", {"q": "neglect", "type": "review"}),
        (
            "search curiosity, theme and year",
            {"q": "curiosity", "theme": themes[0], "year": TODAY.year - 1},
        ),
        ("search neglect, page 5", {"q": "neglect", "page": 5}),
        ("browse resources, children", {"type": "resource", "audience": "children"}),
    ]


def hand_search(params: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """Hand-written SQL for one search's page: the count, the page's ids in rank order, and
    their rows with snippets (what the page shows), for this database."""
    from django.db import connection

    from sightline.hub.search_query import fts5_query

    postgresql = connection.vendor == "postgresql"
    where = ["e.live_on <= %s", "(e.remove_on IS NULL OR e.remove_on > %s)"]
    args: list[Any] = [TODAY, TODAY]
    if "type" in params:
        where.append("e.kind = %s")
        args.append(params["type"])
    if "audience" in params:
        where.append("e.audience IN (%s, 'both')")
        args.append(params["audience"])
    if "year" in params:
        where.append("e.year = %s")
        args.append(params["year"])
    if "theme" in params:
        where.append(
            "e.id IN (SELECT t.searchentry_id FROM hub_searchentry_themes t "
            "WHERE t.practicetheme_id = %s)"
        )
        args.append(params["theme"])
    offset = (params.get("page", 1) - 1) * PER_PAGE
    query = params.get("q", "")
    filters = " AND ".join(where)
    rows = "e.id, e.kind, e.title, e.url, e.live_on, e.subtype, e.theme_names, e.summary"
    if not query:
        return [
            (f"SELECT count(*) FROM hub_searchentry e WHERE {filters}", args),
            (
                f"SELECT {rows} FROM hub_searchentry e WHERE {filters} "
                f"ORDER BY e.live_on DESC, e.title, e.id LIMIT {PER_PAGE} OFFSET {offset}",
                args,
            ),
        ]
    if postgresql:
        match = "e.search_vector @@ websearch_to_tsquery('english', %s)"
        ranked = (
            f"SELECT e.id FROM hub_searchentry e WHERE {match} AND {filters} "
            "ORDER BY ts_rank_cd(e.search_vector, websearch_to_tsquery('english', %s)) DESC, "
            f"e.live_on DESC, e.id LIMIT {PER_PAGE} OFFSET {offset}"
        )
        statements = [
            (f"SELECT count(*) FROM hub_searchentry e WHERE {match} AND {filters}", [query, *args]),
            (ranked, [query, *args, query]),
        ]
        ids = run_one(*statements[1])
        statements.append(
            (
                f"SELECT {rows}, ts_headline('english', left(e.text, 5000), "
                "websearch_to_tsquery('english', %s), 'MaxWords=30, MinWords=12, "
                "MaxFragments=2') FROM hub_searchentry e WHERE e.id = ANY(%s)",
                [query, [row[0] for row in ids]],
            )
        )
        return statements
    fts = fts5_query(query)
    match = "hub_searchentry_fts MATCH %s"
    # The filters as a list the matches are looked up in (``+rowid``: see the selector).
    within = f"+hub_searchentry_fts.rowid IN (SELECT e.id FROM hub_searchentry e WHERE {filters})"
    statements = [
        (f"SELECT count(*) FROM hub_searchentry_fts WHERE {match} AND {within}", [fts, *args]),
        (
            f"SELECT hub_searchentry_fts.rowid FROM hub_searchentry_fts WHERE {match} "
            f"AND {within} ORDER BY bm25(hub_searchentry_fts, 10.0, 1.0, 2.0) "
            f"LIMIT {PER_PAGE} OFFSET {offset}",
            [fts, *args],
        ),
    ]
    ids = [row[0] for row in run_one(*statements[1])]
    marks = ", ".join(["%s"] * len(ids)) or "NULL"
    joined = "hub_searchentry_fts JOIN hub_searchentry e ON e.id = hub_searchentry_fts.rowid"
    statements.append(
        (
            f"SELECT {rows}, snippet(hub_searchentry_fts, 1, '[', ']', '...', 30) "
            f"FROM {joined} WHERE {match} AND e.id IN ({marks})",
            [fts, *ids],
        )
    )
    return statements


# --- Measuring ------------------------------------------------------------------------------


def run_one(sql: str, params: list[Any]) -> list[Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def run_statements(statements: list[tuple[str, list[Any]]], _n: int) -> None:
    for sql, params in statements:
        run_one(sql, params)


def explain_search(client: Any, url: str) -> None:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of every statement the search page sends (PostgreSQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        harness.get_ok(client, url)
    for query in captured.captured_queries:
        sql = query["sql"]
        if "hub_searchentry" not in sql:
            continue
        say(f"  {sql[:150]}")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            for (line,) in cursor.fetchall():
                say(f"      {line}")


def measure(
    run: harness.BenchRun, client: Any, label: str, url: str, raw: list[Any], goal: float
) -> None:
    harness.get_ok(client, url)  # warm
    page_times, raw_times = harness.paired_times(
        harness.getter(client, url),
        functools.partial(run_statements, raw),
        REQUESTS,
    )
    p50, p95 = harness.p50_p95(page_times)
    _, raw_p95 = harness.p50_p95(raw_times)
    ok, reason = harness.page_verdict(p95, raw_p95, goal)
    run.lines.append(
        f"{label:<38}{p50:>6.0f}ms{p95:>6.0f}ms{raw_p95:>7.1f}ms{p95 / max(raw_p95, 0.001):>6.1f}x"
    )
    run.verdict(
        ok,
        f"{label}: p95 {p95:.0f} ms, raw SQL {raw_p95:.1f} ms" + (f" ({reason})" if reason else ""),
    )
    say(f"  {label}: p95 {p95:.0f} ms")


def main() -> int:
    with harness.bench_database("hub") as run:
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from sightline.hub.models import SearchEntry
        from sightline.hub.services.search import search_index_rebuild

        rng = random.Random(SEED)
        began = time.perf_counter()
        data = items_add(rng)
        built = time.perf_counter() - began
        began = time.perf_counter()
        indexed = search_index_rebuild()
        indexing = time.perf_counter() - began
        tables = [
            "hub_searchentry",
            "hub_searchentry_themes",
            "hub_publishedreview",
            "hub_briefing",
            "hub_resource",
            "hub_newsitem",
            "hub_publishedrecommendation",
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for table in tables:
                    cursor.execute(f"VACUUM ANALYZE {table}")
            else:
                cursor.execute("ANALYZE")
        public = SearchEntry.objects.filter(live_on__lte=TODAY).count()
        say(
            f"Built {indexed} index entries ({public} public today) in {built:.0f} s; "
            f"the index in {indexing:.0f} s"
        )
        client = Client()
        run.lines.append(f"{'page':<38}{'p50':>8}{'p95':>8}{'raw p95':>9}{'ratio':>7}")
        for label, url, raw in page_targets(data["themes"]):
            measure(run, client, label, url, raw, PAGE_GOAL_MS)
        search = reverse("hub:search")
        for label, params in search_targets(data["themes"]):
            url = f"{search}?{urlencode(params)}"
            measure(run, client, label, url, hand_search(params), SEARCH_GOAL_MS)
        run.verdict(
            public == REVIEWS + BRIEFINGS + RESOURCES + NEWS,
            f"the index holds the {public} items public today and none withdrawn or drafted",
        )
        if connection.vendor == "postgresql":
            # A rare word, read through the GIN index; a common pair, which most items hold,
            # read by a scan of the table (the planner's choice, and the slow case).
            for query in ("cuckooing", "professional curiosity"):
                say(f"EXPLAIN (ANALYZE, BUFFERS) of the search for {query}:")
                explain_search(client, f"{search}?{urlencode({'q': query})}")
        run.show()
        return 0 if run.passed else 1


if __name__ == "__main__":
    sys.exit(main())
