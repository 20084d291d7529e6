"""Benchmark of the risk register at 5,000 risks, each with about four assessments: the
register's first page and filtered pages, the heat map and a risk's page, each timed beside
baselines measured in the same run, and each page's query count at 500 and at 5,000 risks.

Run from the repository root: ``make bench`` or ``.venv/bin/python bench/bench_risk_register.py``.
Everything happens in a fresh SQLite database in a temporary directory; nothing in ``var/``
is touched. The exit code is 1 when any page misses its goal (p95 under 150 ms, the same
query count at both sizes), so this script can stand as the issue's acceptance check.
"""

import datetime
import random
import sys
import time
from typing import Any

import harness
from harness import say

SMALL = 500  # risks
LARGE = 5_000  # risks
ASSESSMENTS = 4  # on each risk, on average
OWNERS = 20
RECOMMENDATIONS = 100
ACTIONS_PER_RECOMMENDATION = 5
REQUESTS = 50
DETAIL_RISKS = 50  # the risk pages timed: a different risk on each request, in turn
# Dates are set relative to the day of the run, so the same share of risks is overdue.
TODAY = datetime.date.today()
BATCH = 2_000
SEED = 20260415

GOAL_P95_MS = 150.0

CATEGORIES = (
    "strategic",
    "operational",
    "financial",
    "reputational",
    "statutory",
    "workforce",
    "information",
)
EFFECTIVENESS = ("effective", "partly", "not_effective")
LIST_QUERIES = (
    "",
    "?level=high&overdue=on",
    "?appetite=unaccepted&category=operational",
    "?search=budget&status=all",
)


# --- Generated data -----------------------------------------------------------------------


def people_add() -> dict[str, Any]:
    from sightline.accounts.models import Agency, Membership, User

    unit = Agency.objects.create(name="Bench Business Unit", sector="other")
    admin = User.objects.create_user("bench-admin@example.test", None, full_name="Bench Admin")
    Membership.objects.create(user=admin, agency=unit, role="administrator")
    owners = []
    for n in range(OWNERS):
        owner = User.objects.create_user(
            f"bench-exec{n}@example.test", None, full_name=f"Executive {n:02d}"
        )
        Membership.objects.create(user=owner, agency=unit, role="executive")
        owners.append(owner.pk)
    return {"admin": admin, "owners": owners, "agency": unit}


def actions_add(agency: Any) -> list[int]:
    """Learning tracker actions for risks to link as mitigations."""
    from sightline.learning.models import Action, Recommendation

    recommendations = Recommendation.objects.bulk_create(
        [
            Recommendation(
                reference=f"R-BENCH-{n:03d}",
                source_type="other",
                source_title="Bench review",
                text="Share information sooner.",
                made_date=TODAY - datetime.timedelta(days=400),
            )
            for n in range(RECOMMENDATIONS)
        ]
    )
    Action.objects.bulk_create(
        [
            Action(
                reference=f"{rec.reference}/A{n}",
                recommendation=rec,
                agency=agency,
                description="Brief every team.",
                due_date=TODAY + datetime.timedelta(days=n * 20),
            )
            for rec in recommendations
            for n in range(ACTIONS_PER_RECOMMENDATION)
        ]
    )
    return list(Action.objects.values_list("pk", flat=True))


def _scores(rng: random.Random) -> tuple[int, int, int, int]:
    """Inherent scores anywhere on the matrix; controls take each down by up to two."""
    il, ii = rng.randint(1, 5), rng.randint(1, 5)
    return il, ii, max(1, il - rng.randint(0, 2)), max(1, ii - rng.randint(0, 2))


