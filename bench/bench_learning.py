"""Benchmark of the learning tracker at 500,000 actions across 50,000 recommendations: an
agency's action list page and the learning report, each printed beside a baseline measured
in the same run.

Run from the repository root: ``make bench`` or ``.venv/bin/python bench/bench_learning.py``.
Everything happens in a fresh SQLite database in a temporary directory; nothing in ``var/``
is touched. The exit code is 0 even when a goal is missed: read the PASS/FAIL lines.
"""

import datetime
import random
import statistics
import sys
import time
from typing import Any

import harness
from harness import say

AGENCIES = 20
ACTIONS_PER_RECOMMENDATION = 10
SMALL = 5_000  # recommendations, so 50,000 actions
LARGE = 50_000  # recommendations, so 500,000 actions
CHUNK = 1_000  # recommendations generated and written at a time
BATCH = 5_000  # bulk_create batch_size
REQUESTS = 50
AS_AT = datetime.date(2025, 6, 30)
FIRST_DAY = datetime.date(2019, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)  # nothing completed or evidenced after this
SEED = 20250630

GOAL_LIST_P95_MS = 150.0
GOAL_REPORT_SECONDS = 2.0

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
SOURCE_KINDS = (
    "Thematic review",
    "Multi-agency audit",
    "Inspection report",
    "Learning event",
    "Rapid review",
    "National panel briefing",
)
DECISIONS = ("accepted", "accepted_in_part", "not_accepted", "")
DECISION_WEIGHTS = (60, 15, 10, 15)
STATUSES = ("not_started", "on_track", "at_risk", "complete", "closed_incomplete")
STATUS_WEIGHTS = (15, 25, 10, 40, 10)
OPEN_STATUSES = ("not_started", "on_track", "at_risk")
METHODS = ("briefing", "team_meeting", "training", "newsletter", "webinar", "podcast")
TOTALS = (
    "recommendations",
    "accepted",
    "accepted_in_part",
    "not_accepted",
    "undecided",
    "actions",
    "complete",
    "complete_on_time",
    "closed_incomplete",
    "overdue",
    "open",
    "with_dissemination_evidence",
    "with_impact_evidence",
)


def _days(day: datetime.date, low: int, high: int, rng: random.Random) -> datetime.date:
    return day + datetime.timedelta(days=rng.randint(low, high))


# --- Generated data -----------------------------------------------------------------------


def agencies_add() -> list[Any]:
    from sightline.accounts.models import Agency

    Agency.objects.bulk_create(
        [
            Agency(name=f"Bench Agency {number:02d}", sector=SECTORS[number % len(SECTORS)])
            for number in range(1, AGENCIES + 1)
        ]
    )
    return list(Agency.objects.filter(name__startswith="Bench Agency ").order_by("name"))


def chunk_add(rng: random.Random, agencies: list[Any], first: int, count: int) -> tuple[int, int]:
    """Recommendations ``first`` to ``first + count - 1``, ten actions each and about three
    evidence rows for every ten actions. Returns (actions, evidence) written."""
    from django.utils import timezone

    from sightline.learning.models import Action, Evidence, Recommendation

    now = timezone.now()
    span = (LAST_DAY - FIRST_DAY).days
    recs = []
    for number in range(first, first + count):
        decision = rng.choices(DECISIONS, DECISION_WEIGHTS)[0]
        kind = rng.choice(SOURCE_KINDS)
        recs.append(
            Recommendation(
                reference=f"BR-{number:06d}",
                source_type="other",
                source_title=f"{kind} {rng.randint(1, 80):02d}",
                text=f"Partners should strengthen practice area {number % 97} across agencies.",
                made_date=FIRST_DAY + datetime.timedelta(days=rng.randint(0, span)),
                decision=decision,
                decision_reason="Not within the partnership's remit."
                if decision == "not_accepted"
                else "",
                created_at=now,
                updated_at=now,
            )
        )
    Recommendation.objects.bulk_create(recs, batch_size=BATCH)
    actions = []
    for rec in recs:
        assert rec.pk is not None, "bulk_create did not return primary keys"
        for index in range(1, ACTIONS_PER_RECOMMENDATION + 1):
            due = _days(rec.made_date, 30, 540, rng)
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            completed = closed = None
            if status == "complete":
                latest = max(10, (due - rec.made_date).days + 120)
                completed = min(_days(rec.made_date, 10, latest, rng), LAST_DAY)
            elif status == "closed_incomplete":
                closed = min(_days(rec.made_date, 30, 700, rng), LAST_DAY)
            actions.append(
                Action(
                    reference=f"{rec.reference}-A{index:02d}",
                    recommendation=rec,
                    agency=rng.choice(agencies),
                    description=f"Action {index} on {rec.reference}: brief staff and audit.",
                    owner_email=f"owner{rng.randint(1, 400)}@example.test",
                    due_date=due,
                    status=status,
                    completed_date=completed,
                    closed_reason=(
                        "Superseded by a national change." if status == "closed_incomplete" else ""
                    ),
                    closed_date=closed,
                    created_at=now,
                    updated_at=now,
                )
            )
    Action.objects.bulk_create(actions, batch_size=BATCH)
    evidence = []
    for action in actions:
        made = action.recommendation.made_date
        for _ in range(rng.choices((0, 1, 2), (75, 20, 5))[0]):
            dated = min(_days(made, 0, 900, rng), LAST_DAY)
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
    Evidence.objects.bulk_create(evidence, batch_size=BATCH)
    return len(actions), len(evidence)


