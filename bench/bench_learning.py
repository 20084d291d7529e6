"""Benchmark of the learning tracker at 500,000 actions across 50,000 recommendations over
60 agencies, with their dated decision and status history and 150,000 evidence rows: the
action lists (an agency lead's own, all and overdue; an administrator's overdue) and the
learning report, each printed beside raw SQL for the same rows, measured in the same run.

Run from the repository root: ``make bench`` or ``.venv/bin/python bench/bench_learning.py``.
By default everything happens in a fresh SQLite database in a temporary directory; nothing
in ``var/`` is touched. With ``DATABASE_URL=postgres://...`` it runs on that database, and a
second run reuses the data the first generated. The exit code is 0 even when a goal is
missed: read the PASS/FAIL lines.
"""

import datetime
import random
import statistics
import sys
import time
from typing import Any

import harness
from harness import say

AGENCIES = 60
ACTIONS_PER_RECOMMENDATION = 10
SMALL = 5_000  # recommendations, so 50,000 actions
LARGE = 50_000  # recommendations, so 500,000 actions
CHUNK = 1_000  # recommendations generated and written at a time
BATCH = 5_000  # bulk_create batch_size
REQUESTS = 50
YEARS = 7  # recommendations made over the last seven years, up to today
SEED = 20250630

GOAL_LIST_P95_MS = 150.0
GOAL_LIST_RATIO = 3.0  # the page against raw SQL for the same rows
GOAL_LIST_SLACK_MS = 20.0  # ... or within 20 ms of it where the raw SQL takes under 10 ms
GOAL_REPORT_SECONDS = 1.0

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
OPEN_STATUSES = ("not_started", "on_track", "at_risk")
OPEN_WEIGHTS = (30, 50, 20)
# An action past its due date: still open (overdue), complete, or closed without completion.
# With about nine actions in ten due by today, this leaves about one in eight overdue.
PAST_DUE = ("open", "complete", "closed_incomplete")
PAST_DUE_WEIGHTS = (14, 74, 12)
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


def today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


# --- Generated data -----------------------------------------------------------------------


def agencies_add() -> list[Any]:
    """The bench agencies, biggest first (made once; a reused database keeps them)."""
    from sightline.accounts.models import Agency

    if not Agency.objects.filter(name__startswith="Bench Agency ").exists():
        Agency.objects.bulk_create(
            [
                Agency(name=f"Bench Agency {number:02d}", sector=SECTORS[number % len(SECTORS)])
                for number in range(1, AGENCIES + 1)
            ]
        )
    return list(Agency.objects.filter(name__startswith="Bench Agency ").order_by("name"))


def agency_weights() -> list[float]:
    """A partnership's spread: a few large agencies (police, the councils, the big trusts)
    hold most actions, and a long tail of small ones a few each (Zipf-like, s = 0.9): the
    first of 60 has about 18% of the actions, the last about 0.5%."""
    return [1 / number**0.9 for number in range(1, AGENCIES + 1)]


def _action_story(
    rec: Any, rng: random.Random, last: datetime.date
) -> tuple[datetime.date, str, Any, Any, list[tuple[str, datetime.date, str]]]:
    """An action's due date, status, completed and closed dates, and its dated status
    history (status, on, via), oldest first, ending at its status today. About nine in ten
    are due by ``last``; of those about one in seven is still open (overdue)."""
    made = rec.made_date
    created = min(_days(made, 0, 14, rng), last)
    due = _days(made, 30, 540, rng)
    history = [("not_started", created, "created")]
    completed = closed = None
    if due < last:
        outcome = rng.choices(PAST_DUE, PAST_DUE_WEIGHTS)[0]
    else:
        outcome = rng.choices(PAST_DUE, (88, 10, 2))[0]
    if outcome == "open":
        status = rng.choices(OPEN_STATUSES, OPEN_WEIGHTS)[0]
        if status != "not_started" and created < last:
            history.append((status, _days(created, 1, (last - created).days, rng), "progress"))
    else:
        status = outcome
        end = min(last, _days(due, -60, 150, rng))
        end = max(end, created)
        if (end - created).days > 2 and rng.random() < 0.6:
            middle = _days(created, 1, (end - created).days - 1, rng)
            history.append(("on_track", middle, "progress"))
        history.append((status, end, "sign_off"))
        if status == "complete":
            completed = end
        else:
            closed = end
    return due, status, completed, closed, history


