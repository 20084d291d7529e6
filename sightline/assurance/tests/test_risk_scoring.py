"""Risk scoring, without a database: levels, review dates, appetite, the refusals and their
messages, the heat map and the score chart, checked case by case and as properties."""

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sightline.assurance import scoring
from sightline.assurance.scoring import ChartPoint, Level, Matrix

DEFAULT = Matrix()
TODAY = datetime.date(2026, 5, 14)


@st.composite
def matrices(draw: st.DrawFn) -> Matrix:
    """Any matrix the settings accept."""
    likelihood = draw(st.integers(2, 10))
    impact = draw(st.integers(2, 10))
    top = likelihood * impact
    low, medium, high = sorted(draw(st.sets(st.integers(1, top - 1), min_size=3, max_size=3)))
    days = sorted(draw(st.lists(st.integers(1, 366), min_size=4, max_size=4)), reverse=True)
    return Matrix(
        likelihood_levels=likelihood,
        impact_levels=impact,
        appetite=draw(st.integers(1, top)),
        low_max=low,
        medium_max=medium,
        high_max=high,
        review_days_low=days[0],
        review_days_medium=days[1],
        review_days_high=days[2],
        review_days_very_high=days[3],
    )


# --- Scores and levels ---------------------------------------------------------------------


def test_the_default_matrix_is_five_by_five_with_appetite_nine():
    assert (DEFAULT.likelihood_levels, DEFAULT.impact_levels, DEFAULT.max_score) == (5, 5, 25)
    assert DEFAULT.appetite == 9


def test_a_matrix_is_read_from_anything_with_the_settings_names():
    row = SimpleNamespace(**{**DEFAULT.__dict__, "appetite": 12, "likelihood_levels": 4})
    assert Matrix.of(row) == Matrix(appetite=12, likelihood_levels=4)


@pytest.mark.parametrize(
    ("likelihood", "impact", "expected"),
    [
        (1, 1, Level.LOW),
        (1, 4, Level.LOW),
        (2, 2, Level.LOW),
        (1, 5, Level.MEDIUM),
        (3, 3, Level.MEDIUM),
        (2, 5, Level.HIGH),
        (3, 5, Level.HIGH),
        (4, 4, Level.VERY_HIGH),
        (5, 5, Level.VERY_HIGH),
    ],
)
def test_levels_on_the_default_bands(likelihood, impact, expected):
    assert scoring.level_of(DEFAULT, scoring.score(likelihood, impact)) == expected


def test_every_cell_of_the_default_matrix_has_the_level_of_its_band():
    expected = {
        **dict.fromkeys(range(1, 5), Level.LOW),
        **dict.fromkeys(range(5, 10), Level.MEDIUM),
    }
    expected |= dict.fromkeys(range(10, 16), Level.HIGH) | dict.fromkeys(
        range(16, 26), Level.VERY_HIGH
    )
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            value = likelihood * impact
            assert scoring.score(likelihood, impact) == value
            assert scoring.level_of(DEFAULT, value) == expected[value]


def test_level_labels_and_colours():
    assert [level.label for level in scoring.LEVELS] == ["Low", "Medium", "High", "Very high"]
    assert [level.tag_class for level in scoring.LEVELS] == [
        "govuk-tag--green",
        "govuk-tag--yellow",
        "govuk-tag--orange",
        "govuk-tag--red",
    ]


def test_bands_of_the_default_matrix():
    assert [DEFAULT.band(level) for level in scoring.LEVELS] == [(1, 4), (5, 9), (10, 15), (16, 25)]


@given(matrices())
def test_bands_cover_every_score_once_in_order_and_agree_with_level_of(matrix):
    covered: list[int] = []
    for level in scoring.LEVELS:
        low, high = matrix.band(level)
        assert low <= high
        for value in range(low, high + 1):
            assert scoring.level_of(matrix, value) == level
        covered.extend(range(low, high + 1))
    assert covered == list(range(1, matrix.max_score + 1))


@given(matrices(), st.integers(1, 100), st.integers(1, 100))
def test_a_higher_score_is_never_a_lower_level(matrix, first, second):
    low, high = sorted((first, second))
    assert scoring.LEVELS.index(scoring.level_of(matrix, low)) <= scoring.LEVELS.index(
        scoring.level_of(matrix, high)
    )


@pytest.mark.parametrize(("value", "above"), [(1, False), (9, False), (10, True), (25, True)])
def test_above_appetite_means_strictly_above(value, above):
    assert scoring.above_appetite(DEFAULT, value) is above


