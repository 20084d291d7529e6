"""Rules a case's facts must keep, shared by forms and the import (pure: no ORM)."""

import datetime
from collections.abc import Mapping
from typing import Any

from sightline.core.calendar import FIRST_YEAR

from .vocabulary import (
    MILESTONES,
    MILESTONES_BY_ROUTE,
    ORDER_BY_ROUTE,
    OUTCOMES_BY_ROUTE,
    Outcome,
    Route,
)

Problem = tuple[str, str]  # (field, message)
# As sets, once: ``.values`` builds a new list on every call, and an import asks per row.
ROUTES = frozenset(Route.values)
OUTCOMES = frozenset(Outcome.values)


def _long(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


def _choices(codes: tuple[str, ...]) -> str:
    """Outcomes as a file holds them, each with its meaning: "no_lcspr for no local review"."""
    named = [f"{code} for {Outcome(code).label.lower()}" for code in codes]
    return ", ".join(named[:-1]) + f" or {named[-1]}" if len(named) > 1 else named[0]


def case_problems(facts: Mapping[str, Any], *, today: datetime.date) -> list[Problem]:
    """Everything wrong with a case's route, outcome and milestone dates, field by field,
    in words a person uses: the milestone's label, the route's and outcome's names.

    Every rule that can be checked is: without a known route, the dates are still checked
    for being in the future or too long ago; the rules that depend on the route wait for it.
    """
    problems: list[Problem] = []
    route = str(facts.get("route") or "")
    known = route in ROUTES
    if not known:
        problems.append(("route", "Enter the route the case is on: child, adult, dhr or local"))
    route_name = Route(route).label.lower() if known else ""
    outcome = facts.get("outcome") or ""
    if known and outcome and outcome not in OUTCOMES_BY_ROUTE[route]:
        named = Outcome(outcome).label if outcome in OUTCOMES else f"‘{outcome}’"
        problems.append(
            (
                "outcome",
                f"{named} is not an outcome of a {route_name}: choose "
                f"{_choices(OUTCOMES_BY_ROUTE[route])}",
            )
        )
    used = MILESTONES_BY_ROUTE[route] if known else tuple(MILESTONES)
    earliest = datetime.date(FIRST_YEAR, 1, 1)
    for field in MILESTONES:
        value = facts.get(field)
        if value is None:
            continue
        label = MILESTONES[field]
        if field not in used:
            problems.append(
                (field, f"{label} is not a milestone of a {route_name}: leave it blank")
            )
        elif value > today:
            problems.append(
                (field, f"{label} must be today or in the past (it says {_long(value)})")
            )
        elif value < earliest:
            problems.append(
                (
                    field,
                    f"{label} must be in {FIRST_YEAR} or later: check the year ({_long(value)})",
                )
            )
    for earlier, later in ORDER_BY_ROUTE[route] if known else ():
        first, second = facts.get(earlier), facts.get(later)
        if first is not None and second is not None and second < first:
            problems.append(
                (
                    later,
                    f"{MILESTONES[later]} ({_long(second)}) must be the same as or after "
                    f"{MILESTONES[earlier].lower()} ({_long(first)})",
                )
            )
    return problems
