"""The case file and learning tracker imports at 50,000 rows: how fast they validate (a dry
run) and how fast they write (cases, audit events and deadlines; recommendations, actions,
their history rows and audit events), for a file of new rows and a file of half new, half
changed rows, each beside a raw-SQL baseline measured in the same run.

    .venv/bin/python bench/bench_imports.py                  # SQLite, in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sl_x .venv/bin/python bench/bench_imports.py

On PostgreSQL it runs in a scratch database of its own, ``<name>_bench_imports`` beside the
one ``DATABASE_URL`` names (made afresh, dropped at the end): the named database is never
touched. ``BENCH_IMPORT_ROWS`` changes the size (default 50,000); ``BENCH_IMPORT_PARTS``
(``cases``, ``learning`` or both, the default) which imports run.

The goal (issue 14): at least 5,000 rows a second written, end to end. On SQLite, the write
transaction (from the "Saving" step to the commit) must also end within the busy timeout
(20 s), at the size measured, so that other requests waiting for the database's one write
lock do not fail.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import harness
from harness import say

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "50000"))
PARTS = os.environ.get("BENCH_IMPORT_PARTS", "cases,learning")
SEED = 20251203
GOAL_ROWS_PER_SECOND = 5_000
BUSY_TIMEOUT_SECONDS = 20.0
RECOMMENDATION_EVERY = 5  # actions per recommendation in the tracker
AGENCIES = 20


# --- The scratch database -----------------------------------------------------------------


@contextmanager
def scratch_database() -> Iterator[tuple[str, Path]]:
    """Django set up on a fresh, migrated database of its own: PostgreSQL when
    ``DATABASE_URL`` names it (a database ``<name>_bench_imports`` beside it), else SQLite in
    a temporary folder. Yields the backend's name and the temporary folder."""
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    with tempfile.TemporaryDirectory(prefix="sightline-bench-imports-") as directory:
        scratch_name = ""
        admin_url = ""
        if postgres:
            parts = urlsplit(url)
            scratch_name = f"{parts.path.lstrip('/') or 'sightline'}_bench_imports"
            admin_url = urlunsplit(parts._replace(path="/postgres"))
            _postgres_command(admin_url, f'DROP DATABASE IF EXISTS "{scratch_name}"')
            _postgres_command(admin_url, f'CREATE DATABASE "{scratch_name}"')
            os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{scratch_name}"))
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        os.environ["SIGHTLINE_VAR_DIR"] = directory
        if str(harness.ROOT) not in sys.path:
            sys.path.insert(0, str(harness.ROOT))
        os.chdir(harness.ROOT)

        import django

        django.setup()

        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        settings.DEBUG = False
        # The benchmark's files are larger than one import may be by default (20,000 rows).
        settings.SIGHTLINE_IMPORT_MAX_ROWS = max(ROWS, settings.SIGHTLINE_IMPORT_MAX_ROWS)
        settings.SIGHTLINE_IMPORT_MAX_UPLOAD_BYTES = max(
            ROWS * 400, settings.SIGHTLINE_IMPORT_MAX_UPLOAD_BYTES
        )
        call_command("migrate", verbosity=0)
        backend = (
            f"PostgreSQL {connection.cursor().connection.info.server_version}"
            if postgres
            else f"SQLite {sqlite3.sqlite_version}"
        )
        say(
            f"Sightline imports benchmark ({os.cpu_count()} CPUs, {backend}, Python "
            f"{sys.version.split()[0]}, {ROWS:,} rows)"
        )
        say(f"  database: {settings.DATABASES['default']['NAME']}")
        try:
            yield ("postgresql" if postgres else "sqlite"), Path(directory)
        finally:
            connection.close()
            if postgres:
                _postgres_command(admin_url, f'DROP DATABASE IF EXISTS "{scratch_name}"')


def _postgres_command(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql)


# --- Timing the write ---------------------------------------------------------------------


class StageClock:
    """A ``Progress`` that notes when each step starts: the write is from the step that says
    "Saving" to the end of the call."""

    def __init__(self) -> None:
        self.stages: list[tuple[float, float, str]] = []

    def stage(self, message: str, *, total: int | None = None, done: int = 0) -> None:
        self.stages.append((time.perf_counter(), time.process_time(), message))

    def advance(self, done: int) -> None:
        pass

    def write_started(self) -> tuple[float, float] | None:
        """When the write began: wall clock and this process's CPU time."""
        for at, cpu, message in self.stages:
            if message.startswith("Saving"):
                return at, cpu
        return None


