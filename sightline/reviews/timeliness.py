"""Timeliness against the standards (pure: no ORM).

Implements section 2 of the case review data contract (``shared/spec/case-review-data.md``):
due dates, status as at a date, ``working_days`` and ``days_late``.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sightline.core.calendar import WorkingCalendar, add_months


class Rule(StrEnum):
    WITHIN_WORKING_DAYS = "within_working_days"
    WITHIN_MONTHS = "within_calendar_months"
    BEFORE_WORKING_DAYS = "at_least_working_days_before"


class Status(StrEnum):
    MET = "met"
    MISSED = "missed"
    PENDING = "pending"
    OVERDUE = "overdue"


STATUS_ORDER = (Status.MET, Status.MISSED, Status.PENDING, Status.OVERDUE)
DUE_SOON_WORKING_DAYS = 5


@dataclass(frozen=True)
class StandardSpec:
    code: str
    route: str
    start_field: str
    done_field: str
    rule: Rule
    amount: int
    outcome: str = ""  # applies only when the case has this outcome; blank: always
    description: str = ""

    def describe(self) -> str:
        unit = {
            Rule.WITHIN_WORKING_DAYS: f"within {self.amount} working days",
            Rule.WITHIN_MONTHS: f"within {self.amount} calendar months",
            Rule.BEFORE_WORKING_DAYS: f"at least {self.amount} working days before",
        }[self.rule]
        return self.description or unit


@dataclass(frozen=True)
class Result:
    reference: str
    status: Status
    start: datetime.date
    due: datetime.date
    done: datetime.date | None
    working_days: int | None
    days_late: int

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "status": str(self.status),
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "done": self.done.isoformat() if self.done else None,
            "working_days": self.working_days,
            "days_late": self.days_late,
        }


def due_date(spec: StandardSpec, start: datetime.date, calendar: WorkingCalendar) -> datetime.date:
    if spec.rule == Rule.WITHIN_WORKING_DAYS:
        return calendar.add_working_days(start, spec.amount)
    if spec.rule == Rule.WITHIN_MONTHS:
        return add_months(start, spec.amount)
    return calendar.working_days_before(start, spec.amount)


def evaluate(
    spec: StandardSpec,
    case: Mapping[str, Any],
    *,
    as_at: datetime.date,
    calendar: WorkingCalendar,
    since: datetime.date | None = None,
) -> Result | None:
    """The case's standing against ``spec`` as at ``as_at``, or None when it does not apply."""
    if case["route"] != spec.route or (spec.outcome and case.get("outcome") != spec.outcome):
        return None
    start = case.get(spec.start_field)
    if start is None or start > as_at or (since is not None and start < since):
        return None
    done = case.get(spec.done_field)
    if done is not None and done > as_at:
        done = None  # had not happened yet as at the date asked about
    due = due_date(spec, start, calendar)
    if done is not None:
        status = Status.MET if done <= due else Status.MISSED
    elif spec.rule == Rule.BEFORE_WORKING_DAYS:
        status = Status.MISSED  # published with no notice recorded
    else:
        status = Status.OVERDUE if due < as_at else Status.PENDING
    working_days = None
    if done is not None and spec.rule == Rule.WITHIN_WORKING_DAYS:
        working_days = calendar.working_days_between(start, done)
    elif done is not None and spec.rule == Rule.BEFORE_WORKING_DAYS:
        working_days = calendar.working_days_between(done, start)
    days_late = (done - due).days if done is not None and done > due else 0
    return Result(case["reference"], status, start, due, done, working_days, days_late)


def _evaluator(spec: StandardSpec, calendar: WorkingCalendar) -> Any:
    """``evaluate`` specialised to one standard, for the report's many cases: the rule chosen
    once, and the working-day tables read directly (the report spends its time here)."""
    amount = spec.amount
    between = calendar.counter()
    if spec.rule == Rule.WITHIN_WORKING_DAYS:
        return calendar.adder(amount), between
    if spec.rule == Rule.WITHIN_MONTHS:
        return (lambda start: add_months(start, amount)), (lambda start, done: None)
    return calendar.backer(amount), (lambda start, done: between(done, start))


def report(
    specs: Iterable[StandardSpec],
    cases: Iterable[Mapping[str, Any]],
    *,
    as_at: datetime.date,
    calendar: WorkingCalendar,
    since: datetime.date | None = None,
    with_cases: bool = True,
) -> dict[str, Any]:
    """The timeliness report of section 3 of the contract, as a JSON-ready dictionary.

    Gives the same results as ``evaluate`` case by case (a property test holds them together);
    ``with_cases=False`` leaves out the per-case lists when only the counts are wanted.
    """
    specs = list(specs)
    by_route: dict[str, list[Mapping[str, Any]]] = {}
    for case in cases:
        by_route.setdefault(case["route"], []).append(case)
    standards = []
    for spec in specs:
        due_of, days_of = _evaluator(spec, calendar)
        before = spec.rule == Rule.BEFORE_WORKING_DAYS
        met = missed = pending = overdue = 0
        results: list[tuple[datetime.date, str, dict[str, Any]]] = []
        for case in by_route.get(spec.route, ()):
            if spec.outcome and case.get("outcome") != spec.outcome:
                continue
            start = case.get(spec.start_field)
            if start is None or start > as_at or (since is not None and start < since):
                continue
            done = case.get(spec.done_field)
            if done is not None and done > as_at:
                done = None
            due = due_of(start)
            if done is not None:
                if done <= due:
                    met += 1
                    status = "met"
                else:
                    missed += 1
                    status = "missed"
            elif before:
                missed += 1
                status = "missed"
            elif due < as_at:
                overdue += 1
                status = "overdue"
            else:
                pending += 1
                status = "pending"
            if with_cases:
                results.append(
                    (
                        start,
                        case["reference"],
                        {
                            "reference": case["reference"],
                            "status": status,
                            "start": start.isoformat(),
                            "due": due.isoformat(),
                            "done": done.isoformat() if done is not None else None,
                            "working_days": days_of(start, done) if done is not None else None,
                            "days_late": (done - due).days
                            if done is not None and done > due
                            else 0,
                        },
                    )
                )
        results.sort(key=lambda item: (item[0], item[1]))
        standards.append(
            {
                "code": spec.code,
                "description": spec.describe(),
                "applicable": met + missed + pending + overdue,
                "met": met,
                "missed": missed,
                "pending": pending,
                "overdue": overdue,
                "cases": [row for _, _, row in results],
            }
        )
    return {
        "as_at": as_at.isoformat(),
        "since": since.isoformat() if since else None,
        "standards": standards,
    }


@dataclass(frozen=True)
class TimelineEntry:
    spec: StandardSpec
    result: Result
    due_soon: bool


def timeline(
    specs: Iterable[StandardSpec],
    case: Mapping[str, Any],
    *,
    today: datetime.date,
    calendar: WorkingCalendar,
) -> list[TimelineEntry]:
    """Each standard that applies to the case today, with whether it is due soon."""
    entries = []
    for spec in specs:
        result = evaluate(spec, case, as_at=today, calendar=calendar)
        if result is None:
            continue
        soon = (
            result.status == Status.PENDING
            and calendar.working_days_between(today, result.due) <= DUE_SOON_WORKING_DAYS
        )
        entries.append(TimelineEntry(spec, result, soon))
    return entries
