"""Benchmark of the pages issue 14 names, on the shared full-size dataset (``dataset.py``).

Each page is requested with the Django test client (production settings, ``DEBUG`` off, the
whole middleware stack) by a user of the role that opens it, and its p50 and p95 are printed
beside a raw-SQL baseline measured in the same run:

- where the page shows rows or figures a hand-written statement can return (the lists, the
  dashboards, the learning report), that statement (``hand``);
- otherwise (home pages, the Executive pack, the executive dashboard, timeliness, the case
  page) the SQL the page itself sends, captured from one request and run again through a
  bare cursor (``replay``): the same rows, without the ORM, Python and templates.

Verdict: PASS when the page's p95 is at most 150 ms (the learning report: 1 s) and at most
three times raw SQL's p95, or within 20 ms of it where raw SQL takes under 10 ms
(``harness.page_verdict``). The exit code is 1 when any page fails.

Run from the repository root: ``make bench`` or ``.venv/bin/python bench/bench_pages.py``
(``DATABASE_URL=postgres://...`` for PostgreSQL; ``--explain`` prints ``EXPLAIN (ANALYZE,
BUFFERS)`` of each page's slowest statements there; ``--only WORD`` measures the pages whose
label contains WORD).
"""

from __future__ import annotations

import datetime
import functools
import gc
import sys
import time
from dataclasses import dataclass
from typing import Any

import dataset
import harness
from harness import say

# Enough requests that one pause of the garbage collector's (up to 20 ms, however the heap
# is tuned) does not decide a page's p95 alone, as it did with 30 (the p95 was the second
# slowest of them).
REQUESTS = 60
HEAVY_REQUESTS = 20
GOAL_MS = 150.0
GOAL_REPORT_MS = 1_000.0
EXPLAINED = 3  # a page's slowest statements explained with --explain
OPEN_IN = "status IN ('not_started', 'on_track', 'at_risk')"


@dataclass
class Page:
    label: str
    role: str
    url: str
    sql: list[tuple[str, list[Any]]] | None = None  # hand-written; None: replay the page's
    goal_ms: float = GOAL_MS
    heavy: bool = False


