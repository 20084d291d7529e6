"""Reads for the Executive pack, through the domain apps' selectors. Each section takes a
fixed number of queries whatever the size of the register, the tracker or the data.

The inspection actions, the assurance returns and the data exceptions are read by the
inspections, groups and data selectors, which share their rules with the quarterly inspection
update and the roll-up, so the pack and those pages count alike. The rows come back typed;
here they are put in the shape ``pack.assemble`` takes."""

import dataclasses
import datetime
from typing import Any

from sightline.assurance.quarters import Quarter
from sightline.assurance.selectors.data import threshold_breaches
from sightline.assurance.selectors.groups import group_returns_for_quarter
from sightline.assurance.selectors.inspections import inspection_actions_due
from sightline.assurance.selectors.plan import priority_statuses_for_quarter
from sightline.assurance.selectors.risks import risk_appetite, risks_above_appetite_on
from sightline.assurance.vocabulary import AssuranceLevel
from sightline.learning.selectors import overdue_actions_by_agency_on
from sightline.reviews.selectors import timeliness_counts

from ..pack import as_at_for
from . import trends

NOT_FULLY_ASSURED = {AssuranceLevel.PARTIAL, AssuranceLevel.NOT_ASSURED}


def _rows(items: list[Any]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(item) for item in items]


def group_returns(*, quarter: Quarter) -> tuple[list[dict[str, Any]], list[str]]:
    """From the roll-up's rows for the quarter: the returns that are partially assured or not
    assured, and the names of the groups that have made none."""
    rows = group_returns_for_quarter(quarter=quarter)
    missing = [row.group for row in rows if row.missing]
    not_assured = _rows([row for row in rows if row.level in NOT_FULLY_ASSURED])
    return not_assured, missing


def _counted_from_history(
    *, quarter: Quarter, today: datetime.date, appetite: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The timeliness counts over the quarter and the overdue learning actions for each
    agency, as at the pack's day: from the quarter's snapshot once it has closed and the
    worker has taken one, otherwise counted now."""
    snapshot = trends.snapshots_of(quarters=[quarter], today=today, appetite=appetite).get(quarter)
    if snapshot is not None:
        overdue = [
            {"agency": agency, "overdue": count} for agency, count in snapshot.overdue_by_agency
        ]
        return snapshot.timeliness, overdue
    as_at = as_at_for(quarter, today)
    return (
        _rows(timeliness_counts(as_at=as_at, since=quarter.start)),
        _rows(overdue_actions_by_agency_on(day=as_at, today=today)),
    )


def pack_rows(*, quarter: Quarter, today: datetime.date) -> dict[str, Any]:
    """Every row the pack for ``quarter`` needs, as ``pack.assemble``'s keyword arguments."""
    appetite = risk_appetite()
    returns, missing = group_returns(quarter=quarter)
    standards, overdue_by_agency = _counted_from_history(
        quarter=quarter, today=today, appetite=appetite
    )
    return {
        "quarter": quarter,
        "today": today,
        "appetite": appetite,
        "risks": _rows(risks_above_appetite_on(day=quarter.end, appetite=appetite)),
        "inspection_actions": _rows(inspection_actions_due(quarter=quarter, today=today)),
        "returns": returns,
        "missing_returns": missing,
        "breaches": _rows(threshold_breaches(quarter=quarter)),
        "timeliness": {"standards": standards},
        "overdue_by_agency": overdue_by_agency,
        "priorities": _rows(priority_statuses_for_quarter(quarter=quarter)),
        "trends": trends.trends_to(quarter=quarter, today=today),
    }
