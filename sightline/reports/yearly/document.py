"""The yearly report laid out once, for every format (pure: no ORM).

``build`` turns the figures, the chapters' narrative and the statutory contents into a
``ReportDocument``: chapters in publishing order, each with its narrative and its generated
sections of sentences, tables and charts, every cell already written as text. The HTML page,
the PDF (from the printable HTML) and the Word file all draw this one document, so the three
say the same, and none of them reads anything while it is drawn.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from sightline.training.reporting import percent_text

from . import contents
from .coverage import ContentCoverage, statutory_contents
from .figures import RAG_WORDS, ROUTES, YearlyFigures
from .narrative import ChapterNarrative, Narratives, approved_chapters
from .sentences import training_sentences

NOT_WRITTEN = "This chapter has not been written yet."
NOT_APPROVED = "Draft: this chapter's text has not been approved yet."


EVIDENCE_FIGURES = ("actions", "complete", "with_dissemination_evidence", "with_impact_evidence")
# The learning tracker's kinds of source, as the report names them.
SOURCE_TYPES = {
    "case_review": "Case reviews",
    "national_review": "National reviews",
    "sar": "Safeguarding adult reviews",
    "dhr": "Domestic homicide reviews",
    "inspection": "Inspections",
    "audit": "Audits",
    "other": "Other sources",
}


# A list longer than this shows its first rows and says how many more there are: a
# partnership's year has a handful of reviews, and a report (or a PDF) of thousands of rows
# helps no reader.
LIST_LIMIT = 50


def listed(
    id: str, caption: str, header: tuple[str, ...], rows: Sequence[tuple[str, ...]], empty: str
) -> "Table":
    """A table of the first ``LIST_LIMIT`` rows, saying how many more there are."""
    return Table(
        id,
        caption,
        header,
        tuple(rows[:LIST_LIMIT]),
        empty=empty,
        more=max(0, len(rows) - LIST_LIMIT),
    )


def long_date(day: datetime.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def iso_long(text: str | None) -> str:
    return long_date(datetime.date.fromisoformat(text)) if text else ""


def _n(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"

    id: str  # unique in the report: the caption's id on a page
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()  # columns (by position) that hold numbers
    empty: str = "None."  # said instead of the table when it has no rows
    more: int = 0  # rows left out of a long list (``listed``)

    @property
    def more_text(self) -> str:
        if not self.more:
            return ""
        return (
            f"{self.more:,} more are not listed here. The report's JSON lists every one "
            "(sightline yearly_report --format json)."
        )


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: float  # of the bar, in the chart's units


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart, worked out here and drawn as an inline SVG; its ``table``
    holds the same figures and is always shown with it."""

    kind: ClassVar[str] = "chart"

    id: str
    title: str
    description: str  # the text alternative
    bars: tuple[Bar, ...]
    table: Table
    width: int = 640
    label_width: int = 240
    bar_height: int = 24
    gap: int = 12

    @property
    def height(self) -> int:
        return len(self.bars) * (self.bar_height + self.gap) + self.gap

    @property
    def plot_width(self) -> int:
        return self.width - self.label_width - 60


def bar_chart(*, id: str, title: str, items: Sequence[tuple[str, int]], table: Table) -> BarChart:
    chart = BarChart(id=id, title=title, description="", bars=(), table=table)
    largest = max((value for _, value in items), default=0) or 1
    bars = tuple(
        Bar(
            label=label,
            value=value,
            y=chart.gap + index * (chart.bar_height + chart.gap),
            width=round(chart.plot_width * value / largest, 1),
        )
        for index, (label, value) in enumerate(items)
    )
    words = "; ".join(f"{label}: {value:,}" for label, value in items)
    return BarChart(id=id, title=title, description=f"{title}. {words}.", bars=bars, table=table)


