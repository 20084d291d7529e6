"""The shared full-size dataset of issue 14, generated once and reused by the benchmarks.

``ensure_dataset()`` sets Django up on the benchmark's own database and makes sure it holds
a realistic partnership at the sizes of issue 14:

- 53,000 cases over the child, adult, dhr and local routes, milestones in order, each
  involving one to three agencies, their deadlines counted by the app's own
  ``deadlines_refresh()``;
- 50,000 recommendations with 500,000 learning actions over 60 agencies (three big ones hold
  about a third of them), due up to a year ahead, about one in eight open and overdue, with
  their status and decision history, and about 150,000 evidence records;
- 8,000 training sessions with 200,000 bookings, 5,000 risks, 100,000 data points, audits
  with their returns, dissemination returns, groups with their quarterly returns;
- one user for each of the seven roles, who can sign in (``harness.PASSWORD``), with
  memberships that make their pages real: the agency lead leads the biggest agency, the
  executive owns risks, the trainer runs sessions, the practitioner has bookings, the
  review officer runs cases, the review group member's agency is in many cases.

Where: on SQLite (no ``DATABASE_URL``) the file ``var/bench/bench.sqlite3``. On PostgreSQL,
``SIGHTLINE_BENCH_DATABASE_URL`` when set; otherwise the server ``DATABASE_URL`` names but a
database of the benchmark's own, the URL's database name with ``_bench`` added (created when
missing), or the URL's own database when its name already ends in ``_bench``. Never the
user's own data.

Reuse: a table of the benchmark's own, ``bench_dataset``, records ``DATASET_VERSION`` and a
fingerprint of the migrations on disk. When both match, the data is reused as it is; when
either differs (or the table is missing), the database is emptied, migrated and built again.
Building takes a few minutes on two cores; it ends with ``VACUUM ANALYZE`` on PostgreSQL.

Run ``.venv/bin/python bench/dataset.py`` to build it (``--rebuild`` to force a rebuild).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import random
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from harness import PASSWORD, say  # noqa: E402

# Raise it whenever the generators change, so every stored dataset is rebuilt.
DATASET_VERSION = 1
SEED = 20261203
BATCH = 5_000

# SIGHTLINE_BENCH_SCALE (for example 0.02) builds a smaller dataset to try the scripts out
# quickly; issue 14's figures need the full size, 1.
SCALE = float(os.environ.get("SIGHTLINE_BENCH_SCALE", "1"))


def _scaled(count: int) -> int:
    return max(100, round(count * SCALE))


CASES = _scaled(53_000)
RECOMMENDATIONS = _scaled(50_000)
ACTIONS_PER_RECOMMENDATION = 10
AGENCIES = 60
BIG_AGENCIES = 3  # with about a third of the actions between them
RISKS = _scaled(5_000)
MEASURES = 1_000
QUARTERS = 100  # of data for each measure: 100,000 data points
GROUPS = 40
RETURN_QUARTERS = 12
SESSIONS = _scaled(8_000)
PER_SESSION = 25  # bookings: 200,000
DELEGATES = _scaled(30_000)
COURSES = 80
AUDITS = 200
OWNERS = 30
EMAILS = 2_000
CHUNK = 1_000  # recommendations generated and written at a time

ROLES = (
    "administrator",
    "review_officer",
    "review_group_member",
    "agency_lead",
    "executive",
    "trainer",
    "practitioner",
)
SECTORS = (
    "childrens_services",
    "adult_social_care",
    "police",
    "health",
    "education",
    "probation",
    "housing",
    "voluntary",
)
OPEN = ("not_started", "on_track", "at_risk")
DECISIONS = ("accepted", "accepted_in_part", "not_accepted", "")
DECISION_WEIGHTS = (60, 15, 10, 15)
METHODS = ("briefing", "team_meeting", "training", "newsletter", "webinar", "podcast")
SOURCE_KINDS = (
    "Thematic review",
    "Multi-agency audit",
    "Inspection report",
    "Learning event",
    "Rapid review",
    "National panel briefing",
)
MARKER = "bench_dataset"


# --- Where the dataset lives ---------------------------------------------------------------


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def bench_url(database_url: str | None = None, override: str | None = None) -> str:
    """The benchmark database's URL for the user's ``DATABASE_URL``: ``override``
    (``SIGHTLINE_BENCH_DATABASE_URL``) when given; on PostgreSQL the same server with
    ``_bench`` added to the database's name (unless it already ends so); otherwise a SQLite
    file under ``var/bench/``."""
    if override:
        return override
    url = database_url or ""
    if not is_postgres(url):
        return f"sqlite:///{ROOT / 'var' / 'bench' / 'bench.sqlite3'}"
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "sightline"
    if not name.endswith("_bench"):
        name = f"{name}_bench"
    return urlunsplit(parts._replace(path=f"/{name}"))


def bench_environment(url: str) -> dict[str, str]:
    """The environment of a process serving or measuring the bench database: the production
    settings, on plain HTTP on the loopback interface, DEBUG off."""
    var = ROOT / "var" / "bench"
    (var / "static").mkdir(parents=True, exist_ok=True)
    key_file = var / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": url,
        "SECRET_KEY": key_file.read_text().strip(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "EMAIL_URL": "console:",
        "SIGHTLINE_HTTPS": "false",
        "SIGHTLINE_VAR_DIR": str(var),
        "DJANGO_DEBUG": "false",
    }


def create_postgres_database(url: str) -> None:
    """Create the database ``url`` names when it is missing (connecting to ``postgres``)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if found is None:
            say(f"  creating database {name}")
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str | None = None) -> str:
    """Django set up on the bench database (created when missing), DEBUG off and the test
    client's host allowed. Returns its URL."""
    url = url or bench_url(
        os.environ.get("DATABASE_URL"), os.environ.get("SIGHTLINE_BENCH_DATABASE_URL")
    )
    if is_postgres(url):
        create_postgres_database(url)
    else:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    os.environ.update(bench_environment(url))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    return url


