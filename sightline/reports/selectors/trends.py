"""Reads for the trends over the last eight quarters (``reports.trends`` defines each
figure). Each figure is read for every quarter at once through its app's selector: one
grouped query (or one report) per figure, so the number of queries is small and fixed.

The heavy figures (deadlines met, actions overdue and risks above appetite as at a past
day, all counted from dated history) of a closed quarter are read from its snapshot when the
worker has taken one (``QuarterSnapshot``, decision 0012); the running quarter, and any
closed quarter without a snapshot, are counted live."""

import datetime
from dataclasses import dataclass

from sightline.assurance.quarters import Quarter
from sightline.assurance.selectors.groups import assurance_levels_by_quarter
from sightline.assurance.selectors.risks import risk_appetite, risks_above_appetite_counts
from sightline.learning.selectors import overdue_action_counts
from sightline.reviews.selectors import deadlines_met_by_period
from sightline.training.report_selectors import reach_by_period

from .. import trends
from ..models import QuarterSnapshot
from ..pack import as_at_for


@dataclass(frozen=True)
class HeavyFigures:
    """The figures of a quarter that are counted from dated history, as at ``as_at``."""

    as_at: datetime.date
    deadlines_due: int
    deadlines_met: int
    overdue_actions: int
    risks_above_appetite: int


def heavy_figures(
    *, quarters: list[Quarter], today: datetime.date, appetite: int
) -> list[HeavyFigures]:
    """The heavy figures of each of ``quarters``, counted now: one timeliness report, one
    grouped count of actions and two of risks, whatever the number of quarters."""
    if not quarters:
        return []
    days = [as_at_for(item, today) for item in quarters]
    periods = [(item.start, day) for item, day in zip(quarters, days, strict=True)]
    met = deadlines_met_by_period(periods=periods)
    overdue = overdue_action_counts(days=days)
    # Sightline keeps one appetite, not its changes with their dates: today's for every day.
    risks = risks_above_appetite_counts(days=days, appetites=[appetite] * len(days))
    return [
        HeavyFigures(
            as_at=day,
            deadlines_due=met[n].due,
            deadlines_met=met[n].met,
            overdue_actions=overdue[n].overdue,
            risks_above_appetite=risks[n].count,
        )
        for n, day in enumerate(days)
    ]


def snapshots_of(
    *, quarters: list[Quarter], today: datetime.date, appetite: int
) -> dict[Quarter, QuarterSnapshot]:
    """The snapshots of those of ``quarters`` that have closed by ``today``, taken as at
    their last day under ``appetite`` (one query; none when no quarter has closed)."""
    closed = {item.label: item for item in quarters if item.end < today}
    if not closed:
        return {}
    rows = QuarterSnapshot.objects.filter(quarter__in=closed, appetite=appetite)
    return {closed[row.quarter]: row for row in rows if row.as_at == closed[row.quarter].end}


def _stored(snapshot: QuarterSnapshot) -> HeavyFigures:
    return HeavyFigures(
        as_at=snapshot.as_at,
        deadlines_due=snapshot.deadlines_due,
        deadlines_met=snapshot.deadlines_met,
        overdue_actions=snapshot.overdue_actions,
        risks_above_appetite=snapshot.risks_above_appetite,
    )


def trends_to(*, quarter: Quarter, today: datetime.date) -> trends.Trends:
    """The trends over the eight quarters up to and including ``quarter``."""
    return trends.assemble(quarter_figures(quarters=trends.quarters_to(quarter), today=today))


def quarter_figures(
    *, quarters: list[Quarter], today: datetime.date, appetite: int | None = None
) -> list[trends.QuarterFigures]:
    """Every trend's figures for each of ``quarters`` (none after today's), under
    ``appetite`` (the partnership's, read when not given)."""
    appetite = risk_appetite() if appetite is None else appetite
    stored = snapshots_of(quarters=quarters, today=today, appetite=appetite)
    unstored = [item for item in quarters if item not in stored]
    heavy = {item: _stored(snapshot) for item, snapshot in stored.items()}
    heavy.update(
        zip(unstored, heavy_figures(quarters=unstored, today=today, appetite=appetite), strict=True)
    )
    days = [heavy[item].as_at for item in quarters]
    periods = [(item.start, day) for item, day in zip(quarters, days, strict=True)]
    assurance = assurance_levels_by_quarter(quarters=quarters)
    reach = reach_by_period(periods=periods)
    return [
        trends.QuarterFigures(
            quarter=item,
            as_at=heavy[item].as_at,
            deadlines_due=heavy[item].deadlines_due,
            deadlines_met=heavy[item].deadlines_met,
            overdue_actions=heavy[item].overdue_actions,
            risks_above_appetite=heavy[item].risks_above_appetite,
            partially_assured=assurance[n].partial,
            not_assured=assurance[n].not_assured,
            delegates=reach[n].delegates,
            headcount=reach[n].headcount,
        )
        for n, item in enumerate(quarters)
    ]


def current_trends(*, today: datetime.date) -> trends.Trends:
    """The trends over the eight quarters up to the one running today."""
    return trends_to(quarter=Quarter.containing(today), today=today)
