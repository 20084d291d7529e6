"""What someone typed into a search box, made safe for the database's full-text search.

Pure: no ORM. PostgreSQL reads the words itself (``websearch_to_tsquery`` accepts anything
and never fails); SQLite's FTS5 has a query language of its own, in which a stray quote,
bracket or ``NEAR`` is an error, so each word goes to it quoted, as a string of letters and
digits only. Both understand the same few things: words (all of them must match),
"a phrase in quotes", ``or`` between two words, and ``-word`` to leave a word out."""

import re
from dataclasses import dataclass

MAX_LENGTH = 200

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    negated: bool = False
    or_before: bool = False

    def fts5(self) -> str:
        # A word is letters, digits and underscores only, so it cannot close the quotes.
        return '"' + " ".join(self.words) + '"'


def terms_of(text: str) -> list[Term]:
    """The words, phrases and exclusions in ``text`` (cut to ``MAX_LENGTH``), in order."""
    terms: list[Term] = []
    pending_or = False
    for match in _TOKEN.finditer(text[:MAX_LENGTH]):
        minus, phrase, raw = match.groups()
        if phrase is None and raw.lower() == "or":
            pending_or = bool(terms)
            continue
        negated = minus == "-" if phrase is not None else raw.startswith("-")
        words = tuple(_WORD.findall(phrase if phrase is not None else raw))
        if not words:
            continue
        terms.append(Term(words=words, negated=negated, or_before=pending_or and not negated))
        pending_or = False
    return terms


def has_words(text: str) -> bool:
    """Whether ``text`` asks for anything: at least one word not left out."""
    return any(not term.negated for term in terms_of(text))


def fts5_query(text: str) -> str | None:
    """An FTS5 query for ``text``, or None when it asks for nothing (only punctuation, say),
    which finds nothing rather than everything."""
    groups: list[list[str]] = []
    left_out: list[str] = []
    for term in terms_of(text):
        if term.negated:
            left_out.append(term.fts5())
        elif term.or_before and groups:
            groups[-1].append(term.fts5())
        else:
            groups.append([term.fts5()])
    if not groups:
        return None
    wanted = " AND ".join(
        group[0] if len(group) == 1 else "(" + " OR ".join(group) + ")" for group in groups
    )
    return wanted + "".join(f" NOT {term}" for term in left_out)
