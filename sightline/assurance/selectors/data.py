"""Reads of the partnership's datasets: measures, their figures by quarter, and the
exceptions raised where a figure lies beyond its measure's threshold."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower, Upper
from django.http import Http404
from django.utils import timezone

from ..charts import breaches, format_value, line_chart, threshold_text
from ..models import DataPoint, DataPointVersion, Group, Measure
from ..quarters import Quarter
from ..vocabulary import Direction

CHART_QUARTERS = 20  # five years: older figures stay in the table


def _beyond(field: str) -> Q:
    """The condition, on measures, that the figure annotated as ``field`` lies beyond the
    measure's threshold on the side that raises an exception."""
    return Q(**{"direction": Direction.ABOVE, f"{field}__gt": F("threshold")}) | Q(
        **{"direction": Direction.BELOW, f"{field}__lt": F("threshold")}
    )


def _latest(field: str) -> Subquery:
    return Subquery(
        DataPoint.objects.filter(measure=OuterRef("pk"))
        .order_by("-quarter_start")
        .values(field)[:1]
    )


def _with_latest(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    """Each measure's most recent figure and its quarter, found through the (measure,
    quarter) index: one short look-up per measure, never a scan of every figure."""
    return measures.annotate(
        latest_value=_latest("value"), latest_quarter_start=_latest("quarter_start")
    )


def _summary(measure: Any) -> dict[str, Any]:
    value = measure.latest_value
    start = measure.latest_quarter_start
    return {
        "measure": measure,
        "latest_value": value,
        "latest_text": format_value(value, measure.unit),
        "latest_quarter": Quarter.starting(start) if start else None,
        "exception": breaches(value, measure.threshold, measure.direction),
        "threshold_text": threshold_text(measure.threshold, measure.direction, measure.unit),
    }


@dataclass(frozen=True)
class MeasureFilters:
    dataset: str = ""
    group: Group | None = None
    exceptions_only: bool = False
    include_inactive: bool = False


def measure_list(*, filters: MeasureFilters) -> QuerySet[Measure]:
    """Measures by dataset then name, each with its latest figure (``latest_value``) and
    its quarter (``latest_quarter_start``); page them, then lay them out with
    ``by_dataset``."""
    measures = Measure.objects.select_related("group")
    if not filters.include_inactive:
        measures = measures.filter(is_active=True)
    if filters.dataset:
        measures = measures.filter(dataset=filters.dataset)
    if filters.group is not None:
        measures = measures.filter(group=filters.group)
    measures = _with_latest(measures)
    if filters.exceptions_only:
        measures = measures.filter(_beyond("latest_value"))
    return measures.order_by("dataset", "name", "pk")


def by_dataset(measures: Iterable[Measure]) -> list[dict[str, Any]]:
    """Measures from ``measure_list`` under their datasets, in the order given:
    ``[{"dataset": name, "measures": [summary, ...]}, ...]``; each summary gives the
    measure, its latest figure and quarter, whether it raises an exception and its
    threshold in words."""
    datasets: dict[str, list[dict[str, Any]]] = {}
    for measure in measures:
        datasets.setdefault(measure.dataset, []).append(_summary(measure))
    return [{"dataset": name, "measures": rows} for name, rows in datasets.items()]


def exception_count() -> int:
    """How many measures collected now raise an exception on their latest figure."""
    measures = Measure.objects.filter(is_active=True, threshold__isnull=False)
    return _with_latest(measures).filter(_beyond("latest_value")).count()


def dataset_names() -> list[str]:
    return list(Measure.objects.order_by("dataset").values_list("dataset", flat=True).distinct())


def groups_with_measures() -> list[Group]:
    """The groups that measures raise exceptions to, by name, for filtering the list."""
    return list(
        Group.objects.filter(Exists(Measure.objects.filter(group=OuterRef("pk")))).order_by(
            Lower("name")
        )
    )


def measure_get(*, pk: int) -> Measure:
    measure = Measure.objects.select_related("group").filter(pk=pk).first()
    if measure is None:
        raise Http404("No such measure.")
    return measure


def measure_page(*, measure: Measure) -> dict[str, Any]:
    """The measure's figures over every quarter from its first to its latest (gaps shown as
    not recorded), the chart of the most recent of them, and its exceptions."""
    points = list(
        DataPoint.objects.filter(measure=measure)
        .select_related("recorded_by")
        .order_by("quarter_start")
    )
    by_quarter = {Quarter.starting(point.quarter_start): point for point in points}
    quarters: list[Quarter] = []
    if points:
        quarter, last = min(by_quarter), max(by_quarter)
        while quarter <= last:
            quarters.append(quarter)
            quarter = quarter.next()
    rows = []
    for quarter in reversed(quarters):
        point = by_quarter.get(quarter)
        value = point.value if point else None
        rows.append(
            {
                "quarter": quarter,
                "point": point,
                "value_text": format_value(value, measure.unit),
                "exception": breaches(value, measure.threshold, measure.direction),
            }
        )
    charted = quarters[-CHART_QUARTERS:]
    chart = line_chart(
        series=[
            (quarter, by_quarter[quarter].value if quarter in by_quarter else None)
            for quarter in charted
        ],
        name=measure.name,
        unit=measure.unit,
        threshold=measure.threshold,
        direction=measure.direction,
    )
    return {
        "rows": rows,
        "chart": chart,
        "charted_from": charted[0] if charted else None,
        "exceptions": [row for row in rows if row["exception"]],
        "threshold_text": threshold_text(measure.threshold, measure.direction, measure.unit),
    }


def data_point_for(*, measure: Measure, quarter: Quarter) -> DataPoint | None:
    return DataPoint.objects.filter(measure=measure, quarter_start=quarter.start).first()


def measure_ids_by_code() -> dict[str, int]:
    """Every measure's id under its code in capitals, for reading an upload."""
    return dict(Measure.objects.annotate(key=Upper("code")).values_list("key", "pk"))


def measure_code_taken(*, code: str, exclude_pk: int | None = None) -> bool:
    others = Measure.objects.annotate(key=Upper("code")).filter(key=code.strip().upper())
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def template_rows(*, quarter: Quarter) -> list[list[str]]:
    """The upload template: a row for each measure collected now, for ``quarter``."""
    return [
        [code, name, quarter.label, "", ""]
        for code, name in Measure.objects.filter(is_active=True)
        .order_by("dataset", "name", "pk")
        .values_list("code", "name")
    ]


def current_exceptions_for_group(*, group: Group) -> list[dict[str, Any]]:
    """The group's measures whose latest figure lies beyond the threshold."""
    measures = Measure.objects.filter(
        group=group, is_active=True, threshold__isnull=False
    ).select_related("group")
    latest = _with_latest(measures).filter(_beyond("latest_value"))
    return [_summary(measure) for measure in latest.order_by("dataset", "name", "pk")]


def exceptions_for_quarter(*, quarter: Quarter, group: Group | None = None) -> list[dict[str, Any]]:
    """The figures for ``quarter`` that lie beyond their measure's threshold (only those
    raised to ``group`` when given), by group then measure. Each: measure, group (both
    loaded), quarter, value, threshold, direction, unit, the figure's note, and the value
    and threshold written out.

    Each measure with a threshold looks up its own figure for the quarter through the
    (measure, quarter) index, rather than the quarter's figures being scanned."""
    point = DataPoint.objects.filter(measure=OuterRef("pk"), quarter_start=quarter.start)
    measures = Measure.objects.filter(threshold__isnull=False)
    if group is not None:
        measures = measures.filter(group=group)
    measures = (
        measures.annotate(
            quarter_value=Subquery(point.values("value")[:1]),
            quarter_note=Subquery(point.values("note")[:1]),
        )
        .filter(_beyond("quarter_value"))
        .select_related("group")
        .order_by(Lower("group__name"), "group_id", "dataset", "name", "pk")
    )
    return [
        {
            "measure": measure,
            "group": measure.group,
            "quarter": quarter,
            "value": measure.quarter_value,
            "threshold": measure.threshold,
            "direction": measure.direction,
            "unit": measure.unit,
            "note": measure.quarter_note,
            "value_text": format_value(measure.quarter_value, measure.unit),
            "threshold_text": threshold_text(measure.threshold, measure.direction, measure.unit),
        }
        for measure in measures
    ]


# --- As they stood on a date ------------------------------------------------------------


@dataclass(frozen=True)
class FigurePosition:
    """A measure's figure for a quarter as it stood at the end of a day: the value recorded
    by then, and whether it lay beyond the measure's threshold."""

    measure_id: int
    code: str
    name: str
    dataset: str
    breakdown: str
    group: str
    unit: str
    quarter: Quarter
    value: Decimal
    note: str
    recorded_at: datetime.datetime
    threshold: Decimal | None
    direction: str
    beyond_threshold: bool


def figures_as_at(*, quarter: Quarter, on: datetime.date) -> list[FigurePosition]:
    """Every figure for ``quarter`` recorded by the end of ``on``, by group then measure,
    each with the value it had then (a figure corrected later keeps its earlier value here;
    one first recorded later is left out). A figure with no versions (written outside the
    services) counts from when it was recorded. Thresholds are the measures' thresholds
    now: they keep no history. One query."""
    end = timezone.make_aware(
        datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min)
    )
    versions = DataPointVersion.objects.filter(data_point=OuterRef("pk"))
    latest = versions.filter(recorded_at__lt=end).order_by("-recorded_at", "-pk")
    points = (
        DataPoint.objects.filter(quarter_start=quarter.start)
        .annotate(
            has_versions=Exists(versions),
            then_value=Subquery(latest.values("value")[:1]),
            then_note=Subquery(latest.values("note")[:1]),
            then_at=Subquery(latest.values("recorded_at")[:1]),
        )
        .filter(
            Q(has_versions=True, then_at__isnull=False) | Q(has_versions=False, recorded_at__lt=end)
        )
        .select_related("measure__group")
        .order_by(
            Lower("measure__group__name"), "measure__group_id", "measure__dataset", "measure__name"
        )
    )
    positions = []
    for point in points:
        measure = point.measure
        value = point.then_value if point.has_versions else point.value
        positions.append(
            FigurePosition(
                measure_id=measure.pk,
                code=measure.code,
                name=measure.name,
                dataset=measure.dataset,
                breakdown=measure.breakdown,
                group=measure.group.name,
                unit=measure.unit,
                quarter=quarter,
                value=value,
                note=point.then_note if point.has_versions else point.note,
                recorded_at=point.then_at if point.has_versions else point.recorded_at,
                threshold=measure.threshold,
                direction=measure.direction,
                beyond_threshold=breaches(value, measure.threshold, measure.direction),
            )
        )
    return positions


@dataclass(frozen=True)
class ThresholdBreach:
    """A figure for a quarter beyond its measure's threshold, by names."""

    group: str
    measure: str
    code: str
    dataset: str
    breakdown: str
    unit: str
    value: Decimal
    threshold: Decimal
    direction: str
    note: str


def threshold_breaches(*, quarter: Quarter) -> list[ThresholdBreach]:
    """``exceptions_for_quarter`` as typed rows, for the Executive pack."""
    return [
        ThresholdBreach(
            group=row["group"].name,
            measure=row["measure"].name,
            code=row["measure"].code,
            dataset=row["measure"].dataset,
            breakdown=row["measure"].breakdown,
            unit=row["unit"],
            value=row["value"],
            threshold=row["threshold"],
            direction=row["direction"],
            note=row["note"],
        )
        for row in exceptions_for_quarter(quarter=quarter)
    ]
