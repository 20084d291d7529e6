"""Risk scoring (pure: no ORM): the likelihood-by-impact matrix, levels from the partnership's
bands, how often each level is reviewed, the appetite, acceptances, the heat map and the
score history chart.

A score is likelihood times impact. Its level is low up to ``low_max``, medium up to
``medium_max``, high up to ``high_max`` and very high above. Every rule that refuses input
returns ``{field: message}``, each message saying what to do, so that forms and services
give the same words.
"""

import calendar
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, NamedTuple

MATRIX_MIN, MATRIX_MAX = 2, 10
REVIEW_DAYS_MAX = 366
ACCEPTANCE_MONTHS = 12

# Words for a 5-level scale, as partnerships' registers usually have them; other sizes are
# numbered only.
LIKELIHOOD_WORDS = ("Rare", "Unlikely", "Possible", "Likely", "Almost certain")
IMPACT_WORDS = ("Negligible", "Minor", "Moderate", "Major", "Severe")


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag colour that shows this level."""
        return {
            Level.LOW: "govuk-tag--green",
            Level.MEDIUM: "govuk-tag--yellow",
            Level.HIGH: "govuk-tag--orange",
            Level.VERY_HIGH: "govuk-tag--red",
        }[self]


LEVELS = tuple(Level)


@dataclass(frozen=True)
class Matrix:
    """The partnership's matrix, bands, appetite and review frequencies."""

    likelihood_levels: int = 5
    impact_levels: int = 5
    appetite: int = 9
    low_max: int = 4
    medium_max: int = 9
    high_max: int = 15
    review_days_low: int = 180
    review_days_medium: int = 90
    review_days_high: int = 30
    review_days_very_high: int = 14

    @classmethod
    def of(cls, source: Any) -> "Matrix":
        """The matrix of anything with the same attribute names (the settings row)."""
        return cls(**{field.name: getattr(source, field.name) for field in fields(cls)})

    @property
    def max_score(self) -> int:
        return self.likelihood_levels * self.impact_levels

    def band(self, level: Level) -> tuple[int, int]:
        """The lowest and highest score of ``level``."""
        return {
            Level.LOW: (1, self.low_max),
            Level.MEDIUM: (self.low_max + 1, self.medium_max),
            Level.HIGH: (self.medium_max + 1, self.high_max),
            Level.VERY_HIGH: (self.high_max + 1, self.max_score),
        }[level]

    def review_days(self, level: Level) -> int:
        return int(getattr(self, f"review_days_{level.value}"))


def score(likelihood: int, impact: int) -> int:
    return likelihood * impact


def level_of(matrix: Matrix, value: int) -> Level:
    if value <= matrix.low_max:
        return Level.LOW
    if value <= matrix.medium_max:
        return Level.MEDIUM
    if value <= matrix.high_max:
        return Level.HIGH
    return Level.VERY_HIGH


def above_appetite(matrix: Matrix, value: int) -> bool:
    return value > matrix.appetite


def next_review(matrix: Matrix, value: int, reviewed_on: datetime.date) -> datetime.date:
    """The latest date the next review may fall on: the level's frequency after a review."""
    return reviewed_on + datetime.timedelta(days=matrix.review_days(level_of(matrix, value)))


def is_overdue(*, is_open: bool, next_review_on: datetime.date, today: datetime.date) -> bool:
    return is_open and next_review_on < today


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# --- Labels ------------------------------------------------------------------------------


def _scale_label(words: Sequence[str], levels: int, value: int) -> str:
    if levels == len(words) and 1 <= value <= levels:
        return f"{value}: {words[value - 1]}"
    return str(value)


def likelihood_label(matrix: Matrix, value: int) -> str:
    return _scale_label(LIKELIHOOD_WORDS, matrix.likelihood_levels, value)


def impact_label(matrix: Matrix, value: int) -> str:
    return _scale_label(IMPACT_WORDS, matrix.impact_levels, value)