# --- Reviews -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "days"), [(4, 180), (5, 90), (9, 90), (10, 30), (15, 30), (16, 14), (25, 14)]
)
def test_the_next_review_is_the_levels_frequency_after_the_review(value, days):
    assert scoring.next_review(DEFAULT, value, TODAY) == TODAY + datetime.timedelta(days=days)


@given(matrices(), st.integers(1, 100), st.dates())
def test_a_riskier_score_is_never_reviewed_later(matrix, value, day):
    assume(day < datetime.date(9000, 1, 1))
    value = min(value, matrix.max_score - 1)
    assert scoring.next_review(matrix, value + 1, day) <= scoring.next_review(matrix, value, day)


@pytest.mark.parametrize(
    ("is_open", "next_review_on", "overdue"),
    [
        (True, TODAY - datetime.timedelta(days=1), True),
        (True, TODAY, False),
        (True, TODAY + datetime.timedelta(days=1), False),
        (False, TODAY - datetime.timedelta(days=30), False),
    ],
)
def test_overdue_means_open_and_due_before_today(is_open, next_review_on, overdue):
    assert (
        scoring.is_overdue(is_open=is_open, next_review_on=next_review_on, today=TODAY) is overdue
    )


def test_review_frequency_in_words():
    assert scoring.review_frequency_text(DEFAULT) == (
        "14 days for a very high risk, 30 days for a high risk, 90 days for a medium risk and "
        "180 days for a low risk"
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2024, 2, 29), 12, datetime.date(2025, 2, 28)),
        (datetime.date(2026, 12, 15), 1, datetime.date(2027, 1, 15)),
        (datetime.date(2026, 5, 14), 12, datetime.date(2027, 5, 14)),
        (datetime.date(2026, 3, 31), -1, datetime.date(2026, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert scoring.add_months(day, months) == expected


@given(st.dates(datetime.date(1900, 1, 1), datetime.date(9000, 1, 1)), st.integers(0, 120))
def test_add_months_lands_in_the_right_month_never_past_the_day(day, months):
    later = scoring.add_months(day, months)
    assert (later.year - day.year) * 12 + later.month - day.month == months
    assert later.day <= day.day
    assert later.day == day.day or later.month != (later + datetime.timedelta(days=1)).month


# --- Labels and hints --------------------------------------------------------------------


def test_a_five_level_scale_has_words_and_other_sizes_numbers():
    assert scoring.likelihood_label(DEFAULT, 5) == "5: Almost certain"
    assert scoring.impact_label(DEFAULT, 1) == "1: Negligible"
    four = Matrix(likelihood_levels=4, impact_levels=6)
    assert scoring.likelihood_label(four, 3) == "3"
    assert scoring.impact_label(four, 6) == "6"


def test_scale_hints():
    assert scoring.scale_hint(DEFAULT, "likelihood") == "From 1 (rare) to 5 (almost certain)"
    assert scoring.scale_hint(DEFAULT, "impact") == "From 1 (negligible) to 5 (severe)"
    assert scoring.scale_hint(Matrix(impact_levels=4), "impact") == "From 1 (lowest) to 4 (highest)"


# --- Refusing scores ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, 0, -1, 6, 100])
def test_a_score_missing_or_off_the_matrix_is_refused_with_the_range(bad):
    problems = scoring.score_problems(DEFAULT, stage="inherent", likelihood=bad, impact=3)
    assert problems == {"inherent_likelihood": "Enter an inherent likelihood from 1 to 5"}
    problems = scoring.score_problems(DEFAULT, stage="residual", likelihood=2, impact=bad)
    assert problems == {"residual_impact": "Enter a residual impact from 1 to 5"}


def test_each_dimension_has_its_own_range():
    wide = Matrix(likelihood_levels=4, impact_levels=6, low_max=4, medium_max=9, high_max=15)
    assert scoring.score_problems(wide, stage="inherent", likelihood=5, impact=6) == {
        "inherent_likelihood": "Enter an inherent likelihood from 1 to 4"
    }
    assert scoring.score_problems(wide, stage="inherent", likelihood=4, impact=7) == {
        "inherent_impact": "Enter an inherent impact from 1 to 6"
    }


def _scores(il, ii, rl, ri, reason=""):
    return scoring.checked_scores(
        DEFAULT,
        inherent_likelihood=il,
        inherent_impact=ii,
        residual_likelihood=rl,
        residual_impact=ri,
        residual_reason=reason,
    )


def test_every_bad_score_is_reported_at_once():
    scores, problems = _scores(0, 6, None, 9)
    assert scores is None
    assert set(problems) == {
        "inherent_likelihood",
        "inherent_impact",
        "residual_likelihood",
        "residual_impact",
    }


def test_a_residual_score_above_the_inherent_one_needs_a_reason():
    scores, problems = _scores(2, 2, 3, 3)
    assert scores == scoring.Scores(2, 2, 3, 3)
    assert problems == {
        "residual_reason": "The residual score (9) is above the inherent score (4): give the "
        "reason, or lower the residual likelihood or impact"
    }
    assert _scores(2, 2, 3, 3, "  ")[1] == problems
    assert _scores(2, 2, 3, 3, "The new contract has no controls yet")[1] == {}
    assert _scores(3, 3, 3, 3)[1] == {}
    assert _scores(4, 4, 2, 3)[1] == {}


@given(
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(1, 5),
    st.sampled_from(["", "  ", "A reason"]),
)
def test_scores_on_the_matrix_are_refused_only_for_a_missing_reason(il, ii, rl, ri, reason):
    scores, problems = _scores(il, ii, rl, ri, reason)
    assert scores is not None
    assert (scores.inherent, scores.residual) == (il * ii, rl * ri)
    needs_reason = rl * ri > il * ii and not reason.strip()
    assert set(problems) == ({"residual_reason"} if needs_reason else set())


def test_assessment_problems_are_the_problems_of_checked_scores():
    assert scoring.assessment_problems(
        DEFAULT,
        inherent_likelihood=6,
        inherent_impact=1,
        residual_likelihood=1,
        residual_impact=1,
    ) == {"inherent_likelihood": "Enter an inherent likelihood from 1 to 5"}


# --- The first review --------------------------------------------------------------------


def test_a_first_review_in_the_past_is_refused():
    problems = scoring.first_review_problems(
        DEFAULT, residual=9, next_review_on=TODAY - datetime.timedelta(days=1), today=TODAY
    )
    assert problems == {"next_review_on": "The next review date must be today or in the future"}


def test_a_first_review_from_today_to_the_levels_frequency_is_accepted():
    for days in (0, 1, 30):
        day = TODAY + datetime.timedelta(days=days)
        assert (
            scoring.first_review_problems(DEFAULT, residual=12, next_review_on=day, today=TODAY)
            == {}
        )


def test_a_first_review_is_checked_against_the_level_only_once_the_score_is_known():
    later = TODAY + datetime.timedelta(days=400)
    assert (
        scoring.first_review_problems(DEFAULT, residual=None, next_review_on=later, today=TODAY)
        == {}
    )
    earlier = TODAY - datetime.timedelta(days=1)
    assert scoring.first_review_problems(
        DEFAULT, residual=None, next_review_on=earlier, today=TODAY
    ) == {"next_review_on": "The next review date must be today or in the future"}


def test_a_first_review_later_than_the_level_allows_is_refused_with_the_last_date():
    problems = scoring.first_review_problems(
        DEFAULT, residual=12, next_review_on=TODAY + datetime.timedelta(days=31), today=TODAY
    )
    assert problems == {
        "next_review_on": "A high risk is reviewed at least every 30 days: enter a date no "
        "later than 13 June 2026"
    }


# --- Acceptance --------------------------------------------------------------------------


def _accept(**overrides):
    values: dict[str, Any] = {
        "is_open": True,
        "residual": 16,
        "reason": "Funding agreed from April",
        "until": TODAY + datetime.timedelta(days=90),
        "today": TODAY,
    } | overrides
    return scoring.acceptance_problems(DEFAULT, **values)


def test_an_open_risk_above_appetite_with_a_reason_and_a_date_is_accepted():
    assert _accept() == {}
    assert _accept(until=TODAY + datetime.timedelta(days=1)) == {}
    assert _accept(until=datetime.date(2027, 5, 14)) == {}


def test_a_closed_risk_is_not_accepted():
    assert _accept(is_open=False) == {
        "__all__": "This risk is closed: a closed risk cannot be accepted"
    }


@pytest.mark.parametrize("residual", [1, 8, 9])
def test_a_risk_within_appetite_is_not_accepted(residual):
    assert _accept(residual=residual) == {
        "__all__": f"The residual score ({residual}) is within the partnership's appetite (9): "
        "only a risk above appetite needs accepting"
    }


def test_acceptance_needs_a_reason_and_a_date_in_the_next_12_months():
    assert _accept(reason=" ", until=None) == {
        "reason": "Give the reason the partnership accepts this risk",
        "until": "Enter the date the acceptance lasts until",
    }
    for until in (TODAY, TODAY - datetime.timedelta(days=1)):
        assert _accept(until=until) == {
            "until": "The date the acceptance lasts until must be in the future"
        }
    assert _accept(until=datetime.date(2027, 5, 15)) == {
        "until": "An acceptance lasts at most 12 months: enter a date no later than 14 May 2027"
    }


# --- Settings ----------------------------------------------------------------------------


def _matrix(**changes):
    return Matrix(**{**DEFAULT.__dict__, **changes})


def test_the_default_settings_are_sound():
    assert scoring.matrix_problems(DEFAULT) == {}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"likelihood_levels": 1},
            {"likelihood_levels": "Enter the levels of likelihood as a number from 2 to 10"},
        ),
        (
            {"impact_levels": 11},
            {"impact_levels": "Enter the levels of impact as a number from 2 to 10"},
        ),
        ({"low_max": 0}, {"low_max": "Enter the highest low score, from 1 to 24"}),
        (
            {"medium_max": 4},
            {"medium_max": "The highest medium score must be more than the highest low score (4)"},
        ),
        (
            {"high_max": 9},
            {"high_max": "The highest high score must be more than the highest medium score (9)"},
        ),
        (
            {"high_max": 25},
            {
                "high_max": "The highest high score must be less than the highest score on the matrix (25), so that a risk can be very high"
            },
        ),
        ({"appetite": 0}, {"appetite": "Enter the appetite as a score from 1 to 25"}),
        ({"appetite": 26}, {"appetite": "Enter the appetite as a score from 1 to 25"}),
        (
            {"review_days_low": 0},
            {"review_days_low": "Enter the days between reviews of a low risk, from 1 to 366"},
        ),
        (
            {"review_days_high": 367},
            {"review_days_high": "Enter the days between reviews of a high risk, from 1 to 366"},
        ),
        (
            {"review_days_medium": 200},
            {
                "review_days_medium": "A medium risk must be reviewed at least as often as a low one: enter 180 days or fewer"
            },
        ),
        (
            {"review_days_very_high": 31},
            {
                "review_days_very_high": "A very high risk must be reviewed at least as often as a high one: enter 30 days or fewer"
            },
        ),
    ],
)
def test_unsound_settings_are_refused_saying_what_to_enter(changes, expected):
    assert scoring.matrix_problems(_matrix(**changes)) == expected


def test_the_matrix_may_not_shrink_below_open_risks_scores():
    smaller = _matrix(likelihood_levels=4, impact_levels=3, low_max=2, medium_max=5, high_max=8)
    assert scoring.matrix_problems(smaller, largest_likelihood=4, largest_impact=3) == {}
    assert scoring.matrix_problems(smaller, largest_likelihood=5, largest_impact=4) == {
        "likelihood_levels": "Open risks are scored up to likelihood 5: the matrix needs at "
        "least 5 levels of likelihood. Review those risks first",
        "impact_levels": "Open risks are scored up to impact 4: the matrix needs at least 4 "
        "levels of impact. Review those risks first",
    }


def test_a_bigger_matrix_with_bands_to_match_is_sound():
    assert scoring.matrix_problems(_matrix(likelihood_levels=6, impact_levels=6, high_max=24)) == {}


@given(matrices())
def test_every_generated_matrix_is_sound(matrix):
    assert scoring.matrix_problems(matrix) == {}


# --- The heat map ------------------------------------------------------------------------


def test_the_heat_map_puts_the_highest_likelihood_on_top_and_counts_each_cell():
    heat = scoring.heat_map(DEFAULT, {(5, 5): 2, (1, 1): 3, (4, 2): 1})
    assert [row.likelihood for row in heat.rows] == [5, 4, 3, 2, 1]
    assert heat.rows[0].label == "5: Almost certain"
    assert [impact for impact, _ in heat.impacts] == [1, 2, 3, 4, 5]
    assert heat.impacts[4] == (5, "5: Severe")
    top_right = heat.rows[0].cells[4]
    assert (top_right.likelihood, top_right.impact, top_right.score) == (5, 5, 25)
    assert (top_right.level, top_right.count) == (Level.VERY_HIGH, 2)
    assert heat.rows[1].cells[1].count == 1
    assert heat.rows[4].cells[0].count == 3
    assert heat.rows[2].cells[2].count == 0
    assert heat.total == 6
    assert heat.outside == 0
    assert dict(heat.by_level) == {
        Level.VERY_HIGH: 2,
        Level.HIGH: 0,
        Level.MEDIUM: 1,
        Level.LOW: 3,
    }
    assert [level for level, _ in heat.by_level] == [
        Level.VERY_HIGH,
        Level.HIGH,
        Level.MEDIUM,
        Level.LOW,
    ]


def test_the_heat_maps_table_lists_every_cell_highest_score_first():
    heat = scoring.heat_map(DEFAULT, {})
    assert len(heat.cells) == 25
    assert heat.cells[0].score == 25
    assert heat.cells[-1].score == 1
    assert [(c.likelihood, c.impact) for c in heat.cells[1:3]] == [(5, 4), (4, 5)]
    assert heat.total == 0


def test_risks_off_the_matrix_are_counted_apart():
    heat = scoring.heat_map(DEFAULT, {(6, 1): 2, (1, 1): 1})
    assert (heat.total, heat.outside) == (1, 2)


@given(
    matrices(),
    st.dictionaries(
        st.tuples(st.integers(1, 12), st.integers(1, 12)), st.integers(0, 50), max_size=40
    ),
)
def test_the_grid_and_the_table_hold_the_same_figures(matrix, counts):
    heat = scoring.heat_map(matrix, counts)
    grid = {(c.likelihood, c.impact): c for row in heat.rows for c in row.cells}
    table = {(c.likelihood, c.impact): c for c in heat.cells}
    assert grid == table
    assert len(grid) == matrix.max_score
    assert heat.total + heat.outside == sum(counts.values())
    assert sum(count for _, count in heat.by_level) == heat.total
    for (likelihood, impact), cell in grid.items():
        assert cell.count == counts.get((likelihood, impact), 0)
        assert cell.level == scoring.level_of(matrix, likelihood * impact)
    scores = [c.score for c in heat.cells]
    assert scores == sorted(scores, reverse=True)


# --- The score chart ---------------------------------------------------------------------


def test_no_history_no_chart():
    assert scoring.score_chart(DEFAULT, []) is None


def test_one_assessment_sits_in_the_middle():
    chart = scoring.score_chart(DEFAULT, [ChartPoint(TODAY, 16, 9)])
    assert chart is not None
    x = (chart.left + chart.right) / 2
    assert chart.residual_points.startswith(f"{x},")
    assert chart.description == (
        "1 assessment from 14 May 2026 to 14 May 2026. The residual score stayed at 9; the "
        "inherent score stayed at 16. The partnership's appetite is 9."
    )


def test_the_chart_places_scores_by_date_and_describes_the_trend():
    history = [
        ChartPoint(datetime.date(2026, 3, 1), 20, 16),
        ChartPoint(datetime.date(2026, 1, 1), 20, 20),
        ChartPoint(datetime.date(2026, 5, 1), 20, 9),
    ]
    chart = scoring.score_chart(DEFAULT, history, width=480, height=160)
    assert chart is not None
    xs = [float(point.split(",")[0]) for point in chart.residual_points.split()]
    assert xs[0] == chart.left
    assert xs[-1] == chart.right
    assert xs == sorted(xs)
    ys = [y for _, y in chart.residual_dots]
    assert ys[0] < ys[1] < ys[2]  # the score fell, so the line goes down the picture
    assert [tick for _, tick in chart.gridlines] == [0, 5, 10, 15, 20, 25]
    assert chart.description == (
        "3 assessments from 1 January 2026 to 1 May 2026. The residual score went from 20 to "
        "9; the inherent score stayed at 20. The partnership's appetite is 9."
    )


@given(
    matrices(),
    st.lists(
        st.tuples(
            st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 1, 1)),
            st.integers(1, 100),
            st.integers(1, 100),
        ),
        min_size=1,
        max_size=30,
    ),
)
def test_every_point_of_the_chart_is_inside_it(matrix, raw):
    history = [
        ChartPoint(day, min(a, matrix.max_score), min(b, matrix.max_score)) for day, a, b in raw
    ]
    chart = scoring.score_chart(matrix, history)
    assert chart is not None
    for points in (chart.inherent_points, chart.residual_points):
        for pair in points.split():
            x, y = (float(part) for part in pair.split(","))
            assert chart.left <= x <= chart.right
            assert 0 <= y <= chart.height
    assert 0 <= chart.appetite_y <= chart.height
