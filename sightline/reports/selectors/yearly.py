"""Reads for the yearly report: every figure from the domain apps' selectors, as at the
financial year's last day, handed to the pure ``yearly.figures`` to assemble."""

import datetime

from sightline.assurance.quarters import Quarter
from sightline.assurance.selectors import year as assurance_year
from sightline.assurance.selectors.risks import risk_matrix_as_at
from sightline.learning import selectors as learning
from sightline.reviews import selectors as reviews
from sightline.training import report_selectors as training

from ..yearly import figures
from ..yearly.narrative import ChapterNarrative
from ..yearly.years import FinancialYear
from . import drafts


def _quarters(year: FinancialYear) -> list[Quarter]:
    first = Quarter(year.start_year, 1)
    return [first, first.next(), first.next().next(), first.next().next().next()]


def _assurance(year: FinancialYear) -> figures.AssuranceFigures:
    quarters = _quarters(year)
    rows = [assurance_year.quarter_assurance(quarter=quarter) for quarter in quarters]
    return figures.AssuranceFigures(
        risk_appetite=risk_matrix_as_at(on=year.end).appetite,
        quarters=tuple(
            figures.QuarterFigures(
                label=row.label,
                start=row.start,
                end=row.end,
                risks_above_appetite=tuple(
                    figures.RiskAbove(
                        risk.reference, risk.title, risk.owner, risk.residual_score, risk.accepted
                    )
                    for risk in row.risks_above_appetite
                ),
                risk_reviews_overdue=row.risk_reviews_overdue,
                returns_assured=row.returns_assured,
                returns_partial=row.returns_partial,
                returns_not_assured=row.returns_not_assured,
                returns_missing=row.returns_missing,
                data_exceptions=tuple(
                    figures.Breach(item.group, item.measure, item.value, item.threshold)
                    for item in row.data_exceptions
                ),
            )
            for row in rows
        ),
        inspections=tuple(
            figures.Inspection(
                item.title,
                item.inspectorate,
                item.kind,
                item.started_on,
                item.published_on,
                item.judgement,
            )
            for item in assurance_year.inspections_during(date_from=year.start, date_to=year.end)
        ),
        priorities=tuple(
            figures.PriorityStatus(item.name, item.lead, item.rags, item.latest_reason)
            for item in assurance_year.priorities_by_quarter(quarters=quarters)
        ),
    )


def yearly_figures(
    *, year: FinancialYear, since: datetime.date | None, with_cases: bool = True
) -> figures.YearlyFigures:
    """Every generated figure of the yearly report for ``year``; ``since`` is the first day
    of the cumulative case review position (None: every case). ``with_cases=False`` leaves
    out the timeliness report's list of cases under each standard (its counts stay): the
    page and the files show only the counts, and listing every case costs as much as
    counting them."""
    date_from, date_to = year.start, year.end
    training_report = training.training_report(date_from=date_from, date_to=date_to, today=date_to)
    loop = training.learning_loop(date_from=date_from, date_to=date_to)
    return figures.assemble(
        year=year,
        since=since,
        timeliness=reviews.timeliness_report(as_at=date_to, since=since, with_cases=with_cases),
        starts=[
            (row.route, row.started_on)
            for row in reviews.cases_started_between(date_from=date_from, date_to=date_to)
        ],
        publications=[
            figures.Publication(row.reference, row.route, row.published_date)
            for row in reviews.cases_published_between(date_from=date_from, date_to=date_to)
        ],
        adult_reviews=[
            figures.AdultReview(
                row.reference,
                row.outcome,
                row.decision_date,
                row.review_initiated_date,
                row.published_date,
            )
            for row in reviews.adult_reviews_open_during(date_from=date_from, date_to=date_to)
        ],
        not_accepted=[
            figures.NotAccepted(row.reference, row.source, row.reason)
            for row in learning.adult_review_recommendations_not_accepted(as_at=date_to)
        ],
        learning=learning.learning_report(as_at=date_to),
        training={**training_report, "learning_loop": loop},
        assurance=_assurance(year),
    )


def position_since() -> datetime.date | None:
    """The partnership's first day of the cumulative case review position, if set."""
    return drafts.report_settings().position_since


def yearly_report(
    *, year: FinancialYear, since: datetime.date | None, with_cases: bool = True
) -> tuple[figures.YearlyFigures, dict[str, ChapterNarrative]]:
    """The year's generated figures and its chapters' narrative (as published, once it is)."""
    return (
        yearly_figures(year=year, since=since, with_cases=with_cases),
        drafts.chapter_narratives(year=year),
    )