def risks_add(rng: random.Random, data: dict[str, Any], first: int, count: int) -> None:
    """``count`` risks numbered from ``first``: 10% closed, next reviews from 60 days ago to
    180 days ahead (so some are overdue), about four assessments, two controls each, an
    acceptance on about a third of those above appetite, and mitigating actions on a third."""
    from django.db import transaction
    from django.utils import timezone

    from sightline.assurance.models import (
        Risk,
        RiskAcceptance,
        RiskAssessment,
        RiskControl,
    )
    from sightline.assurance.scoring import Matrix

    matrix = Matrix()
    now = timezone.now()
    with transaction.atomic():
        risks = []
        for n in range(first, first + count):
            il, ii, rl, ri = _scores(rng)
            # One risk in fifty is worse with its controls than without, and says why.
            worse = rng.random() < 0.02 and il < 5
            if worse:
                rl, ri = il + 1, ii
            opened = TODAY - datetime.timedelta(days=rng.randint(120, 1_500))
            last = TODAY - datetime.timedelta(days=rng.randint(0, 120))
            closed = rng.random() < 0.1
            risks.append(
                Risk(
                    reference=f"BR-{n:05d}",
                    title=rng.choice(("Budget gap", "Front door", "Late reviews", "Workforce"))
                    + f" {n}",
                    category=rng.choice(CATEGORIES),
                    owner_id=rng.choice(data["owners"]),
                    cause="Cause of the risk.",
                    consequence="What would happen.",
                    inherent_likelihood=il,
                    inherent_impact=ii,
                    residual_likelihood=rl,
                    residual_impact=ri,
                    inherent_score=il * ii,
                    residual_score=rl * ri,
                    residual_reason="The new service has not started" if worse else "",
                    status="closed" if closed else "open",
                    opened_on=opened,
                    last_reviewed_on=last,
                    next_review_on=TODAY + datetime.timedelta(days=rng.randint(-60, 180)),
                    closed_on=TODAY if closed else None,
                    created_at=now,
                    updated_at=now,
                )
            )
        Risk.objects.bulk_create(risks, batch_size=BATCH)
        assessments, controls, acceptances, links = [], [], [], []
        for risk in risks:
            reviews = rng.randint(ASSESSMENTS - 2, ASSESSMENTS + 2)
            for step in range(reviews):
                day = risk.last_reviewed_on - datetime.timedelta(days=90 * (reviews - 1 - step))
                last_scores = (
                    risk.inherent_likelihood,
                    risk.inherent_impact,
                    risk.residual_likelihood,
                    risk.residual_impact,
                )
                il, ii, rl, ri = last_scores if step == reviews - 1 else _scores(rng)
                assessments.append(
                    RiskAssessment(
                        risk=risk,
                        assessed_on=day,
                        inherent_likelihood=il,
                        inherent_impact=ii,
                        residual_likelihood=rl,
                        residual_impact=ri,
                        note="Reviewed at the Executive.",
                        assessed_by_id=risk.owner_id,
                        recorded_at=now,
                    )
                )
            for number in range(2):
                controls.append(
                    RiskControl(
                        risk=risk,
                        description=f"Control {number + 1}",
                        effectiveness=rng.choice(EFFECTIVENESS),
                    )
                )
            if risk.residual_score > matrix.appetite and rng.random() < 0.33:
                acceptances.append(
                    RiskAcceptance(
                        risk=risk,
                        accepted_by_id=risk.owner_id,
                        reason="Tolerated while partners fund more staff.",
                        accepted_on=TODAY - datetime.timedelta(days=30),
                        until=TODAY + datetime.timedelta(days=rng.randint(-20, 300)),
                        residual_score=risk.residual_score,
                        recorded_at=now,
                    )
                )
            if rng.random() < 0.33:
                for action in rng.sample(data["actions"], rng.randint(1, 3)):
                    links.append(Risk.actions.through(risk_id=risk.pk, action_id=action))
        RiskAssessment.objects.bulk_create(assessments, batch_size=BATCH)
        RiskControl.objects.bulk_create(controls, batch_size=BATCH)
        RiskAcceptance.objects.bulk_create(acceptances, batch_size=BATCH)
        Risk.actions.through.objects.bulk_create(links, batch_size=BATCH)


def grow_to(rng: random.Random, data: dict[str, Any], total: int) -> None:
    from sightline.assurance.models import Risk, RiskAcceptance, RiskAssessment

    have = Risk.objects.count()
    started = time.perf_counter()
    risks_add(rng, data, have + 1, total - have)
    say(
        f"  {Risk.objects.count():,} risks, {RiskAssessment.objects.count():,} assessments, "
        f"{RiskAcceptance.objects.count():,} acceptances in "
        f"{time.perf_counter() - started:.1f} s"
    )


# --- Baselines: the same rows, fetched bare ---------------------------------------------------


def bare_list_page(cursor: Any) -> Any:
    """The register's first page of rows and its count, in raw SQL, with nothing else."""
    cursor.execute("SELECT COUNT(*) FROM assurance_risk WHERE status = 'open'")
    cursor.fetchall()
    cursor.execute(
        "SELECT r.id, r.reference, r.title, r.category, r.inherent_score, r.residual_score, "
        "r.next_review_on, u.full_name FROM assurance_risk r "
        "JOIN accounts_user u ON u.id = r.owner_id WHERE r.status = 'open' "
        "ORDER BY r.residual_score DESC, r.reference LIMIT 25"
    )
    return cursor.fetchall()


def bare_heat_map(cursor: Any, stage: str) -> dict[tuple[int, int], int]:
    cursor.execute(
        f"SELECT {stage}_likelihood, {stage}_impact, COUNT(*) FROM assurance_risk "
        f"WHERE status = 'open' GROUP BY 1, 2"
    )
    return {(lik, imp): n for lik, imp, n in cursor.fetchall()}


