"""Reads for search: the hub's public search over its index, ranked by the database's own
full-text search, and the signed-in search across what a person may see.

The public search reads only ``SearchEntry``, which holds only approved items, and applies
the public dates on the day (live, not yet come down) in every query, as
``PublishableQuerySet.public`` does for the pages."""

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Exists, FloatField, Max, Min, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from markupsafe import Markup

from ..models import SearchEntry
from ..search_query import MAX_LENGTH, fts5_query, has_words
from ..vocabulary import Audience, ResourceKind, ReviewKind

_WORDS = re.compile(r"\w+")

# Snippet marks the database puts round the words it matched: characters from Unicode's
# private use area, which no published text holds, replaced with <mark> only once the
# snippet has been escaped, so a snippet can never carry markup of its own.
MARK_START, MARK_END = "\ue000", "\ue001"
ELLIPSIS = "…"
SNIPPET_WORDS = 30
# The most results a search lists: more than anyone pages through, and a bound on the ids
# read at once.
MAX_RESULTS = 10_000

# FTS5's bm25 weights, one a column: the title counts ten times the text; theme names twice.
FTS = "hub_searchentry_fts"
BM25 = f"bm25({FTS}, 10.0, 1.0, 2.0)"
TSQUERY = "websearch_to_tsquery('english'::regconfig, %s)"
HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, MinWords=12, "
    f'MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
)
# ts_headline parses the whole text it is given, tens of milliseconds for a webinar's
# transcript: it is given the start of the text, where a match is most often found (without
# one there, the extract is the text's first words, unmarked).
HEADLINE_CHARACTERS = 5000
SUBTYPES = dict(ReviewKind.choices) | dict(ResourceKind.choices)


@dataclass(frozen=True)
class HubSearchFilters:
    query: str = ""
    kinds: tuple[str, ...] = ()
    theme: int | None = None
    audience: str = ""
    review_kind: str = ""
    year: int | None = None


@dataclass(frozen=True)
class SearchHit:
    kind: str
    kind_label: str
    title: str
    url: str
    snippet: Markup
    live_on: datetime.date
    subtype_label: str
    theme_names: str


def _public(on: datetime.date) -> QuerySet[SearchEntry]:
    return SearchEntry.objects.filter(
        Q(remove_on__isnull=True) | Q(remove_on__gt=on), live_on__lte=on
    )


def _filtered(filters: HubSearchFilters, on: datetime.date) -> QuerySet[SearchEntry]:
    entries = _public(on)
    if filters.kinds:
        entries = entries.filter(kind__in=filters.kinds)
    if filters.audience:
        # Something for both workforces is for each of them.
        entries = entries.filter(audience__in=[filters.audience, Audience.BOTH])
    if filters.review_kind:
        entries = entries.filter(kind=SearchEntry.Kind.REVIEW, subtype=filters.review_kind)
    if filters.year:
        entries = entries.filter(year=filters.year)
    if filters.theme:
        # A list of the theme's entries, read once, not a lookup for every entry.
        themed = SearchEntry.themes.through.objects.filter(practicetheme_id=filters.theme)
        entries = entries.filter(pk__in=themed.values("searchentry_id"))
    return entries.order_by()