def scale_hint(matrix: Matrix, dimension: str) -> str:
    """A form hint for a likelihood or impact box: "From 1 (rare) to 5 (almost certain)"."""
    words, levels = (
        (LIKELIHOOD_WORDS, matrix.likelihood_levels)
        if dimension == "likelihood"
        else (IMPACT_WORDS, matrix.impact_levels)
    )
    if levels == len(words):
        return f"From 1 ({words[0].lower()}) to {levels} ({words[-1].lower()})"
    return f"From 1 (lowest) to {levels} (highest)"


def review_frequency_text(matrix: Matrix) -> str:
    """Every level's review frequency, most frequent first, in a sentence."""
    parts = [
        f"{matrix.review_days(level)} days for a {level.label.lower()} risk"
        for level in reversed(LEVELS)
    ]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# --- Refusals ----------------------------------------------------------------------------


def score_problems(
    matrix: Matrix, *, stage: str, likelihood: int | None, impact: int | None
) -> dict[str, str]:
    """Messages for a likelihood or impact missing or outside the matrix. ``stage`` is
    "inherent" or "residual", and names the fields: ``inherent_likelihood``..."""
    problems = {}
    for dimension, value, levels in (
        ("likelihood", likelihood, matrix.likelihood_levels),
        ("impact", impact, matrix.impact_levels),
    ):
        if value is None or not 1 <= value <= levels:
            article = "an" if stage[0] in "aeiou" else "a"
            problems[f"{stage}_{dimension}"] = (
                f"Enter {article} {stage} {dimension} from 1 to {levels}"
            )
    return problems


class Scores(NamedTuple):
    """A risk's four scores, each known to be on the matrix."""

    inherent_likelihood: int
    inherent_impact: int
    residual_likelihood: int
    residual_impact: int

    @property
    def inherent(self) -> int:
        return score(self.inherent_likelihood, self.inherent_impact)

    @property
    def residual(self) -> int:
        return score(self.residual_likelihood, self.residual_impact)


def checked_scores(
    matrix: Matrix,
    *,
    inherent_likelihood: int | None,
    inherent_impact: int | None,
    residual_likelihood: int | None,
    residual_impact: int | None,
    residual_reason: str = "",
) -> tuple[Scores | None, dict[str, str]]:
    """The scores when they are all on the matrix (else None), and the problems: scores
    missing or outside the matrix, and a residual score above the inherent one without a
    reason (the controls should not make a risk worse unless someone says why)."""
    problems = score_problems(
        matrix, stage="inherent", likelihood=inherent_likelihood, impact=inherent_impact
    ) | score_problems(
        matrix, stage="residual", likelihood=residual_likelihood, impact=residual_impact
    )
    if (
        problems
        or inherent_likelihood is None
        or inherent_impact is None
        or residual_likelihood is None
        or residual_impact is None
    ):
        return None, problems
    scores = Scores(inherent_likelihood, inherent_impact, residual_likelihood, residual_impact)
    if scores.residual > scores.inherent and not residual_reason.strip():
        problems["residual_reason"] = (
            f"The residual score ({scores.residual}) is above the inherent score "
            f"({scores.inherent}): give the reason, or lower the residual likelihood or impact"
        )
    return scores, problems


def assessment_problems(matrix: Matrix, **values: Any) -> dict[str, str]:
    """Only the problems of ``checked_scores``."""
    return checked_scores(matrix, **values)[1]


def first_review_problems(
    matrix: Matrix, *, residual: int | None, next_review_on: datetime.date, today: datetime.date
) -> dict[str, str]:
    """A new risk's first review: not in the past, and no later than its level allows
    (checked once the residual score is known)."""
    if next_review_on < today:
        return {"next_review_on": "The next review date must be today or in the future"}
    if residual is None:
        return {}
    latest = next_review(matrix, residual, today)
    if next_review_on > latest:
        level = level_of(matrix, residual)
        return {
            "next_review_on": f"A {level.label.lower()} risk is reviewed at least every "
            f"{matrix.review_days(level)} days: enter a date no later than {long_date(latest)}"
        }
    return {}