Block = str | Table | BarChart  # a sentence (a paragraph of its own), a table or a chart


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ChapterDocument:
    id: str
    title: str
    narrative: ChapterNarrative | None
    sections: tuple[Section, ...] = ()

    @property
    def paragraphs(self) -> list[str]:
        return self.narrative.paragraphs() if self.narrative else []

    @property
    def status(self) -> str:
        """ "" when approved; otherwise what the reader of a draft is told."""
        if self.narrative is None or not self.narrative.text.strip():
            return NOT_WRITTEN
        return "" if self.narrative.approved else NOT_APPROVED


@dataclass(frozen=True)
class ReportDocument:
    title: str
    partnership: str
    year_label: str
    period: str  # 1 April 2023 to 31 March 2024
    position: str  # what the cumulative case review position counts from
    chapters: tuple[ChapterDocument, ...]
    contents: tuple[ContentCoverage, ...]
    produced: str = ""
    content_texts: dict[str, str] = field(default_factory=dict)

    @property
    def missing(self) -> list[ContentCoverage]:
        return [item for item in self.contents if not item.covered]

    @property
    def is_draft(self) -> bool:
        """Some chapter is not written or not approved yet."""
        return any(chapter.status for chapter in self.chapters)


# --- The chapters' generated sections ------------------------------------------------------


def _introduction(figures: YearlyFigures) -> tuple[Section, ...]:
    cases, learning = figures.case_reviews, figures.learning.get("totals", {})
    head = figures.training.get("headline", {})
    rows = (
        ("Cases received", _n(cases.received_total())),
        ("Reviews published", _n(len(cases.published))),
        ("Recommendations made by the end of the year", _n(learning.get("recommendations", 0))),
        ("Learning actions overdue at the end of the year", _n(learning.get("overdue", 0))),
        (
            "Practitioners who attended multi-agency training",
            _n(head.get("practitioners_attended", 0)),
        ),
    )
    table = Table(
        "year-at-a-glance",
        f"The year at a glance, {figures.year.label}",
        ("Figure", "Number"),
        rows,
        numeric=frozenset({1}),
    )
    return (Section("The year at a glance", (table,)),)


def _priorities(figures: YearlyFigures) -> tuple[Section, ...]:
    assurance = figures.assurance
    quarters = [q.label.split(" ")[-1] for q in assurance.quarters]
    table = Table(
        "priority-status",
        "Each priority's status at the end of each quarter",
        ("Priority", "Lead", *quarters),
        tuple(
            (p.name, p.lead or "Not named", *(RAG_WORDS.get(rag, rag) for rag in p.rags))
            for p in assurance.priorities
        ),
        empty="The partnership has no current priorities recorded.",
    )
    slow = assurance.little_progress
    if slow:
        summary = (
            f"{len(slow)} of {len(assurance.priorities)} priorities showed little or no "
            "evidence of progress (red at their last update in the year, or no update): "
            + "; ".join(p.name for p in slow)
            + "."
        )
    elif assurance.priorities:
        summary = "Every priority had an update in the year, and none was red at its last."
    else:
        summary = "No priorities were recorded for the year."
    return (Section("Status of the priorities", (summary, table)),)


def _learning_by_agency(figures: YearlyFigures) -> tuple[Section, ...]:
    agencies = figures.learning.get("by_agency", [])
    table = Table(
        "actions-by-agency",
        f"Learning actions by agency, as at {long_date(figures.year.end)}",
        ("Agency", "Actions", "Complete", "Complete on time", "Overdue", "Open"),
        tuple(
            (
                row["agency"],
                _n(row.get("actions")),
                _n(row.get("complete")),
                _n(row.get("complete_on_time")),
                _n(row.get("overdue")),
                _n(row.get("open")),
            )
            for row in agencies
        ),
        numeric=frozenset({1, 2, 3, 4, 5}),
        empty="No agency had learning actions by the end of the year.",
    )
    return (Section("What each agency did on the learning actions", (table,)),)


