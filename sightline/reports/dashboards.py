"""What the role dashboards show, worked out from plain counts (pure: no ORM).

A dashboard is a list of sections, each a list of figures; every figure is a count with the
address of the list behind it, so a person can go from "4 overdue" to the four. Comparisons
give an agency's rate beside the partnership's; bar charts are laid out here as coordinates
for an SVG drawn with presentation attributes (the content security policy allows no style
attributes), and every chart's page gives the same figures as a table.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Tone = Literal["overdue", "due", "done", "neutral"]

# The GOV.UK tag colour for each tone, and the words beside it for people who cannot see it.
TAGS: dict[str, tuple[str, str]] = {
    "overdue": ("govuk-tag--red", "Needs action"),
    "due": ("govuk-tag--yellow", "Due soon"),
    "done": ("govuk-tag--green", "Nothing waiting"),
    "neutral": ("govuk-tag--grey", ""),
}


@dataclass(frozen=True)
class Figure:
    """A count on a dashboard, the words for it, and the list it comes from."""

    label: str
    count: int
    url: str
    detail: str = ""
    tone: Tone = "neutral"

    @property
    def tag_class(self) -> str:
        return TAGS[self.tone][0]

    @property
    def tag_text(self) -> str:
        return TAGS[self.tone][1]


def attention(label: str, count: int, url: str, *, detail: str = "", soon: bool = False) -> Figure:
    """A figure that asks for action when it is above nought: overdue (or due soon, for
    ``soon``) when there is something, nothing waiting when there is not."""
    tone: Tone = ("due" if soon else "overdue") if count else "done"
    return Figure(label=label, count=count, url=url, detail=detail, tone=tone)


@dataclass(frozen=True)
class Section:
    title: str
    figures: tuple[Figure, ...]

    @property
    def total(self) -> int:
        return sum(figure.count for figure in self.figures)


@dataclass(frozen=True)
class Rate:
    """``part`` of ``whole``; no percentage when the whole is nought or not known."""

    part: int
    whole: int | None

    @property
    def percent(self) -> int | None:
        if not self.whole:
            return None
        # Rounded half up, as people round (Python's round() goes to the even number).
        return (200 * self.part + self.whole) // (2 * self.whole)

    @property
    def text(self) -> str:
        percent = self.percent
        if percent is None:
            return "Not known"
        return f"{percent}% ({self.part:,} of {self.whole:,})"


@dataclass(frozen=True)
class Comparison:
    """An agency's rate beside the partnership's, and which is the better."""

    label: str
    agency: Rate
    partnership: Rate
    higher_is_better: bool
    url: str = ""

    @property
    def difference(self) -> int | None:
        """The agency's percentage minus the partnership's, in percentage points."""
        ours, theirs = self.agency.percent, self.partnership.percent
        if ours is None or theirs is None:
            return None
        return ours - theirs

    @property
    def verdict(self) -> str:
        difference = self.difference
        if difference is None:
            return "Cannot compare"
        if difference == 0:
            return "Same as the partnership"
        better = (difference > 0) == self.higher_is_better
        points = abs(difference)
        unit = "point" if points == 1 else "points"
        return f"{points} {unit} {'better' if better else 'worse'} than the partnership"

    @property
    def tone(self) -> Tone:
        difference = self.difference
        if not difference:
            return "neutral"
        return "done" if (difference > 0) == self.higher_is_better else "overdue"


def partnership_rate(parts: Iterable[tuple[int, int | None]]) -> Rate:
    """The partnership's rate from each agency's (part, whole): only agencies whose whole
    is known count, on both sides, so an agency with no workforce recorded does not make
    the rate look better than it is."""
    known = [(part, whole) for part, whole in parts if whole]
    if not known:
        return Rate(part=0, whole=None)
    return Rate(part=sum(part for part, _ in known), whole=sum(whole for _, whole in known))


# --- Bar charts -------------------------------------------------------------------

WIDTH = 640
LABEL_WIDTH = 240  # room for the agency's name left of its bar
VALUE_WIDTH = 56  # room for the count right of the bar
BAR_HEIGHT = 24
GAP = 12
TOP = 8


LABEL_CHARACTERS = 30  # what fits left of the bars; the table beside gives names in full


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    url: str
    y: int
    width: int

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2

    @property
    def short_label(self) -> str:
        if len(self.label) <= LABEL_CHARACTERS:
            return self.label
        return self.label[: LABEL_CHARACTERS - 1].rstrip() + "…"


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    bars: tuple[Bar, ...]
    width: int = WIDTH
    left: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return TOP * 2 + len(self.bars) * (BAR_HEIGHT + GAP)


def bar_chart(title: str, rows: Sequence[tuple[str, int, str]], *, unit: str) -> BarChart:
    """A horizontal bar for each (label, count, url), the longest for the largest count."""
    largest = max((count for _, count, _ in rows), default=0)
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = tuple(
        Bar(
            label=label,
            count=count,
            url=url,
            y=TOP + index * (BAR_HEIGHT + GAP),
            width=round(room * count / largest) if largest else 0,
        )
        for index, (label, count, url) in enumerate(rows)
    )
    listed = "; ".join(f"{label}: {count:,}" for label, count, _ in rows)
    description = f"{title}, in {unit}. {listed}." if rows else f"{title}: none."
    return BarChart(title=title, description=description, bars=bars)