def chunk_add(rng: random.Random, agencies: list[Any], first: int, count: int) -> tuple[int, int]:
    """Recommendations ``first`` to ``first + count - 1``, ten actions each with their dated
    status history, a dated decision history for each decided recommendation, and about
    three evidence rows for every ten actions. Returns (actions, evidence) written."""
    from django.utils import timezone

    from sightline.learning.models import (
        Action,
        ActionStatusChange,
        Evidence,
        Recommendation,
        RecommendationDecision,
    )

    now = timezone.now()
    last = today()
    first_day = last - datetime.timedelta(days=365 * YEARS)
    span = (last - first_day).days
    weights = agency_weights()
    recs, stories = [], []
    for number in range(first, first + count):
        kind = rng.choice(SOURCE_KINDS)
        made = first_day + datetime.timedelta(days=rng.randint(0, span))
        # The decision history: most decided within two months, a few changed later.
        decisions: list[tuple[str, datetime.date]] = []
        decision = rng.choices(DECISIONS, DECISION_WEIGHTS)[0]
        if decision:
            decided = min(_days(made, 0, 60, rng), last)
            if rng.random() < 0.1:
                earlier = rng.choice([d for d in DECISIONS if d and d != decision])
                decisions.append((earlier, decided))
                decided = min(_days(decided, 1, 200, rng), last)
            decisions.append((decision, decided))
        stories.append(decisions)
        recs.append(
            Recommendation(
                reference=f"BR-{number:06d}",
                source_type="other",
                source_title=f"{kind} {rng.randint(1, 80):02d}",
                text=f"Partners should strengthen practice area {number % 97} across agencies.",
                made_date=made,
                decision=decision,
                decision_reason="Not within the partnership's remit."
                if decision == "not_accepted"
                else "",
                created_at=now,
                updated_at=now,
            )
        )
    Recommendation.objects.bulk_create(recs, batch_size=BATCH)
    decision_rows = [
        RecommendationDecision(
            recommendation_id=rec.pk,
            decision=decision,
            reason="Not within the partnership's remit." if decision == "not_accepted" else "",
            decided_on=decided,
            recorded_at=now,
        )
        for rec, decisions in zip(recs, stories, strict=True)
        for decision, decided in decisions
    ]
    RecommendationDecision.objects.bulk_create(decision_rows, batch_size=BATCH)
    actions, histories = [], []
    for rec in recs:
        assert rec.pk is not None, "bulk_create did not return primary keys"
        for index in range(1, ACTIONS_PER_RECOMMENDATION + 1):
            due, status, completed, closed, history = _action_story(rec, rng, last)
            histories.append(history)
            actions.append(
                Action(
                    reference=f"{rec.reference}-A{index:02d}",
                    recommendation=rec,
                    agency=rng.choices(agencies, weights)[0],
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
    ActionStatusChange.objects.bulk_create(
        [
            ActionStatusChange(action_id=action.pk, status=status, on=on, via=via, recorded_at=now)
            for action, history in zip(actions, histories, strict=True)
            for status, on, via in history
        ],
        batch_size=BATCH,
    )
    evidence = []
    for action in actions:
        made = action.recommendation.made_date
        for _ in range(rng.choices((0, 1, 2), (75, 20, 5))[0]):
            dated = min(_days(made, 0, 900, rng), last)
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
    from django.db import connection, transaction

    from sightline.learning.models import Action, Evidence, Recommendation

    have = Recommendation.objects.filter(reference__startswith="BR-").count()
    if have >= total:
        say(f"  {have:,} recommendations already there: reusing them")
        return
    say(f"  generating recommendations {have + 1:,} to {total:,}, ten actions each ...")
    started = time.perf_counter()
    with transaction.atomic():
        for first in range(have + 1, total + 1, CHUNK):
            chunk_add(rng, agencies, first, min(CHUNK, total + 1 - first))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    say(
        f"  {Recommendation.objects.count():,} recommendations, {Action.objects.count():,} "
        f"actions, {Evidence.objects.count():,} evidence rows in "
        f"{time.perf_counter() - started:.1f} s"
    )


# --- Action list pages -----------------------------------------------------------------

# (who, query): the agency lead's own agency's actions, all and overdue; the
# administrator's overdue actions across the partnership.
LIST_PAGES = (("lead", "?mine=1"), ("lead", "?mine=1&overdue=on"), ("admin", "?overdue=on"))
PER_PAGE = 25

RAW_LIST_SQL = (
    "SELECT a.id, a.reference, a.description, a.due_date, a.status, a.owner_email, "
    "g.name, r.reference, u.full_name "
    "FROM learning_action a JOIN accounts_agency g ON g.id = a.agency_id "
    "JOIN learning_recommendation r ON r.id = a.recommendation_id "
    "LEFT JOIN accounts_user u ON u.id = a.owner_id "
    "WHERE {where} ORDER BY a.due_date, a.reference LIMIT {limit}"
)
RAW_COUNT_SQL = "SELECT COUNT(*) FROM learning_action a WHERE {where}"


def raw_list(query: str, agency_id: int) -> Any:
    """Raw SQL for the same rows a list page shows: its first page and its count."""
    from django.db import connection

    where = ["TRUE"]
    params: list[Any] = []
    if "mine=1" in query:
        where.append("a.agency_id = %s")
        params.append(agency_id)
    if "overdue=on" in query:
        where.append("a.status IN ('not_started', 'on_track', 'at_risk') AND a.due_date < %s")
        params.append(today())
    clause = " AND ".join(where)

    def run(_n: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(RAW_LIST_SQL.format(where=clause, limit=PER_PAGE), params)
            cursor.fetchall()
            cursor.execute(RAW_COUNT_SQL.format(where=clause), params)
            cursor.fetchall()

    return run


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
    """The report's totals by hand: raw SQL, then plain Python. The decision and status that
    stood at the end of ``as_at`` are the latest recorded (highest id) dated by then."""
    from django.db import connection

    totals = dict.fromkeys(TOTALS, 0)
    day = as_at.isoformat()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.decision, d.decision, "
            "EXISTS (SELECT 1 FROM learning_recommendationdecision h "
            "WHERE h.recommendation_id = r.id) "
            "FROM learning_recommendation r LEFT JOIN learning_recommendationdecision d "
            "ON d.id = (SELECT MAX(l.id) FROM learning_recommendationdecision l "
            "WHERE l.recommendation_id = r.id AND l.decided_on <= %s) "
            "WHERE r.made_date <= %s",
            [day, day],
        )
        for _, current, then, has_history in cursor.fetchall():
            decision = (then or "") if has_history else current
            totals["recommendations"] += 1
            totals[decision or "undecided"] += 1
        cursor.execute(
            "SELECT DISTINCT action_id, kind FROM learning_evidence WHERE dated <= %s", [day]
        )
        dissemination: set[int] = set()
        impact: set[int] = set()
        for action_id, kind in cursor.fetchall():
            (dissemination if kind == "dissemination" else impact).add(action_id)
        cursor.execute(
            "SELECT s.action_id, s.status, s.on FROM learning_actionstatuschange s "
            "WHERE s.id IN (SELECT MAX(id) FROM learning_actionstatuschange "
            'WHERE "on" <= %s GROUP BY action_id)',
            [day],
        )
        latest = {action_id: (status, _as_date(on)) for action_id, status, on in cursor}
        cursor.execute("SELECT DISTINCT action_id FROM learning_actionstatuschange")
        with_history = {action_id for (action_id,) in cursor}
        cursor.execute(
            "SELECT a.id, a.status, a.due_date, a.completed_date, a.closed_date "
            "FROM learning_action a "
            "JOIN learning_recommendation r ON r.id = a.recommendation_id "
            "WHERE r.made_date <= %s",
            [day],
        )
        rows = cursor.fetchall()
    for action_id, status_now, due_value, completed_value, closed_value in rows:
        due = _as_date(due_value)
        if action_id in latest:
            status, on = latest[action_id]
        elif action_id in with_history:
            status, on = "not_started", None
        else:  # no history: read by its own dates
            completed, closed = _as_date(completed_value), _as_date(closed_value)
            on = completed
            if status_now == "complete" and completed <= as_at:
                status = "complete"
            elif status_now == "closed_incomplete" and (closed is None or closed <= as_at):
                status = "closed_incomplete"
            else:
                status = "not_started"
        totals["actions"] += 1
        if status == "complete":
            totals["complete"] += 1
            totals["complete_on_time"] += on <= due
        elif status == "closed_incomplete":
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

    as_at = today()
    for day in (as_at - datetime.timedelta(days=400), as_at):
        say(f"Learning report over every action, as at {day:%d/%m/%Y} ...")
        selector_totals = selectors.learning_report(as_at=day)["totals"]  # warm-up
        baseline = baseline_totals(day)
        assert selector_totals == baseline, (
            f"baseline differs from the report:\n{selector_totals}\n{baseline}"
        )
        say("  baseline totals (from the dated history) equal the report's:")
        for name in TOTALS:
            say(f"    {name:30} {selector_totals[name]:>9,}")
    report_times, _ = harness.timed(lambda: selectors.learning_report(as_at=as_at), 5)
    baseline_times, _ = harness.timed(lambda: baseline_totals(as_at), 3)
    return {"report": report_times, "baseline": baseline_times}


# --- Main ---------------------------------------------------------------------------------


def main() -> int:
    with harness.bench_database("learning tracker") as run:
        from django.db import connection
        from django.urls import reverse

        from sightline.core.roles import Role
        from sightline.learning.models import Action

        rng = random.Random(SEED)
        agencies = agencies_add()
        clients = {
            "lead": harness.member_client(
                agency=agencies[0],
                role=Role.AGENCY_LEAD,
                email="bench-lead@example.test",
                full_name="Bench Agency Lead",
            ),
            "admin": harness.member_client(
                agency=agencies[0],
                role=Role.ADMINISTRATOR,
                email="bench-admin@example.test",
                full_name="Bench Administrator",
            ),
            # The lead of the smallest agency: the query count of a page with few rows.
            "small": harness.member_client(
                agency=agencies[-1],
                role=Role.AGENCY_LEAD,
                email="bench-small-lead@example.test",
                full_name="Bench Small Agency Lead",
            ),
        }
        list_url = reverse("learning:action_list")
        pages = [(who, list_url + query) for who, query in LIST_PAGES]
        small_actions = SMALL * ACTIONS_PER_RECOMMENDATION
        large_actions = LARGE * ACTIONS_PER_RECOMMENDATION

        def counts() -> dict[tuple[str, str], list[str]]:
            return {
                (who, url): harness.count_queries(clients[who], [url])[url] for who, url in pages
            }

        fresh = not Action.objects.exists()
        if fresh:
            say(f"Action lists at {small_actions:,} actions ...")
            grow_to(rng, agencies, SMALL)
            queries_small = counts()
            small_label = f"at {small_actions:,} actions"
        say(f"Growing to {large_actions:,} actions ...")
        grow_to(rng, agencies, LARGE)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        queries_large = counts()
        if not fresh:  # data reused: the smallest agency's lead stands for few rows
            queries_small = {
                (who, url): harness.count_queries(clients["small"], [url])[url]
                if who == "lead"
                else queries_large[(who, url)]
                for who, url in pages
            }
            small_label = "smallest agency"

        mine = Action.objects.filter(agency=agencies[0]).count()
        overdue = Action.objects.filter(status__in=OPEN_STATUSES, due_date__lt=today()).count()
        say(
            f"Action lists at {Action.objects.count():,} actions ({mine:,} of them the lead's "
            f"agency's, {overdue:,} overdue): {REQUESTS} requests each ..."
        )
        page_times = {
            (who, url): harness.request_times(clients[who], url, REQUESTS) for who, url in pages
        }
        raw_times = {
            (who, url): harness.call_times(raw_list(url, agencies[0].pk), REQUESTS)
            for who, url in pages
        }

        report = bench_report()

        # --- The table ---------------------------------------------------------------
        run.lines.append(
            f"Action lists, {Action.objects.count():,} actions ({REQUESTS} requests each)"
        )
        slow_pages = []
        for who, url in pages:
            p50, p95 = harness.p50_p95(page_times[(who, url)])
            raw50, raw95 = harness.p50_p95(raw_times[(who, url)])
            run.lines.append(
                f"  {who:5} {url:36} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   "
                f"raw SQL p50 {raw50:6.1f} p95 {raw95:6.1f} ms   {p95 / raw95:5.1f}x"
            )
            run.verdict(
                p95 <= GOAL_LIST_P95_MS,
                f"{who} {url} p95 {p95:.1f} ms <= {GOAL_LIST_P95_MS:.0f} ms",
            )
            near = raw95 < 10 and p95 - raw95 <= GOAL_LIST_SLACK_MS
            run.verdict(
                p95 <= GOAL_LIST_RATIO * raw95 or near,
                f"{who} {url} p95 {p95:.1f} ms <= {GOAL_LIST_RATIO:.0f}x raw SQL "
                f"{raw95:.1f} ms (or within {GOAL_LIST_SLACK_MS:.0f} ms of it under 10 ms)",
            )
            if p95 > GOAL_LIST_P95_MS or (p95 > GOAL_LIST_RATIO * raw95 and not near):
                slow_pages.append((who, url))
        run.lines.append(f"  {'queries per request':42} {small_label:>22}   at full size")
        for who, url in pages:
            small, large = len(queries_small[(who, url)]), len(queries_large[(who, url)])
            run.lines.append(f"  {who:5} {url:36} {small:22}   {large:12}")
            run.verdict(small == large, f"{who} {url} queries {small} ({small_label}) == {large}")

        best, mean = min(report["report"]), statistics.mean(report["report"])
        worst = max(report["report"])
        base_best, base_mean = min(report["baseline"]), statistics.mean(report["baseline"])
        run.lines += [
            f"Learning report, {large_actions:,} actions, as at {today():%d/%m/%Y} (5 runs)",
            f"  selectors.learning_report     best {best:7.3f} s   mean {mean:7.3f} s   "
            f"worst {worst:7.3f} s",
            f"  baseline raw SQL + Python     best {base_best:7.3f} s   mean {base_mean:7.3f} s",
            f"  ratio (best / best)           {best / base_best:7.2f}x",
        ]
        run.verdict(
            worst <= GOAL_REPORT_SECONDS,
            f"learning report worst {worst:.3f} s <= {GOAL_REPORT_SECONDS} s",
        )

        for who, url in slow_pages:
            run.lines.append(f"Queries of {who} {url}, each re-run alone (best of 5):")
            for ms, sql in query_times(queries_large[(who, url)]):
                run.lines.append(f"  {ms:8.1f} ms  {sql[:160]}")

        run.show()
    return 0


if __name__ == "__main__":
    sys.exit(main())
