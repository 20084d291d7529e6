"""Benchmark of the yearly report at the other benchmarks' sizes together: 50,000 case
reviews (``bench_reviews``), the Executive pack's register, groups, data and learning
tracker (``bench_executive_pack``: 5,000 risks, 100,000 data points, 10,000 actions) and
200,000 training bookings (``bench_training_report``), all in one database.

It times the figures (``yearly_figures``), the page (``GET /reports/yearly/<year>/report/``)
and the PDF and Word files as the background jobs make them, checks each figure against raw
SQL over the same rows in the same run, and prints the PostgreSQL plans (``EXPLAIN
ANALYZE``) of the report's own case queries when run there.

Run from the repository root: ``make bench`` or ``.venv/bin/python
bench/bench_yearly_report.py``: a fresh SQLite database in a temporary directory, or with
``DATABASE_URL=postgres://...`` a scratch schema of its own in the benchmark database
(``harness.bench_database``; it writes background jobs, so it keeps off the shared
dataset). The exit code is 0 even when a goal is missed: read the PASS/FAIL lines.
"""

import datetime
import logging
import random
import sys
import time
from typing import Any

import bench_executive_pack as pack_bench
import bench_reviews as reviews_bench
import bench_training_report as training_bench
import harness
from harness import say

CASES = 50_000
BOOKINGS = 200_000
YEAR = "2025-26"
SEED = 20260331
GOAL_PAGE_SECONDS = 2.0
GOAL_FILE_SECONDS = 20.0
RUNS = 3


