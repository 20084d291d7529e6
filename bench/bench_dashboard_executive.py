"""Benchmark of the executive member's dashboard (and the Executive pack, which now carries
the same trends) at the Executive pack benchmark's sizes: 5,000 risks with their assessment
history, 100,000 data points, 10,000 learning actions, 1,500 cases, plus 20,000 training
bookings over the last two years.

Each page's p50 and p95 are printed beside the same page's SQL run raw (the statements one
request makes, captured and then executed through a bare cursor, so the rows are the same)
and beside ``GET /health/``, all measured in the same run, with the query count at a tenth
of the data and at all of it. The goals: p95 under 150 ms and the same query count at both
sizes. On PostgreSQL it also prints ``EXPLAIN ANALYZE`` of the dashboard's slowest
statements.

Run from the repository root: ``make bench`` or
``.venv/bin/python bench/bench_dashboard_executive.py``. It runs on a fresh SQLite database
in a temporary directory, and then, when ``DATABASE_URL`` names a PostgreSQL database, again
on that database, whose tables it drops and migrates afresh first: give it a database kept
for benchmarks. Nothing in ``var/`` is touched. The exit code is 1 when a goal is missed.
"""

import datetime
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bench_executive_pack as pack_bench
import harness
from harness import say

REQUESTS = 50
RAW_RUNS = 20
SESSIONS = 800
BOOKINGS_PER_SESSION = 25
EXPLAINED = 3  # the dashboard's slowest statements explained on PostgreSQL
SEED = 20261203
GOAL_P95_MS = 150.0
POSTGRES = ("postgres://", "postgresql://")


# --- The database ----------------------------------------------------------------------------


@contextmanager
def postgres_database(url: str, title: str) -> Iterator[harness.BenchRun]:
    """Django set up on the PostgreSQL database at ``url``, emptied and migrated afresh, with
    ``DEBUG`` off and the test client's host allowed (as ``harness.bench_database`` does for
    SQLite)."""
    import tempfile

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sightline-bench-") as directory:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        os.environ["SIGHTLINE_VAR_DIR"] = directory
        os.environ["DATABASE_URL"] = url
        if str(harness.ROOT) not in sys.path:
            sys.path.insert(0, str(harness.ROOT))
        os.chdir(harness.ROOT)

        import django

        django.setup()

        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        settings.DEBUG = False
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        say(f"Sightline {title} benchmark ({os.cpu_count()} CPUs, {version})")
        say(f"  database: {settings.DATABASES['default']['NAME']}")
        call_command("migrate", verbosity=0)
        try:
            yield harness.BenchRun(started=started, directory=Path(directory))
        finally:
            connection.close()


# --- Generated data beyond the pack's --------------------------------------------------------


def assessments_add(rng: random.Random) -> None:
    """Each risk's history: 2 to 5 assessments from its opening, the last at its scores now,
    the earlier ones up to two points either side."""
    from django.utils import timezone

    from sightline.assurance.models import Risk, RiskAssessment

    now, today = timezone.now(), timezone.localdate()
    rows = []
    for risk in Risk.objects.order_by("pk").iterator(chunk_size=2000):
        end = risk.closed_on or today
        count = rng.randint(2, 5)
        span = max(1, (end - risk.opened_on).days)
        for index in range(count):
            last = index == count - 1
            rows.append(
                RiskAssessment(
                    risk_id=risk.pk,
                    assessed_on=risk.opened_on + datetime.timedelta(days=span * index // count),
                    inherent_likelihood=risk.inherent_likelihood,
                    inherent_impact=risk.inherent_impact,
                    residual_likelihood=risk.residual_likelihood
                    if last
                    else max(1, min(5, risk.residual_likelihood + rng.randint(-2, 2))),
                    residual_impact=risk.residual_impact,
                    recorded_at=now,
                )
            )
    RiskAssessment.objects.bulk_create(rows, batch_size=pack_bench.BATCH)


def training_add(rng: random.Random, data: dict[str, Any], sessions: int) -> None:
    """Sessions over the last two years with 25 bookings each, most attended, and the
    workforce of three sectors."""
    from django.utils import timezone

    from sightline.accounts.models import Sector, User
    from sightline.training.models import Booking, Course, SectorWorkforce, Session

    now = timezone.now()
    if not SectorWorkforce.objects.exists():
        SectorWorkforce.objects.bulk_create(
            [
                SectorWorkforce(sector=Sector.POLICE, headcount=4000, source="Bench"),
                SectorWorkforce(sector=Sector.HEALTH, headcount=9000, source="Bench"),
                SectorWorkforce(sector=Sector.EDUCATION, headcount=6000, source="Bench"),
            ]
        )
    course = Course.objects.first() or Course.objects.create(
        title="Bench course",
        outline="Safeguarding basics.",
        audience="both",
        level="awareness",
        learning_outcomes="Know how to raise a concern.",
        review_date=now.date() + datetime.timedelta(days=365),
    )
    trainer = data["executive"]
    rows = []
    for _ in range(sessions):
        starts = now - datetime.timedelta(days=rng.randint(0, 730), hours=rng.randint(0, 8))
        rows.append(
            Session(
                course=course,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=3),
                mode="online",
                joining_link="https://meet.example.test/bench",
                capacity=BOOKINGS_PER_SESSION,
                trainer=trainer,
            )
        )
    Session.objects.bulk_create(rows, batch_size=pack_bench.BATCH)
    delegates = data.setdefault("delegates", [])
    if not delegates:
        User.objects.bulk_create(
            [
                User(email=f"delegate{n}@example.test", full_name=f"Delegate {n}", password="!")
                for n in range(3000)
            ],
            batch_size=pack_bench.BATCH,
        )
        delegates += list(
            User.objects.filter(email__startswith="delegate").values_list("pk", flat=True)
        )
    sectors = (Sector.POLICE, Sector.HEALTH, Sector.EDUCATION, Sector.HOUSING)
    bookings = [
        Booking(
            session=session,
            delegate_id=delegate,
            agency=rng.choice(data["agencies"]),
            sector=rng.choice(sectors),
            manager_email="manager@example.test",
            status="confirmed",
            attendance=rng.choices(("attended", "left_early", "did_not_attend"), (80, 5, 15))[0],
            booked_at=now,
            status_changed_at=now,
        )
        for session in rows
        for delegate in rng.sample(delegates, BOOKINGS_PER_SESSION)
    ]
    Booking.objects.bulk_create(bookings, batch_size=pack_bench.BATCH)


