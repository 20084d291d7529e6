"""What someone types, made safe for FTS5's query language (pure: no database)."""

from hypothesis import given
from hypothesis import strategies as st

from sightline.hub.search_query import MAX_LENGTH, fts5_query, has_words, terms_of


def test_words_are_quoted_and_all_wanted():
    assert fts5_query("unseen men") == '"unseen" AND "men"'


def test_phrases_or_and_exclusions():
    assert fts5_query('"unseen men" or neglect -housing') == (
        '("unseen men" OR "neglect") NOT "housing"'
    )


def test_punctuation_and_exclusions_alone_ask_for_nothing():
    for text in ["", "!!!", '"" ()', "*", "-neglect", "or", "( ^ -"]:
        assert not has_words(text)
        assert fts5_query(text) is None


def test_operators_typed_are_words_not_syntax():
    # "NEAR(a" is one token, so its words make a phrase, as in the text they came from.
    assert fts5_query("NEAR(a b) AND col:x*") == '"NEAR a" AND "b" AND "AND" AND "col x"'


def test_query_is_cut_to_its_length():
    assert len(terms_of("word " * 100)) == MAX_LENGTH // len("word ")


@given(st.text(max_size=300))
def test_any_text_gives_quoted_words_only(text):
    query = fts5_query(text)
    if query is None:
        return
    # Outside the quotes there is nothing but the operators this module writes.
    outside = query.split('"')[::2]
    assert all(part.strip(" ()") in {"", "AND", "OR", "NOT"} for part in outside)