def mark(snippet: str) -> Markup:
    """The snippet escaped, then its matched words marked."""
    escaped = str(escape(snippet))
    return Markup(  # noqa: S704 (escaped above; the marks are the only markup added)
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


def _hit(entry: SearchEntry, snippet: str | None) -> SearchHit:
    return SearchHit(
        kind=entry.kind,
        kind_label=entry.get_kind_display(),
        title=entry.title,
        url=entry.url,
        snippet=mark(snippet) if snippet else mark(entry.summary),
        live_on=entry.live_on,
        subtype_label=SUBTYPES.get(entry.subtype, ""),
        theme_names=entry.theme_names,
    )


class HubSearchResults:
    """The hub's search results for a paginator: ``count()`` is one query; a page is two,
    its ids in rank order, then those entries with their snippets."""

    def __init__(self, *, filters: HubSearchFilters, on: datetime.date) -> None:
        self.filters = filters
        self.query = filters.query.strip()[:MAX_LENGTH]
        self.entries = _filtered(filters, on)
        # A query of punctuation or exclusions alone asks for nothing, and finds nothing.
        self.empty = bool(self.query) and not has_words(self.query)
        self.fts5 = fts5_query(self.query) if self.query else None
        self.postgresql = connection.vendor == "postgresql"
        self._ids: list[int] | None = None

    # --- PostgreSQL: a stored tsvector column with a GIN index, ranked by ts_rank_cd.

    def _matching(self) -> QuerySet[SearchEntry]:
        return self.entries.filter(
            RawSQL(  # noqa: S611 (the words are a parameter)
                f'"hub_searchentry"."search_vector" @@ {TSQUERY}',
                [self.query],
                output_field=BooleanField(),
            )
        )

    # --- SQLite: the FTS5 table, ranked by bm25, filtered by the entries' own conditions.
    # ``+rowid`` keeps the filter out of FTS5's hands: given ``rowid IN (...)`` it would run
    # the full-text query once for every row the filter lets through (2 s at 10,000 items),
    # where this way it runs once and each match is looked up in the filter's list.

    def _base_sql(self) -> tuple[str, tuple[Any, ...]]:
        sql, params = self.entries.values("pk").query.sql_with_params()
        return sql, tuple(params)

    def _ranked(self) -> list[int]:
        """The ids of every match, best first, at most ``MAX_RESULTS``: one pass over the
        matches gives both the count and any page, where a count and a ranked page would
        each read every match (most of them, for a word as common as "neglect")."""
        if self._ids is not None:
            return self._ids
        if self.postgresql:
            rank = RawSQL(  # noqa: S611 (the words are a parameter)
                f'ts_rank_cd("hub_searchentry"."search_vector", {TSQUERY})',
                [self.query],
                output_field=FloatField(),
            )
            self._ids = list(
                self._matching()
                .annotate(rank=rank)
                .order_by("-rank", "-live_on", "pk")
                .values_list("pk", flat=True)[:MAX_RESULTS]
            )
            return self._ids
        base, params = self._base_sql()
        with connection.cursor() as cursor:
            sql = f"SELECT {FTS}.rowid FROM {FTS} WHERE {FTS} MATCH %s AND +{FTS}.rowid IN ({base})"  # noqa: S608
            order = f" ORDER BY {BM25}, {FTS}.rowid DESC LIMIT %s"
            cursor.execute(sql + order, (self.fts5, *params, MAX_RESULTS))
            self._ids = [row[0] for row in cursor.fetchall()]
        return self._ids

    def count(self) -> int:
        if self.empty:
            return 0
        if not self.query:
            return self.entries.count()
        return len(self._ranked())

    def __len__(self) -> int:
        return self.count()

    def _snippet(self) -> RawSQL:
        if self.postgresql:
            return RawSQL(  # noqa: S611 (the words are a parameter)
                "ts_headline('english'::regconfig, "
                f'left("hub_searchentry"."text", {HEADLINE_CHARACTERS}), {TSQUERY}, %s)',
                [self.query, HEADLINE_OPTIONS],
            )
        return RawSQL(
            "(SELECT snippet(hub_searchentry_fts, 1, %s, %s, %s, %s) FROM hub_searchentry_fts "
            "WHERE hub_searchentry_fts MATCH %s "
            'AND hub_searchentry_fts.rowid = "hub_searchentry"."id")',
            [MARK_START, MARK_END, ELLIPSIS, SNIPPET_WORDS, self.fts5],
        )

    def __getitem__(self, index: slice) -> list[SearchHit]:
        if self.empty:
            return []
        start, stop = index.start or 0, index.stop
        if not self.query:
            entries = self.entries.defer("text").order_by("-live_on", "title", "pk")
            return [_hit(entry, None) for entry in entries[start:stop]]
        ids = self._ranked()[start:stop]
        if not ids:
            return []
        found = (
            SearchEntry.objects.filter(pk__in=ids).defer("text").annotate(snippet=self._snippet())
        ).in_bulk()
        return [_hit(found[pk], found[pk].snippet) for pk in ids if pk in found]


def hub_search(*, filters: HubSearchFilters, on: datetime.date) -> HubSearchResults:
    return HubSearchResults(filters=filters, on=on)


def search_years(*, on: datetime.date) -> list[int]:
    """The years something public was published in, newest first (two index lookups)."""
    span = _public(on).aggregate(first=Min("live_on"), last=Max("live_on"))
    if span["first"] is None:
        return []
    return list(range(span["last"].year, span["first"].year - 1, -1))


# Words too common to say what a text is about, for ``similar_learning`` on SQLite (on
# PostgreSQL the English configuration drops them itself).
COMMON_WORDS = frozenset(
    {"about", "also", "been", "should", "that", "their", "there", "they", "this", "what"}
    | {"when", "where", "which", "will", "with", "from", "have", "into", "must", "than"}
    | {"were", "would", "could", "other", "these", "those", "such", "each", "more", "only"}
)
SIMILAR_WORDS = 20


def similar_learning(*, text: str, on: datetime.date, limit: int = 5) -> list[SearchHit]:
    """Published learning most like ``text`` (a recommendation, say): the hub's own ranking
    with any of the text's distinctive words as the query. Lexical, not semantic: it finds
    what shares words with the text, not what means the same in other words."""
    words: list[str] = []
    for word in _WORDS.findall(text.lower()):
        if len(word) > 3 and word not in COMMON_WORDS and word not in words:
            words.append(word)
    query = ""
    for word in words[:SIMILAR_WORDS]:
        longer = f"{query} or {word}" if query else word
        if len(longer) > MAX_LENGTH:
            break
        query = longer
    if not query:
        return []
    return hub_search(filters=HubSearchFilters(query=query), on=on)[0:limit]


# --- The signed-in search: everything the person may see ---------------------------------

SIGNED_IN_LIMIT = 20


@dataclass(frozen=True)
class Found[T]:
    """Up to ``SIGNED_IN_LIMIT`` rows of one kind, and whether there were more."""

    rows: list[T]
    more: bool


def _first[T](rows: Any) -> Found[T]:
    found = list(rows[: SIGNED_IN_LIMIT + 1])
    return Found(rows=found[:SIGNED_IN_LIMIT], more=len(found) > SIGNED_IN_LIMIT)


@dataclass(frozen=True)
class EverythingResults:
    query: str
    cases: Found[Any]
    recommendations: Found[Any]
    actions: Found[Any]
    courses: Found[Any]
    published: list[SearchHit]
    similar: list[SearchHit]

    @property
    def total(self) -> int:
        return (
            len(self.cases.rows)
            + len(self.recommendations.rows)
            + len(self.actions.rows)
            + len(self.courses.rows)
            + len(self.published)
        )


def _cases_matching(*, user: Any, term: str) -> Found[Any]:
    """Cases the user may know exist, by reference, pseudonym or practice theme: never by a
    restricted detail (``Case.RESTRICTED_FIELDS``), so a match says nothing of them."""
    from sightline.reviews.models import Case
    from sightline.reviews.selectors import visible_cases

    by_theme = Case.themes.through.objects.filter(
        case=OuterRef("pk"), practicetheme__name__icontains=term
    )
    cases = (
        visible_cases(user=user)
        .filter(Q(reference__icontains=term) | Q(pseudonym__icontains=term) | Exists(by_theme))
        .only("pk", "reference", "pseudonym", "route", "stage")
        .order_by("-opened_on", "reference")
    )
    return _first(cases)


def _learning_matching(*, user: Any, term: str) -> tuple[Found[Any], Found[Any]]:
    """Recommendations and actions as the learning lists show them: every one to those who
    see the tracker; to anyone else, only the open actions they own."""
    from sightline.learning.selectors import (
        ActionFilters,
        RecommendationFilters,
        action_list_for,
        actions_owned_by,
        recommendation_list,
        shared_source_filter,
    )

    # A reference naming a case review the user may not see finds nothing by it.
    by_words = (
        Q(reference__icontains=term) & shared_source_filter(user=user, prefix="recommendation__")
    ) | Q(description__icontains=term)
    if user.has_perm("learning.view_tracker"):
        recommendations: Found[Any] = _first(
            recommendation_list(user=user, filters=RecommendationFilters(search=term))
        )
        actions = action_list_for(user=user, filters=ActionFilters()).filter(by_words)
        return recommendations, _first(actions)
    owned = actions_owned_by(user=user).select_related("agency", "recommendation")
    return Found(rows=[], more=False), _first(owned.filter(by_words))


def _courses_matching(*, term: str) -> Found[Any]:
    from sightline.training.selectors import course_list

    wanted = term.casefold()
    courses = [
        course for course in course_list(include_retired=False) if wanted in course.title.casefold()
    ]
    return _first(courses)


def everything_for(*, user: Any, query: str, on: datetime.date) -> EverythingResults:
    """What ``user`` may see that matches ``query``: cases, recommendations, actions,
    courses and published learning, up to ``SIGNED_IN_LIMIT`` of each."""
    term = " ".join(query.split())[:MAX_LENGTH]
    recommendations, actions = _learning_matching(user=user, term=term)
    similar: list[SearchHit] = []
    if recommendations.rows:
        similar = similar_learning(text=recommendations.rows[0].text, on=on)
    return EverythingResults(
        query=term,
        cases=_cases_matching(user=user, term=term),
        recommendations=recommendations,
        actions=actions,
        courses=_courses_matching(term=term),
        published=hub_search(filters=HubSearchFilters(query=term), on=on)[0:5],
        similar=similar,
    )


def search_themes() -> list[tuple[int, str]]:
    """Every practice theme, for the filter: (id, name) by name."""
    from sightline.reviews.models import PracticeTheme

    return list(PracticeTheme.objects.order_by("name").values_list("pk", "name"))