# --- The marker -------------------------------------------------------------------------------


def migrations_fingerprint() -> str:
    """A hash of every migration on disk: a new migration means the data is built again
    (and the scale, when it is not 1)."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True, load=True)
    names = sorted(f"{app}.{name}" for app, name in loader.disk_migrations)
    fingerprint = hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]
    return fingerprint if SCALE == 1 else f"{fingerprint}x{SCALE:g}"


def marker_read() -> dict[str, Any] | None:
    from django.db import connection

    if MARKER not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version, migrations, built_at, seconds, sizes FROM {MARKER}")
        row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip(("version", "migrations", "built_at", "seconds", "sizes"), row, strict=True))


def marker_write(seconds: float, sizes: dict[str, int]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER}")
        cursor.execute(
            f"CREATE TABLE {MARKER} (version integer, migrations varchar(64), "
            "built_at varchar(40), seconds real, sizes text)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER} VALUES (%s, %s, %s, %s, %s)",
            [
                DATASET_VERSION,
                migrations_fingerprint(),
                datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                seconds,
                json.dumps(sizes),
            ],
        )


def wipe() -> None:
    """Empty the bench database: every table dropped (PostgreSQL: the public schema made
    afresh; SQLite: the file removed)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        return
    path = Path(connection.settings_dict["NAME"])
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- The people -------------------------------------------------------------------------------


@dataclass
class Data:
    today: datetime.date
    agencies: list[Any]
    weights: list[int]
    people: dict[str, Any]
    owners: list[int] = field(default_factory=list)
    delegates: list[int] = field(default_factory=list)
    works_at: dict[int, Any] = field(default_factory=dict)
    courses: list[Any] = field(default_factory=list)


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def courses_add(rng: random.Random, today: datetime.date, count: int) -> None:
    """``count`` courses, "Bench course NN", one in ten no longer active, each due for review
    some day within 400 days either side of ``today`` (the training benchmark's too)."""
    from django.utils import timezone

    from sightline.training.models import Course

    now = timezone.now()
    Course.objects.bulk_create(
        [
            Course(
                title=f"Bench course {n:02d}",
                outline="Outline.",
                audience="both",
                level="awareness",
                learning_outcomes="One",
                review_date=today + datetime.timedelta(days=rng.randint(-400, 400)),
                is_active=n % 10 != 0,
                created_at=now,
                updated_at=now,
            )
            for n in range(count)
        ]
    )


