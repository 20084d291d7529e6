"""Benchmark of the role dashboards at the other benchmarks' sizes: 50,000 cases with their
deadlines, 500,000 learning actions, 5,000 risks, 100,000 data points and 200,000 training
bookings. Each dashboard page's p95 is printed beside raw SQL counting the same rows in the
same run, and each page's query count at a tenth of the data and at all of it.

Run from the repository root: ``make bench`` or ``.venv/bin/python bench/bench_dashboards.py``.
It always measures on a fresh SQLite database in a temporary directory. When
``DATABASE_URL`` names a PostgreSQL database it then measures there too, in a schema of its
own (``bench_dashboards``) that it creates and drops, so nothing else in that database is
touched. Nothing in ``var/`` is touched. The exit code is 1 when a goal is missed (p95 under
150 ms for every dashboard, the same query count at both sizes).
"""

import datetime
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import harness
from harness import say

STEPS = 10  # the data is built in ten equal steps; queries are counted after the first
CASES = 50_000  # as bench_reviews.py
RECOMMENDATIONS = 50_000  # ten actions each: 500,000, as bench_learning.py
ACTIONS_PER_RECOMMENDATION = 10
RISKS = 5_000  # as bench_risk_register.py and bench_executive_pack.py
MEASURES = 1_000  # a hundred quarters each: 100,000 data points, as bench_executive_pack.py
QUARTERS = 100
SESSIONS = 8_000  # 25 bookings each: 200,000, as bench_training_report.py
PER_SESSION = 25
DELEGATES = 30_000
AGENCIES = 60
COURSES = 80
AUDITS = 200
EMAILS = 2_000
REQUESTS = 50
BATCH = 5_000
SEED = 20261203
SCHEMA = "bench_dashboards"

GOAL_P95_MS = 150.0
OPEN = ("not_started", "on_track", "at_risk")
STATUSES = ("not_started", "on_track", "at_risk", "complete", "closed_incomplete")
STATUS_WEIGHTS = (15, 25, 10, 40, 10)


# --- Generated data -----------------------------------------------------------------------


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def reference_data_add(rng: random.Random) -> dict[str, Any]:
    """Agencies with their workforce, one person in each role in the first agency, the
    delegates, courses and trainers."""
    from django.utils import timezone

    from sightline.accounts.models import Agency, Membership, User
    from sightline.training.models import Course

    today, now = timezone.localdate(), timezone.now()
    sectors = ("police", "health", "childrens_services", "education", "voluntary")
    Agency.objects.bulk_create(
        [
            Agency(
                name=f"Bench Agency {n:02d}",
                sector=sectors[n % len(sectors)],
                workforce=rng.randint(40, 4_000) if n % 7 else None,
            )
            for n in range(1, AGENCIES + 1)
        ]
    )
    agencies = list(Agency.objects.filter(name__startswith="Bench Agency ").order_by("pk"))
    people = {}
    for role in (
        "administrator",
        "review_officer",
        "review_group_member",
        "agency_lead",
        "trainer",
        "practitioner",
    ):
        user = User.objects.create_user(f"bench-{role}@example.test", None, full_name=role)
        Membership.objects.create(user=user, agency=agencies[0], role=role)
        people[role] = user
    User.objects.bulk_create(
        [
            User(email=f"delegate{n}@example.test", full_name=f"Delegate {n}", password="!")
            for n in range(DELEGATES)
        ],
        batch_size=BATCH,
    )
    delegates = list(User.objects.filter(email__startswith="delegate").values_list("pk", flat=True))
    Course.objects.bulk_create(
        [
            Course(
                title=f"Bench course {n:02d}",
                outline="Outline.",
                audience="both",
                level="awareness",
                learning_outcomes="One",
                review_date=today + datetime.timedelta(days=rng.randint(-400, 400)),
                created_at=now,
                updated_at=now,
            )
            for n in range(COURSES)
        ]
    )
    return {
        "today": today,
        "agencies": agencies,
        "people": people,
        "delegates": delegates,
        "works_at": {pk: rng.choice(agencies) for pk in delegates},
        "courses": list(Course.objects.order_by("pk")),
        "standard": _standard(),
    }


