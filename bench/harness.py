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
    """Django set up on a fresh, migrated SQLite database in a temporary directory, with
    ``DEBUG`` off and the test client's host allowed. Prints the header line naming the
    "Sightline {title} benchmark" and the machine. Nothing in ``var/`` is touched."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sightline-bench-") as directory:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        os.environ["SIGHTLINE_VAR_DIR"] = directory
        # PostgreSQL when DATABASE_URL names it (the data there is kept between runs, so a
        # benchmark may reuse what an earlier run generated); otherwise a fresh SQLite file.
        if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            os.environ["DATABASE_URL"] = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        os.chdir(ROOT)

        import django

        django.setup()

        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        settings.DEBUG = False
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                engine = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            engine = f"SQLite {sqlite3.sqlite_version}"
        say(
            f"Sightline {title} benchmark ({os.cpu_count()} CPUs, {engine}, "
            f"Python {sys.version.split()[0]})"
        )
        say(f"  database: {settings.DATABASES['default']['NAME']}")
        call_command("migrate", verbosity=0)
        try:
            yield BenchRun(started=started, directory=Path(directory))
        finally:
            connection.close()


# --- Signed-in clients --------------------------------------------------------------------


def signed_in_client(user: Any) -> Client:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def member_client(*, agency: Any, role: str, email: str, full_name: str) -> Client:
    """A new user with ``role`` in ``agency``, signed in (the one already there, on a
    database kept from an earlier run)."""
    from sightline.accounts import services as accounts
    from sightline.accounts.models import User

    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return signed_in_client(existing)
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


def request_times(client: Client, url: str, count: int) -> list[float]:
    """Milliseconds for each of ``count`` GETs of ``url``, after three untimed."""
    return call_times(lambda _n: get_ok(client, url), count)


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