def _practice_reviews(figures: YearlyFigures) -> tuple[Section, ...]:
    cases = figures.case_reviews
    labels = dict(ROUTES)
    received_table = Table(
        "received-by-route",
        f"Cases received in {figures.year.label}, by route",
        ("Route", "Cases received"),
        tuple((item.label, _n(item.count)) for item in cases.received),
        numeric=frozenset({1}),
    )
    received = bar_chart(
        id="received-chart",
        title=f"Cases received in {figures.year.label}, by route",
        items=[(item.label, item.count) for item in cases.received],
        table=received_table,
    )
    published = listed(
        "published",
        f"Reviews published in {figures.year.label}",
        ("Reference", "Route", "Published"),
        tuple(
            (item.reference, labels.get(item.route, item.route), long_date(item.published_date))
            for item in cases.published
        ),
        empty="No reviews were published in the year.",
    )
    timeliness = cases.timeliness
    standards = timeliness.get("standards", [])
    timeliness_table = Table(
        "timeliness",
        f"Timeliness against the standards as at {iso_long(timeliness.get('as_at'))}",
        ("Standard", "What it asks", "Applicable", "Met", "Missed", "Pending", "Overdue"),
        tuple(
            (
                standard["code"],
                standard.get("description", ""),
                *(
                    _n(standard[key])
                    for key in ("applicable", "met", "missed", "pending", "overdue")
                ),
            )
            for standard in standards
        ),
        numeric=frozenset({2, 3, 4, 5, 6}),
        empty="No case has reached a standard yet.",
    )
    since = timeliness.get("since")
    position = (
        f"The position counts every case whose clock started on or after {iso_long(since)}."
        if since
        else "The position counts every case on record."
    )
    totals = figures.learning.get("totals", {})
    decisions = Table(
        "recommendation-decisions",
        f"Decisions on recommendations made by {long_date(figures.year.end)}",
        ("Decision", "Recommendations"),
        tuple(
            (label, _n(totals.get(key, 0)))
            for key, label in (
                ("accepted", "Accepted"),
                ("accepted_in_part", "Accepted in part"),
                ("not_accepted", "Not accepted"),
                ("undecided", "Not decided yet"),
            )
        ),
        numeric=frozenset({1}),
    )
    not_accepted = listed(
        "not-accepted",
        "Recommendations not accepted, with the reasons",
        ("Recommendation", "Source", "Reason"),
        tuple(
            (item["recommendation_ref"], item["source"], item["reason"])
            for item in figures.learning.get("not_accepted", [])
        ),
        empty="Every recommendation decided on was accepted, at least in part.",
    )
    adult_concluded = listed(
        "sar-concluded",
        f"Safeguarding adult reviews concluded in {figures.year.label}",
        ("Review", "Decided", "Published"),
        tuple(
            (r.reference, long_date(r.decision_date), long_date(r.published_date))
            for r in cases.adult_reviews_concluded
        ),
        empty="No safeguarding adult review was concluded in the year.",
    )
    adult_ongoing = listed(
        "sar-ongoing",
        f"Safeguarding adult reviews ongoing on {long_date(figures.year.end)}",
        ("Review", "Decided", "Started"),
        tuple(
            (r.reference, long_date(r.decision_date), long_date(r.review_initiated_date))
            for r in cases.adult_reviews_ongoing
        ),
        empty="No safeguarding adult review was ongoing at the end of the year.",
    )
    sar_not_accepted = listed(
        "sar-not-implemented",
        "Findings of safeguarding adult reviews the board decided not to implement",
        ("Recommendation", "Review", "Reason"),
        tuple(
            (item.reference, item.source, item.reason)
            for item in cases.adult_recommendations_not_accepted
        ),
        empty="The board decided to implement every finding of its adult reviews.",
    )
    return (
        Section("Cases received and reviews published", (received, published)),
        Section("Timeliness", (position, timeliness_table)),
        Section("Decisions on recommendations", (decisions, not_accepted)),
        Section("Safeguarding adult reviews", (adult_concluded, adult_ongoing, sar_not_accepted)),
    )