def _standard() -> Any:
    from sightline.reviews.models import TimelinessStandard

    return TimelinessStandard.objects.get(code="child.rapid_review")


def cases_add(rng: random.Random, data: dict[str, Any], step: int) -> None:
    """A tenth of the cases, each involving two agencies and with one deadline not yet met,
    due from three years ago to a year ahead; the review officer runs one case in twenty."""
    from django.utils import timezone

    from sightline.learning.models import DisseminationReturn
    from sightline.reviews.models import Case, CaseDeadline

    today, now = data["today"], timezone.now()
    per_step = CASES // STEPS
    cases = [
        Case(
            reference=f"BD-{step * per_step + n:05d}",
            route="child",
            incident_aware_date=today - datetime.timedelta(days=rng.randint(0, 6 * 365)),
            stage="decision",
            opened_on=today,
            officer=data["people"]["review_officer"] if n % 20 == 0 else None,
            created_at=now,
            updated_at=now,
        )
        for n in range(per_step)
    ]
    Case.objects.bulk_create(cases, batch_size=BATCH)
    involved = {case.pk: rng.sample(data["agencies"], 2) for case in cases}
    Case.agencies.through.objects.bulk_create(
        [
            Case.agencies.through(case_id=pk, agency_id=agency.pk)
            for pk, agencies in involved.items()
            for agency in agencies
        ],
        batch_size=BATCH,
    )
    CaseDeadline.objects.bulk_create(
        [
            CaseDeadline(
                case=case,
                standard=data["standard"],
                due=_day(
                    rng, today - datetime.timedelta(days=3 * 365), today + datetime.timedelta(365)
                ),
            )
            for case in cases
        ],
        batch_size=BATCH,
    )
    # Three in ten reviews published, each agency involved asked for a return.
    DisseminationReturn.objects.bulk_create(
        [
            DisseminationReturn(
                case_id=pk,
                agency=agency,
                requested_on=today - datetime.timedelta(days=rng.randint(0, 700)),
                returned_on=today if rng.random() < 0.7 else None,
            )
            for pk, agencies in involved.items()
            if rng.random() < 0.3
            for agency in agencies
        ],
        batch_size=BATCH,
    )


def learning_add(rng: random.Random, data: dict[str, Any], step: int) -> None:
    """A tenth of the recommendations, ten actions each, due over five years."""
    from django.utils import timezone

    from sightline.learning.models import Action, Recommendation

    today, now = data["today"], timezone.now()
    per_step = RECOMMENDATIONS // STEPS
    recs = [
        Recommendation(
            reference=f"BDR-{step * per_step + n:05d}",
            source_type="other",
            source_title=f"Bench source {n % 40}",
            text="Partners should strengthen practice.",
            made_date=_day(rng, today - datetime.timedelta(days=5 * 365), today),
            decision=rng.choice(("accepted", "accepted", "accepted", "")),
            created_at=now,
            updated_at=now,
        )
        for n in range(per_step)
    ]
    Recommendation.objects.bulk_create(recs, batch_size=BATCH)
    actions = []
    for rec in recs:
        for index in range(1, ACTIONS_PER_RECOMMENDATION + 1):
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            actions.append(
                Action(
                    reference=f"{rec.reference}-A{index}",
                    recommendation=rec,
                    agency=rng.choice(data["agencies"]),
                    description="Brief every team and audit a sample of files.",
                    due_date=rec.made_date + datetime.timedelta(days=rng.randint(30, 540)),
                    status=status,
                    completed_date=today if status == "complete" else None,
                    closed_reason="Superseded." if status == "closed_incomplete" else "",
                    closed_date=today if status == "closed_incomplete" else None,
                    created_at=now,
                    updated_at=now,
                )
            )
    Action.objects.bulk_create(actions, batch_size=BATCH)