def acceptance_problems(
    matrix: Matrix,
    *,
    is_open: bool,
    residual: int,
    reason: str,
    until: datetime.date | None,
    today: datetime.date,
) -> dict[str, str]:
    """Accepting a risk above appetite: only an open risk above appetite, for a reason,
    until a date in the next 12 months. The key ``__all__`` is a problem with the risk."""
    if not is_open:
        return {"__all__": "This risk is closed: a closed risk cannot be accepted"}
    if not above_appetite(matrix, residual):
        return {
            "__all__": f"The residual score ({residual}) is within the partnership's appetite "
            f"({matrix.appetite}): only a risk above appetite needs accepting"
        }
    problems = {}
    if not reason.strip():
        problems["reason"] = "Give the reason the partnership accepts this risk"
    latest = add_months(today, ACCEPTANCE_MONTHS)
    if until is None:
        problems["until"] = "Enter the date the acceptance lasts until"
    elif until <= today:
        problems["until"] = "The date the acceptance lasts until must be in the future"
    elif until > latest:
        problems["until"] = (
            f"An acceptance lasts at most {ACCEPTANCE_MONTHS} months: enter a date no later "
            f"than {long_date(latest)}"
        )
    return problems


def matrix_problems(
    matrix: Matrix, *, largest_likelihood: int = 0, largest_impact: int = 0
) -> dict[str, str]:
    """Settings that would not make a working matrix. ``largest_*`` are the highest values
    open risks are scored at: the matrix may not shrink below them."""
    problems = {}
    for name, largest, word in (
        ("likelihood_levels", largest_likelihood, "likelihood"),
        ("impact_levels", largest_impact, "impact"),
    ):
        value = getattr(matrix, name)
        if not MATRIX_MIN <= value <= MATRIX_MAX:
            problems[name] = f"Enter the levels of {word} as a number from 2 to 10"
        elif value < largest:
            problems[name] = (
                f"Open risks are scored up to {word} {largest}: the matrix needs at least "
                f"{largest} levels of {word}. Review those risks first"
            )
    if problems:
        return problems
    top = matrix.max_score
    if not 1 <= matrix.low_max < top:
        problems["low_max"] = f"Enter the highest low score, from 1 to {top - 1}"
    elif matrix.medium_max <= matrix.low_max:
        problems["medium_max"] = (
            f"The highest medium score must be more than the highest low score ({matrix.low_max})"
        )
    elif matrix.high_max <= matrix.medium_max:
        problems["high_max"] = (
            f"The highest high score must be more than the highest medium score "
            f"({matrix.medium_max})"
        )
    elif matrix.high_max >= top:
        problems["high_max"] = (
            f"The highest high score must be less than the highest score on the matrix ({top}), "
            "so that a risk can be very high"
        )
    if not 1 <= matrix.appetite <= top:
        problems["appetite"] = f"Enter the appetite as a score from 1 to {top}"
    previous = None
    for level in LEVELS:
        name = f"review_days_{level.value}"
        days = matrix.review_days(level)
        if not 1 <= days <= REVIEW_DAYS_MAX:
            problems[name] = (
                f"Enter the days between reviews of a {level.label.lower()} risk, "
                f"from 1 to {REVIEW_DAYS_MAX}"
            )
            continue
        if previous is not None and days > previous[1]:
            problems[name] = (
                f"A {level.label.lower()} risk must be reviewed at least as often as a "
                f"{previous[0].label.lower()} one: enter {previous[1]} days or fewer"
            )
        previous = (level, days)
    return problems


# --- The heat map ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    score: int
    level: Level
    count: int


@dataclass(frozen=True)
class HeatRow:
    likelihood: int
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class HeatMap:
    """Open risks counted in each cell: ``rows`` for the grid (likelihood from the highest
    down, impact across), ``cells`` for the table beside it (highest score first) and the
    totals by level. Both views hold the same figures."""

    rows: tuple[HeatRow, ...]
    impacts: tuple[tuple[int, str], ...]
    cells: tuple[Cell, ...]
    by_level: tuple[tuple[Level, int], ...]
    total: int
    outside: int  # counted risks whose scores are off the matrix (none, while it only grows)


