"""Reads of the assurance area over a financial year's four quarters, as typed rows, for the
yearly report (which sits above this app and reads it only through selectors).

Each quarter is read as it stood on a fixed day, from the dated history (decision 0011), so a
report made later gives the same figures:

- risks above appetite, their acceptance and overdue reviews: as at the quarter's last day,
  with the scores, appetite and review dates in force then;
- group assurance returns and data figures for the quarter: as they stood at the end of the
  following quarter, because they are made after the quarter they are about (a return for
  January to March is due in April), and the quarter after is when the partnership reads
  them."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from ..charts import format_value, threshold_text
from ..models import Inspection
from ..quarters import Quarter
from ..vocabulary import AssuranceLevel
from .data import figures_as_at
from .groups import group_returns_as_at
from .plan import priority_statuses_for_quarter
from .risks import risk_positions_as_at


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


def settled_on(quarter: Quarter) -> datetime.date:
    """The day a quarter's returns and figures are read as they stood: the last day of the
    quarter after it."""
    return quarter.next().end


def quarter_assurance(*, quarter: Quarter) -> QuarterAssurance:
    positions = risk_positions_as_at(on=quarter.end)
    returns = group_returns_as_at(quarter=quarter, on=settled_on(quarter))
    levels = [row.level for row in returns if not row.missing]
    return QuarterAssurance(
        label=quarter.label,
        start=quarter.start,
        end=quarter.end,
        risks_above_appetite=tuple(
            RiskAboveAppetite(
                reference=row.reference,
                title=row.title,
                owner=row.owner,
                residual_score=row.residual_score,
                accepted=row.accepted,
            )
            for row in positions
            if row.above_appetite
        ),
        risk_reviews_overdue=sum(1 for row in positions if row.review_overdue),
        returns_assured=levels.count(AssuranceLevel.ASSURED),
        returns_partial=levels.count(AssuranceLevel.PARTIAL),
        returns_not_assured=levels.count(AssuranceLevel.NOT_ASSURED),
        returns_missing=sum(1 for row in returns if row.missing),
        data_exceptions=tuple(
            DataException(
                group=row.group,
                measure=row.name,
                value=format_value(row.value, row.unit),
                threshold=threshold_text(row.threshold, row.direction, row.unit),
            )
            for row in figures_as_at(quarter=quarter, on=settled_on(quarter))
            if row.beyond_threshold
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
