"""Fault tests with real parts: ``sightline worker`` runs in its own process on a file
database (SQLite file, or a scratch PostgreSQL database when the suite runs on PostgreSQL),
sending to a real SMTP server on loopback; the test kills it, or cuts its database
connection, in the middle of a batch.

Each test states its figures: messages expected, delivered, duplicated (0) and lost (0).
"""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = 30
TEST_CONNECTION = "sightline-fault-test"
# Generous: the machine may be busy with the rest of the suite.
PATIENCE = 180


def sightline(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  (our own command, our own arguments)
        [sys.executable, "-m", "sightline", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=PATIENCE,
        **kwargs,
    )


def base_env(database_url: str, var_dir: Path, smtp: SmtpServer) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url,
        "SIGHTLINE_VAR_DIR": str(var_dir),
        "EMAIL_URL": smtp.url,
        "SIGHTLINE_OUTBOX_LEASE_SECONDS": "2",
        "LOG_LEVEL": "WARNING",
    }


WRITE = f"""
from django.db import transaction
from sightline.core.outbox import outbox_add
with transaction.atomic():
    for number in range({MESSAGES}):
        outbox_add(key=f"fault:{{number}}", kind="test.fault", to=f"person{{number}}@example.test",
                   subject=f"Note {{number}}", body="Hello.")
"""

COUNT = """
from collections import Counter
from sightline.core.models import OutboxMessage
print(dict(Counter(OutboxMessage.objects.values_list("status", flat=True))))
"""


class Database:
    """A migrated database of its own for one test, and a way to read the outbox's state."""

    def __init__(self, url: str, statuses: Callable[[], dict[str, int]]) -> None:
        self.url = url
        self.statuses = statuses


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("worker-db")
    path = folder / "template.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{path}",
        "SIGHTLINE_VAR_DIR": str(folder),
    }
    sightline(env, "migrate", "--noinput", "-v0")
    return path


def _sqlite_statuses(path: Path) -> Callable[[], dict[str, int]]:
    def read() -> dict[str, int]:
        with sqlite3.connect(path, timeout=30) as db:
            rows = db.execute("SELECT status, COUNT(*) FROM core_outboxmessage GROUP BY status")
            return dict(rows.fetchall())

    return read


@contextmanager
def postgres_database() -> Iterator[Database]:
    import psycopg

    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"sl_fault_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"

    def read() -> dict[str, int]:
        # Named, so that cutting the worker's connections leaves the test's own alone.
        with psycopg.connect(url, application_name=TEST_CONNECTION) as db:
            rows = db.execute("SELECT status, COUNT(*) FROM core_outboxmessage GROUP BY status")
            return dict(rows.fetchall())

    try:
        yield Database(url, read)
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def sqlite_db(migrated_sqlite, tmp_path) -> Database:
    path = tmp_path / "sightline.sqlite3"
    shutil.copy(migrated_sqlite, path)
    return Database(f"sqlite:///{path}", _sqlite_statuses(path))


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sightline", "worker", "--interval", "0.2"],
        env=env,
        cwd=ROOT,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


def wait_until(condition: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"Timed out waiting for {what}. Worker log:\n{log.read_text()[-3000:]}")


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def figures(smtp: SmtpServer) -> dict[str, int]:
    expected = {f"person{number}@example.test" for number in range(MESSAGES)}
    delivered = Counter(smtp.delivered_to())
    ids = Counter(item.message_id for item in smtp.handler.received)
    return {
        "expected": len(expected),
        "delivered": len(expected & set(delivered)),
        "duplicated": sum(count - 1 for count in delivered.values() if count > 1)
        + sum(count - 1 for count in ids.values() if count > 1),
        "lost": len(expected - set(delivered)),
    }


def prepare(database: Database, smtp: SmtpServer, tmp_path: Path) -> dict[str, str]:
    env = base_env(database.url, tmp_path, smtp)
    if database.url.startswith("postgres"):
        sightline(env, "migrate", "--noinput", "-v0")
    sightline(env, "shell", "-c", WRITE)
    assert database.statuses() == {"pending": MESSAGES}
    return env


def kill_then_restart(
    database: Database, smtp: SmtpServer, tmp_path: Path, *, at_data: bool
) -> dict[str, int]:
    env = prepare(database, smtp, tmp_path)
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    kill_at = 12

    def kill(count: int) -> None:
        if count == kill_at:
            os.kill(worker.pid, signal.SIGKILL)
            time.sleep(0.5)  # the worker is gone before the server answers

    if at_data:
        smtp.handler.on_data = kill
    else:
        smtp.handler.on_rcpt = kill
    assert worker.wait(timeout=PATIENCE) == -signal.SIGKILL
    smtp.handler.on_data = smtp.handler.on_rcpt = None
    partial = database.statuses()
    assert partial.get("sent", 0) == kill_at - 1
    assert partial.get("sending", 0) == MESSAGES - (kill_at - 1)

    again = start_worker(env, log)
    try:
        settled = {"sent", "uncertain", "dead"}
        wait_until(
            lambda: sum(n for s, n in database.statuses().items() if s in settled) == MESSAGES,
            "every message to be settled",
            log,
        )
    finally:
        stop(again)
    return database.statuses()


def test_killing_the_worker_mid_batch_then_starting_it_delivers_every_message_once(
    sqlite_db, smtp, tmp_path
):
    statuses = kill_then_restart(sqlite_db, smtp, tmp_path, at_data=False)

    assert statuses == {"sent": MESSAGES}
    assert figures(smtp) == {"expected": 30, "delivered": 30, "duplicated": 0, "lost": 0}


def test_a_worker_killed_while_the_server_takes_a_message_never_sends_it_twice(
    sqlite_db, smtp, tmp_path
):
    """The one window SMTP leaves: the server has the whole message and the worker dies
    before it hears so. The message is held as "perhaps sent" for an administrator, never
    sent again by itself."""
    statuses = kill_then_restart(sqlite_db, smtp, tmp_path, at_data=True)

    assert statuses == {"sent": MESSAGES - 1, "uncertain": 1}
    assert figures(smtp) == {"expected": 30, "delivered": 30, "duplicated": 0, "lost": 0}


@pytest.mark.skipif(not on_postgres(), reason="cuts a PostgreSQL connection")
def test_postgresql_connection_cut_mid_batch_then_every_message_delivered_once(smtp, tmp_path):
    import psycopg

    with postgres_database() as database:
        env = prepare(database, smtp, tmp_path)
        log = tmp_path / "worker.log"
        cut: list[int] = []

        def cut_connection(count: int) -> None:
            if count == 12 and not cut:
                with psycopg.connect(
                    database.url, autocommit=True, application_name=TEST_CONNECTION
                ) as db:
                    killed = db.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND application_name <> %s",
                        [TEST_CONNECTION],
                    ).fetchall()
                cut.append(len(killed))

        smtp.handler.on_rcpt = cut_connection
        worker = start_worker(env, log)
        try:
            wait_until(lambda: database.statuses() == {"sent": MESSAGES}, "every message sent", log)
        finally:
            stop(worker)
        assert cut, "the connection was never cut"
        assert cut[0] >= 1, "no connection was cut"
        assert worker.returncode is not None
        assert figures(smtp) == {"expected": 30, "delivered": 30, "duplicated": 0, "lost": 0}
