"""Helpers for the fuzz test: the forms a page renders, hostile values, and a fingerprint of
the data that a refused request must leave as it was.

The fields fuzzed are those the page itself renders (every ``<form>``'s inputs, selects and
textareas, hidden ones included, and the query-string parameters of links back to the same
page), so a field added to a form, or a hidden token, is fuzzed without changing this file.
"""

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from django.apps import apps
from django.db import connection
from hypothesis import strategies as st

# Values generated per run: the suite's run, and `make fuzz`'s larger one.
FUZZ_VALUES = int(os.environ.get("SIGHTLINE_FUZZ_EXAMPLES", "10000"))

# Tables a refused request may still write: the evidence of the attempt and the machinery.
UNWATCHED_TABLES = frozenset(
    {
        "core_auditevent",
        "core_accesslogentry",
        "django_session",
        "accounts_signinattempt",
        "accounts_throttle",
        "core_throttle",
        "core_submissiontoken",
        "core_backgroundjob",
        "django_tasks_database_dbtaskresult",
    }
)
UNWATCHED_WORDS = ("throttl", "submissiontoken", "accesslog", "auditevent", "session")

# The field the page asks for, kept as the page rendered it (or one of its options).
KEEP = object()


@dataclass
class Form:
    """One form on a page: where it goes, how, and its fields with the page's values."""

    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


class _FormParser(HTMLParser):
    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.forms: list[Form] = []
        self.links: dict[str, list[str]] = {}
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = a.get("action") or self.path
            self._form = Form(method=(a.get("method") or "get").lower(), action=action)
            self.forms.append(self._form)
        elif tag == "a" and "?" in a.get("href", ""):
            href = urlsplit(a["href"])
            if href.path in ("", self.path):
                for key, value in parse_qsl(href.query, keep_blank_values=True):
                    self.links.setdefault(key, [value])
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select and self._form is not None:
                self._form.options[self._select].append(a.get("value", ""))
                if "selected" in a:
                    self._form.fields[self._select] = [a.get("value", "")]
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind == "file":
                self._form.files.add(name)
                self._form.fields.setdefault(name, [])
            elif kind in ("checkbox", "radio"):
                self._form.options.setdefault(name, []).append(a.get("value", "on"))
                self._form.fields.setdefault(name, [])
                if "checked" in a:
                    self._form.fields[name].append(a.get("value", "on"))
            else:
                self._form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            self._select = name
            self._form.options.setdefault(name, [])
            self._form.fields.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            self._form.fields[name] = [""]
        elif tag == "button" and a.get("value"):
            self._form.fields.setdefault(name, [a["value"]])

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            self._form.fields[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            if self._select and self._form is not None:
                chosen = self._form.fields.get(self._select)
                if not chosen and self._form.options[self._select]:
                    self._form.fields[self._select] = [self._form.options[self._select][0]]
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_forms(html: str, path: str) -> list[Form]:
    """The forms a page renders (a sign-out button in the header left out), and a GET form
    for the query-string parameters of its links back to itself (pages, sort orders)."""
    parser = _FormParser(path)
    parser.feed(html)
    forms = [
        form
        for form in parser.forms
        if form.fields and urlsplit(form.action).path not in ("/sign-out/",)
    ]
    if parser.links:
        forms.append(Form(method="get", action=path, fields=dict(parser.links)))
    return forms


# --- Hostile values -------------------------------------------------------------------

_huge = st.integers(min_value=2**31, max_value=10**30).map(str)
_negative = st.integers(max_value=-1, min_value=-(10**30)).map(str)
_twenty_digits = st.integers(min_value=10**19, max_value=10**20 - 1).map(str)
_edge_numbers = st.sampled_from(
    [
        "0",
        "-1",
        "2147483647",
        "2147483648",
        "-2147483649",
        "9223372036854775808",
        "1e308",
        "NaN",
        "inf",
        "-0",
        "1,000,000,000,000",
        "0x10",
        "١٢",
        "00000000000000000000001",
    ]
)
_dates = st.sampled_from(
    [
        "0001-01-01",
        "9999-12-31",
        "1899-12-31",
        "2101-01-01",
        "31/02/2024",
        "2024-13-45",
        "0",
        "0001",
        "9999",
        "99999",
        "00",
        "32",
        "13",
        "29/02/2023",
        "2024-02-30",
        "1/1/1",
        "2024-1-1T25:61",
        "25:61",
        "24:00",
        "-1/-1/-1",
        "12:00:00.000000001",
    ]
)
_long = st.tuples(st.sampled_from(["x", "é", "😀", "a b", "<"]), st.integers(200, 20_000)).map(
    lambda pair: pair[0] * pair[1]
)
_unicode = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40)
_nul = st.sampled_from(["\x00", "a\x00b", "2024\x00", "\x00" * 5, "1\x00"])
_markup = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "%00",
        "{{ 7*7 }}",
        "//evil.example",
        "http://evil.example/",
        "javascript:alert(1)",
        "abc",
        "\\\\x",
        "  ",
        "\r\n",
        "None",
        "null",
        "true",
        "[]",
        "{}",
    ]
)
_scalar = st.one_of(
    _huge,
    _negative,
    _twenty_digits,
    _edge_numbers,
    _dates,
    _long,
    _unicode,
    _nul,
    _markup,
    st.just(""),
)
BAD_VALUES = st.one_of(
    _scalar.map(lambda value: [value]),
    st.lists(_scalar, min_size=2, max_size=3),  # the same field sent more than once
    st.just([]),  # the field left out
)