def people_add(rng: random.Random) -> Data:
    """60 agencies, three of them big; the seven role users; risk owners, delegates, courses."""
    from django.utils import timezone

    from sightline.accounts.models import Agency, Membership, User
    from sightline.assurance.models import RiskSettings
    from sightline.training.models import Course

    today, now = timezone.localdate(), timezone.now()
    Agency.objects.bulk_create(
        [
            Agency(
                name=f"Bench Agency {n:02d}",
                sector=SECTORS[n % len(SECTORS)],
                workforce=rng.randint(40, 4_000) if n % 7 else None,
            )
            for n in range(1, AGENCIES + 1)
        ]
    )
    agencies = list(Agency.objects.filter(name__startswith="Bench Agency ").order_by("pk"))
    # Three big agencies (police, health, children's services in a real partnership), ten
    # middling and the rest small: weights 40, 10, 3.
    weights = [40 if n < BIG_AGENCIES else 10 if n < 13 else 3 for n in range(AGENCIES)]
    people = {}
    for role in ROLES:
        user = User.objects.create_user(
            f"bench-{role.replace('_', '-')}@example.test", PASSWORD, full_name=f"Bench {role}"
        )
        # The agency lead and the review group member speak for the biggest agency.
        Membership.objects.create(user=user, agency=agencies[0], role=role)
        people[role] = user
    User.objects.bulk_create(
        [
            User(email=f"owner{n}@example.test", full_name=f"Owner {n}", password="!")
            for n in range(OWNERS)
        ]
    )
    owners = list(User.objects.filter(email__startswith="owner").values_list("pk", flat=True))
    RiskSettings.objects.create(appetite=9, updated_at=now)
    User.objects.bulk_create(
        [
            User(email=f"delegate{n}@example.test", full_name=f"Delegate {n}", password="!")
            for n in range(DELEGATES)
        ],
        batch_size=BATCH,
    )
    delegates = list(User.objects.filter(email__startswith="delegate").values_list("pk", flat=True))
    courses_add(rng, today, COURSES)
    return Data(
        today=today,
        agencies=agencies,
        weights=weights,
        people=people,
        owners=[people["executive"].pk, *owners],
        delegates=delegates,
        works_at={pk: rng.choices(agencies, weights)[0] for pk in delegates},
        courses=list(Course.objects.order_by("pk")),
    )


# --- Cases ------------------------------------------------------------------------------------


def cases_add(rng: random.Random, data: Data) -> None:
    """53,000 cases opened over eight years up to today (``bench_reviews.case_facts``), each
    involving one to three agencies; the review officer runs one in twenty; three in ten
    published reviews ask each agency involved for a dissemination return."""
    import bench_reviews
    from django.utils import timezone

    from sightline.learning.models import DisseminationReturn
    from sightline.reviews import services
    from sightline.reviews.lifecycle import opened_on, stage_of
    from sightline.reviews.models import Case

    today, now = data.today, timezone.now()
    first = today - datetime.timedelta(days=8 * 365)
    for start in range(0, CASES, BATCH):
        cases = []
        for number in range(start, min(CASES, start + BATCH)):
            facts = bench_reviews.case_facts(
                rng, f"BENCH-{number:06d}", first_day=first, last_day=today
            )
            cases.append(
                Case(
                    **facts,
                    stage=stage_of(facts),
                    opened_on=opened_on(facts),
                    officer=data.people["review_officer"] if number % 20 == 0 else None,
                    created_at=now,
                    updated_at=now,
                )
            )
        Case.objects.bulk_create(cases, batch_size=BATCH)
        involved = {
            case.pk: set(rng.choices(data.agencies, data.weights, k=rng.randint(1, 3)))
            for case in cases
        }
        Case.agencies.through.objects.bulk_create(
            [
                Case.agencies.through(case_id=pk, agency_id=agency.pk)
                for pk, agencies in involved.items()
                for agency in agencies
            ],
            batch_size=BATCH,
        )
        DisseminationReturn.objects.bulk_create(
            [
                DisseminationReturn(
                    case_id=case.pk,
                    agency=agency,
                    requested_on=case.published_date,
                    returned_on=_day(rng, case.published_date, today)
                    if rng.random() < 0.7
                    else None,
                )
                for case in cases
                if case.published_date is not None and rng.random() < 0.3
                for agency in involved[case.pk]
            ],
            batch_size=BATCH,
        )
    started = time.perf_counter()
    deadlines = services.deadlines_refresh()
    say(
        f"    deadlines_refresh(): {deadlines:,} deadlines in {time.perf_counter() - started:.0f} s"
    )