def grow_to(rng: random.Random, agencies: list[Any], total: int) -> None:
    from django.db import transaction

    from sightline.learning.models import Action, Evidence, Recommendation

    have = Recommendation.objects.count()
    say(f"  generating recommendations {have + 1:,} to {total:,}, ten actions each ...")
    started = time.perf_counter()
    with transaction.atomic():
        for first in range(have + 1, total + 1, CHUNK):
            chunk_add(rng, agencies, first, min(CHUNK, total + 1 - first))
    say(
        f"  {Recommendation.objects.count():,} recommendations, {Action.objects.count():,} "
        f"actions, {Evidence.objects.count():,} evidence rows in "
        f"{time.perf_counter() - started:.1f} s"
    )


# --- Agency's action list page -------------------------------------------------------------

LIST_URLS = ("?mine=1", "?mine=1&overdue=on")


def query_times(sqls: list[str]) -> list[tuple[float, str]]:
    """Each SELECT of a page run again on its own (best of 5, ms): where a slow page's time
    goes. The SQL text is what Django logged, with its parameters inlined."""
    from django.db import connection

    timings = []
    with connection.cursor() as cursor:
        for sql in sqls:
            if not sql.startswith("SELECT"):
                continue
            best = float("inf")
            for _ in range(5):
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                best = min(best, (time.perf_counter() - started) * 1000)
            timings.append((best, sql))
    return timings


# --- Learning report ----------------------------------------------------------------------