def generate(today: datetime.date) -> Any:
    """Every benchmark's data in one database; the executive member who reads the report."""
    from django.utils import timezone

    from sightline.accounts.models import Agency, Membership, User
    from sightline.assurance.models import RiskSettings

    rng = random.Random(SEED)
    started = time.perf_counter()
    training = training_bench.reference_data_add(rng)
    training_bench.cases_add(rng, training["themes"])
    training_bench.grow_to(rng, training, BOOKINGS)
    reviews_bench.cases_add(rng, 1, CASES)
    say(f"  training and {CASES:,} cases in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    agencies = list(Agency.objects.filter(name__startswith="Bench Agency ").order_by("pk"))
    executive = User.objects.create_user(
        "bench-executive@example.test", None, full_name="Bench Executive"
    )
    Membership.objects.create(user=executive, agency=agencies[0], role="executive")
    User.objects.bulk_create(
        [
            User(email=f"owner{n}@example.test", full_name=f"Owner {n}", password="!")
            for n in range(pack_bench.OWNERS)
        ]
    )
    owners = list(User.objects.filter(email__startswith="owner").values_list("pk", flat=True))
    RiskSettings.objects.create(appetite=9, updated_at=timezone.now())
    data = {
        "agencies": agencies[: pack_bench.AGENCIES],
        "executive": executive,
        "owners": owners,
        "today": today,
    }
    for step in range(pack_bench.STEPS):
        pack_bench.step_add(rng, data, step)
    pack_bench.priority_updates_add(data)
    say(f"  {pack_bench.sizes()} in {time.perf_counter() - started:.0f} s")
    return executive


def raw(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def raw_figures(start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """The same figures as the report's, counted here with hand-written SQL."""
    received = dict.fromkeys(("child", "adult", "dhr", "local"), 0)
    received |= dict(
        raw(
            "SELECT route, COUNT(*) FROM reviews_case WHERE "
            "(route = 'child' AND incident_aware_date BETWEEN %s AND %s) OR "
            "(route <> 'child' AND referral_date BETWEEN %s AND %s) GROUP BY route",
            [start, end, start, end],
        )
    )
    published = [
        row[0]
        for row in raw(
            "SELECT reference FROM reviews_case WHERE published_date BETWEEN %s AND %s "
            "ORDER BY published_date, reference",
            [start, end],
        )
    ]
    actions = raw(
        "SELECT COUNT(*) FROM learning_action a JOIN learning_recommendation r "
        "ON r.id = a.recommendation_id WHERE r.made_date <= %s",
        [end],
    )[0][0]
    return {"received": received, "published": published, "actions": actions}


def explain(year: Any) -> None:
    """The plans PostgreSQL chooses for the report's own case queries."""
    from django.db import connection

    from sightline.reviews.models import Case
    from sightline.reviews.selectors import _started_between

    if connection.vendor != "postgresql":
        return
    for name, queryset in (
        (
            "received",
            Case.objects.filter(_started_between(year.start, year.end)).order_by("reference"),
        ),
        (
            "published",
            Case.objects.filter(
                published_date__gte=year.start, published_date__lte=year.end
            ).order_by("published_date", "reference"),
        ),
    ):
        say(f"  EXPLAIN ANALYZE ({name}):")
        for line in queryset.values_list("reference", "route").explain(analyze=True).splitlines():
            say(f"    {line}")


def main() -> int:
    with harness.bench_database("yearly report") as run:
        from django.core.files.storage import default_storage
        from django.db import connection
        from django.urls import reverse
        from django.utils import timezone

        from sightline.core.models import BackgroundJob
        from sightline.reports.selectors.yearly import yearly_figures
        from sightline.reports.yearly.years import FinancialYear

        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        year = FinancialYear.parse(YEAR)
        say("Generating the data ...")
        executive = generate(timezone.localdate())
        client = harness.signed_in_client(executive)

        def figures() -> Any:
            return yearly_figures(year=year, since=None)

        queries = harness.queries_of(figures)
        figure_times, made = harness.timed(figures, RUNS)
        raw_times, counted = harness.timed(lambda: raw_figures(year.start, year.end), RUNS)
        data = made.as_json()
        same = {
            "received": data["case_reviews"]["received"] == counted["received"],
            "published": [p["reference"] for p in data["case_reviews"]["published"]]
            == counted["published"],
            "actions": data["learning"]["totals"]["actions"] == counted["actions"],
        }
        page = reverse("reports:yearly_report", kwargs={"year": year.label})
        harness.get_ok(client, page)
        page_times, _ = harness.timed(lambda: harness.get_ok(client, page), RUNS)

        def file_seconds(name: str) -> tuple[float, int]:
            """The job runs when its request's transaction commits (the tasks backend here
            runs it at once), so the request's time is the job's."""
            BackgroundJob.objects.all().delete()
            started = time.perf_counter()
            client.get(reverse(name, kwargs={"year": year.label}))
            seconds = time.perf_counter() - started
            job = BackgroundJob.objects.get()
            if job.status != BackgroundJob.Status.DONE:
                raise RuntimeError(f"The {name} job did not finish: {job.message}")
            return seconds, default_storage.size(job.result_file)

        pdf_seconds, pdf_size = file_seconds("reports:yearly_pdf")
        docx_seconds, docx_size = file_seconds("reports:yearly_docx")
        explain(year)

        run.lines += [
            f"Yearly report {year.label} on {connection.vendor}, {pack_bench.sizes()}",
            f"  received {data['case_reviews']['received']} (raw SQL {counted['received']})",
            f"  published {len(data['case_reviews']['published'])} "
            f"(raw SQL {len(counted['published'])})",
            f"  learning actions {data['learning']['totals']['actions']:,} "
            f"(raw SQL {counted['actions']:,})",
            f"  yearly_figures() (for the JSON, every case listed): best "
            f"{min(figure_times):.2f} s in {len(queries)} queries; "
            f"raw SQL for its case and action counts best {min(raw_times):.3f} s",
            f"  page GET best {min(page_times):.2f} s, worst {max(page_times):.2f} s",
            f"  PDF job {pdf_seconds:.1f} s ({pdf_size:,} bytes); "
            f"Word job {docx_seconds:.1f} s ({docx_size:,} bytes)",
        ]
        for name, ok in same.items():
            run.verdict(ok, f"{name}: the report's figure equals raw SQL over the same rows")
        run.verdict(
            max(page_times) <= GOAL_PAGE_SECONDS,
            f"page (HTML) at most {GOAL_PAGE_SECONDS:.0f} s: worst {max(page_times):.2f} s",
        )
        run.verdict(
            pdf_seconds <= GOAL_FILE_SECONDS,
            f"PDF at most {GOAL_FILE_SECONDS:.0f} s: {pdf_seconds:.1f} s",
        )
        run.verdict(
            docx_seconds <= GOAL_FILE_SECONDS,
            f"Word at most {GOAL_FILE_SECONDS:.0f} s: {docx_seconds:.1f} s",
        )
        run.show()
    return 0 if run.passed else 1


if __name__ == "__main__":
    sys.exit(main())