def _learning_embedded(figures: YearlyFigures) -> tuple[Section, ...]:
    # By kind of source (case reviews, national reviews, inspections...): a partnership
    # has hundreds of sources, and the reader wants the shape, not every one.
    kinds: dict[str, dict[str, int]] = {}
    for row in figures.learning.get("by_source", []):
        kind = kinds.setdefault(row["source_type"], dict.fromkeys(EVIDENCE_FIGURES, 0))
        for name in EVIDENCE_FIGURES:
            kind[name] += row.get(name, 0)
    table = Table(
        "learning-by-source",
        f"Actions and their evidence by kind of source, as at {long_date(figures.year.end)}",
        ("Source", "Actions", "Complete", "With dissemination evidence", "With impact evidence"),
        tuple(
            (SOURCE_TYPES.get(kind, kind), *(_n(counts[name]) for name in EVIDENCE_FIGURES))
            for kind, counts in sorted(kinds.items())
        ),
        numeric=frozenset({1, 2, 3, 4}),
        empty="No learning actions were recorded by the end of the year.",
    )
    outstanding = figures.learning.get("dissemination_returns_outstanding", [])
    returns = listed(
        "returns-outstanding",
        f"Dissemination returns outstanding on {long_date(figures.year.end)}",
        ("Review", "Agency", "Asked for on"),
        tuple((row["source"], row["agency"], iso_long(row["requested_on"])) for row in outstanding),
        empty="Every dissemination return asked for had been made.",
    )
    return (Section("How learning was shared and embedded", (table, returns)),)


def _system_assurance(figures: YearlyFigures) -> tuple[Section, ...]:
    assurance = figures.assurance
    risks = Table(
        "risks-by-quarter",
        f"Risks above the appetite ({assurance.risk_appetite}) at the end of each quarter",
        ("Quarter", "Above appetite", "Accepted", "Not accepted", "Reviews overdue"),
        tuple(
            (
                q.label,
                _n(len(q.risks_above_appetite)),
                _n(q.risks_accepted),
                _n(len(q.risks_above_appetite) - q.risks_accepted),
                _n(q.risk_reviews_overdue),
            )
            for q in assurance.quarters
        ),
        numeric=frozenset({1, 2, 3, 4}),
    )
    risk_chart = bar_chart(
        id="risks-chart",
        title="Risks above the appetite at the end of each quarter",
        items=[(q.label, len(q.risks_above_appetite)) for q in assurance.quarters],
        table=risks,
    )
    returns = Table(
        "returns-by-quarter",
        "Subgroups' assurance returns in each quarter",
        ("Quarter", "Assured", "Partially assured", "Not assured", "No return"),
        tuple(
            (
                q.label,
                _n(q.returns_assured),
                _n(q.returns_partial),
                _n(q.returns_not_assured),
                _n(q.returns_missing),
            )
            for q in assurance.quarters
        ),
        numeric=frozenset({1, 2, 3, 4}),
    )
    by_group: dict[str, list[int]] = {}
    for index, q in enumerate(assurance.quarters):
        for item in q.data_exceptions:
            by_group.setdefault(item.group, [0] * len(assurance.quarters))[index] += 1
    exceptions = Table(
        "data-exceptions",
        "Figures beyond their thresholds in each quarter, by the group they were raised to",
        ("Group", *(q.label.split(" ")[-1] for q in assurance.quarters)),
        tuple(
            (group, *(_n(count) for count in counts))
            for group, counts in sorted(by_group.items(), key=lambda item: item[0].casefold())
        ),
        numeric=frozenset(range(1, len(assurance.quarters) + 1)),
        empty="No figure went beyond its threshold in the year.",
    )
    inspections = Table(
        "inspections",
        f"Inspections started or published in {figures.year.label}",
        ("Inspection", "Inspectorate", "Started", "Published", "Judgement"),
        tuple(
            (
                item.title,
                item.inspectorate,
                long_date(item.started_on),
                long_date(item.published_on) or "Not yet",
                item.judgement or "None given",
            )
            for item in assurance.inspections
        ),
        empty="No inspection was started or published in the year.",
    )
    return (
        Section("Inspections", (inspections,)),
        Section("Risks", (risk_chart,)),
        Section("Assurance from the subgroups", (returns,)),
        Section("Data scrutiny", (exceptions,)),
    )