def timed_import(function: Callable[..., Any], **kwargs: Any) -> dict[str, float]:
    """Seconds for the call (wall clock), for its write step, and of this process's CPU: on a
    shared machine the wall clock waits for other work, the CPU time does not."""
    clock = StageClock()
    started, cpu = time.perf_counter(), time.process_time()
    function(progress=clock, **kwargs)
    ended, cpu_ended = time.perf_counter(), time.process_time()
    write_started, write_cpu = clock.write_started() or (started, cpu)
    return {
        "total": ended - started,
        "write": ended - write_started,
        "cpu": cpu_ended - cpu,
        "write_cpu": cpu_ended - write_cpu,
    }


# --- Files --------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def case_file(rows: list[dict[str, Any]]) -> bytes:
    from bench_reviews import CSV_COLUMNS

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for facts in rows:
        writer.writerow([_cell(facts.get(column)) for column in CSV_COLUMNS])
    return out.getvalue().encode()


TRACKER_COLUMNS = (
    "recommendation_ref",
    "source_type",
    "source",
    "recommendation",
    "made_date",
    "decision",
    "action_ref",
    "agency",
    "action",
    "owner",
    "due_date",
    "status",
    "completed_date",
    "closed_reason",
    "dissemination_evidence",
)


def tracker_rows(rng: random.Random, first: int, count: int, *, revision: int) -> list[list[str]]:
    """``count`` actions from number ``first``, five to a recommendation. ``revision`` 1
    changes each action's status, due date and evidence from revision 0's."""
    rows = []
    for number in range(first, first + count):
        rec = number // RECOMMENDATION_EVERY
        made = datetime.date(2021, 1, 1) + datetime.timedelta(days=rec % 1400)
        status = rng.choice(("not_started", "on_track", "at_risk", "complete", "closed_incomplete"))
        completed = made + datetime.timedelta(days=rng.randint(10, 200))
        if completed > datetime.date(2025, 11, 30):
            status = "on_track"
        due = made + datetime.timedelta(days=rng.randint(30, 540) + revision * 7)
        rows.append(
            [
                f"REC-{rec:06d}",
                "other",
                f"Audit {rec % 480}",
                f"Recommendation {rec}: make sure the household is recorded",
                made.isoformat(),
                ("accepted", "accepted_in_part", "")[rec % 3],
                f"REC-{rec:06d}/A{number:07d}",
                f"Agency {number % AGENCIES:02d}",
                f"Action {number} (revision {revision})",
                f"lead{number % 50}@agency.example" if number % 3 == 0 else "",
                due.isoformat(),
                status,
                completed.isoformat() if status == "complete" else "",
                "Superseded by the new policy" if status == "closed_incomplete" else "",
                f"Briefing {revision} to staff" if number % 4 == 0 else "",
            ]
        )
    return rows


def tracker_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TRACKER_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode()


# --- Raw-SQL baselines ----------------------------------------------------------------------


