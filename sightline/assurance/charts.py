"""A measure's figures over quarters as a line chart, worked out here and drawn by the
template as an inline SVG (pure: no ORM).

The content security policy allows no style attributes and no script, so everything the
template needs (coordinates, axis ticks, the threshold line, the text alternative) is
computed here and written into presentation attributes. The page always shows the same
figures as a table as well: the chart is never the only way to read them.
"""

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .quarters import Quarter
from .vocabulary import Direction

WIDTH = 720
HEIGHT = 320
LEFT = 72  # room for the value axis labels
RIGHT = 96  # room for the threshold's label, beside the plot so no point hides it
TOP = 24
BOTTOM = 64  # room for two lines of quarter labels
LABEL_EVERY_QUARTER_UP_TO = 8
NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    quarter: str
    value: str
    exception: bool


@dataclass(frozen=True)
class ValueTick:
    y: float
    label: str


@dataclass(frozen=True)
class QuarterTick:
    x: float
    lines: tuple[str, ...]  # empty: a tick mark with no label


@dataclass(frozen=True)
class ThresholdLine:
    y: float
    value: str  # written under the word "Threshold", to the right of the plot


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: tuple[ChartPoint, ...]
    segments: tuple[str, ...]  # SVG polyline points, one per run of quarters with figures
    value_ticks: tuple[ValueTick, ...]
    quarter_ticks: tuple[QuarterTick, ...]
    threshold: ThresholdLine | None
    title: str
    description: str


def breaches(value: Decimal | None, threshold: Decimal | None, direction: str) -> bool:
    """True when ``value`` lies beyond ``threshold`` on the side that raises an exception.
    A value equal to the threshold is not an exception."""
    if value is None or threshold is None:
        return False
    if direction == Direction.ABOVE:
        return value > threshold
    if direction == Direction.BELOW:
        return value < threshold
    return False


def format_value(value: Decimal | None, unit: str = "") -> str:
    """A figure as people read it: 1,234 or 12.5, with a % sign for percentages."""
    if value is None:
        return ""
    text = f"{value:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return f"{text}%" if unit.strip() == "%" else text


def threshold_text(threshold: Decimal | None, direction: str, unit: str = "") -> str:
    """``An exception when above 50``, or an empty string for a measure with no threshold."""
    if threshold is None or not direction:
        return ""
    side = "above" if direction == Direction.ABOVE else "below"
    return f"An exception when {side} {format_value(threshold, unit)}"


def nice_step(span: Decimal, intervals: int = 4) -> Decimal:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``intervals``
    intervals across ``span``."""
    if span <= 0:
        return Decimal(1)
    rough = span / intervals
    power = Decimal(10) ** rough.adjusted()
    for step in NICE_STEPS:
        if step * power >= rough:
            return step * power
    return NICE_STEPS[-1] * power  # pragma: no cover (the loop always returns)


def _floor(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=decimal.ROUND_FLOOR) * step


def _ceil(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=decimal.ROUND_CEILING) * step


def _round(number: float) -> float:
    return round(number, 1)


def _quarter_lines(quarter: Quarter, count: int) -> tuple[str, ...]:
    financial_year = quarter.label.split(" ")[0]
    if count <= LABEL_EVERY_QUARTER_UP_TO:
        return (f"Q{quarter.number}", financial_year)
    # Many quarters: label each financial year at its first quarter.
    return (financial_year,) if quarter.number == 1 else ()


def line_chart(
    *,
    series: Sequence[tuple[Quarter, Decimal | None]],
    name: str,
    unit: str = "",
    threshold: Decimal | None = None,
    direction: str = "",
) -> LineChart | None:
    """The chart of ``series`` (consecutive quarters, oldest first, None where no figure was
    recorded), or None when there is no figure at all to draw."""
    values = [value for _, value in series if value is not None]
    if not values:
        return None
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    marks = [*values, *([threshold] if threshold is not None else [])]
    low, high = min(Decimal(0), *marks), max(Decimal(0), *marks)
    step = nice_step(high - low)
    low, high = _floor(low, step), _ceil(high, step)
    if high == low:
        high = low + step

    def y_of(value: Decimal) -> float:
        return _round(TOP + plot_height * float((high - value) / (high - low)))

    count = len(series)
    slot = plot_width / count

    def x_of(index: int) -> float:
        return _round(LEFT + slot * (index + 0.5))

    points: list[ChartPoint] = []
    segments: list[str] = []
    run: list[str] = []
    for index, (quarter, value) in enumerate(series):
        if value is None:
            if run:
                segments.append(" ".join(run))
            run = []
            continue
        x, y = x_of(index), y_of(value)
        run.append(f"{x},{y}")
        points.append(
            ChartPoint(
                x=x,
                y=y,
                quarter=quarter.label,
                value=format_value(value, unit),
                exception=breaches(value, threshold, direction),
            )
        )
    if run:
        segments.append(" ".join(run))

    ticks: list[ValueTick] = []
    tick = low
    while tick <= high:
        ticks.append(ValueTick(y=y_of(tick), label=format_value(tick, unit)))
        tick += step

    line = None
    if threshold is not None and direction:
        line = ThresholdLine(y=y_of(threshold), value=format_value(threshold, unit))

    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        points=tuple(points),
        segments=tuple(segments),
        value_ticks=tuple(ticks),
        quarter_ticks=tuple(
            QuarterTick(x=x_of(index), lines=_quarter_lines(quarter, count))
            for index, (quarter, _) in enumerate(series)
        ),
        threshold=line,
        title=f"{name}, by quarter",
        description=describe(
            series=series, name=name, unit=unit, threshold=threshold, direction=direction
        ),
    )


def describe(
    *,
    series: Sequence[tuple[Quarter, Decimal | None]],
    name: str,
    unit: str = "",
    threshold: Decimal | None = None,
    direction: str = "",
) -> str:
    """The chart in words, for its text alternative."""
    recorded = [(quarter, value) for quarter, value in series if value is not None]
    if not recorded:
        return f"{name}: no figures recorded."
    first, last = series[0][0], series[-1][0]
    lowest = min(recorded, key=lambda item: item[1])
    highest = max(recorded, key=lambda item: item[1])
    sentences = [
        f"{name} by quarter, {first.label} to {last.label}.",
        f"Latest {format_value(recorded[-1][1], unit)} in {recorded[-1][0].label}; "
        f"lowest {format_value(lowest[1], unit)} in {lowest[0].label}; "
        f"highest {format_value(highest[1], unit)} in {highest[0].label}.",
    ]
    if threshold is not None and direction:
        over = [q.label for q, value in recorded if breaches(value, threshold, direction)]
        sentences.append(
            f"{threshold_text(threshold, direction, unit)}: "
            + (
                f"{len(over)} quarter{'' if len(over) == 1 else 's'} ({', '.join(over)})."
                if over
                else "no quarter raised one."
            )
        )
    missing = len(series) - len(recorded)
    if missing:
        sentences.append(f"No figure for {missing} quarter{'' if missing == 1 else 's'}.")
    return " ".join(sentences)
