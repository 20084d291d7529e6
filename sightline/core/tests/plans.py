"""Query plans for tests that an index serves a hot query: timing-free proxies for speed.

A test database holds a handful of rows, on which PostgreSQL rightly prefers to read the
whole table; ``explain`` asks which plan it would choose were reading the table (or a bitmap
scan, or a sort of either kind) not an option, for that transaction only, which is the plan it takes at a
partnership's sizes. EXPLAIN without ANALYZE: nothing is timed. PostgreSQL only: the callers
skip on SQLite."""

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's"
)


PLANNER_OPTIONS = frozenset({"seqscan", "bitmapscan", "sort", "incremental_sort"})


def explain(
    sql: str,
    params: Any = None,
    *,
    off: Iterable[str] = ("seqscan",),
    as_json: bool = False,
) -> str:
    """The plan PostgreSQL chooses for ``sql`` with the planner's ``off`` methods its last
    resort: text, or with ``as_json`` the JSON form (for walking its nodes)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for option in off:
            assert option in PLANNER_OPTIONS, option
            cursor.execute(f"SET LOCAL enable_{option} = off")
        cursor.execute(("EXPLAIN (FORMAT JSON) " if as_json else "EXPLAIN ") + sql, params)
        rows = cursor.fetchall()
    return json.dumps(rows[0][0]) if as_json else "\n".join(row[0] for row in rows)


def plans_of(function: Callable[[], Any], *, reading: str) -> list[str]:
    """The plan of each query ``function`` makes that reads the table ``reading``, as
    PostgreSQL would run it with a sequential scan its last resort."""
    with CaptureQueriesContext(connection) as captured:
        function()
    statements = [
        query["sql"]
        for query in captured.captured_queries
        if f'"{reading}"' in query["sql"] and query["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert statements, f"no query read {reading}"
    return [explain(sql) for sql in statements]