def _parsed(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _date(text: str) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def _raw_insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """One single-row INSERT run for every row with the driver's ``executemany`` (pipelined
    on PostgreSQL, a prepared statement on SQLite)."""
    from django.db import connection

    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _audit_rows(label: str, ids: list[int], now: datetime.datetime) -> list[tuple[Any, ...]]:
    return [
        (now, "bench", "create", label, str(pk), f"row {pk}", "{}", "Imported", None) for pk in ids
    ]


AUDIT_COLUMNS = [
    "occurred_at",
    "actor_email",
    "kind",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "detail",
    "ip_address",
]


def baseline_cases(content: bytes) -> float:
    """Seconds to parse the file with ``csv`` and insert each case and an audit event for
    it with raw multi-row INSERTs, in one transaction (rolled back). No deadlines."""
    from bench_reviews import MILESTONE_COLUMNS
    from django.db import connection, transaction

    started = time.perf_counter()
    now = datetime.datetime.now(datetime.UTC)
    rows = [
        (
            row["reference"],
            row["route"],
            row["pseudonym"],
            row["outcome"],
            *(_date(row[column]) for column in MILESTONE_COLUMNS),
            "open",
            "",
            "",
            "",
            "",
            "",
            "",
            "[]",
            "",
            now,
            now,
        )
        for row in _parsed(content)
    ]
    columns = [
        "reference",
        "route",
        "pseudonym",
        "outcome",
        *MILESTONE_COLUMNS,
        "stage",
        "restricted_summary",
        "age_band",
        "sex",
        "ethnicity",
        "disability",
        "legal_status",
        "harm_types",
        "lead_reviewer",
        "created_at",
        "updated_at",
    ]
    with transaction.atomic():
        _raw_insert("reviews_case", columns, rows)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM reviews_case WHERE reference LIKE 'BASE-%%'")
            ids = [pk for (pk,) in cursor.fetchall()]
        _raw_insert("core_auditevent", AUDIT_COLUMNS, _audit_rows("reviews.case", ids, now))
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def baseline_learning(content: bytes) -> float:
    """Seconds to parse the tracker with ``csv`` and insert its recommendations, actions, a
    status history row and an audit event for each action with raw multi-row INSERTs, in one
    transaction (rolled back). No evidence, owners or decisions' history."""
    from django.db import connection, transaction

    from sightline.accounts.models import Agency

    started = time.perf_counter()
    now = datetime.datetime.now(datetime.UTC)
    agencies = dict(Agency.objects.values_list("name", "pk"))
    rows = _parsed(content)
    recs: dict[str, dict[str, str]] = {}
    for row in rows:
        recs.setdefault(row["recommendation_ref"], row)
    with transaction.atomic():
        _raw_insert(
            "learning_recommendation",
            [
                "reference",
                "source_type",
                "source_title",
                "text",
                "made_date",
                "decision",
                "decision_reason",
                "created_at",
                "updated_at",
            ],
            [
                (
                    "B" + ref,
                    row["source_type"],
                    row["source"],
                    row["recommendation"],
                    _date(row["made_date"]),
                    row["decision"],
                    "",
                    now,
                    now,
                )
                for ref, row in recs.items()
            ],
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reference, id FROM learning_recommendation WHERE reference LIKE 'BREC-%%'"
            )
            rec_ids = {reference[1:]: pk for reference, pk in cursor.fetchall()}
        _raw_insert(
            "learning_action",
            [
                "reference",
                "recommendation_id",
                "agency_id",
                "description",
                "owner_email",
                "due_date",
                "status",
                "completed_date",
                "completion_imported",
                "closed_reason",
                "version",
                "created_at",
                "updated_at",
            ],
            [
                (
                    "B" + row["action_ref"],
                    rec_ids[row["recommendation_ref"]],
                    agencies[row["agency"]],
                    row["action"],
                    row["owner"],
                    _date(row["due_date"]),
                    row["status"],
                    _date(row["completed_date"]),
                    bool(row["completed_date"]),
                    row["closed_reason"],
                    1,
                    now,
                    now,
                )
                for row in rows
            ],
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, status FROM learning_action WHERE reference LIKE 'BREC-%%'")
            actions = cursor.fetchall()
        _raw_insert(
            "learning_actionstatuschange",
            ["action_id", "status", "on", "via", "recorded_at"],
            [(pk, status, now.date(), "import", now) for pk, status in actions],
        )
        _raw_insert(
            "core_auditevent",
            AUDIT_COLUMNS,
            _audit_rows("learning.action", [pk for pk, _ in actions], now),
        )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


# --- The run ------------------------------------------------------------------------------


def main() -> int:
    started = time.perf_counter()
    with scratch_database() as (backend, _directory):
        from bench_reviews import case_facts
        from django.db import connection

        from sightline.accounts.models import Agency
        from sightline.learning import services as learning
        from sightline.learning.models import Action
        from sightline.reviews import services as reviews
        from sightline.reviews.models import Case, CaseDeadline

        rng = random.Random(SEED)
        Agency.objects.bulk_create(
            [Agency(name=f"Agency {n:02d}", sector="other") for n in range(AGENCIES)]
        )
        half = ROWS // 2
        figures: list[tuple[str, int, dict[str, float], float]] = []

        def run(label: str, function: Callable[..., Any], content: bytes, rows: int) -> None:
            say(f"  {label}: dry run ...")
            dry = timed_import(
                function, actor=None, name="bench.csv", content=content, dry_run=True
            )
            say(f"  {label}: import ...")
            real = timed_import(function, actor=None, name="bench.csv", content=content)
            figures.append((label, rows, real, rows / dry["total"]))
            say(
                f"  {label}: dry run {dry['total']:.1f} s, import {real['total']:.1f} s "
                f"(write {real['write']:.1f} s; this process's CPU {real['cpu']:.1f} s, "
                f"{real['write_cpu']:.1f} s of it writing)"
            )

        case_baseline = learning_baseline = 0.0
        # Cases: a file of new cases, then half of them changed and as many new.
        if "cases" in PARTS:
            say(f"Case file: {ROWS:,} new cases ...")
            new_cases = [case_facts(rng, f"IMP-{n:07d}") for n in range(ROWS)]
            content = case_file(new_cases)
            run("cases, new", reviews.import_cases, content, ROWS)
            assert Case.objects.count() == ROWS, Case.objects.count()
            mixed = [case_facts(rng, f"IMP-{n:07d}") for n in range(half)]
            mixed += [case_facts(rng, f"IMP-{n:07d}") for n in range(ROWS, ROWS + ROWS - half)]
            run("cases, half changed", reviews.import_cases, case_file(mixed), ROWS)
            say(f"  {CaseDeadline.objects.count():,} deadlines")
            base_rows = [case_facts(rng, f"BASE-{n:07d}") for n in range(ROWS)]
            case_baseline = baseline_cases(case_file(base_rows))
            say(f"  raw SQL baseline: {case_baseline:.1f} s")

        # Learning: a tracker of new actions, then half of them changed and as many new.
        if "learning" in PARTS:
            say(f"Learning tracker: {ROWS:,} new actions ...")
            content = tracker_file(tracker_rows(rng, 0, ROWS, revision=0))
            run("learning, new", learning.import_learning, content, ROWS)
            assert Action.objects.count() == ROWS, Action.objects.count()
            content = tracker_file(
                tracker_rows(rng, 0, half, revision=1)
                + tracker_rows(rng, ROWS, ROWS - half, revision=0)
            )
            run("learning, half changed", learning.import_learning, content, ROWS)
            learning_baseline = baseline_learning(
                tracker_file(tracker_rows(rng, 0, ROWS, revision=0))
            )
            say(f"  raw SQL baseline: {learning_baseline:.1f} s")
        vendor = connection.vendor

    bench = harness.BenchRun(started=started, directory=Path("."))
    bench.lines.append(f"Imports at {ROWS:,} rows on {vendor} (rows written a second, end to end)")
    bench.lines.append(
        f"  {'file':<24}{'import':>10}{'(CPU)':>10}{'write step':>12}{'dry run':>10}"
        f"{'baseline':>10}"
    )
    for label, rows, real, dry_rate in figures:
        baseline = case_baseline if label.startswith("cases") else learning_baseline
        bench.lines.append(
            f"  {label:<24}{rows / real['total']:>10,.0f}{rows / real['cpu']:>10,.0f}"
            f"{real['write']:>11.1f}s{dry_rate:>10,.0f}{ROWS / baseline:>10,.0f}"
        )
        bench.verdict(
            rows / real["total"] >= GOAL_ROWS_PER_SECOND,
            f"import {label}: {rows / real['total']:,.0f} rows/s >= {GOAL_ROWS_PER_SECOND:,} "
            f"(raw SQL {ROWS / baseline:,.0f} rows/s)",
        )
        if backend == "sqlite":
            bench.verdict(
                real["write"] < BUSY_TIMEOUT_SECONDS,
                f"import {label}: write transaction {real['write']:.1f} s < busy timeout "
                f"{BUSY_TIMEOUT_SECONDS:.0f} s",
            )
    bench.lines.append(
        "  (rows a second; (CPU): over this process's CPU time, which other work on a shared "
        "machine does not inflate; write step: from 'Saving' to the commit; dry run: "
        "validated rows a second; baseline: csv + raw INSERTs of the rows and an audit "
        "event each, through the driver's executemany)"
    )
    bench.show()
    return 0


if __name__ == "__main__":
    sys.exit(main())
