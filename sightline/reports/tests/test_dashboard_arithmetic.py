"""The dashboards' arithmetic, without a database: rates, comparisons and bar charts."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline.reports.dashboards import (
    LABEL_CHARACTERS,
    Comparison,
    Rate,
    attention,
    bar_chart,
    partnership_rate,
)


@pytest.mark.parametrize(
    ("part", "whole", "percent"),
    [(0, 4, 0), (1, 8, 13), (1, 3, 33), (2, 3, 67), (1, 200, 1), (1, 201, 0), (5, 5, 100)],
)
def test_a_rate_rounds_half_up(part, whole, percent):
    assert Rate(part, whole).percent == percent


@pytest.mark.parametrize("whole", [0, None])
def test_a_rate_of_nothing_known_has_no_percentage(whole):
    rate = Rate(3, whole)
    assert rate.percent is None
    assert rate.text == "Not known"


def test_a_rate_says_its_part_and_whole():
    assert Rate(1200, 4800).text == "25% (1,200 of 4,800)"


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_a_percentage_is_within_half_a_point(part, whole):
    percent = Rate(part, whole).percent
    assert percent is not None
    assert abs(percent - 100 * part / whole) <= 0.5


def test_fewer_overdue_than_the_partnership_is_better():
    comparison = Comparison("Overdue", Rate(1, 10), Rate(3, 10), higher_is_better=False)
    assert comparison.difference == -20
    assert comparison.verdict == "20 points better than the partnership"
    assert comparison.tone == "done"


def test_fewer_returns_made_than_the_partnership_is_worse():
    comparison = Comparison("Returns", Rate(1, 2), Rate(51, 100), higher_is_better=True)
    assert comparison.difference == -1
    assert comparison.verdict == "1 point worse than the partnership"
    assert comparison.tone == "overdue"


def test_the_same_rate_is_neither_better_nor_worse():
    comparison = Comparison("Returns", Rate(1, 2), Rate(5, 10), higher_is_better=True)
    assert comparison.verdict == "Same as the partnership"
    assert comparison.tone == "neutral"


def test_an_unknown_rate_cannot_be_compared():
    comparison = Comparison("Reach", Rate(5, None), Rate(5, 10), higher_is_better=True)
    assert comparison.difference is None
    assert comparison.verdict == "Cannot compare"


def test_the_partnership_rate_counts_only_agencies_whose_whole_is_known():
    # The agency with no workforce recorded trained 50 people: counting them over nobody's
    # headcount would make the partnership's reach look better than it is.
    assert partnership_rate([(10, 100), (50, None), (5, 0), (30, 300)]) == Rate(40, 400)
    assert partnership_rate([(50, None)]).percent is None


def test_a_figure_asks_for_action_only_when_there_is_something():
    assert attention("Overdue", 2, "/x").tone == "overdue"
    assert attention("Due soon", 2, "/x", soon=True).tone == "due"
    assert attention("Overdue", 0, "/x").tone == "done"


def test_the_longest_bar_is_the_largest_count_and_the_rest_in_proportion():
    chart = bar_chart("Overdue", [("A", 8, "/a"), ("B", 2, "/b"), ("C", 0, "/c")], unit="actions")
    widths = [bar.width for bar in chart.bars]
    assert widths[0] == 4 * widths[1]
    assert widths[2] == 0
    assert [bar.y for bar in chart.bars] == sorted({bar.y for bar in chart.bars})
    assert chart.height > chart.bars[-1].y
    assert chart.description == "Overdue, in actions. A: 8; B: 2; C: 0."


def test_a_long_name_is_shortened_in_the_chart_only():
    name = "Northshire and Wealdbridge Integrated Care Board"
    bar = bar_chart("Overdue", [(name, 1, "/a")], unit="actions").bars[0]
    assert bar.label == name
    assert len(bar.short_label) == LABEL_CHARACTERS
    assert bar.short_label.endswith("…")


def test_a_chart_of_nothing_says_so():
    chart = bar_chart("Overdue", [], unit="actions")
    assert chart.bars == ()
    assert chart.description == "Overdue: none."
