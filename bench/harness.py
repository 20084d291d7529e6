"""What the benchmarks in this folder share: a fresh database to run in, the measuring
helpers, and the table of figures and PASS/FAIL lines printed at the end.

A script run as ``python bench/bench_x.py`` has this folder on ``sys.path``, so it can
``import harness``. Nothing here imports Django at module level: ``bench_database()``
configures Django first, and the helpers import what they need when called.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long bench password 2025"


def say(message: str) -> None:
    print(message, flush=True)


# --- The run ------------------------------------------------------------------------------


@dataclass
class BenchRun:
    """One benchmark run: when it started, and the table and verdicts it prints at the end."""

    started: float
    directory: Path
    lines: list[str] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)

    def verdict(self, ok: bool, text: str) -> None:
        self.verdicts.append(f"{'PASS' if ok else 'FAIL'}  {text}")

    @property
    def passed(self) -> bool:
        return all(line.startswith("PASS") for line in self.verdicts)

    def show(self) -> None:
        """Print the table, the verdicts and the total time since the run started."""
        say("")
        say("=" * 78)
        for line in self.lines:
            say(line)
        say("-" * 78)
        for line in self.verdicts:
            say(line)
        say("=" * 78)
        say(f"Total time {time.perf_counter() - self.started:.0f} s")


@contextmanager
def bench_database(title: str) -> Iterator[BenchRun]:
    """Django set up on a fresh, migrated database of the benchmark's own, with ``DEBUG``
    off and the test client's host allowed. Prints the header line naming the "Sightline
    {title} benchmark" and the machine.

    On SQLite (no PostgreSQL ``DATABASE_URL``): a file in a temporary directory. On
    PostgreSQL: a scratch schema (``scratch_<title>``) in the benchmark database that
    ``dataset.bench_url`` names (never the user's own database), created empty and dropped
    at the end, so a benchmark that writes leaves the shared dataset alone. Nothing in
    ``var/`` is touched."""
    import dataset

    started = time.perf_counter()
    postgres = dataset.is_postgres(os.environ.get("DATABASE_URL", ""))
    schema = "scratch_" + "".join(c if c.isalnum() else "_" for c in title.lower())
    with tempfile.TemporaryDirectory(prefix="sightline-bench-") as directory:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        os.environ["SIGHTLINE_VAR_DIR"] = directory
        if postgres:
            url = dataset.bench_url(
                os.environ["DATABASE_URL"], os.environ.get("SIGHTLINE_BENCH_DATABASE_URL")
            )
            dataset.create_postgres_database(url)
            os.environ["DATABASE_URL"] = url
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        os.chdir(ROOT)

        import django
        from django.conf import settings

        if postgres:
            # After the application's own options (JIT off, the page cost), as it runs.
            options = settings.DATABASES["default"].setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c search_path={schema}".strip()
        django.setup()

        from django.core.management import call_command
        from django.db import connection

        settings.DEBUG = False
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

        if postgres:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                cursor.execute(f"CREATE SCHEMA {schema}")
                cursor.execute("SHOW server_version")
                engine = f"PostgreSQL {cursor.fetchone()[0]}"
            where = f"{settings.DATABASES['default']['NAME']}, schema {schema}"
        else:
            engine, where = (
                f"SQLite {sqlite3.sqlite_version}",
                settings.DATABASES["default"]["NAME"],
            )
        say(
            f"Sightline {title} benchmark ({os.cpu_count()} CPUs, {engine}, "
            f"Python {sys.version.split()[0]})"
        )
        say(f"  database: {where}")
        call_command("migrate", verbosity=0)
        try:
            yield BenchRun(started=started, directory=Path(directory))
        finally:
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            connection.close()


# --- Signed-in clients --------------------------------------------------------------------


def signed_in_client(user: Any) -> Client:
    """A client signed in as ``user`` whose session has completed its second factor, as
    every session of someone who must have one has (``accounts.mfa``)."""
    from django.test import Client

    from sightline.accounts.mfa import METHOD_APP, SECOND_FACTOR_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = METHOD_APP
    session.save()
    return client


def member_client(*, agency: Any, role: str, email: str, full_name: str) -> Client:
    """A new user with ``role`` in ``agency``, signed in."""
    from sightline.accounts import services as accounts

    user = accounts.user_create(
        actor=None,
        email=email,
        full_name=full_name,
        password=PASSWORD,
        send_password_link=False,
    )
    accounts.membership_add(actor=None, user=user, agency=agency, role=role)
    return signed_in_client(user)


# --- Measuring ----------------------------------------------------------------------------


def get_ok(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    response = client.get(url, data)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def timed(function: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Seconds for each of ``repeat`` calls, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return times, result


def call_times(function: Callable[[int], Any], count: int) -> list[float]:
    """Milliseconds for each of ``count`` calls ``function(n)``, after three untimed; ``n``
    counts the calls from 0, so that a benchmark can take a different row each time."""
    for n in range(3):
        function(n)  # warm-up, untimed
    times = []
    for n in range(count):
        started = time.perf_counter()
        function(n)
        times.append((time.perf_counter() - started) * 1000)
    return times


def getter(client: Client, url: str) -> Callable[[int], Any]:
    """A call that GETs ``url`` as ``client``, for ``call_times`` or ``paired_times``."""

    def get(_n: int) -> Any:
        return get_ok(client, url)

    return get


def paired_times(
    first: Callable[[int], Any], second: Callable[[int], Any], count: int
) -> tuple[list[float], list[float]]:
    """Milliseconds for each of ``count`` calls of ``first`` and of ``second``, taken in
    turn (first, second, first, ...) after three untimed calls of each: a page and its raw
    SQL measured side by side, so that a moment when the machine is busy slows both, rather
    than whichever happened to be measured then."""
    for n in range(3):
        first(n)  # warm-up, untimed
        second(n)
    times: tuple[list[float], list[float]] = ([], [])
    for n in range(count):
        for function, kept in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            function(n)
            kept.append((time.perf_counter() - started) * 1000)
    return times


def request_times(client: Client, url: str, count: int) -> list[float]:
    """Milliseconds for each of ``count`` GETs of ``url``, after three untimed."""
    return call_times(getter(client, url), count)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 100))
    return ordered[int(rank) - 1]


def p50_p95(values: list[float]) -> tuple[float, float]:
    return percentile(values, 50), percentile(values, 95)


def queries_of(function: Callable[[], Any]) -> list[str]:
    """The SQL of every query one call of ``function`` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        function()
    return [query["sql"] for query in queries.captured_queries]


def count_queries(client: Client, urls: list[str]) -> dict[str, list[str]]:
    """The SQL of one GET of each URL, after one untimed GET to warm it; its length is the
    page's query count."""
    counts = {}
    for url in urls:
        get_ok(client, url)  # warm
        counts[url] = queries_of(functools.partial(get_ok, client, url))
    return counts


# --- Verdicts -----------------------------------------------------------------------------

RAW_RATIO = 3.0  # a page may take at most three times raw SQL returning the same rows
RAW_SLACK_MS = 20.0  # ... or, where raw SQL takes under RAW_FAST_MS, at most this much more
RAW_FAST_MS = 10.0


def near_raw(page_p95: float, raw_p95: float) -> bool:
    """Issue 14's rule against the raw-SQL baseline: the page's p95 is at most three times
    raw SQL's p95 for the same rows, or, where raw SQL takes under 10 ms, within 20 ms of it
    (a page has fixed costs a bare query has not: templates, session, middleware)."""
    if page_p95 <= RAW_RATIO * raw_p95:
        return True
    return raw_p95 < RAW_FAST_MS and page_p95 <= raw_p95 + RAW_SLACK_MS


def page_verdict(page_p95: float, raw_p95: float, goal_ms: float) -> tuple[bool, str]:
    """PASS when the page's p95 meets its goal and ``near_raw``; the reason for a FAIL."""
    reasons = []
    if page_p95 > goal_ms:
        reasons.append(f"p95 {page_p95:.0f} ms over the goal of {goal_ms:.0f} ms")
    if not near_raw(page_p95, raw_p95):
        reasons.append(f"{page_p95 / max(raw_p95, 0.001):.1f}x raw SQL ({raw_p95:.1f} ms)")
    return not reasons, "; ".join(reasons)