# --- Learning ---------------------------------------------------------------------------------


def learning_chunk_add(rng: random.Random, data: Data, first: int, count: int) -> None:
    """Recommendations ``first`` to ``first + count - 1`` made over six years up to today, ten
    actions each (after ``bench_learning``), with their status and decision history and about
    three evidence rows for every ten actions. An action past its due date is still open one
    time in seven, one not yet due five times in six: about one in eight open and overdue."""
    from django.utils import timezone

    from sightline.learning.models import (
        Action,
        ActionStatusChange,
        Evidence,
        Recommendation,
        RecommendationDecision,
    )

    today, now = data.today, timezone.now()
    start = today - datetime.timedelta(days=6 * 365)
    recs = []
    for number in range(first, first + count):
        decision = rng.choices(DECISIONS, DECISION_WEIGHTS)[0]
        recs.append(
            Recommendation(
                reference=f"BR-{number:06d}",
                source_type="other",
                source_title=f"{rng.choice(SOURCE_KINDS)} {rng.randint(1, 80):02d}",
                text=f"Partners should strengthen practice area {number % 97} across agencies.",
                made_date=_day(rng, start, today),
                decision=decision,
                decision_reason="Not within the partnership's remit."
                if decision == "not_accepted"
                else "",
                created_at=now,
                updated_at=now,
            )
        )
    Recommendation.objects.bulk_create(recs, batch_size=BATCH)
    RecommendationDecision.objects.bulk_create(
        [
            RecommendationDecision(
                recommendation=rec,
                decision=rec.decision,
                reason=rec.decision_reason,
                decided_on=_day(
                    rng, rec.made_date, min(today, rec.made_date + datetime.timedelta(60))
                ),
                recorded_at=now,
            )
            for rec in recs
            if rec.decision
        ],
        batch_size=BATCH,
    )
    actions = []
    for rec in recs:
        for index in range(1, ACTIONS_PER_RECOMMENDATION + 1):
            due = rec.made_date + datetime.timedelta(days=rng.randint(30, 540))
            still_open = rng.random() < (1 / 7 if due < today else 5 / 6)
            if still_open:
                status = rng.choices(OPEN, (30, 50, 20))[0]
            else:
                status = rng.choices(("complete", "closed_incomplete"), (85, 15))[0]
            done = _day(rng, rec.made_date, min(today, due + datetime.timedelta(days=90)))
            actions.append(
                Action(
                    reference=f"{rec.reference}-A{index:02d}",
                    recommendation=rec,
                    agency=rng.choices(data.agencies, data.weights)[0],
                    description=f"Action {index} on {rec.reference}: brief staff and audit.",
                    owner_email=f"owner{rng.randint(1, 400)}@example.test",
                    due_date=due,
                    status=status,
                    completed_date=done if status == "complete" else None,
                    closed_reason="Superseded by a national change."
                    if status == "closed_incomplete"
                    else "",
                    closed_date=done if status == "closed_incomplete" else None,
                    created_at=now,
                    updated_at=now,
                )
            )
    Action.objects.bulk_create(actions, batch_size=BATCH)
    changes, evidence = [], []
    for action in actions:
        made = action.recommendation.made_date
        if action.status != "not_started":
            on = action.completed_date or action.closed_date or _day(rng, made, today)
            changes.append(
                ActionStatusChange(
                    action_id=action.pk,
                    status=action.status,
                    on=on,
                    via="progress",
                    recorded_at=now,
                )
            )
        for _ in range(rng.choices((0, 1, 2), (75, 20, 5))[0]):
            dated = _day(rng, made, today)
            if rng.random() < 0.7:
                evidence.append(
                    Evidence(
                        action_id=action.pk,
                        kind="dissemination",
                        description="Briefed the team.",
                        dated=dated,
                        method=rng.choice(METHODS),
                        staff_reached=rng.randint(5, 400),
                        recorded_at=now,
                    )
                )
            else:
                evidence.append(
                    Evidence(
                        action_id=action.pk,
                        kind="impact",
                        description="Re-audit of case files.",
                        dated=dated,
                        measure="Files with a chronology",
                        baseline="40%",
                        target="80%",
                        result=f"{rng.randint(40, 95)}%",
                        recorded_at=now,
                    )
                )
    ActionStatusChange.objects.bulk_create(changes, batch_size=BATCH)
    Evidence.objects.bulk_create(evidence, batch_size=BATCH)


