"""The benchmarks' pure helpers: the verdict against raw SQL, and where the bench data goes."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import dataset
import harness


@pytest.mark.parametrize(
    ("page", "raw", "ok"),
    [
        (30.0, 10.0, True),  # exactly three times
        (30.1, 10.0, False),  # over three times, and raw is not under 10 ms
        (25.0, 5.0, True),  # five times, but within 20 ms of a fast query
        (25.1, 5.0, False),  # over 20 ms more than a fast query, and over three times
        (29.0, 9.9, True),  # within 20 ms of a query just under 10 ms
        (50.0, 10.0, False),  # 10 ms is not under 10 ms: the ratio rule alone
        (1.0, 0.0, True),  # raw too fast to measure: 20 ms of slack
    ],
)
def test_near_raw_is_three_times_or_twenty_ms_over_a_fast_query(
    page: float, raw: float, ok: bool
) -> None:
    assert harness.near_raw(page, raw) is ok


def test_page_verdict_needs_the_goal_and_the_raw_rule_both() -> None:
    assert harness.page_verdict(100.0, 40.0, 150.0) == (True, "")
    slow, reason = harness.page_verdict(160.0, 100.0, 150.0)
    assert not slow
    assert "over the goal of 150 ms" in reason
    far, reason = harness.page_verdict(140.0, 20.0, 150.0)
    assert not far
    assert "7.0x raw SQL" in reason


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(n) for n in range(1, 21)]
    assert harness.p50_p95(values) == (10.0, 19.0)


def test_bench_url_never_names_the_users_own_database() -> None:
    assert dataset.bench_url("postgres://postgres@db:5432/sightline") == (
        "postgres://postgres@db:5432/sightline_bench"
    )
    # A database already kept for benchmarks is used as it is.
    assert dataset.bench_url("postgres://u@h/sl_bench") == "postgres://u@h/sl_bench"
    assert dataset.bench_url("postgres://u@h/x", "postgres://u@h/mine") == "postgres://u@h/mine"
    assert dataset.bench_url("").endswith("var/bench/bench.sqlite3")
    assert dataset.bench_url("sqlite:///var/sightline.sqlite3").endswith("var/bench/bench.sqlite3")


def _figures(p95: float, failures: int = 0, page_p95: float = 100.0) -> dict:
    row = {"requests": 100, "failures": failures, "p50": 50.0, "p95": p95, "p99": p95}
    page = {**row, "p95": page_p95}
    return {"total": row, "pages": {"home": page}, "sign_in_errors": 0}


def test_load_verdict_needs_p95_no_errors_and_no_slow_page() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import bench_load

    assert all(ok for ok, _ in bench_load.load_checks(_figures(300.0)))
    assert [ok for ok, _ in bench_load.load_checks(_figures(301.0))] == [False, True, True]
    assert [ok for ok, _ in bench_load.load_checks(_figures(200.0, failures=1))] == [
        True,
        False,
        True,
    ]
    slow = bench_load.load_checks(_figures(200.0, page_p95=1001.0))
    assert [ok for ok, _ in slow] == [True, True, False]
    assert "over: home" in slow[2][1]


def test_paired_times_take_turns_after_warming_both_up() -> None:
    calls: list[tuple[str, int]] = []
    first, second = harness.paired_times(
        lambda n: calls.append(("page", n)), lambda n: calls.append(("raw", n)), 4
    )
    assert len(first) == len(second) == 4
    assert all(ms >= 0 for ms in first + second)
    # Three untimed calls of each, then each timed call of the page followed by the raw SQL's.
    assert calls[:6] == [("page", 0), ("raw", 0), ("page", 1), ("raw", 1), ("page", 2), ("raw", 2)]
    assert calls[6:] == [(kind, n) for n in range(4) for kind in ("page", "raw")]