def assurance_add(rng: random.Random, data: dict[str, Any], step: int) -> None:
    """A tenth of the risks, audits with a return from each of twenty agencies, and measures
    with a hundred quarters of figures."""
    from decimal import Decimal

    from django.utils import timezone

    from sightline.assurance.models import Audit, AuditReturn, DataPoint, Group, Measure, Risk
    from sightline.assurance.quarters import Quarter

    today, now = data["today"], timezone.now()
    owner = data["people"]["administrator"]
    risks = []
    for number in range(step * RISKS // STEPS, (step + 1) * RISKS // STEPS):
        likelihood, impact = rng.randint(1, 5), rng.randint(1, 5)
        reviewed = today - datetime.timedelta(days=rng.randint(0, 200))
        closed = rng.random() < 0.7
        risks.append(
            Risk(
                reference=f"BDK-{number:05d}",
                title=f"Bench risk {number}",
                category="operational",
                owner=owner,
                cause="Demand.",
                consequence="Waits.",
                inherent_likelihood=5,
                inherent_impact=5,
                residual_likelihood=likelihood,
                residual_impact=impact,
                inherent_score=25,
                residual_score=likelihood * impact,
                status="closed" if closed else "open",
                closed_on=today if closed else None,
                opened_on=reviewed,
                last_reviewed_on=reviewed,
                next_review_on=reviewed + datetime.timedelta(days=90),
                created_at=now,
                updated_at=now,
            )
        )
    Risk.objects.bulk_create(risks, batch_size=BATCH)
    audits = [
        Audit(
            title=f"Bench audit {step}-{n}",
            scope="Files.",
            quarter_start=Quarter.containing(today).start,
            status="in_progress",
            created_at=now,
            updated_at=now,
        )
        for n in range(AUDITS // STEPS)
    ]
    Audit.objects.bulk_create(audits)
    AuditReturn.objects.bulk_create(
        [
            AuditReturn(
                audit=audit,
                agency=agency,
                requested_on=today,
                returned_on=today if rng.random() < 0.6 else None,
                answers="Yes.",
            )
            for audit in audits
            for agency in rng.sample(data["agencies"], 20)
        ],
        batch_size=BATCH,
    )
    group = Group.objects.create(name=f"Bench group {step}", kind="subgroup")
    quarters = [Quarter.containing(today)]
    while len(quarters) < QUARTERS:
        quarters.append(quarters[-1].previous())
    measures = Measure.objects.bulk_create(
        [
            Measure(
                code=f"BDM-{step}-{n:03d}",
                name=f"Bench measure {step}-{n}",
                dataset="Children in need census",
                unit="number",
                group=group,
                threshold=Decimal(100),
                direction="above",
                created_at=now,
                updated_at=now,
            )
            for n in range(MEASURES // STEPS)
        ]
    )
    DataPoint.objects.bulk_create(
        [
            DataPoint(
                measure=measure,
                quarter_start=quarter.start,
                value=Decimal(round(rng.gauss(85, 10), 2)),
                recorded_at=now,
            )
            for measure in measures
            for quarter in quarters
        ],
        batch_size=BATCH,
    )


def training_add(rng: random.Random, data: dict[str, Any], step: int) -> None:
    """A tenth of the sessions, over the last four years and the next one, 25 bookings each;
    the bench trainer runs one in ten and the bench practitioner books one in fifty."""
    from django.utils import timezone

    from sightline.core.models import OutboxMessage
    from sightline.training.models import Booking, Evaluation, Session

    now = timezone.now()
    trainer, practitioner = data["people"]["trainer"], data["people"]["practitioner"]
    sessions = []
    for n in range(SESSIONS // STEPS):
        starts = now + datetime.timedelta(days=rng.randint(-4 * 365, 365), hours=rng.randint(0, 9))
        sessions.append(
            Session(
                course=rng.choice(data["courses"]),
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=3),
                mode="online",
                joining_link="https://meet.example.test/bench",
                capacity=PER_SESSION,
                trainer=trainer if n % 10 == 0 else data["people"]["administrator"],
                register_marked_at=now if starts < now and rng.random() < 0.98 else None,
                created_at=now,
                updated_at=now,
            )
        )
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    bookings, evaluations = [], []
    for number, session in enumerate(sessions):
        past = session.starts_at < now
        delegates = rng.sample(data["delegates"], PER_SESSION)
        if number % 50 == 0:
            delegates[0] = practitioner.pk
        for delegate in delegates:
            agency = data["works_at"].get(delegate, data["agencies"][0])
            attended = past and session.register_marked_at is not None and rng.random() < 0.8
            bookings.append(
                Booking(
                    session=session,
                    delegate_id=delegate,
                    agency=agency,
                    sector=agency.sector,
                    status="confirmed",
                    attendance="attended" if attended else "",
                    booked_at=now,
                    status_changed_at=now,
                    evaluated_on=session.starts_at.date()
                    if attended and rng.random() < 0.5
                    else None,
                    impact_requested_at=now if attended and rng.random() < 0.3 else None,
                )
            )
            if attended and rng.random() < 0.4:
                evaluations.append(
                    Evaluation(
                        session=session,
                        rating="good",
                        confidence_before=2,
                        confidence_after=4,
                        will_do_differently="Ask sooner.",
                        submitted_on=session.starts_at.date(),
                    )
                )
    Booking.objects.bulk_create(bookings, batch_size=BATCH)
    Evaluation.objects.bulk_create(evaluations, batch_size=BATCH)
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                key=f"bench:{step}:{n}",
                kind="bench",
                recipient="someone@example.test",
                subject="A reminder",
                status="dead" if n % 40 == 0 else "sent",
            )
            for n in range(EMAILS // STEPS)
        ],
        batch_size=BATCH,
    )


def step_add(rng: random.Random, data: dict[str, Any], step: int) -> None:
    from django.db import transaction

    with transaction.atomic():
        cases_add(rng, data, step)
        learning_add(rng, data, step)
        assurance_add(rng, data, step)
        training_add(rng, data, step)


# --- The same rows counted in raw SQL -------------------------------------------------------


def baselines(data: dict[str, Any]) -> dict[str, tuple[str, list[Any]]]:
    """For each dashboard, one statement counting the rows it shows: its figures without the
    pages, the selectors or the ORM."""
    today = data["today"]
    soon = today + datetime.timedelta(days=14)
    month = today + datetime.timedelta(days=30)
    year_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=365)
    now = datetime.datetime.now(datetime.UTC)
    people = data["people"]
    agency = data["agencies"][0].pk
    open_in = "status IN ('not_started', 'on_track', 'at_risk')"
    business_unit = f"""
        SELECT
          (SELECT COUNT(*) FROM reviews_casedeadline WHERE due < %s),
          (SELECT COUNT(*) FROM reviews_casedeadline WHERE due >= %s AND due <= %s),
          (SELECT COUNT(*) FROM learning_action WHERE {open_in} AND due_date < %s),
          (SELECT COUNT(*) FROM learning_disseminationreturn WHERE returned_on IS NULL),
          (SELECT COUNT(*) FROM assurance_auditreturn WHERE returned_on IS NULL),
          (SELECT COUNT(*) FROM assurance_risk WHERE status = 'open' AND residual_score > 9),
          (SELECT COUNT(*) FROM assurance_risk WHERE status = 'open' AND next_review_on < %s),
          (SELECT COUNT(*) FROM training_session
             WHERE ends_at < %s AND NOT is_cancelled AND register_marked_at IS NULL),
          (SELECT COUNT(*) FROM core_outboxmessage WHERE status = 'dead')
    """
    by_agency = f"""
        SELECT a.agency_id, a.open, a.overdue, a.due_soon, b.people
        FROM (SELECT agency_id, COUNT(*) AS open,
                     SUM(CASE WHEN due_date < %s THEN 1 ELSE 0 END) AS overdue,
                     SUM(CASE WHEN due_date >= %s AND due_date <= %s THEN 1 ELSE 0 END)
                       AS due_soon
              FROM learning_action WHERE {open_in} GROUP BY agency_id) a
        LEFT JOIN (SELECT bk.agency_id, COUNT(DISTINCT bk.delegate_id) AS people
                   FROM training_booking bk
                   JOIN training_session s ON s.id = bk.session_id
                   WHERE bk.attendance IN ('attended', 'left_early') AND s.starts_at >= %s
                   GROUP BY bk.agency_id) b ON b.agency_id = a.agency_id
    """
    review_group = f"""
        SELECT
          (SELECT COUNT(*) FROM reviews_casedeadline d
             WHERE d.due <= %s AND EXISTS (SELECT 1 FROM reviews_case_agencies ca
               WHERE ca.case_id = d.case_id AND ca.agency_id = %s)),
          (SELECT COUNT(*) FROM learning_recommendation WHERE decision = ''),
          (SELECT COUNT(*) FROM learning_action
             WHERE {open_in} AND agency_id = %s AND due_date <= %s)
    """
    trainer = """
        SELECT
          (SELECT COUNT(*) FROM training_session
             WHERE trainer_id = %s AND starts_at > %s AND starts_at <= %s),
          (SELECT COUNT(*) FROM training_session
             WHERE trainer_id = %s AND ends_at < %s AND register_marked_at IS NULL),
          (SELECT COUNT(*) FROM training_course WHERE is_active AND review_date < %s),
          (SELECT COUNT(*) FROM training_booking bk JOIN training_session s
             ON s.id = bk.session_id WHERE s.trainer_id = %s
             AND bk.impact_requested_at IS NOT NULL AND bk.impact_answered_on IS NULL)
    """
    practitioner = """
        SELECT s.starts_at, bk.status, bk.attendance, bk.evaluated_on, bk.impact_requested_at
        FROM training_booking bk JOIN training_session s ON s.id = bk.session_id
        WHERE bk.delegate_id = %s ORDER BY s.starts_at
    """
    teaching_until = now + datetime.timedelta(days=28)
    me = people["trainer"].pk
    return {
        "business_unit": (business_unit, [today, today, soon, today, today, now]),
        "agency": (by_agency, [today, today, month, year_ago]),
        "agencies": (by_agency, [today, today, month, year_ago]),
        "review_group": (review_group, [soon, agency, agency, month]),
        "trainer": (trainer, [me, now, teaching_until, me, now, today, me]),
        "practitioner": (practitioner, [people["practitioner"].pk]),
    }


