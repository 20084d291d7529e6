"""Every whole number a form accepts fits the database's integer column, and every record
chosen by its number (a select, a list of checkboxes) is looked up only if the number could
be one.

An integer column holds -2,147,483,648 to 2,147,483,647 on PostgreSQL; a larger number
typed into any form would otherwise pass the form and fail in the database (a 500).
``install`` gives every ``forms.IntegerField`` (model forms' fields included) a minimum and
maximum within that range unless the field sets narrower ones itself; decimal and
floating-point fields keep their own limits (digits and places). A model choice whose
number is beyond its key column's range is "not one of the choices" rather than a query the
database refuses (OverflowError on SQLite, an error on PostgreSQL).
"""

import functools
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models, router

INTEGER_MIN = -2_147_483_648
INTEGER_MAX = 2_147_483_647
RANGE_MESSAGE = f"Enter a whole number between {INTEGER_MIN:,} and {INTEGER_MAX:,}"


def integer_bounds(min_value: Any, max_value: Any) -> tuple[Any, Any]:
    """``min_value`` and ``max_value`` narrowed to what an integer column holds."""
    low = INTEGER_MIN if min_value is None else max(min_value, INTEGER_MIN)
    high = INTEGER_MAX if max_value is None else min(max_value, INTEGER_MAX)
    return low, high


def _is_whole(field: forms.Field) -> bool:
    return isinstance(field, forms.IntegerField) and not isinstance(
        field, forms.DecimalField | forms.FloatField
    )


def beyond_key_range(field: forms.ModelChoiceField, value: Any) -> bool:
    """Whether ``value`` is a whole number that the column ``field`` looks records up by
    (an integer key) cannot hold, so no record could have it."""
    if field.queryset is None:
        return False
    model = field.queryset.model
    key = model._meta.pk if not field.to_field_name else model._meta.get_field(field.to_field_name)
    if not isinstance(key, models.IntegerField | models.AutoField):
        return False
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return False
    connection = connections[router.db_for_read(model)]
    low, high = connection.ops.integer_field_range(key.get_internal_type())
    return (low is not None and number < low) or (high is not None and number > high)


def _refuse(field: forms.ModelChoiceField, value: Any) -> ValidationError:
    return ValidationError(
        field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
    )


_installed = False


def install() -> None:
    """Bound every whole-number form field, once, when the project starts."""
    global _installed
    if _installed:
        return
    original = forms.IntegerField.__init__

    @functools.wraps(original)
    def __init__(self: forms.IntegerField, *args: Any, **kwargs: Any) -> None:
        if not _is_whole(self):
            original(self, *args, **kwargs)
            return
        asked = {"min_value": kwargs.get("min_value"), "max_value": kwargs.get("max_value")}
        kwargs["min_value"], kwargs["max_value"] = integer_bounds(
            asked["min_value"], asked["max_value"]
        )
        original(self, *args, **kwargs)
        # A limit the field did not ask for speaks in Sightline's words, not Django's.
        for code, limit in asked.items():
            if kwargs[code] != limit and code not in self.error_messages:
                self.error_messages[code] = RANGE_MESSAGE

    forms.IntegerField.__init__ = __init__  # type: ignore[method-assign]

    to_python = forms.ModelChoiceField.to_python

    @functools.wraps(to_python)
    def model_choice(self: forms.ModelChoiceField, value: Any) -> Any:
        if value not in self.empty_values and beyond_key_range(self, value):
            raise _refuse(self, value)
        return to_python(self, value)

    forms.ModelChoiceField.to_python = model_choice  # type: ignore[method-assign]

    check_values = forms.ModelMultipleChoiceField._check_values  # type: ignore[attr-defined]

    @functools.wraps(check_values)
    def model_choices(self: forms.ModelMultipleChoiceField, value: Any) -> Any:
        for each in value if isinstance(value, list | tuple | set | frozenset) else ():
            if beyond_key_range(self, each):
                raise _refuse(self, each)
        return check_values(self, value)

    forms.ModelMultipleChoiceField._check_values = model_choices  # type: ignore[attr-defined]
    _installed = True
