"""The Executive pack for a quarter (pure: no ORM).

``selectors.pack.pack_rows`` reads the rows from the database; ``assemble`` puts them into
the pack's sections, each with a sentence saying what it shows, and counts the headline
figures; the trends over the eight quarters up to the pack's come from ``trends``. The page
and the PDF render the same ``Pack``.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sightline.assurance.quarters import Quarter
from sightline.assurance.scoring import long_date

from .trends import Trends

# A list longer than this shows its first rows and says where the rest are: the pack is a
# paper the Executive reads in a meeting, and its PDF must stay quick to make.
LISTED = 25
RAG_ORDER = ("red", "amber", "green")
RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}
NOT_ASSURED_FIRST = {"not_assured": 0, "partial": 1}
FINISHED = {"complete": "Completed", "closed_incomplete": "Closed without completion"}


def figure(value: Decimal | int | float | None, unit: str = "") -> str:
    """A figure as people read it: 12.50 is 12.5, 12.00 is 12, a percentage has its sign."""
    if value is None:
        return ""
    number = Decimal(str(value))
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%" if unit.strip() == "%" else text


def as_at_for(quarter: Quarter, today: datetime.date) -> datetime.date:
    """The date the pack's position is taken: the quarter's last day, or today while it runs."""
    return min(quarter.end, today)


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


@dataclass(frozen=True)
class Headline:
    label: str
    count: int
    detail: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    shows: str  # what the section shows, in a sentence
    rows: list[dict[str, Any]] = field(default_factory=list)
    empty: str = "None."
    # Where the rows beyond the first LISTED are: a place in Sightline, and its URL name.
    elsewhere: str = ""
    elsewhere_url: str = ""
    total: int = 0  # every row, when more than the rows listed

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))

    @property
    def more_text(self) -> str:
        if not self.more:
            return ""
        return (
            f"The pack lists the first {len(self.rows)} of {self.total}. The other "
            f"{self.more} are in {self.elsewhere}."
        )

    def listed(self, limit: int) -> "Section":
        """The section with its first ``limit`` rows, and the count of them all."""
        if len(self.rows) <= limit:
            return self
        return replace(self, rows=self.rows[:limit], total=len(self.rows))


@dataclass(frozen=True)
class Pack:
    quarter: Quarter
    as_at: datetime.date
    complete: bool  # the quarter has ended
    appetite: int
    headlines: list[Headline]
    risks: Section
    inspection_actions: Section
    returns: Section
    missing_returns: Section
    breaches: Section
    timeliness: Section
    learning: Section
    priorities: Section
    trends: Trends


def _risks(rows: Iterable[Mapping[str, Any]], appetite: int) -> Section:
    risks = sorted(
        ({**row, "accepted": row.get("accepted_until") is not None} for row in rows),
        key=lambda row: (-row["residual_score"], row["reference"]),
    )
    return Section(
        title="Risks above appetite",
        shows=(
            f"Open risks whose residual score (after controls) is above the partnership's "
            f"appetite of {appetite}, highest first, scored as they stand now. A risk the "
            "Executive has accepted shows until when; an acceptance that ends before the "
            "quarter does, or that was for a lower score, does not count."
        ),
        rows=risks,
        empty=f"No open risk has a residual score above the appetite of {appetite}.",
        elsewhere="the risk register",
        elsewhere_url="assurance:risk_list",
    )


def _inspection_actions(
    rows: Iterable[Mapping[str, Any]], quarter: Quarter, as_at: datetime.date
) -> Section:
    actions = []
    for row in rows:
        overdue = row["due_date"] < as_at
        actions.append(
            {
                **row,
                "overdue": overdue,
                "days_overdue": (as_at - row["due_date"]).days if overdue else 0,
                "status_text": _status_then(row, as_at),
            }
        )
    actions.sort(key=lambda row: (row["due_date"], row["reference"]))
    return Section(
        title="Inspection actions due or overdue",
        shows=(
            f"Actions on inspection recommendations that were due by {long_date(quarter.end)} and "
            f"not complete or closed on {long_date(as_at)}: the longest overdue first, then "
            "those still due in the quarter."
        ),
        rows=actions,
        empty="No action on an inspection's recommendations is due or overdue.",
        elsewhere="the quarterly inspection update",
        elsewhere_url="assurance:inspection_update",
    )


def _status_then(row: Mapping[str, Any], as_at: datetime.date) -> str:
    """An action's status as the pack tells it: one finished after the pack's date was still
    open then, so the pack says when it was finished."""
    finished = row.get("finished_on")
    if row["status"] in FINISHED and finished is not None and finished > as_at:
        return f"{FINISHED[row['status']]} on {long_date(finished)}, after the quarter"
    return str(row["status_label"])


def _returns(rows: Iterable[Mapping[str, Any]]) -> Section:
    returns = sorted(
        (dict(row) for row in rows),
        key=lambda row: (NOT_ASSURED_FIRST.get(row["level"], 2), row["group"].casefold()),
    )
    return Section(
        title="Groups not fully assured",
        shows=(
            "Groups whose assurance return for the quarter says they are partially assured "
            "or not assured, with the exceptions and escalations they reported."
        ),
        rows=returns,
        empty="Every group that made a return for the quarter is assured.",
        elsewhere="the assurance returns for the quarter",
        elsewhere_url="assurance:assurance_rollup",
    )


def _missing(names: Iterable[str]) -> Section:
    return Section(
        title="Assurance returns not made",
        shows="Active subgroups and boards that have made no assurance return for the quarter.",
        rows=[{"group": name} for name in sorted(names, key=str.casefold)],
        empty="Every active subgroup and board has made its return for the quarter.",
        elsewhere="the assurance returns for the quarter",
        elsewhere_url="assurance:assurance_rollup",
    )


def _breaches(rows: Iterable[Mapping[str, Any]]) -> Section:
    breaches = [
        {
            **row,
            "value_text": figure(row["value"], row.get("unit", "")),
            "threshold_text": figure(row["threshold"], row.get("unit", "")),
            "side": "above" if row["direction"] == "above" else "below",
        }
        for row in rows
    ]
    breaches.sort(key=lambda row: (-_past_by(row), row["group"].casefold(), row["measure"]))
    return Section(
        title="Figures past their threshold",
        shows=(
            "Data recorded for the quarter that is past its measure's threshold, on the side "
            "that raises an exception to the measure's group: the furthest past first."
        ),
        rows=breaches,
        empty="No figure recorded for the quarter is past its threshold.",
        elsewhere="the data pages, measure by measure",
        elsewhere_url="assurance:measure_list",
    )


def _past_by(row: Mapping[str, Any]) -> Decimal:
    """How far a figure is past its threshold, as a share of the threshold (or as a plain
    difference when the threshold is 0), so that measures in different units compare."""
    value, threshold = Decimal(str(row["value"])), Decimal(str(row["threshold"]))
    gap = value - threshold if row["direction"] == "above" else threshold - value
    return gap / abs(threshold) if threshold else gap


def _timeliness(report: Mapping[str, Any], quarter: Quarter, as_at: datetime.date) -> Section:
    standards = [
        dict(standard) for standard in report.get("standards", ()) if standard["applicable"]
    ]
    return Section(
        title="Timeliness of case reviews",
        shows=(
            f"Case review standards whose clock started in {quarter.label}, as they stood on "
            f"{long_date(as_at)}: met, missed, still pending (not yet due) and overdue."
        ),
        rows=standards,
        empty="No case review standard's clock started in the quarter.",
        elsewhere="the timeliness report",
        elsewhere_url="reviews:timeliness",
    )


def _learning(rows: Iterable[Mapping[str, Any]], as_at: datetime.date) -> Section:
    agencies = sorted(
        (dict(row) for row in rows if row["overdue"]),
        key=lambda row: (-row["overdue"], row["agency"].casefold()),
    )
    return Section(
        title="Overdue learning actions by agency",
        shows=(
            f"Learning actions past their due date and not complete or closed on "
            f"{long_date(as_at)}, for each agency with any, most first."
        ),
        rows=agencies,
        empty="No agency has an overdue learning action.",
        elsewhere="the learning tracker's list of actions",
        elsewhere_url="learning:action_list",
    )


def _priorities(rows: Iterable[Mapping[str, Any]]) -> Section:
    priorities = [
        {**row, "rag_label": RAG_LABELS.get(row.get("rag") or "", "Not rated")} for row in rows
    ]
    return Section(
        title="Strategic priorities",
        shows=(
            "Each current strategic priority's red, amber or green status for the quarter and "
            "the reason given. When a status was updated more than once, the latest counts."
        ),
        rows=priorities,
        empty="There are no current strategic priorities.",
        elsewhere="the strategic plan",
        elsewhere_url="assurance:plan",
    )


def _headlines(pack: dict[str, Section]) -> list[Headline]:
    risks = pack["risks"].rows
    accepted = sum(1 for row in risks if row["accepted"])
    actions = pack["inspection_actions"].rows
    overdue = sum(1 for row in actions if row["overdue"])
    returns = pack["returns"].rows
    not_assured = sum(1 for row in returns if row["level"] == "not_assured")
    standards = pack["timeliness"].rows
    late = sum(row["missed"] + row["overdue"] for row in standards)
    applicable = sum(row["applicable"] for row in standards)
    learning = pack["learning"].rows
    priorities = pack["priorities"].rows
    rags = {rag: sum(1 for row in priorities if row.get("rag") == rag) for rag in RAG_ORDER}
    unrated = len(priorities) - sum(rags.values())
    return [
        Headline(
            "Risks above appetite",
            len(risks),
            f"{accepted} accepted by the Executive, {len(risks) - accepted} not accepted",
        ),
        Headline(
            "Inspection actions overdue",
            overdue,
            f"and {len(actions) - overdue} more due in the quarter",
        ),
        Headline(
            "Groups not fully assured",
            len(returns),
            f"{not_assured} not assured, {len(returns) - not_assured} partially assured",
        ),
        Headline(
            "Assurance returns not made",
            len(pack["missing_returns"].rows),
            "from active subgroups and boards",
        ),
        Headline(
            "Figures past their threshold",
            len(pack["breaches"].rows),
            "in the data recorded for the quarter",
        ),
        Headline(
            "Case review standards missed or overdue",
            late,
            f"of {applicable} whose clock started in the quarter",
        ),
        Headline(
            "Overdue learning actions",
            sum(row["overdue"] for row in learning),
            f"across {plural(len(learning), 'agency', 'agencies')}",
        ),
        Headline(
            "Priorities rated red",
            rags["red"],
            f"{rags['amber']} amber, {rags['green']} green, {unrated} not rated for the quarter",
        ),
    ]


def assemble(
    *,
    quarter: Quarter,
    today: datetime.date,
    appetite: int,
    risks: Iterable[Mapping[str, Any]],
    inspection_actions: Iterable[Mapping[str, Any]],
    returns: Iterable[Mapping[str, Any]],
    missing_returns: Iterable[str],
    breaches: Iterable[Mapping[str, Any]],
    timeliness: Mapping[str, Any],
    overdue_by_agency: Iterable[Mapping[str, Any]],
    priorities: Iterable[Mapping[str, Any]],
    trends: Trends,
) -> Pack:
    """The pack for ``quarter`` from the rows the selectors read.

    ``risks``: reference, title, category, owner, residual_score, accepted_until (a date or
    None) and accepted_by. ``inspection_actions``: reference, description, agency, due_date,
    status, status_label, finished_on (the day it was completed or closed, or None),
    recommendation, inspection. ``returns``: group, level (partial or not_assured),
    level_label, exceptions, escalations. ``missing_returns``: group names. ``breaches``:
    group, measure, dataset, unit, value, threshold, direction (above or below).
    ``timeliness``: the reviews app's timeliness report. ``overdue_by_agency``: agency,
    overdue. ``priorities``: name, lead, rag (or None), reason, recorded_at, in plan order.
    ``trends``: the eight quarters up to ``quarter``.
    """
    as_at = as_at_for(quarter, today)
    sections: dict[str, Section] = {
        "risks": _risks(risks, appetite),
        "inspection_actions": _inspection_actions(inspection_actions, quarter, as_at),
        "returns": _returns(returns),
        "missing_returns": _missing(missing_returns),
        "breaches": _breaches(breaches),
        "timeliness": _timeliness(timeliness, quarter, as_at),
        "learning": _learning(overdue_by_agency, as_at),
        "priorities": _priorities(priorities),
    }
    return Pack(
        quarter=quarter,
        as_at=as_at,
        complete=today > quarter.end,
        appetite=appetite,
        headlines=_headlines(sections),
        trends=trends,
        **{name: section.listed(LISTED) for name, section in sections.items()},
    )
