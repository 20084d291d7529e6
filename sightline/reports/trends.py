"""The partnership's trends over the last eight financial quarters (pure: no ORM), shared by
the Executive pack and the executive member's dashboard.

``selectors.trends`` reads the figures of every quarter together (one grouped query for each
figure, whatever the number of quarters); ``assemble`` turns them into the trends, each with
its chart and the table beside it. Each quarter's figures are as at its last day, or as at
today for the quarter that is still running. The definitions:

Case review timeliness met
    Of the deadlines of every timeliness standard (national and local) that fell due in the
    quarter, up to its as-at day, and whose clock had started by then: the share met, that
    is with the milestone recorded on or before its due date. Read from the reviews app's
    timeliness report (met, missed, pending and overdue as that report decides them). No
    figure when no deadline fell due.
Learning actions overdue
    Actions of recommendations made by the as-at day, due before it, and neither complete
    nor closed without completion on it (a completion or closing dated later had not
    happened yet). For the running quarter this is the learning tracker's own count today.
Risks above appetite
    Risks open on the as-at day (opened on or before it, not closed by it) whose residual
    score then was above the partnership's appetite. A risk's score on a day is that of its
    latest assessment on or before the day; a risk recorded before its first assessment
    counts at that first assessment's score. Acceptances do not take a risk out of this
    count: the pack says which are accepted. The appetite is the partnership's appetite now,
    because changes to it are not kept with their dates.
Groups not fully assured
    Assurance returns for the quarter, from groups active now other than the Executive,
    that said the group is partially assured or not assured (as the pack's "Groups not fully
    assured" counts them). A group that made no return is not counted here: the pack lists
    returns not made.
Training reach
    The training report's overall reach for the quarter's sessions up to the as-at day:
    people who attended (attended or left early) under a sector whose workforce headcount
    the partnership knows, over the sum of those headcounts. The headcounts are today's.
    No figure when no headcount is known.

Percentages are rounded half up to one decimal place.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sightline.assurance.charts import LineChart, format_value, line_chart
from sightline.assurance.quarters import Quarter, recent

QUARTERS = 8


def quarters_to(quarter: Quarter, count: int = QUARTERS) -> list[Quarter]:
    """The ``count`` quarters up to and including ``quarter``, oldest first."""
    return recent(quarter.start, count)


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` over ``whole`` as a percentage to one decimal place, None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class QuarterFigures:
    """Every trend's figures for one quarter, as at ``as_at``."""

    quarter: Quarter
    as_at: datetime.date
    deadlines_due: int
    deadlines_met: int
    overdue_actions: int
    risks_above_appetite: int
    partially_assured: int
    not_assured: int
    delegates: int
    headcount: int

    @property
    def timeliness_met(self) -> Decimal | None:
        return percent(self.deadlines_met, self.deadlines_due)

    @property
    def not_fully_assured(self) -> int:
        return self.partially_assured + self.not_assured

    @property
    def reach(self) -> Decimal | None:
        return percent(self.delegates, self.headcount)

    @property
    def timeliness_text(self) -> str:
        if self.timeliness_met is None:
            return "No deadline fell due"
        met = format_value(self.timeliness_met, "%")
        return f"{met} ({self.deadlines_met} of {self.deadlines_due})"

    @property
    def reach_text(self) -> str:
        if self.reach is None:
            return "No workforce figures"
        return f"{format_value(self.reach, '%')} ({self.delegates:,} of {self.headcount:,})"


@dataclass(frozen=True)
class Trend:
    key: str
    name: str
    unit: str  # "%" for a percentage, "" for a count
    better: str  # "higher" or "lower": which way is good, said beside the chart
    values: tuple[tuple[Quarter, Decimal | None], ...]
    chart: LineChart | None

    @property
    def latest(self) -> Decimal | None:
        return self.values[-1][1] if self.values else None

    @property
    def latest_text(self) -> str:
        value = self.latest
        return format_value(value, self.unit) if value is not None else "No figure"


@dataclass(frozen=True)
class Trends:
    quarters: tuple[QuarterFigures, ...]  # oldest first
    trends: tuple[Trend, ...]

    @property
    def first(self) -> Quarter:
        return self.quarters[0].quarter

    @property
    def last(self) -> QuarterFigures:
        return self.quarters[-1]

    @property
    def newest_first(self) -> tuple[QuarterFigures, ...]:
        return tuple(reversed(self.quarters))


SERIES = (
    ("timeliness", "Case review timeliness met", "%", "higher"),
    ("overdue_actions", "Learning actions overdue", "", "lower"),
    ("risks", "Risks above appetite", "", "lower"),
    ("not_assured", "Groups not fully assured", "", "lower"),
    ("reach", "Training reach", "%", "higher"),
)


def _value(figures: QuarterFigures, key: str) -> Decimal | None:
    values: dict[str, Decimal | None] = {
        "timeliness": figures.timeliness_met,
        "overdue_actions": Decimal(figures.overdue_actions),
        "risks": Decimal(figures.risks_above_appetite),
        "not_assured": Decimal(figures.not_fully_assured),
        "reach": figures.reach,
    }
    return values[key]


def assemble(figures: list[QuarterFigures]) -> Trends:
    """The trends of ``figures`` (consecutive quarters, oldest first), each with its chart
    (None when it has no figure to draw)."""
    trends = []
    for key, name, unit, better in SERIES:
        values = tuple((item.quarter, _value(item, key)) for item in figures)
        trends.append(
            Trend(
                key=key,
                name=name,
                unit=unit,
                better=better,
                values=values,
                chart=line_chart(series=values, name=name, unit=unit),
            )
        )
    return Trends(quarters=tuple(figures), trends=tuple(trends))
