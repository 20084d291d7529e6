"""The yearly report's generated figures (pure: no ORM), assembled from the rows the
selectors read (``sightline.reports.selectors.yearly``), and their JSON: section 2 of the
contract (``docs/reports/yearly-report.md``), without ``statutory_contents``, which
``coverage`` adds.

Definitions (the contract's, with the extra keys this report adds):

received
    Cases whose start falls in the year, by route: ``incident_aware_date`` on the child
    route, ``referral_date`` on the others. Every route is listed, with 0 where none.
published
    Cases with ``published_date`` in the year, by date then reference.
timeliness, learning
    The timeliness report and the learning report as at the year's last day, exactly as
    ``timeliness_report --format json`` (with the position's ``since``) and
    ``learning_report --format json`` give them.
training
    The training report (with its learning loop) for the sessions starting in the year, as
    ``training_report --from <from> --to <to> --format json`` gives it, except that courses
    past their review date are those past it on the year's last day.
adult_reviews (extra)
    Safeguarding adult reviews (adult route, outcome a mandatory or discretionary review)
    ``concluded`` (published in the year) and ``ongoing`` (decided by the year's end, not
    published by then), and the recommendations of adult reviews made by the year's end and
    not accepted, with the reasons.
assurance
    For each quarter of the year, as at its last day: the risks above appetite, how many of
    those were accepted, the open risks whose review was overdue, the subgroups' assurance
    returns by level (and the groups with none), the data figures beyond their thresholds;
    the inspections started or published in the year; each current priority's status in
    each quarter, and those with little or no progress (red in the last quarter with an
    update, or no update in the year).
"""

import copy
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .years import FinancialYear

ROUTES: tuple[tuple[str, str], ...] = (
    ("child", "Child serious incident"),
    ("adult", "Safeguarding adult review"),
    ("dhr", "Domestic homicide review"),
    ("local", "Local learning review"),
)
RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", "": "No update"}


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True)
class RouteCount:
    route: str
    label: str
    count: int


@dataclass(frozen=True)
class Publication:
    reference: str
    route: str
    published_date: datetime.date


@dataclass(frozen=True)
class AdultReview:
    reference: str
    outcome: str
    decision_date: datetime.date | None
    review_initiated_date: datetime.date | None
    published_date: datetime.date | None

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "outcome": self.outcome,
            "decision_date": _iso(self.decision_date),
            "review_initiated_date": _iso(self.review_initiated_date),
            "published_date": _iso(self.published_date),
        }


@dataclass(frozen=True)
class NotAccepted:
    reference: str
    source: str
    reason: str


@dataclass(frozen=True)
class CaseReviewFigures:
    timeliness: Mapping[str, Any]
    received: tuple[RouteCount, ...]
    published: tuple[Publication, ...]
    adult_reviews_concluded: tuple[AdultReview, ...]
    adult_reviews_ongoing: tuple[AdultReview, ...]
    adult_recommendations_not_accepted: tuple[NotAccepted, ...]

    def received_total(self) -> int:
        return sum(item.count for item in self.received)


@dataclass(frozen=True)
class RiskAbove:
    reference: str
    title: str
    owner: str
    residual_score: int
    accepted: bool


@dataclass(frozen=True)
class Breach:
    group: str
    measure: str
    value: str
    threshold: str


@dataclass(frozen=True)
class QuarterFigures:
    label: str
    start: datetime.date
    end: datetime.date
    risks_above_appetite: tuple[RiskAbove, ...]
    risk_reviews_overdue: int
    returns_assured: int
    returns_partial: int
    returns_not_assured: int
    returns_missing: int
    data_exceptions: tuple[Breach, ...]

    @property
    def risks_accepted(self) -> int:
        return sum(1 for risk in self.risks_above_appetite if risk.accepted)


@dataclass(frozen=True)
class Inspection:
    title: str
    inspectorate: str
    kind: str
    started_on: datetime.date
    published_on: datetime.date | None
    judgement: str


@dataclass(frozen=True)
class PriorityStatus:
    name: str
    lead: str
    rags: tuple[str, ...]  # one for each quarter: red, amber, green or "" (no update)
    latest_reason: str

    @property
    def little_progress(self) -> bool:
        """Red in the last quarter with an update, or no update in the whole year."""
        given = [rag for rag in self.rags if rag]
        return not given or given[-1] == "red"


@dataclass(frozen=True)
class AssuranceFigures:
    risk_appetite: int
    quarters: tuple[QuarterFigures, ...]
    inspections: tuple[Inspection, ...]
    priorities: tuple[PriorityStatus, ...]

    def inspections_started(self, year: FinancialYear) -> tuple[Inspection, ...]:
        return tuple(i for i in self.inspections if year.start <= i.started_on <= year.end)

    def inspections_published(self, year: FinancialYear) -> tuple[Inspection, ...]:
        return tuple(
            i
            for i in self.inspections
            if i.published_on is not None and year.start <= i.published_on <= year.end
        )

    @property
    def little_progress(self) -> tuple[PriorityStatus, ...]:
        return tuple(priority for priority in self.priorities if priority.little_progress)