def heat_map(matrix: Matrix, counts: Mapping[tuple[int, int], int]) -> HeatMap:
    """``counts`` maps (likelihood, impact) to the number of risks there."""
    rows = tuple(
        HeatRow(
            likelihood=likelihood,
            label=likelihood_label(matrix, likelihood),
            cells=tuple(
                Cell(
                    likelihood=likelihood,
                    impact=impact,
                    score=score(likelihood, impact),
                    level=level_of(matrix, score(likelihood, impact)),
                    count=counts.get((likelihood, impact), 0),
                )
                for impact in range(1, matrix.impact_levels + 1)
            ),
        )
        for likelihood in range(matrix.likelihood_levels, 0, -1)
    )
    cells = tuple(
        sorted(
            (cell for row in rows for cell in row.cells),
            key=lambda cell: (-cell.score, -cell.likelihood, -cell.impact),
        )
    )
    on_matrix = sum(cell.count for cell in cells)
    by_level = tuple(
        (level, sum(cell.count for cell in cells if cell.level == level))
        for level in reversed(LEVELS)
    )
    return HeatMap(
        rows=rows,
        impacts=tuple(
            (impact, impact_label(matrix, impact)) for impact in range(1, matrix.impact_levels + 1)
        ),
        cells=cells,
        by_level=by_level,
        total=on_matrix,
        outside=sum(counts.values()) - on_matrix,
    )


# --- The score history chart -------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    day: datetime.date
    inherent: int
    residual: int


@dataclass(frozen=True)
class Chart:
    """A line chart of the scores, as SVG coordinates: polylines' ``points`` attributes,
    the appetite line's height, gridlines with their labels, and a text alternative."""

    width: int
    height: int
    inherent_points: str
    residual_points: str
    inherent_dots: tuple[tuple[float, float], ...]
    residual_dots: tuple[tuple[float, float], ...]
    appetite_y: float
    gridlines: tuple[tuple[float, int], ...]
    left: int
    right: int
    description: str


def _trend(name: str, points: Sequence[ChartPoint], attribute: str) -> str:
    first, last = getattr(points[0], attribute), getattr(points[-1], attribute)
    if first == last:
        return f"The {name} score stayed at {first}"
    return f"The {name} score went from {first} to {last}"


def score_chart(
    matrix: Matrix,
    history: Iterable[ChartPoint],
    *,
    width: int = 480,
    height: int = 160,
) -> Chart | None:
    """The scores over time, placed by date; None when there is no history."""
    points = sorted(history, key=lambda point: point.day)
    if not points:
        return None
    left, right, top, bottom = 32, width - 12, 10, height - 20
    span = (points[-1].day - points[0].day).days

    def x(point: ChartPoint) -> float:
        if span == 0:
            return float((left + right) / 2)
        return round(left + (point.day - points[0].day).days / span * (right - left), 1)

    def y(value: int) -> float:
        return round(bottom - value / matrix.max_score * (bottom - top), 1)

    def line(attribute: str) -> str:
        return " ".join(f"{x(point)},{y(getattr(point, attribute))}" for point in points)

    step = max(1, matrix.max_score // 5)
    ticks = sorted({0, *range(step, matrix.max_score, step), matrix.max_score})
    reviews = "1 assessment" if len(points) == 1 else f"{len(points)} assessments"
    description = (
        f"{reviews} from {long_date(points[0].day)} to {long_date(points[-1].day)}. "
        f"{_trend('residual', points, 'residual')}; "
        f"{_trend('inherent', points, 'inherent').replace('The ', 'the ', 1)}. "
        f"The partnership's appetite is {matrix.appetite}."
    )
    return Chart(
        width=width,
        height=height,
        inherent_points=line("inherent"),
        residual_points=line("residual"),
        inherent_dots=tuple((x(point), y(point.inherent)) for point in points),
        residual_dots=tuple((x(point), y(point.residual)) for point in points),
        appetite_y=y(matrix.appetite),
        gridlines=tuple((y(tick), tick) for tick in ticks),
        left=left,
        right=right,
        description=description,
    )
