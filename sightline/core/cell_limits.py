"""Each imported cell checked against the field it is stored in, before anything is saved.

A cell longer than its column's ``max_length`` is stored whole on SQLite and refused by
PostgreSQL (a 500); a year like 0001 or 9999 is a date Python reads but no person meant; a
number beyond the database's integer range overflows. Each becomes a problem named
``line N, column C: ...``, like every other problem in a file.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from .forms import EARLIEST_YEAR, LATEST_YEAR
from .ranges import INTEGER_MAX, INTEGER_MIN
from .tabular import problem

# Text columns with no length of their own (TextField) take at most this many characters
# from a file: a long narrative, but not a spreadsheet's 32,767-character cell pasted by slip.
TEXT_MAX_LENGTH = 10_000


def fields_of(model: type[models.Model], columns: Mapping[str, str]) -> dict[str, models.Field]:
    """The model's field each file column is stored in: ``columns`` maps a column's name to
    the field's name."""
    return {
        column: model._meta.get_field(name)  # type: ignore[misc]
        for column, name in columns.items()
    }


def value_problem(field: models.Field, value: Any) -> str | None:
    """What is wrong with ``value`` for ``field`` (its length, year or size), or None."""
    if value is None or value == "":
        return None
    if isinstance(field, models.DateField) and isinstance(value, datetime.date):
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            return f"the year must be between {EARLIEST_YEAR} and {LATEST_YEAR}"
        return None
    if isinstance(field, models.IntegerField) and isinstance(value, int):
        if not INTEGER_MIN <= value <= INTEGER_MAX:
            return f"the number must be between {INTEGER_MIN:,} and {INTEGER_MAX:,}"
        return None
    if isinstance(field, models.CharField | models.TextField | models.EmailField):
        most = field.max_length or TEXT_MAX_LENGTH
        length = len(str(value))
        if length > most:
            return f"this is {length:,} characters long: the most is {most:,}"
    return None


def cell_problems(
    line: int,
    row: Mapping[str, Any],
    fields: Mapping[str, models.Field],
    *,
    skip: Iterable[str] = (),
) -> list[str]:
    """The problems of one row's cells, each ``line N, column C: ...``, for the columns in
    ``fields`` that the row has (those in ``skip``, already named as unreadable, left out)."""
    skipped = set(skip)
    problems = []
    for column, field in fields.items():
        if column in skipped or column not in row:
            continue
        message = value_problem(field, row[column])
        if message:
            problems.append(problem(line, column, message))
    return problems