def learning_add(rng: random.Random, data: Data) -> None:
    from django.db import transaction

    for first in range(1, RECOMMENDATIONS + 1, CHUNK * 10):
        with transaction.atomic():
            for chunk in range(first, min(RECOMMENDATIONS + 1, first + CHUNK * 10), CHUNK):
                learning_chunk_add(rng, data, chunk, min(CHUNK, RECOMMENDATIONS + 1 - chunk))


# --- Assurance --------------------------------------------------------------------------------


def assurance_add(rng: random.Random, data: Data) -> None:
    """5,000 risks (``bench_executive_pack.risks_add``: the executive owns some and accepts
    some), 40 groups with twelve quarters of returns and 1,000 measures with a hundred
    quarters of data (``bench_executive_pack.groups_and_data_add``), the priorities' updates,
    200 audits each asking twenty agencies (the big ones included) for a return."""
    import bench_executive_pack as pack
    from django.utils import timezone

    from sightline.assurance.models import Audit, AuditReturn, Priority
    from sightline.assurance.quarters import Quarter

    today, now = data.today, timezone.now()
    legacy = {"today": today, "owners": data.owners, "executive": data.people["executive"]}
    pack.risks_add(rng, legacy, 1, RISKS)
    for step in range(max(1, round(pack.STEPS * SCALE))):
        pack.groups_and_data_add(rng, legacy, step)
    from sightline.learning.models import Action

    some = list(Action.objects.order_by("pk").values_list("pk", flat=True)[:2_000])
    for priority in Priority.objects.all():
        priority.actions.add(*rng.sample(some, 20))
    pack.priority_updates_add(legacy)
    quarter = Quarter.containing(today)
    audits = Audit.objects.bulk_create(
        [
            Audit(
                title=f"Bench audit {n}",
                scope="Files.",
                quarter_start=quarter.start,
                status="in_progress",
                created_at=now,
                updated_at=now,
            )
            for n in range(AUDITS)
        ]
    )
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
            for agency in {*data.agencies[:BIG_AGENCIES], *rng.sample(data.agencies, 17)}
        ],
        batch_size=BATCH,
    )


# --- Training ---------------------------------------------------------------------------------


def training_add(rng: random.Random, data: Data) -> None:
    """8,000 sessions over the last four years and the next one, 25 bookings each (after
    ``bench_dashboards``); the trainer runs one in ten, the practitioner books one in fifty;
    a few thousand emails, a few dead."""
    from django.utils import timezone

    from sightline.core.models import OutboxMessage
    from sightline.training.models import Booking, Evaluation, Session

    now = timezone.now()
    trainer, practitioner = data.people["trainer"], data.people["practitioner"]
    sessions = []
    for n in range(SESSIONS):
        starts = now + datetime.timedelta(days=rng.randint(-4 * 365, 365), hours=rng.randint(0, 9))
        sessions.append(
            Session(
                course=rng.choice(data.courses),
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=3),
                mode="online",
                joining_link="https://meet.example.test/bench",
                capacity=PER_SESSION,
                trainer=trainer if n % 10 == 0 else data.people["administrator"],
                register_marked_at=now if starts < now and rng.random() < 0.98 else None,
                created_at=now,
                updated_at=now,
            )
        )
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    bookings, evaluations = [], []
    for number, session in enumerate(sessions):
        past = session.starts_at < now
        delegates = rng.sample(data.delegates, PER_SESSION)
        if number % 50 == 0:
            delegates[0] = practitioner.pk
        for delegate in delegates:
            agency = data.works_at.get(delegate, data.agencies[0])
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
        if len(bookings) >= 4 * BATCH:
            Booking.objects.bulk_create(bookings, batch_size=BATCH)
            bookings = []
    Booking.objects.bulk_create(bookings, batch_size=BATCH)
    Evaluation.objects.bulk_create(evaluations, batch_size=BATCH)
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                key=f"bench:{n}",
                kind="bench",
                recipient="someone@example.test",
                subject="A reminder",
                status="dead" if n % 40 == 0 else "sent",
            )
            for n in range(EMAILS)
        ],
        batch_size=BATCH,
    )