def pages(today: datetime.date) -> list[Page]:
    """Every page of issue 14, who opens it, and its hand-written baseline where it has one."""
    from django.db import connection
    from django.urls import reverse

    from sightline.assurance.quarters import Quarter
    from sightline.core.calendar import add_months
    from sightline.reviews.models import Case, CaseDeadline

    lead = dataset.user("agency_lead")
    agency = lead.memberships.get().agency_id
    trainer = dataset.user("trainer")
    practitioner = dataset.user("practitioner")
    now = datetime.datetime.now(datetime.UTC)
    soon, month = today + datetime.timedelta(days=14), today + datetime.timedelta(days=30)
    year_ago = now - datetime.timedelta(days=365)
    month_ago = today - datetime.timedelta(days=30)
    cases = Case.objects.count()
    last_page = max(1, -(-cases // 25))
    deep = min(1500, last_page)
    case_pk = (
        CaseDeadline.objects.order_by("case_id").values_list("case_id", flat=True).first()
        or Case.objects.order_by("pk").values_list("pk", flat=True).first()
    )
    limit = "LIMIT 25"
    action_cols = (
        "SELECT a.id, a.reference, a.description, a.due_date, a.status, ag.name, r.reference, "
        "r.source_title FROM learning_action a JOIN accounts_agency ag ON ag.id = a.agency_id "
        "JOIN learning_recommendation r ON r.id = a.recommendation_id"
    )
    # One small count per agency, each answered from the (agency, status, due date) index.
    overdue_by_agency = (
        "SELECT ag.id, ag.name, (SELECT COUNT(*) FROM learning_action a WHERE "
        f"a.agency_id = ag.id AND a.{OPEN_IN} AND a.due_date < %s) FROM accounts_agency ag",
        [today],
    )
    case_cols = (
        "SELECT c.id, c.reference, c.route, c.pseudonym, c.stage, c.opened_on, u.full_name "
        "FROM reviews_case c LEFT JOIN accounts_user u ON u.id = c.officer_id"
    )
    next_due_of_page = (
        "SELECT case_id, MIN(due) FROM reviews_casedeadline WHERE case_id IN "
        f"(SELECT id FROM reviews_case ORDER BY opened_on DESC, reference {limit}) "
        "GROUP BY case_id"
    )
    count_cases: tuple[str, list[Any]] = ("SELECT COUNT(*) FROM reviews_case", [])
    nulls_last = "NULLS LAST" if connection.vendor == "postgresql" else ""
    by_next_due = (
        f"{case_cols} LEFT JOIN (SELECT case_id, MIN(due) AS next_due FROM reviews_casedeadline "
        f"GROUP BY case_id) d ON d.case_id = c.id ORDER BY d.next_due ASC {nulls_last}, "
        "c.reference"
    )
    by_agency = f"""
        SELECT a.agency_id, a.open, a.overdue, a.due_soon, b.people
        FROM (SELECT agency_id, COUNT(*) AS open,
                     SUM(CASE WHEN due_date < %s THEN 1 ELSE 0 END) AS overdue,
                     SUM(CASE WHEN due_date >= %s AND due_date <= %s THEN 1 ELSE 0 END)
                       AS due_soon
              FROM learning_action WHERE {OPEN_IN} GROUP BY agency_id) a
        LEFT JOIN (SELECT bk.agency_id, COUNT(DISTINCT bk.delegate_id) AS people
                   FROM training_booking bk
                   JOIN training_session s ON s.id = bk.session_id
                   WHERE bk.attendance IN ('attended', 'left_early') AND s.starts_at >= %s
                   GROUP BY bk.agency_id) b ON b.agency_id = a.agency_id
    """
    business_unit = f"""
        SELECT
          (SELECT COUNT(*) FROM reviews_casedeadline WHERE due < %s),
          (SELECT COUNT(*) FROM reviews_casedeadline WHERE due >= %s AND due <= %s),
          (SELECT COUNT(*) FROM learning_action WHERE {OPEN_IN} AND due_date < %s),
          (SELECT COUNT(*) FROM learning_disseminationreturn WHERE returned_on IS NULL),
          (SELECT COUNT(*) FROM assurance_auditreturn WHERE returned_on IS NULL),
          (SELECT COUNT(*) FROM assurance_risk WHERE status = 'open' AND residual_score > 9),
          (SELECT COUNT(*) FROM assurance_risk WHERE status = 'open' AND next_review_on < %s),
          (SELECT COUNT(*) FROM training_session
             WHERE ends_at < %s AND NOT is_cancelled AND register_marked_at IS NULL),
          (SELECT COUNT(*) FROM core_outboxmessage WHERE status = 'dead')
    """
    # The rest of what the business unit's page shows: the chart of overdue actions by agency
    # (``overdue_by_agency`` above), the referrals of the last twelve months by agency and
    # month, the new referrals, the data scrutiny figures past their threshold and the groups
    # whose return for the last quarter is missing.
    quarter = Quarter.containing(today).previous()
    first_month = add_months(today.replace(day=1), -11)
    month_of = (
        "DATE_TRUNC('month', r.created_at)"
        if connection.vendor == "postgresql"
        else "strftime('%%Y-%%m', r.created_at)"
    )
    business_unit_lists: list[tuple[str, list[Any]]] = [
        overdue_by_agency,
        ("SELECT id, name FROM accounts_agency WHERE is_active ORDER BY name", []),
        (
            f"SELECT r.referring_agency_id, {month_of}, COUNT(*) FROM reviews_referral r "
            "WHERE r.created_at >= %s GROUP BY 1, 2",
            [first_month],
        ),
        ("SELECT COUNT(*) FROM reviews_referral WHERE status = 'new'", []),
        (
            "SELECT COUNT(*) FROM assurance_measure m WHERE m.is_active AND m.threshold IS NOT "
            "NULL AND (SELECT CASE WHEN m.direction = 'above' THEN d.value > m.threshold "
            "ELSE d.value < m.threshold END FROM assurance_datapoint d WHERE d.measure_id = m.id "
            "ORDER BY d.quarter_start DESC LIMIT 1)",
            [],
        ),
        (
            "SELECT COUNT(*) FROM assurance_group g WHERE g.is_active AND g.kind <> 'executive' "
            "AND g.created_at < %s AND NOT EXISTS (SELECT 1 FROM assurance_assurancereturn a "
            "WHERE a.group_id = g.id AND a.quarter_start = %s)",
            [quarter.start, quarter.start],
        ),
    ]
    review_group = f"""
        SELECT
          (SELECT COUNT(*) FROM reviews_casedeadline d
             WHERE d.due <= %s AND EXISTS (SELECT 1 FROM reviews_case_agencies ca
               WHERE ca.case_id = d.case_id AND ca.agency_id = %s)),
          (SELECT COUNT(*) FROM learning_recommendation WHERE decision = ''),
          (SELECT COUNT(*) FROM learning_action
             WHERE {OPEN_IN} AND agency_id = %s AND due_date <= %s)
    """
    trainer_sql = """
        SELECT
          (SELECT COUNT(*) FROM training_session
             WHERE trainer_id = %s AND starts_at > %s AND starts_at <= %s),
          (SELECT COUNT(*) FROM training_session
             WHERE trainer_id = %s AND ends_at < %s AND register_marked_at IS NULL),
          (SELECT COUNT(*) FROM training_course WHERE is_active AND review_date < %s),
          (SELECT COUNT(*) FROM training_booking bk JOIN training_session s
             ON s.id = bk.session_id WHERE s.trainer_id = %s
             AND bk.impact_requested_at IS NOT NULL AND bk.impact_answered_on IS NULL),
          (SELECT COUNT(*) FROM training_session s WHERE s.trainer_id = %s
             AND EXISTS (SELECT 1 FROM training_evaluation e
                         WHERE e.session_id = s.id AND e.submitted_on >= %s))
    """
    # The lists the trainer's page shows beside its figures: the sessions of the next 28
    # days with their places, the registers to mark, the sessions with new evaluations and
    # the courses past their review date.
    course_of = "FROM training_session s JOIN training_course co ON co.id = s.course_id"
    trainer_lists: list[tuple[str, list[Any]]] = [
        (
            "SELECT s.id, s.starts_at, s.capacity, co.title, "
            "(SELECT COUNT(*) FROM training_booking b WHERE b.session_id = s.id "
            "AND b.status IN ('awaiting_approval', 'confirmed')), "
            "(SELECT COUNT(*) FROM training_booking b WHERE b.session_id = s.id "
            f"AND b.status = 'waiting') {course_of} WHERE s.trainer_id = %s "
            "AND NOT s.is_cancelled AND s.starts_at > %s AND s.starts_at <= %s "
            "ORDER BY s.starts_at",
            [trainer.pk, now, now + datetime.timedelta(days=28)],
        ),
        (
            f"SELECT s.id, s.starts_at, co.title {course_of} WHERE s.trainer_id = %s "
            "AND NOT s.is_cancelled AND s.ends_at < %s AND s.register_marked_at IS NULL "
            "ORDER BY s.starts_at DESC LIMIT 10",
            [trainer.pk, now],
        ),
        (
            "SELECT s.id, s.starts_at, co.title, (SELECT COUNT(*) FROM training_evaluation e "
            f"WHERE e.session_id = s.id AND e.submitted_on >= %s) {course_of} "
            "WHERE s.trainer_id = %s AND EXISTS (SELECT 1 FROM training_evaluation e "
            "WHERE e.session_id = s.id AND e.submitted_on >= %s) "
            "ORDER BY s.starts_at DESC LIMIT 10",
            [month_ago, trainer.pk, month_ago],
        ),
        (
            "SELECT id, title, review_date FROM training_course "
            "WHERE is_active AND review_date < %s ORDER BY review_date LIMIT 8",
            [today],
        ),
    ]
    # The review group's list of the next eight deadlines on its agencies' cases.
    review_group_deadlines = (
        "SELECT d.id, d.due, c.id, c.reference, st.code, st.route, u.full_name "
        "FROM reviews_casedeadline d JOIN reviews_case c ON c.id = d.case_id "
        "JOIN reviews_timelinessstandard st ON st.id = d.standard_id "
        "LEFT JOIN accounts_user u ON u.id = c.officer_id WHERE d.due <= %s "
        "AND EXISTS (SELECT 1 FROM reviews_case_agencies ca WHERE ca.case_id = d.case_id "
        "AND ca.agency_id = %s) ORDER BY d.due, c.reference LIMIT 8",
        [soon, agency],
    )
    practitioner_sql = """
        SELECT s.starts_at, bk.status, bk.attendance, bk.evaluated_on, bk.impact_requested_at
        FROM training_booking bk JOIN training_session s ON s.id = bk.session_id
        WHERE bk.delegate_id = %s ORDER BY s.starts_at
    """
    # The learning report's figures grouped by integer keys: actions by agency and status,
    # overdue and complete on time; recommendations by decision; actions with evidence.
    report = [
        (
            f"SELECT agency_id, status, COUNT(*), "
            f"SUM(CASE WHEN {OPEN_IN} AND due_date < %s THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN status = 'complete' AND completed_date <= due_date THEN 1 ELSE 0 END) "
            "FROM learning_action GROUP BY agency_id, status",
            [today],
        ),
        ("SELECT decision, COUNT(*) FROM learning_recommendation GROUP BY decision", []),
        ("SELECT kind, COUNT(DISTINCT action_id) FROM learning_evidence GROUP BY kind", []),
    ]
    home = reverse("accounts:home")
    return [
        *(Page(f"home: {role}", role, home) for role in dataset.ROLES),
        Page(
            "dashboard: business unit",
            "administrator",
            reverse("reports:business_unit_dashboard"),
            [(business_unit, [today, today, soon, today, today, now]), *business_unit_lists],
        ),
        Page("dashboard: executive", "executive", reverse("reports:executive_dashboard")),
        Page(
            "dashboard: agency",
            "agency_lead",
            reverse("reports:agency_dashboard", kwargs={"pk": agency}),
            [(by_agency, [today, today, month, year_ago])],
        ),
        Page(
            "dashboard: agencies compared",
            "administrator",
            reverse("reports:agency_comparison"),
            [(by_agency, [today, today, month, year_ago])],
        ),
        Page(
            "dashboard: review group",
            "review_group_member",
            reverse("reports:review_group_dashboard"),
            [(review_group, [soon, agency, agency, month]), review_group_deadlines],
        ),
        Page(
            "dashboard: trainer",
            "trainer",
            reverse("reports:trainer_dashboard"),
            [
                (
                    trainer_sql,
                    [
                        trainer.pk,
                        now,
                        now + datetime.timedelta(days=28),
                        trainer.pk,
                        now,
                        today,
                        trainer.pk,
                        trainer.pk,
                        month_ago,
                    ],
                ),
                *trainer_lists,
            ],
        ),
        Page(
            "dashboard: your training",
            "practitioner",
            reverse("reports:practitioner_dashboard"),
            [(practitioner_sql, [practitioner.pk])],
        ),
        Page("Executive pack", "executive", reverse("reports:pack"), heavy=True),
        Page(
            "learning report",
            "administrator",
            reverse("learning:report"),
            report,
            goal_ms=GOAL_REPORT_MS,
            heavy=True,
        ),
        Page(
            "actions ?mine=1 (agency lead)",
            "agency_lead",
            reverse("learning:action_list") + "?mine=1",
            [
                (
                    f"{action_cols} WHERE a.agency_id = %s ORDER BY a.due_date, a.reference "
                    f"{limit}",
                    [agency],
                ),
                ("SELECT COUNT(*) FROM learning_action WHERE agency_id = %s", [agency]),
                overdue_by_agency,
            ],
        ),
        Page(
            "actions ?overdue=on (administrator)",
            "administrator",
            reverse("learning:action_list") + "?overdue=on",
            [
                (
                    f"{action_cols} WHERE a.{OPEN_IN} AND a.due_date < %s "
                    f"ORDER BY a.due_date, a.reference {limit}",
                    [today],
                ),
                (
                    f"SELECT COUNT(*) FROM learning_action WHERE {OPEN_IN} AND due_date < %s",
                    [today],
                ),
                overdue_by_agency,
            ],
        ),
        Page("timeliness", "administrator", reverse("reviews:timeliness"), heavy=True),
        Page(
            "tracker /cases/",
            "administrator",
            reverse("reviews:case_list"),
            [
                (f"{case_cols} ORDER BY c.opened_on DESC, c.reference {limit}", []),
                count_cases,
                (next_due_of_page, []),
            ],
        ),
        Page(
            "tracker ?sort=next_due",
            "administrator",
            reverse("reviews:case_list") + "?sort=next_due",
            [(f"{by_next_due} {limit}", []), count_cases],
        ),
        Page(
            f"tracker ?page={deep}",
            "administrator",
            reverse("reviews:case_list") + f"?page={deep}",
            [
                (
                    f"{case_cols} ORDER BY c.opened_on DESC, c.reference {limit} "
                    f"OFFSET {(deep - 1) * 25}",
                    [],
                ),
                count_cases,
            ],
        ),
        # The case page shows the case, its deadlines, people, agencies, actions and history:
        # its own statements replayed are the fair baseline.
        Page("case page", "administrator", reverse("reviews:case_detail", kwargs={"pk": case_pk})),
    ]


# --- Measuring ------------------------------------------------------------------------------


def run_statements(statements: list[tuple[str, list[Any]]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()


def replay(statements: list[tuple[str, list[Any]]], _n: int) -> None:
    run_statements(statements)


def captured(client: Any, url: str) -> list[tuple[str, list[Any]]]:
    """The SELECTs one GET of ``url`` sends, with their parameters (not the session's), once
    an untimed GET has filled what the page caches: the statements it sends from then on, not
    those of its first request after the cache was emptied."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    harness.get_ok(client, url)
    with CaptureQueriesContext(connection) as queries:
        harness.get_ok(client, url)
    return [
        (query["sql"], [])
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        and "django_session" not in query["sql"]
    ]


def explain(statements: list[tuple[str, list[Any]]]) -> None:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest statements (PostgreSQL)."""
    from django.db import connection

    timed = []
    for sql, params in statements:
        one = [(sql, params)]
        best = min(harness.call_times(functools.partial(replay, one), 3))
        timed.append((best, sql, params))
    for best, sql, params in sorted(timed, key=lambda item: item[0], reverse=True)[:EXPLAINED]:
        say(f"  {best:8.1f} ms  {sql[:150]}")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            for (line,) in cursor.fetchall():
                say(f"      {line}")


def main() -> int:
    started = time.perf_counter()
    dataset.ensure_dataset()
    from django.db import connection
    from django.utils import timezone

    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    run = harness.BenchRun(started=started, directory=harness.ROOT / "var" / "bench")
    targets = [page for page in pages(timezone.localdate()) if only.lower() in page.label.lower()]
    clients = {role: harness.signed_in_client(dataset.user(role)) for role in dataset.ROLES}
    # As a gunicorn worker does once it has loaded Sightline (config/gunicorn.conf.py).
    gc.collect()
    gc.freeze()
    say(f"Measuring {len(targets)} pages on {connection.vendor} ...")
    run.lines.append(
        f"{'page':<38}{'p50':>8}{'p95':>8}{'raw p95':>9}{'ratio':>7}  {'raw':<6}{'queries':>8}"
    )
    failed = 0
    for page in targets:
        client = clients[page.role]
        began = time.perf_counter()
        replayed = captured(client, page.url)  # also the untimed warm-up
        statements = page.sql if page.sql is not None else replayed
        count = REQUESTS if not page.heavy else HEAVY_REQUESTS
        page_times, raw_times = harness.paired_times(
            harness.getter(client, page.url),
            functools.partial(replay, statements),
            count,
        )
        p50, p95 = harness.p50_p95(page_times)
        _, raw_p95 = harness.p50_p95(raw_times)
        ok, reason = harness.page_verdict(p95, raw_p95, page.goal_ms)
        failed += not ok
        kind = "hand" if page.sql is not None else "replay"
        run.lines.append(
            f"{page.label:<38}{p50:>6.0f}ms{p95:>6.0f}ms{raw_p95:>7.1f}ms"
            f"{p95 / max(raw_p95, 0.001):>6.1f}x  {kind:<6}{len(replayed):>8}"
        )
        run.verdict(
            ok,
            f"{page.label}: p95 {p95:.0f} ms, raw SQL {raw_p95:.1f} ms"
            + (f" ({reason})" if reason else ""),
        )
        say(f"  {page.label}: p95 {p95:.0f} ms ({time.perf_counter() - began:.0f} s)")
        if "--explain" in sys.argv and connection.vendor == "postgresql":
            say(f"EXPLAIN (ANALYZE, BUFFERS), {page.label}:")
            explain(replayed)
    run.show()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
