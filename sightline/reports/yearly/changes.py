"""What has changed between two sets of the yearly report's figures (pure: no ORM).

Both are the contract's JSON (``YearlyFigures.as_json()``). Every figure is found by its
path through the JSON; items in a list are named by their reference, quarter, route or
title where they have one, so that a case added to a list shows as one new figure rather
than every later item moving up a place.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# Keys that say which year or day the figures are for, not figures themselves.
NOT_FIGURES = frozenset({"year", "from", "to", "as_at", "generated_at", "today"})
# Between the parts of a figure's name: "Case reviews", "Received", "Child" read as one.
SEPARATOR = " \u203a "
# What names an item in a list, in the order tried.
ITEM_NAMES = ("reference", "id", "quarter", "route", "code", "theme", "title", "priority", "name")


@dataclass(frozen=True)
class FigureChange:
    label: str
    before: str
    after: str


def _words(key: str) -> str:
    text = str(key).replace("_", " ").replace(".", " ")
    return text[:1].upper() + text[1:]


def _item_name(item: Any, index: int) -> str:
    if isinstance(item, Mapping):
        for key in ITEM_NAMES:
            if item.get(key) not in (None, ""):
                return str(item[key])
    return f"item {index + 1}"


def _leaves(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if key in NOT_FIGURES:
                continue
            yield from _leaves(inner, (*path, _words(key)))
    elif isinstance(value, list):
        if all(not isinstance(item, Mapping | list) for item in value):
            yield path, ", ".join(str(item) for item in value) if value else "none"
            return
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, _item_name(item, index)))
    else:
        yield path, value


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return str(value)


def figure_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FigureChange]:
    """Each figure whose value differs, in the order of ``after`` then figures that are
    gone; "none" for a figure one side does not have."""
    old = dict(_leaves(before, ()))
    new = dict(_leaves(after, ()))
    changes = [
        FigureChange(SEPARATOR.join(path), _text(old.get(path)), _text(value))
        for path, value in new.items()
        if old.get(path) != value
    ]
    changes += [
        FigureChange(SEPARATOR.join(path), _text(value), "none")
        for path, value in old.items()
        if path not in new
    ]
    return changes
