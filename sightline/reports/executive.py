"""The executive member's dashboard (pure: no ORM): the partnership at a glance with its
trends, the risks the member owns and the decisions waiting for the Executive.

``selectors.executive`` reads the rows; ``assemble`` decides what each figure is and which
list it links to. Every figure links to the list behind it, with the list's filters in the
address where the list has them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sightline.assurance.quarters import Quarter
from sightline.core.formats import long_date

from .trends import QuarterFigures, Trends

if TYPE_CHECKING:
    # The selectors' row types only: this module runs no query and loads no model.
    from sightline.assurance.selectors.groups import Escalation
    from sightline.assurance.selectors.plan import PriorityStatus
    from sightline.assurance.selectors.risks import OwnedRisk, RiskDecision

LISTED = 10  # decisions listed on the dashboard; the count and the link give the rest


@dataclass(frozen=True)
class Link:
    """Where a figure leads: a URL name, the object's key if it names one, and the filters."""

    url_name: str
    pk: int | None = None
    query: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    detail: str
    link: Link


@dataclass(frozen=True)
class ExecutiveDashboard:
    today: datetime.date
    quarter: Quarter
    appetite: int
    glance: list[Figure]
    trends: Trends
    trend_links: dict[str, Link] = field(default_factory=dict)  # the latest quarter's lists
    owned: list[OwnedRisk] = field(default_factory=list)
    owned_figures: list[Figure] = field(default_factory=list)
    to_accept: list[RiskDecision] = field(default_factory=list)
    to_accept_total: int = 0
    priorities_due: list[PriorityStatus] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)

    @property
    def decisions(self) -> int:
        return self.to_accept_total + len(self.priorities_due) + len(self.escalations)


def _date_query(name: str, day: datetime.date) -> tuple[tuple[str, str], ...]:
    """A date for a list's day, month and year boxes."""
    return (
        (f"{name}_day", str(day.day)),
        (f"{name}_month", str(day.month)),
        (f"{name}_year", str(day.year)),
    )


def figure_links(figures: QuarterFigures) -> dict[str, Link]:
    """The list behind each trend's figure for a quarter."""
    quarter = figures.quarter
    return {
        "timeliness": Link(
            "reviews:timeliness",
            query=_date_query("as_at", figures.as_at) + _date_query("since", quarter.start),
        ),
        "overdue_actions": Link("learning:action_list", query=(("overdue", "on"),)),
        "risks": Link("assurance:risk_list", query=(("appetite", "above"),)),
        "not_assured": Link("assurance:assurance_rollup", query=(("quarter", quarter.label),)),
        "reach": Link(
            "training:report",
            query=_date_query("date_from", quarter.start) + _date_query("date_to", figures.as_at),
        ),
    }


def glance(figures: QuarterFigures) -> list[Figure]:
    """The headline figures for the quarter, each linking to its list."""
    links = figure_links(figures)
    label = figures.quarter.label
    return [
        Figure(
            "Case review deadlines met",
            figures.timeliness_text,
            f"of the deadlines that fell due in {label}",
            links["timeliness"],
        ),
        Figure(
            "Learning actions overdue",
            str(figures.overdue_actions),
            f"as at {long_date(figures.as_at)}",
            links["overdue_actions"],
        ),
        Figure(
            "Risks above appetite",
            str(figures.risks_above_appetite),
            "open risks scored above the partnership's appetite",
            links["risks"],
        ),
        Figure(
            "Groups not fully assured",
            str(figures.not_fully_assured),
            f"{figures.not_assured} not assured, {figures.partially_assured} partially, "
            f"in their returns for {label}",
            links["not_assured"],
        ),
        Figure(
            "Training reach",
            figures.reach_text,
            f"of the known workforce attended training in {label}",
            links["reach"],
        ),
    ]


def owned_figures(owned: list[OwnedRisk], *, user_pk: int) -> list[Figure]:
    """How many of the member's open risks need them: each links to the register, filtered."""
    mine = (("owner", str(user_pk)),)
    return [
        Figure(
            "Risks you own",
            str(len(owned)),
            "open",
            Link("assurance:risk_list", query=mine),
        ),
        Figure(
            "Above appetite and not accepted",
            str(sum(1 for risk in owned if risk.needs_acceptance)),
            "of your risks",
            Link("assurance:risk_list", query=(*mine, ("appetite", "unaccepted"))),
        ),
        Figure(
            "Overdue for review",
            str(sum(1 for risk in owned if risk.review_overdue)),
            "of your risks",
            Link("assurance:risk_list", query=(*mine, ("overdue", "on"))),
        ),
    ]


def assemble(
    *,
    today: datetime.date,
    appetite: int,
    trends: Trends,
    owned: list[OwnedRisk],
    user_pk: int,
    to_accept: tuple[list[RiskDecision], int],
    priorities: list[PriorityStatus],
    escalations: list[Escalation],
) -> ExecutiveDashboard:
    """The dashboard from the rows the selectors read."""
    last = trends.last
    links = figure_links(last)
    return ExecutiveDashboard(
        today=today,
        quarter=last.quarter,
        appetite=appetite,
        glance=glance(last),
        trends=trends,
        trend_links=links,
        owned=owned,
        owned_figures=owned_figures(owned, user_pk=user_pk),
        to_accept=to_accept[0][:LISTED],
        to_accept_total=to_accept[1],
        priorities_due=[row for row in priorities if row.rag is None],
        escalations=escalations,
    )