def sql_times(sql: str, params: list[Any], count: int) -> list[float]:
    from django.db import connection

    def run(_n: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return harness.call_times(run, count)


# --- The run --------------------------------------------------------------------------------


def pages(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Each dashboard: who opens it, and its address."""
    from django.urls import reverse

    agency = data["agencies"][0].pk
    return {
        "business_unit": ("administrator", reverse("reports:business_unit_dashboard")),
        "agency": ("agency_lead", reverse("reports:agency_dashboard", kwargs={"pk": agency})),
        "agencies": ("administrator", reverse("reports:agency_comparison")),
        "review_group": ("review_group_member", reverse("reports:review_group_dashboard")),
        "trainer": ("trainer", reverse("reports:trainer_dashboard")),
        "practitioner": ("practitioner", reverse("reports:practitioner_dashboard")),
    }


def sizes() -> str:
    from sightline.learning.models import Action
    from sightline.reviews.models import CaseDeadline
    from sightline.training.models import Booking

    return (
        f"{CaseDeadline.objects.count():,} deadlines, {Action.objects.count():,} actions, "
        f"{Booking.objects.count():,} bookings"
    )


def measure(run: harness.BenchRun, database: str) -> None:
    from django.db import connection

    rng = random.Random(SEED)
    say(f"Building the data in {STEPS} steps on {database} ...")
    started = time.perf_counter()
    data = reference_data_add(rng)
    step_add(rng, data, 0)
    targets = pages(data)
    clients = {role: harness.signed_in_client(data["people"][role]) for role, _ in targets.values()}
    small = {
        name: harness.count_queries(clients[role], [url])[url]
        for name, (role, url) in targets.items()
    }
    small_sizes = sizes()
    for step in range(1, STEPS):
        step_add(rng, data, step)
    with connection.cursor() as cursor:
        # As a live database would be: statistics gathered and (on PostgreSQL) the visibility
        # map set by autovacuum, without which no index-only scan is possible.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    say(f"  built in {time.perf_counter() - started:.0f} s: {sizes()}")
    large = {
        name: harness.count_queries(clients[role], [url])[url]
        for name, (role, url) in targets.items()
    }
    raw = baselines(data)
    run.lines.append(f"{database}: {sizes()} (queries also counted at {small_sizes})")
    run.lines.append(
        f"{'Dashboard':<16}{'page p50':>10}{'page p95':>10}{'raw SQL p95':>13}  queries"
    )
    for name, (role, url) in targets.items():
        p50, p95 = harness.p50_p95(harness.request_times(clients[role], url, REQUESTS))
        _, sql_p95 = harness.p50_p95(sql_times(*raw[name], REQUESTS))
        few, many = len(small[name]), len(large[name])
        run.lines.append(
            f"{name:<16}{p50:>8.1f}ms{p95:>8.1f}ms{sql_p95:>11.1f}ms  {few} then {many}"
        )
        run.verdict(
            p95 <= GOAL_P95_MS, f"{database} {name}: p95 {p95:.1f} ms (goal {GOAL_P95_MS:.0f} ms)"
        )
        run.verdict(few == many, f"{database} {name}: {few} queries at a tenth, {many} at all")
    if "--explain" in sys.argv:
        explain(large)


SLOW_QUERY_MS = 5.0


def explain(page_queries: dict[str, list[str]]) -> None:
    """``EXPLAIN ANALYZE`` of each dashboard's queries (PostgreSQL): the time of each, and
    the whole plan of any slower than SLOW_QUERY_MS, to read which index it uses."""
    from django.db import connection

    for name, queries in page_queries.items():
        say(f"\nEXPLAIN ANALYZE, {name}:")
        for sql in queries:
            if not sql.lstrip().upper().startswith("SELECT") or "django_session" in sql:
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = [row[0] for row in cursor.fetchall()]
            took = next(line for line in plan if line.startswith("Execution Time"))
            milliseconds = float(took.split()[2])
            say(f"  {milliseconds:8.2f} ms  {sql[:110]}")
            if milliseconds > SLOW_QUERY_MS:
                for line in plan:
                    say(f"      {line}")


@contextmanager
def postgres_database(url: str) -> Iterator[harness.BenchRun]:
    """Django on the PostgreSQL database ``url`` names, in a schema of the benchmark's own,
    created empty, migrated, and dropped at the end."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sightline-bench-") as directory:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        os.environ["SIGHTLINE_VAR_DIR"] = directory
        if str(harness.ROOT) not in sys.path:
            sys.path.insert(0, str(harness.ROOT))
        os.chdir(harness.ROOT)
        import django
        from django.conf import settings

        django.setup()
        database = settings.DATABASES["default"]
        database.setdefault("OPTIONS", {})["options"] = f"-c search_path={SCHEMA}"
        settings.DEBUG = False
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        from django.core.management import call_command
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            cursor.execute(f"CREATE SCHEMA {SCHEMA}")
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        say(f"Sightline dashboards benchmark ({os.cpu_count()} CPUs, PostgreSQL {version})")
        say(f"  database: {database['NAME']}, schema {SCHEMA}")
        call_command("migrate", verbosity=0)
        try:
            yield harness.BenchRun(started=started, directory=Path(directory))
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            connection.close()


def main() -> int:
    logging.disable(logging.WARNING)
    url = os.environ.get("DATABASE_URL", "")
    if "--postgres" in sys.argv:
        with postgres_database(url) as run:
            measure(run, "PostgreSQL")
            run.show()
        return 0 if run.passed else 1
    with harness.bench_database("dashboards") as run:
        measure(run, "SQLite")
        run.show()
    passed = run.passed
    if url.startswith(("postgres://", "postgresql://")):
        # Django is set up once in a process: PostgreSQL is measured in a process of its own.
        child = subprocess.run(
            [sys.executable, __file__, "--postgres"], env={**os.environ, "DATABASE_URL": url}
        )
        passed = passed and child.returncode == 0
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
