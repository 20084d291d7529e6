"""Rules a case's facts must keep, shared by forms and the import (pure: no ORM)."""

import datetime
from collections.abc import Mapping
from typing import Any

from sightline.core.calendar import FIRST_YEAR

from .vocabulary import MILESTONES, MILESTONES_BY_ROUTE, ORDER_BY_ROUTE, OUTCOMES_BY_ROUTE, Route

Problem = tuple[str, str]  # (field, message)


def case_problems(facts: Mapping[str, Any], *, today: datetime.date) -> list[Problem]:
    """Everything wrong with a case's route, outcome and milestone dates, field by field.

    Every rule that can be checked is: without a known route, the dates are still checked
    for being in the future or too long ago; the rules that depend on the route wait for it.
    """
    problems: list[Problem] = []
    route = str(facts.get("route") or "")
    known = route in Route.values
    if not known:
        problems.append(("route", "Choose a route: child, adult, dhr or local"))
    outcome = facts.get("outcome") or ""
    if known and outcome and outcome not in OUTCOMES_BY_ROUTE[route]:
        allowed = ", ".join(OUTCOMES_BY_ROUTE[route])
        problems.append(
            ("outcome", f"'{outcome}' is not an outcome of the {route} route: use one of {allowed}")
        )
    used = MILESTONES_BY_ROUTE[route] if known else tuple(MILESTONES)
    earliest = datetime.date(FIRST_YEAR, 1, 1)
    for field in MILESTONES:
        value = facts.get(field)
        if value is None:
            continue
        if field not in used:
            problems.append((field, f"{field} is not used on the {route} route: leave it blank"))
        elif value > today:
            problems.append(
                (field, f"{value:%d/%m/%Y} is in the future: enter a date that has passed")
            )
        elif value < earliest:
            problems.append((field, f"{value:%d/%m/%Y} is too long ago: check the year"))
    for earlier, later in ORDER_BY_ROUTE[route] if known else ():
        first, second = facts.get(earlier), facts.get(later)
        if first is not None and second is not None and second < first:
            problems.append(
                (
                    later,
                    f"{MILESTONES[later]} ({second:%d/%m/%Y}) cannot be before "
                    f"{MILESTONES[earlier].lower()} ({first:%d/%m/%Y})",
                )
            )
    return problems