def _as_date(value: Any) -> Any:
    """A date from SQLite's text (or the date other backends give), None for NULL."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def baseline_totals(as_at: datetime.date) -> dict[str, int]:
    """The report's totals by hand: raw SQL, then plain Python."""
    from django.db import connection

    totals = dict.fromkeys(TOTALS, 0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT made_date, decision FROM learning_recommendation")
        for made, decision in cursor.fetchall():
            if _as_date(made) > as_at:
                continue
            totals["recommendations"] += 1
            totals[decision or "undecided"] += 1
        cursor.execute(
            "SELECT DISTINCT action_id, kind FROM learning_evidence WHERE dated <= %s",
            [as_at.isoformat()],
        )
        dissemination: set[int] = set()
        impact: set[int] = set()
        for action_id, kind in cursor.fetchall():
            (dissemination if kind == "dissemination" else impact).add(action_id)
        cursor.execute(
            "SELECT a.id, a.status, a.due_date, a.completed_date, a.closed_date "
            "FROM learning_action a "
            "JOIN learning_recommendation r ON r.id = a.recommendation_id "
            "WHERE r.made_date <= %s",
            [as_at.isoformat()],
        )
        rows = cursor.fetchall()
    for action_id, status, due_value, completed_value, closed_value in rows:
        due, completed = _as_date(due_value), _as_date(completed_value)
        closed = _as_date(closed_value)
        totals["actions"] += 1
        if status == "complete" and completed is not None and completed <= as_at:
            totals["complete"] += 1
            totals["complete_on_time"] += completed <= due
        # The generated rows have no history: the report reads them by their own dates.
        elif status == "closed_incomplete" and (closed is None or closed <= as_at):
            totals["closed_incomplete"] += 1
        elif due < as_at:
            totals["overdue"] += 1
        else:
            totals["open"] += 1
        totals["with_dissemination_evidence"] += action_id in dissemination
        totals["with_impact_evidence"] += action_id in impact
    return totals


def bench_report() -> dict[str, Any]:
    from sightline.learning import selectors

    say(f"Learning report over every action, as at {AS_AT:%d/%m/%Y} ...")
    selector_totals = selectors.learning_report(as_at=AS_AT)["totals"]  # warm-up
    baseline = baseline_totals(AS_AT)
    assert selector_totals == baseline, (
        f"baseline differs from the report:\n{selector_totals}\n{baseline}"
    )
    say("  baseline totals equal the report's:")
    for name in TOTALS:
        say(f"    {name:30} {selector_totals[name]:>9,}")
    report_times, _ = harness.timed(lambda: selectors.learning_report(as_at=AS_AT), 3)
    baseline_times, _ = harness.timed(lambda: baseline_totals(AS_AT), 3)

    return {"report": report_times, "baseline": baseline_times}


# --- Main ---------------------------------------------------------------------------------


def main() -> int:
    with harness.bench_database("learning tracker") as run:
        from django.urls import reverse

        from sightline.core.roles import Role
        from sightline.learning.models import Action

        rng = random.Random(SEED)
        agencies = agencies_add()
        client = harness.member_client(
            agency=agencies[0],
            role=Role.AGENCY_LEAD,
            email="bench-lead@example.test",
            full_name="Bench Agency Lead",
        )
        list_url = reverse("learning:action_list")
        urls = [list_url + query for query in LIST_URLS]
        small_actions = SMALL * ACTIONS_PER_RECOMMENDATION
        large_actions = LARGE * ACTIONS_PER_RECOMMENDATION

        say(f"Action list at {small_actions:,} actions ...")
        grow_to(rng, agencies, SMALL)
        queries_small = harness.count_queries(client, urls)

        say(f"Growing to {large_actions:,} actions ...")
        grow_to(rng, agencies, LARGE)
        queries_large = harness.count_queries(client, urls)

        mine = Action.objects.filter(agency=agencies[0]).count()
        say(
            f"Agency's action list at {large_actions:,} actions ({mine:,} of them the lead's "
            f"agency's): {REQUESTS} requests each ..."
        )
        page_times = {url: harness.request_times(client, url, REQUESTS) for url in urls}
        health_times = harness.request_times(client, reverse("health"), REQUESTS)

        report = bench_report()

        # --- The table ---------------------------------------------------------------
        health50, health95 = harness.p50_p95(health_times)
        run.lines.append(
            f"Agency's action list, agency lead, {large_actions:,} actions "
            f"({REQUESTS} requests each)"
        )
        slow_pages = []
        for url in urls:
            p50, p95 = harness.p50_p95(page_times[url])
            run.lines.append(f"  {url:40} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
            run.verdict(
                p95 < GOAL_LIST_P95_MS, f"{url} p95 {p95:.1f} ms < {GOAL_LIST_P95_MS:.0f} ms"
            )
            if p95 >= GOAL_LIST_P95_MS:
                slow_pages.append(url)
        run.lines.append(
            f"  baseline {reverse('health'):31} p50 {health50:7.1f} ms   p95 {health95:7.1f} ms"
        )
        run.lines.append(
            f"  {'queries per request':40} at {small_actions:,} actions   "
            f"at {large_actions:,} actions"
        )
        for url in urls:
            small, large = len(queries_small[url]), len(queries_large[url])
            run.lines.append(f"  {url:40} {small:16}   {large:17}")
            run.verdict(
                small == large,
                f"{url} queries {small} at {small_actions:,} == {large} at {large_actions:,}",
            )

        best, mean = min(report["report"]), statistics.mean(report["report"])
        base_best, base_mean = min(report["baseline"]), statistics.mean(report["baseline"])
        ratio = best / base_best
        run.lines += [
            f"Learning report, {large_actions:,} actions, as at {AS_AT:%d/%m/%Y} (3 runs)",
            f"  selectors.learning_report     best {best:7.3f} s   mean {mean:7.3f} s",
            f"  baseline raw SQL + Python     best {base_best:7.3f} s   mean {base_mean:7.3f} s",
            f"  ratio (best / best)           {ratio:7.2f}x",
        ]
        run.verdict(
            best < GOAL_REPORT_SECONDS, f"learning report {best:.3f} s < {GOAL_REPORT_SECONDS} s"
        )

        for url in slow_pages:
            run.lines.append(f"Queries of {url}, each re-run alone (best of 5):")
            for ms, sql in query_times(queries_large[url]):
                run.lines.append(f"  {ms:8.1f} ms  {sql[:160]}")

        run.show()
    return 0


if __name__ == "__main__":
    sys.exit(main())