def sizes() -> str:
    from sightline.assurance.models import RiskAssessment
    from sightline.training.models import Booking

    return (
        f"{pack_bench.sizes()}, {RiskAssessment.objects.count():,} risk assessments, "
        f"{Booking.objects.count():,} bookings"
    )


# --- Measuring -------------------------------------------------------------------------------


def raw_times(statements: list[str], runs: int) -> list[float]:
    """Milliseconds for each of ``runs`` executions of ``statements`` through a bare cursor,
    every row fetched, after one untimed."""
    from django.db import connection

    def once() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()

    once()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        once()
        times.append((time.perf_counter() - started) * 1000)
    return times


def selects(statements: list[str]) -> list[str]:
    """The page's reads, without the session and savepoint statements around them."""
    return [sql for sql in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


def slowest(statements: list[str], count: int) -> list[tuple[float, str]]:
    from django.db import connection

    timed = []
    for sql in statements:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            timed.append(((time.perf_counter() - started) * 1000, sql))
    return sorted(timed, reverse=True)[:count]


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


# --- Main ------------------------------------------------------------------------------------


def measure(url: str | None) -> int:
    title = "executive dashboard"
    database = postgres_database(url, title) if url is not None else harness.bench_database(title)
    with database as run:
        from django.db import connection
        from django.urls import reverse
        from django.utils import timezone

        today = timezone.localdate()
        rng = random.Random(SEED)
        data = pack_bench.reference_data_add(today)
        client = harness.signed_in_client(data["executive"])
        dashboard = reverse("reports:executive_dashboard")
        urls = [dashboard, reverse("reports:pack")]
        engine = connection.vendor

        say("Generating a tenth of the data ...")
        started = time.perf_counter()
        pack_bench.step_add(rng, data, 0)
        pack_bench.priority_updates_add(data)
        training_add(rng, data, SESSIONS // pack_bench.STEPS)
        small = sizes()
        say(f"  {small} in {time.perf_counter() - started:.1f} s")
        queries_small = harness.count_queries(client, urls)

        say("Growing to all of it ...")
        started = time.perf_counter()
        for step in range(1, pack_bench.STEPS):
            pack_bench.step_add(rng, data, step)
        training_add(rng, data, SESSIONS - SESSIONS // pack_bench.STEPS)
        assessments_add(rng)
        if engine == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        large = sizes()
        say(f"  {large} in {time.perf_counter() - started:.1f} s")
        queries_large = harness.count_queries(client, urls)

        say(f"Timing {REQUESTS} requests of each page and {RAW_RUNS} runs of its raw SQL ...")
        page_times = {url: harness.request_times(client, url, REQUESTS) for url in urls}
        raw = {url: raw_times(selects(queries_large[url]), RAW_RUNS) for url in urls}
        health_times = harness.request_times(client, reverse("health"), REQUESTS)

        run.lines.append(f"{engine}: {large}")
        for url in urls:
            p50, p95 = harness.p50_p95(page_times[url])
            raw50, raw95 = harness.p50_p95(raw[url])
            run.lines.append(f"  GET {url:34} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
            run.lines.append(
                f"    its {len(selects(queries_large[url]))} SELECTs raw{'':14}"
                f" p50 {raw50:7.1f} ms   p95 {raw95:7.1f} ms"
            )
            run.verdict(
                p95 < GOAL_P95_MS, f"{engine} {url} p95 {p95:.1f} ms < {GOAL_P95_MS:.0f} ms"
            )
        p50, p95 = harness.p50_p95(health_times)
        run.lines.append(f"  baseline GET /health/{'':21} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
        run.lines.append("  queries per request, at a tenth of the data then at all of it")
        for url in urls:
            before, after = len(queries_small[url]), len(queries_large[url])
            run.lines.append(f"    {url:34} {before:4} then {after:4}")
            run.verdict(
                before == after, f"{engine} {url} queries {before} == {after} at ten times the data"
            )
        run.lines.append("  the dashboard's slowest statements")
        for milliseconds, sql in slowest(selects(queries_large[dashboard]), EXPLAINED):
            run.lines.append(f"    {milliseconds:7.1f} ms  {sql[:110]}")
            if engine == "postgresql":
                run.lines.extend(f"        {line}" for line in explain(sql))
        run.show()
    return 0 if run.passed else 1


def main() -> int:
    """SQLite always; PostgreSQL too when ``DATABASE_URL`` names it. Each in its own process,
    since Django is set up once a process."""
    if len(sys.argv) > 1:
        return measure(None if sys.argv[1] == "sqlite" else sys.argv[1])
    url = os.environ.get("DATABASE_URL", "")
    targets = ["sqlite", *([url] if url.startswith(POSTGRES) else [])]
    failed = 0
    for target in targets:
        failed |= subprocess.run([sys.executable, __file__, target], check=False).returncode
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
