"""Reads of the assurance area over a financial year's four quarters, as typed rows, for the
yearly report (which sits above this app and reads it only through selectors).

Each quarter is read with the same rules as the Executive pack for that quarter (risks above
appetite and their acceptance as at the quarter's end, the roll-up's returns, the data
exceptions, the priorities' updates), so the yearly report and the four packs agree."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from ..models import Inspection, Risk
from ..quarters import Quarter
from ..vocabulary import AssuranceLevel
from .data import exceptions_for_quarter
from .groups import returns_for_quarter
from .plan import priority_statuses_for_quarter
from .risks import risk_appetite, risks_above_appetite_on


@dataclass(frozen=True)
class RiskAboveAppetite:
    reference: str
    title: str
    owner: str
    residual_score: int
    accepted: bool


@dataclass(frozen=True)
class DataException:
    group: str
    measure: str
    value: str
    threshold: str


@dataclass(frozen=True)
class QuarterAssurance:
    """One quarter of the year, as at its last day."""

    label: str  # 2023-24 Q1
    start: datetime.date
    end: datetime.date
    risks_above_appetite: tuple[RiskAboveAppetite, ...]
    risk_reviews_overdue: int
    returns_assured: int
    returns_partial: int
    returns_not_assured: int
    returns_missing: int
    data_exceptions: tuple[DataException, ...]


@dataclass(frozen=True)
class InspectionRow:
    title: str
    inspectorate: str
    kind: str
    started_on: datetime.date
    published_on: datetime.date | None
    judgement: str


@dataclass(frozen=True)
class PriorityQuarters:
    """A current priority and its status (red, amber, green, or "" with no update) in each
    quarter of the year, and the reason given with the latest of them."""

    name: str
    lead: str
    rags: tuple[str, ...]
    latest_reason: str


def _overdue_reviews(end: datetime.date) -> int:
    """Risks open on ``end`` whose next review was due before it and that had not been
    reviewed since it fell due. Reviews are read from the register as it is now: a risk
    reviewed after ``end`` carries its new review date, so it is counted only while its
    recorded next review still falls before ``end``."""
    return (
        Risk.objects.filter(opened_on__lte=end, next_review_on__lt=end, last_reviewed_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        .count()
    )


def quarter_assurance(*, quarter: Quarter) -> QuarterAssurance:
    appetite = risk_appetite()
    risks = tuple(
        RiskAboveAppetite(
            reference=row.reference,
            title=row.title,
            owner=row.owner,
            residual_score=row.residual_score,
            accepted=row.accepted_until is not None,
        )
        for row in risks_above_appetite_on(day=quarter.end, appetite=appetite)
    )
    returns = returns_for_quarter(quarter=quarter)
    levels = [row["level"] for row in returns if not row["missing"]]
    return QuarterAssurance(
        label=quarter.label,
        start=quarter.start,
        end=quarter.end,
        risks_above_appetite=risks,
        risk_reviews_overdue=_overdue_reviews(quarter.end),
        returns_assured=levels.count(AssuranceLevel.ASSURED),
        returns_partial=levels.count(AssuranceLevel.PARTIAL),
        returns_not_assured=levels.count(AssuranceLevel.NOT_ASSURED),
        returns_missing=sum(1 for row in returns if row["missing"]),
        data_exceptions=tuple(
            DataException(
                group=row["group"].name,
                measure=row["measure"].name,
                value=row["value_text"],
                threshold=row["threshold_text"],
            )
            for row in exceptions_for_quarter(quarter=quarter)
        ),
    )


def inspections_during(*, date_from: datetime.date, date_to: datetime.date) -> list[InspectionRow]:
    """Inspections started or published from ``date_from`` to ``date_to``, by start."""
    inspections = Inspection.objects.filter(
        Q(started_on__gte=date_from, started_on__lte=date_to)
        | Q(published_on__gte=date_from, published_on__lte=date_to)
    ).order_by("started_on", "title")
    return [
        InspectionRow(
            title=item.title,
            inspectorate=item.get_inspectorate_display(),
            kind=item.get_kind_display(),
            started_on=item.started_on,
            published_on=item.published_on,
            judgement=item.judgement,
        )
        for item in inspections
    ]


def priorities_by_quarter(*, quarters: list[Quarter]) -> list[PriorityQuarters]:
    """Each current priority with its status in each of ``quarters`` (in their order)."""
    by_priority: dict[int, PriorityQuarters] = {}
    for index, quarter in enumerate(quarters):
        for row in priority_statuses_for_quarter(quarter=quarter):
            known = by_priority.get(row.pk)
            rags = known.rags if known else ("",) * len(quarters)
            rags = (*rags[:index], row.rag or "", *rags[index + 1 :])
            by_priority[row.pk] = PriorityQuarters(
                name=row.name,
                lead=row.lead,
                rags=rags,
                latest_reason=row.reason or (known.latest_reason if known else ""),
            )
    return list(by_priority.values())