def bare_detail(cursor: Any, pk: int) -> Any:
    cursor.execute("SELECT * FROM assurance_risk WHERE id = %s", [pk])
    cursor.fetchall()
    cursor.execute("SELECT * FROM assurance_riskassessment WHERE risk_id = %s", [pk])
    return cursor.fetchall()


# --- The run --------------------------------------------------------------------------------


def main() -> int:
    with harness.bench_database("risk register") as run:
        from django.db import connection
        from django.urls import reverse

        from sightline.assurance.models import Risk
        from sightline.assurance.scoring import Matrix
        from sightline.assurance.selectors.risks import risk_heat_map

        rng = random.Random(SEED)
        data = people_add()
        data["actions"] = actions_add(data["agency"])
        client = harness.signed_in_client(data["admin"])
        list_url = reverse("assurance:risk_list")
        heat_url = reverse("assurance:risk_heatmap")
        list_urls = [list_url + query for query in LIST_QUERIES]
        heat_urls = [heat_url, heat_url + "?scores=inherent"]

        say(f"The register at {SMALL:,} risks ...")
        grow_to(rng, data, SMALL)
        detail_small = Risk.objects.order_by("pk").first()
        assert detail_small is not None
        count_urls = [*list_urls, *heat_urls, detail_small.get_absolute_url()]
        queries_small = harness.count_queries(client, count_urls)

        say(f"Growing to {LARGE:,} risks ...")
        grow_to(rng, data, LARGE)
        queries_large = harness.count_queries(client, count_urls)

        # The heat map's counts must be the bare GROUP BY's, or the comparison means nothing.
        matrix = Matrix()
        with connection.cursor() as cursor:
            for stage in ("residual", "inherent"):
                bare = bare_heat_map(cursor, stage)
                heat = risk_heat_map(matrix=matrix, scores=stage)
                shown = {(c.likelihood, c.impact): c.count for c in heat.cells if c.count}
                if shown != bare:
                    raise RuntimeError(f"The {stage} heat map differs from the bare GROUP BY")

        open_pks = list(
            Risk.objects.filter(status="open").order_by("pk").values_list("pk", flat=True)
        )
        detail_pks = rng.sample(open_pks, DETAIL_RISKS)
        detail_urls = [reverse("assurance:risk_detail", kwargs={"pk": pk}) for pk in detail_pks]

        say(f"Timing {REQUESTS} requests of each page ...")
        page_times: dict[str, list[float]] = {
            url: harness.request_times(client, url, REQUESTS) for url in [*list_urls, *heat_urls]
        }
        page_times["risk page"] = harness.call_times(
            lambda n: harness.get_ok(client, detail_urls[n % len(detail_urls)]), REQUESTS
        )
        health_times = harness.request_times(client, reverse("health"), REQUESTS)
        with connection.cursor() as cursor:
            bare_times = {
                "list": harness.call_times(lambda _n: bare_list_page(cursor), REQUESTS),
                "heat": harness.call_times(lambda _n: bare_heat_map(cursor, "residual"), REQUESTS),
                "detail": harness.call_times(
                    lambda n: bare_detail(cursor, detail_pks[n % len(detail_pks)]), REQUESTS
                ),
            }

        # --- The table -----------------------------------------------------------------
        def row(label: str, times: list[float]) -> str:
            p50, p95 = harness.p50_p95(times)
            return f"  {label:64} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms"

        baseline_of = {"list": "list", "heat": "heat", "risk page": "detail"}
        run.lines.append(
            f"Risk register, administrator, {LARGE:,} risks (~{ASSESSMENTS} assessments each), "
            f"{REQUESTS} requests each"
        )
        for label, times in page_times.items():
            kind = "heat" if label.startswith(heat_url) else baseline_of.get(label, "list")
            run.lines.append(row(f"GET {label}", times))
            run.lines.append(
                row(f"    baseline: bare SQL of the same rows ({kind})", bare_times[kind])
            )
            run.lines.append(
                row("    baseline: GET /health/ (SELECT 1, same middleware)", health_times)
            )
            p95 = harness.percentile(times, 95)
            run.verdict(p95 < GOAL_P95_MS, f"GET {label} p95 {p95:.1f} ms < {GOAL_P95_MS:.0f} ms")
        run.lines.append(f"  {'queries per request':64} at {SMALL:,} risks   at {LARGE:,} risks")
        for url in count_urls:
            small, large = len(queries_small[url]), len(queries_large[url])
            label = "risk page" if url == detail_small.get_absolute_url() else url
            run.lines.append(f"  {label:64} {small:12}   {large:14}")
            run.verdict(
                small == large, f"{label} queries {small} at {SMALL:,} == {large} at {LARGE:,}"
            )

        run.show()
    return 0 if run.passed else 1


if __name__ == "__main__":
    sys.exit(main())
