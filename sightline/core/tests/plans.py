"""Query plans for tests that an index serves a hot query: timing-free proxies for speed.

A test database holds a handful of rows, on which PostgreSQL rightly prefers to read the
whole table; ``plans_of`` asks which plan it would choose were reading the table not an
option (``enable_seqscan`` off, for that transaction only), which is the plan it takes at a
partnership's sizes. PostgreSQL only: the callers skip on SQLite."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's"
)


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
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in statements:
            cursor.execute(f"EXPLAIN {sql}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans
