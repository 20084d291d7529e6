"""The measure chart, worked out in Python (no database): exceptions, how figures are
written, the value axis's round steps, where each point falls, gaps, the threshold line,
the quarter labels and the chart in words."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline.assurance.charts import (
    BOTTOM,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    breaches,
    describe,
    format_value,
    line_chart,
    nice_step,
    threshold_text,
)
from sightline.assurance.quarters import Quarter

Q1 = Quarter(2025, 1)


def quarters(count: int, first: Quarter = Q1) -> list[Quarter]:
    found = [first]
    while len(found) < count:
        found.append(found[-1].next())
    return found


def series(*values):
    return [
        (quarter, None if value is None else Decimal(value))
        for quarter, value in zip(quarters(len(values)), values, strict=True)
    ]


# --- Exceptions and words --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "threshold", "direction", "expected"),
    [
        (Decimal(11), Decimal(10), "above", True),
        (Decimal(10), Decimal(10), "above", False),
        (Decimal(9), Decimal(10), "above", False),
        (Decimal(9), Decimal(10), "below", True),
        (Decimal(10), Decimal(10), "below", False),
        (Decimal(11), Decimal(10), "below", False),
        (None, Decimal(10), "above", False),
        (Decimal(11), None, "", False),
        (Decimal(11), Decimal(10), "", False),
    ],
)
def test_a_figure_breaches_only_beyond_the_threshold_on_its_side(
    value, threshold, direction, expected
):
    assert breaches(value, threshold, direction) is expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("1234.00"), "number", "1,234"),
        (Decimal("12.50"), "number", "12.5"),
        (Decimal("12.05"), "rate", "12.05"),
        (Decimal("72.5"), "%", "72.5%"),
        (Decimal("72.5"), " % ", "72.5%"),
        (Decimal("-0.00"), "number", "0"),
        (Decimal("-3.10"), "number", "-3.1"),
        (Decimal("1000000.05"), "number", "1,000,000.05"),
        (Decimal("1E+3"), "number", "1,000"),
        (Decimal(0), "number", "0"),
        (None, "number", ""),
    ],
)
def test_figures_are_written_as_people_read_them(value, unit, expected):
    assert format_value(value, unit) == expected


def test_the_threshold_is_put_in_words():
    assert threshold_text(Decimal("50.00"), "above") == "An exception when above 50"
    assert threshold_text(Decimal("60"), "below", "%") == "An exception when below 60%"
    assert threshold_text(None, "") == ""
    assert threshold_text(Decimal(5), "") == ""


@pytest.mark.parametrize(
    ("span", "step"),
    [
        (Decimal(0), Decimal(1)),
        (Decimal(-5), Decimal(1)),
        (Decimal(4), Decimal(1)),
        (Decimal(3), Decimal(1)),
        (Decimal(47), Decimal(20)),
        (Decimal(40), Decimal(10)),
        (Decimal(9), Decimal("2.5")),
        (Decimal(150), Decimal(50)),
        (Decimal("0.4"), Decimal("0.1")),
        (Decimal(1200), Decimal(500)),
    ],
)
def test_the_value_axis_steps_are_round(span, step):
    assert nice_step(span) == step


# --- Drawing -------------------------------------------------------------------------------


def test_no_figures_draw_no_chart():
    assert line_chart(series=series(None, None), name="Empty") is None
    assert line_chart(series=[], name="Empty") is None


def test_points_fall_in_their_quarters_slot_and_at_their_height():
    chart = line_chart(series=series(0, 20, 40), name="Referrals")
    assert chart is not None
    plot_width = WIDTH - LEFT - RIGHT
    assert [point.x for point in chart.points] == [
        round(LEFT + plot_width / 3 * (index + 0.5), 1) for index in range(3)
    ]
    # The axis runs from 0 to 40 in steps of 10: 0 sits on the axis, 40 at the top.
    assert [tick.label for tick in chart.value_ticks] == ["0", "10", "20", "30", "40"]
    assert chart.points[0].y == HEIGHT - BOTTOM
    assert chart.points[2].y == TOP
    assert chart.points[1].y == (TOP + HEIGHT - BOTTOM) / 2
    assert chart.segments == (" ".join(f"{p.x},{p.y}" for p in chart.points),)
    assert chart.threshold is None
    assert chart.title == "Referrals, by quarter"


def test_a_quarter_with_no_figure_breaks_the_line():
    chart = line_chart(series=series(5, None, 7, 8), name="Gaps")
    assert chart is not None
    assert len(chart.points) == 3
    assert len(chart.segments) == 2
    assert chart.segments[0].count(",") == 1
    assert chart.segments[1].count(",") == 2


def test_the_threshold_line_and_exceptions_are_marked_and_the_axis_reaches_the_threshold():
    chart = line_chart(
        series=series(10, 30), name="Concerns", unit="%", threshold=Decimal(40), direction="above"
    )
    assert chart is not None
    assert chart.threshold is not None
    assert chart.threshold.value == "40%"
    assert chart.threshold.y == TOP  # the axis tops out at the threshold
    assert [point.exception for point in chart.points] == [False, False]
    assert [point.value for point in chart.points] == ["10%", "30%"]

    below = line_chart(
        series=series(10, 30), name="Attendance", threshold=Decimal(20), direction="below"
    )
    assert below is not None
    assert [point.exception for point in below.points] == [True, False]


def test_negative_figures_take_the_axis_below_zero():
    chart = line_chart(series=series(-15, 5), name="Change on last year")
    assert chart is not None
    labels = [tick.label for tick in chart.value_ticks]
    assert labels[0] == "-15"
    assert "0" in labels
    assert chart.points[0].y == HEIGHT - BOTTOM


def test_figures_all_zero_still_draw_on_the_axis():
    chart = line_chart(series=series(0, 0), name="Nothing happened")
    assert chart is not None
    assert {point.y for point in chart.points} == {HEIGHT - BOTTOM}
    assert [tick.label for tick in chart.value_ticks] == ["0", "1"]


def test_a_few_quarters_are_each_labelled_and_many_are_labelled_by_year():
    few = line_chart(series=series(*range(4)), name="Few")
    assert few is not None
    assert [tick.lines for tick in few.quarter_ticks] == [
        ("Q1", "2025-26"),
        ("Q2", "2025-26"),
        ("Q3", "2025-26"),
        ("Q4", "2025-26"),
    ]
    many = line_chart(
        series=[(quarter, Decimal(1)) for quarter in quarters(12, Quarter(2023, 3))], name="Many"
    )
    assert many is not None
    labelled = [tick.lines for tick in many.quarter_ticks if tick.lines]
    assert labelled == [("2024-25",), ("2025-26",), ("2026-27",)]
    assert len(many.quarter_ticks) == 12


def test_the_chart_in_words_gives_the_range_latest_extremes_exceptions_and_gaps():
    words = describe(
        series=series(30, None, 52, 41),
        name="Neglect enquiries",
        threshold=Decimal(40),
        direction="above",
    )
    assert words == (
        "Neglect enquiries by quarter, 2025-26 Q1 to 2025-26 Q4. "
        "Latest 41 in 2025-26 Q4; lowest 30 in 2025-26 Q1; highest 52 in 2025-26 Q3. "
        "An exception when above 40: 2 quarters (2025-26 Q3, 2025-26 Q4). "
        "No figure for 1 quarter."
    )
    calm = describe(series=series(1), name="Calm", threshold=Decimal(5), direction="above")
    assert calm.endswith("An exception when above 5: no quarter raised one.")
    assert describe(series=series(None), name="Empty") == "Empty: no figures recorded."


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.decimals(
                min_value=Decimal("-9999999999.99"),
                max_value=Decimal("9999999999.99"),
                places=2,
                allow_nan=False,
                allow_infinity=False,
            ),
        ),
        min_size=1,
        max_size=40,
    ),
    st.one_of(st.none(), st.decimals(min_value=-1000, max_value=100000, places=2)),
)
def test_every_point_and_line_stays_inside_the_plot(values, threshold):
    chart = line_chart(
        series=series(*values),
        name="Anything",
        threshold=threshold,
        direction="above" if threshold is not None else "",
    )
    if all(value is None for value in values):
        assert chart is None
        return
    assert chart is not None
    for point in chart.points:
        assert LEFT <= point.x <= WIDTH - RIGHT
        assert TOP - 0.1 <= point.y <= HEIGHT - BOTTOM + 0.1
    ticks = [tick.y for tick in chart.value_ticks]
    assert ticks == sorted(ticks, reverse=True)
    assert 2 <= len(ticks) <= 12
    if chart.threshold is not None:
        assert TOP - 0.1 <= chart.threshold.y <= HEIGHT - BOTTOM + 0.1
