"""Figures for the yearly report's tests, made by hand (no database): change one part with
``dataclasses.replace``."""

import datetime
from typing import Any

from sightline.reports.yearly import figures
from sightline.reports.yearly.years import FinancialYear

YEAR = FinancialYear(2023)


def quarter(number: int, **changes: Any) -> figures.QuarterFigures:
    starts = {1: (2023, 4, 1), 2: (2023, 7, 1), 3: (2023, 10, 1), 4: (2024, 1, 1)}
    ends = {1: (2023, 6, 30), 2: (2023, 9, 30), 3: (2023, 12, 31), 4: (2024, 3, 31)}
    base: dict[str, Any] = {
        "label": f"2023-24 Q{number}",
        "start": datetime.date(*starts[number]),
        "end": datetime.date(*ends[number]),
        "risks_above_appetite": (),
        "risk_reviews_overdue": 0,
        "returns_assured": 0,
        "returns_partial": 0,
        "returns_not_assured": 0,
        "returns_missing": 0,
        "data_exceptions": (),
    }
    return figures.QuarterFigures(**(base | changes))


def timeliness(*standards: dict[str, Any], since: str | None = None) -> dict[str, Any]:
    return {"as_at": "2024-03-31", "since": since, "standards": list(standards)}


def standard(code: str, applicable: int, met: int) -> dict[str, Any]:
    return {
        "code": code,
        "description": f"The {code} standard",
        "applicable": applicable,
        "met": met,
        "missed": applicable - met,
        "pending": 0,
        "overdue": 0,
        "cases": [],
    }


def training(**headline: Any) -> dict[str, Any]:
    head = {
        "sessions": 2,
        "practitioners_attended": 5,
        "attendances": 6,
        "evaluations": 7,
        "good_or_excellent": 5,
        "good_or_excellent_percent": 71.4,
        "marked": 9,
        "no_shows": 3,
        "no_show_rate_percent": 33.3,
    } | headline
    return {
        "period": {"from": "2023-04-01", "to": "2024-03-31"},
        "as_at": "2024-03-31",
        "headline": head,
        "overall_reach_percent": None,
        "sectors": [],
        "under_represented": [],
        "agencies": [],
        "courses_past_review": [],
        "learning_loop": {"cases": 0, "themes": [], "themes_without_course": 0},
    }


def learning(**totals: Any) -> dict[str, Any]:
    return {
        "as_at": "2024-03-31",
        "totals": {"recommendations": 0, "with_dissemination_evidence": 0} | totals,
        "by_source": [],
        "by_agency": [],
        "not_accepted": [],
        "dissemination_returns_outstanding": [],
    }


def make(
    *,
    starts: list[tuple[str, datetime.date]] | None = None,
    publications: list[figures.Publication] | None = None,
    adult_reviews: list[figures.AdultReview] | None = None,
    not_accepted: list[figures.NotAccepted] | None = None,
    timeliness_report: dict[str, Any] | None = None,
    learning_report: dict[str, Any] | None = None,
    training_report: dict[str, Any] | None = None,
    quarters: tuple[figures.QuarterFigures, ...] | None = None,
    inspections: tuple[figures.Inspection, ...] = (),
    priorities: tuple[figures.PriorityStatus, ...] = (),
    since: datetime.date | None = None,
) -> figures.YearlyFigures:
    return figures.assemble(
        year=YEAR,
        since=since,
        timeliness=timeliness_report or timeliness(),
        starts=starts or [],
        publications=publications or [],
        adult_reviews=adult_reviews or [],
        not_accepted=not_accepted or [],
        learning=learning_report or learning(),
        training=training_report or training(),
        assurance=figures.AssuranceFigures(
            risk_appetite=12,
            quarters=quarters or tuple(quarter(n) for n in (1, 2, 3, 4)),
            inspections=inspections,
            priorities=priorities,
        ),
    )