@dataclass(frozen=True)
class YearlyFigures:
    year: FinancialYear
    since: datetime.date | None
    case_reviews: CaseReviewFigures
    learning: Mapping[str, Any]
    training: Mapping[str, Any]
    assurance: AssuranceFigures

    def as_json(self) -> dict[str, Any]:
        """Section 2 of the contract, without ``statutory_contents``; a fresh copy each
        time, so no caller can change the figures through it."""
        year, cases, assurance = self.year, self.case_reviews, self.assurance
        return {
            "year": year.label,
            "from": year.start.isoformat(),
            "to": year.end.isoformat(),
            "case_reviews": {
                "timeliness": copy.deepcopy(dict(cases.timeliness)),
                "received": {item.route: item.count for item in cases.received},
                "published": [
                    {
                        "reference": item.reference,
                        "route": item.route,
                        "published_date": item.published_date.isoformat(),
                    }
                    for item in cases.published
                ],
                "adult_reviews": {
                    "concluded": [item.as_json() for item in cases.adult_reviews_concluded],
                    "ongoing": [item.as_json() for item in cases.adult_reviews_ongoing],
                    "recommendations_not_accepted": [
                        {"reference": item.reference, "source": item.source, "reason": item.reason}
                        for item in cases.adult_recommendations_not_accepted
                    ],
                },
            },
            "learning": copy.deepcopy(dict(self.learning)),
            "training": copy.deepcopy(dict(self.training)),
            "assurance": {
                "risk_appetite": assurance.risk_appetite,
                "risks": [
                    {
                        "quarter": q.label,
                        "as_at": q.end.isoformat(),
                        "above_appetite": len(q.risks_above_appetite),
                        "accepted": q.risks_accepted,
                        "not_accepted": len(q.risks_above_appetite) - q.risks_accepted,
                        "reviews_overdue": q.risk_reviews_overdue,
                        "above_appetite_risks": [
                            {
                                "reference": risk.reference,
                                "title": risk.title,
                                "owner": risk.owner,
                                "residual_score": risk.residual_score,
                                "accepted": risk.accepted,
                            }
                            for risk in q.risks_above_appetite
                        ],
                    }
                    for q in assurance.quarters
                ],
                "inspections": {
                    "started": [_inspection(i) for i in assurance.inspections_started(year)],
                    "published": [_inspection(i) for i in assurance.inspections_published(year)],
                },
                "group_returns": [
                    {
                        "quarter": q.label,
                        "assured": q.returns_assured,
                        "partial": q.returns_partial,
                        "not_assured": q.returns_not_assured,
                        "missing": q.returns_missing,
                    }
                    for q in assurance.quarters
                ],
                "data_exceptions": [
                    {
                        "quarter": q.label,
                        "count": len(q.data_exceptions),
                        "exceptions": [
                            {
                                "group": b.group,
                                "measure": b.measure,
                                "value": b.value,
                                "threshold": b.threshold,
                            }
                            for b in q.data_exceptions
                        ],
                    }
                    for q in assurance.quarters
                ],
                "priorities": [
                    {
                        "priority": p.name,
                        "lead": p.lead,
                        "status": {
                            q.label: rag or None
                            for q, rag in zip(assurance.quarters, p.rags, strict=True)
                        },
                        "little_progress": p.little_progress,
                    }
                    for p in assurance.priorities
                ],
            },
        }


def _inspection(item: Inspection) -> dict[str, Any]:
    return {
        "title": item.title,
        "inspectorate": item.inspectorate,
        "kind": item.kind,
        "started_on": item.started_on.isoformat(),
        "published_on": _iso(item.published_on),
        "judgement": item.judgement,
    }


def received_by_route(
    starts: Iterable[tuple[str, datetime.date]], year: FinancialYear
) -> tuple[RouteCount, ...]:
    """Cases (route, start) starting in the year, counted for every route, 0 where none."""
    counts = dict.fromkeys((code for code, _ in ROUTES), 0)
    for route, started_on in starts:
        if year.start <= started_on <= year.end:
            counts[route] = counts.get(route, 0) + 1
    labels = dict(ROUTES)
    return tuple(
        RouteCount(route, labels.get(route, route), count) for route, count in counts.items()
    )


def split_adult_reviews(
    reviews: Iterable[AdultReview], year: FinancialYear
) -> tuple[tuple[AdultReview, ...], tuple[AdultReview, ...]]:
    """(concluded in the year, ongoing at its end) of the reviews decided by its end."""
    concluded, ongoing = [], []
    for review in reviews:
        if review.decision_date is None or review.decision_date > year.end:
            continue
        if review.published_date is None or review.published_date > year.end:
            ongoing.append(review)
        elif review.published_date >= year.start:
            concluded.append(review)
    return tuple(concluded), tuple(ongoing)


def assemble(
    *,
    year: FinancialYear,
    since: datetime.date | None,
    timeliness: Mapping[str, Any],
    starts: Iterable[tuple[str, datetime.date]],
    publications: Iterable[Publication],
    adult_reviews: Iterable[AdultReview],
    not_accepted: Sequence[NotAccepted],
    learning: Mapping[str, Any],
    training: Mapping[str, Any],
    assurance: AssuranceFigures,
) -> YearlyFigures:
    concluded, ongoing = split_adult_reviews(adult_reviews, year)
    published = sorted(
        (p for p in publications if year.start <= p.published_date <= year.end),
        key=lambda p: (p.published_date, p.reference),
    )
    return YearlyFigures(
        year=year,
        since=since,
        case_reviews=CaseReviewFigures(
            timeliness=timeliness,
            received=received_by_route(starts, year),
            published=tuple(published),
            adult_reviews_concluded=concluded,
            adult_reviews_ongoing=ongoing,
            adult_recommendations_not_accepted=tuple(not_accepted),
        ),
        learning=learning,
        training=training,
        assurance=assurance,
    )