def field_values(form: Form) -> st.SearchStrategy[dict[str, object]]:
    """For each field, a hostile value (mostly) or the page's own (so that the rest of a
    form is valid and a bad value reaches the service, not only the form)."""
    own = {
        name: st.sampled_from([KEEP, *([[option] for option in form.options[name][:5]])])
        if form.options.get(name)
        else st.just(KEEP)
        for name in form.fields
    }
    return st.fixed_dictionaries(
        {name: st.one_of(BAD_VALUES, BAD_VALUES, BAD_VALUES, own[name]) for name in form.fields}
    )


def request_data(form: Form, chosen: dict[str, object]) -> tuple[dict[str, list[str]], int]:
    """The data to send, and how many of its fields carry a generated value."""
    data: dict[str, list[str]] = {}
    generated = 0
    for name, value in chosen.items():
        if value is KEEP:
            if form.fields[name]:
                data[name] = list(form.fields[name])
            continue
        generated += 1
        assert isinstance(value, list)
        if value:
            data[name] = value
    return data, generated


# --- The data a refused request must leave alone -----------------------------------------


def watched_tables() -> list[tuple[str, tuple[str, ...]]]:
    """Every table of the project's models (their columns) except the unwatched ones."""
    tables: set[tuple[str, tuple[str, ...]]] = set()
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table in UNWATCHED_TABLES or any(word in table for word in UNWATCHED_WORDS):
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = tuple(str(f.column) for f in model._meta.local_concrete_fields)
        tables.add((table, columns))
    return sorted(tables)


def fingerprint_sql(tables: list[tuple[str, tuple[str, ...]]]) -> str:
    """One query giving each table's row count and the total length of its values (so an
    update changes it too, unless it keeps every value's length)."""
    quote = connection.ops.quote_name
    parts = []
    for table, columns in tables:
        lengths = " + ".join(
            f"COALESCE(LENGTH(CAST({quote(column)} AS TEXT)), 0)" for column in columns
        )
        # Names from the models' own metadata, quoted: no outside input reaches this SQL.
        parts.append(
            f"(SELECT COUNT(*) || ':' || COALESCE(SUM({lengths}), 0) FROM {quote(table)})"  # noqa: S608
        )
    return "SELECT " + ", ".join(parts)


def fingerprint(sql: str, tables: list[tuple[str, tuple[str, ...]]]) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return {table: str(value) for (table, _), value in zip(tables, row, strict=True)}
