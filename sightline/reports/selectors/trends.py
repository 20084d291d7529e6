"""Reads for the trends over the last eight quarters (``reports.trends`` defines each
figure). Each figure is read for every quarter at once through its app's selector: one
grouped query (or one report) per figure, so the number of queries is small and fixed."""

import datetime

from sightline.assurance.quarters import Quarter
from sightline.assurance.selectors.groups import assurance_levels_by_quarter
from sightline.assurance.selectors.risks import risk_appetite, risks_above_appetite_counts
from sightline.learning.selectors import overdue_action_counts
from sightline.reviews.selectors import deadlines_met_by_period
from sightline.training.report_selectors import reach_by_period

from .. import trends
from ..pack import as_at_for


def trends_to(*, quarter: Quarter, today: datetime.date) -> trends.Trends:
    """The trends over the eight quarters up to and including ``quarter``."""
    return trends.assemble(quarter_figures(quarters=trends.quarters_to(quarter), today=today))


def quarter_figures(
    *, quarters: list[Quarter], today: datetime.date
) -> list[trends.QuarterFigures]:
    """Every trend's figures for each of ``quarters`` (none after today's)."""
    days = [as_at_for(item, today) for item in quarters]
    periods = [(item.start, day) for item, day in zip(quarters, days, strict=True)]
    met = deadlines_met_by_period(periods=periods)
    overdue = overdue_action_counts(days=days)
    # Sightline keeps one appetite, not its changes with their dates: today's for every day.
    risks = risks_above_appetite_counts(days=days, appetites=[risk_appetite()] * len(days))
    assurance = assurance_levels_by_quarter(quarters=quarters)
    reach = reach_by_period(periods=periods)
    return [
        trends.QuarterFigures(
            quarter=item,
            as_at=day,
            deadlines_due=met[n].due,
            deadlines_met=met[n].met,
            overdue_actions=overdue[n].overdue,
            risks_above_appetite=risks[n].count,
            partially_assured=assurance[n].partial,
            not_assured=assurance[n].not_assured,
            delegates=reach[n].delegates,
            headcount=reach[n].headcount,
        )
        for n, (item, day) in enumerate(zip(quarters, days, strict=True))
    ]


def current_trends(*, today: datetime.date) -> trends.Trends:
    """The trends over the eight quarters up to the one running today."""
    return trends_to(quarter=Quarter.containing(today), today=today)