def _training(figures: YearlyFigures) -> tuple[Section, ...]:
    training = figures.training
    if not training.get("headline"):
        return ()
    sectors = Table(
        "reach-by-sector",
        "Reach by sector against the workforce",
        ("Sector", "Delegates", "Workforce", "Reach", "Under-represented"),
        tuple(
            (
                row["sector_name"],
                _n(row["delegates"]),
                _n(row["headcount"]) if row["headcount"] is not None else "Not known",
                percent_text(row["reach_percent"], missing="Not known"),
                ("Yes" if row["under_represented"] else "No")
                if row["headcount"] is not None
                else "Not known",
            )
            for row in training.get("sectors", [])
        ),
        numeric=frozenset({1, 2, 3}),
    )
    themes = Table(
        "learning-loop",
        "Practice themes from the year's cases and the courses that cover them",
        ("Practice theme", "Cases", "Courses", "Attendances"),
        tuple(
            (
                theme["theme"],
                _n(theme["cases"]),
                "; ".join(course["course"] for course in theme["courses"])
                or "No course covers this theme",
                _n(theme["attendances"]),
            )
            for theme in training.get("learning_loop", {}).get("themes", [])
        ),
        numeric=frozenset({1, 3}),
        empty="No practice themes were recorded on the year's cases.",
    )
    return (
        Section("Who the training reached", (*training_sentences(training), sectors)),
        Section("Training and what reviews found", (themes,)),
    )


GENERATED = {
    "introduction": _introduction,
    "priorities_progress": _priorities,
    "development_impact": _learning_by_agency,
    "practice_reviews": _practice_reviews,
    "learning_embedded": _learning_embedded,
    "system_assurance": _system_assurance,
    "training_impact": _training,
}


def build(
    *, figures: YearlyFigures, narratives: Narratives, partnership: str, produced: str = ""
) -> ReportDocument:
    """The report for every format: chapters in publishing order, each with its narrative
    (or none yet) and its generated sections, and the statutory contents it covers."""
    coverage = statutory_contents(figures=figures, approved_chapters=approved_chapters(narratives))
    year = figures.year
    since = figures.since
    return ReportDocument(
        title=f"{partnership} yearly report {year.label}",
        partnership=partnership,
        year_label=year.label,
        period=f"{long_date(year.start)} to {long_date(year.end)}",
        position=(
            f"Case reviews since {long_date(since)}" if since else "Every case review on record"
        ),
        chapters=tuple(
            ChapterDocument(
                id=chapter.id,
                title=chapter.title,
                narrative=narratives.get(chapter.id),
                sections=GENERATED[chapter.id](figures) if chapter.id in GENERATED else (),
            )
            for chapter in contents.CHAPTERS
        ),
        contents=tuple(coverage),
        produced=produced,
        content_texts={item.id: item.text for item in contents.STATUTORY_CONTENTS},
    )


def tables(document: ReportDocument) -> list[Table]:
    """Every table of the report, those beside charts included, in reading order."""
    found = []
    for chapter in document.chapters:
        for section in chapter.sections:
            for block in section.blocks:
                if isinstance(block, Table):
                    found.append(block)
                elif isinstance(block, BarChart):
                    found.append(block.table)
    return found