# --- Building and reusing ---------------------------------------------------------------------


def sizes() -> dict[str, int]:
    from sightline.assurance.models import DataPoint, Risk
    from sightline.learning.models import Action, Evidence, Recommendation
    from sightline.reviews.models import Case, CaseDeadline
    from sightline.training.models import Booking

    today = datetime.date.today()
    return {
        "cases": Case.objects.count(),
        "deadlines": CaseDeadline.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "actions": Action.objects.count(),
        "overdue actions": Action.objects.filter(status__in=OPEN, due_date__lt=today).count(),
        "evidence": Evidence.objects.count(),
        "bookings": Booking.objects.count(),
        "risks": Risk.objects.count(),
        "data points": DataPoint.objects.count(),
    }


def describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{value:,} {name}" for name, value in counts.items())


def build() -> float:
    """Generate the whole dataset into the empty, migrated bench database; seconds taken."""

    rng = random.Random(SEED)
    started = time.perf_counter()
    began = time.perf_counter()
    data = people_add(rng)
    say(f"  people: {time.perf_counter() - began:.0f} s")
    for name, step in (
        ("cases", cases_add),
        ("learning", learning_add),
        ("assurance", assurance_add),
        ("training", training_add),
    ):
        began = time.perf_counter()
        step(rng, data)
        say(f"  {name}: {time.perf_counter() - began:.0f} s")
    settle()
    return time.perf_counter() - started


def settle() -> None:
    """What a live installation's worker and database would have done by now: the past
    quarters' trend figures counted (the nightly schedule), statistics gathered and, on
    PostgreSQL, the visibility map set by autovacuum, without which no index-only scan is
    possible."""
    from django.db import connection

    from sightline.reports.services import quarter_snapshots_refresh

    began = time.perf_counter()
    quarter_snapshots_refresh()
    say(f"  the past quarters' trend figures: {time.perf_counter() - began:.0f} s")
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    say(f"  vacuum and analyze: {time.perf_counter() - began:.0f} s")


def ensure_dataset(*, rebuild: bool = False) -> dict[str, Any]:
    """Django set up on the bench database holding the shared dataset: reused when its
    marker's version and migrations match, built afresh otherwise. Returns the marker."""
    logging.disable(logging.WARNING)
    url = setup_django()
    from django.core.management import call_command
    from django.db import connection

    shown = urlsplit(url)._replace(netloc=urlsplit(url).hostname or "").geturl()
    say(f"Bench dataset on {connection.vendor} ({shown})")
    marker = None if rebuild else marker_read()
    fingerprint = migrations_fingerprint()
    if (
        marker is not None
        and marker["version"] == DATASET_VERSION
        and marker["migrations"] == fingerprint
    ):
        say(
            f"  reusing the dataset built {marker['built_at']} in {marker['seconds']:.0f} s: "
            f"{describe(json.loads(marker['sizes']))}"
        )
        return marker
    if marker is not None and marker["version"] == DATASET_VERSION:
        # Only the migrations moved on: migrate the data forward, as an installation would
        # be upgraded, rather than build it all again.
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        say(
            f"  migrations {marker['migrations']} -> {fingerprint}: migrated forward in "
            f"{time.perf_counter() - began:.0f} s"
        )
        settle()
        counts = sizes()
        marker_write(float(marker["seconds"]), counts)
        marker = marker_read()
        assert marker is not None
        return marker
    if marker is None:
        say("  no dataset yet (or --rebuild): building it")
    else:
        say(
            f"  dataset version {marker['version']} / migrations {marker['migrations']} is out of "
            f"date (now {DATASET_VERSION} / {fingerprint}): building it again"
        )
    wipe()
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    say(f"  migrate: {time.perf_counter() - began:.0f} s")
    seconds = build()
    counts = sizes()
    marker_write(seconds, counts)
    say(f"  built in {seconds:.0f} s: {describe(counts)}")
    marker = marker_read()
    assert marker is not None
    return marker


def user(role: str) -> Any:
    """The dataset's user holding ``role``."""
    from sightline.accounts.models import User

    return User.objects.get(email=f"bench-{role.replace('_', '-')}@example.test")


if __name__ == "__main__":
    ensure_dataset(rebuild="--rebuild" in sys.argv)
