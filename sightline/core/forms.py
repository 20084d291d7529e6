"""Form building blocks that follow the GOV.UK Design System's patterns."""

import datetime
import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.functional import lazy

from . import bounded
from .models import AccessLogEntry, AuditEvent
from .ranges import integer_bounds


def field_of(form: forms.BaseForm, name: str) -> Any:
    """One of a form's fields, for setting choices or a queryset when the form is made."""
    return form.fields[name]


def example_date(*, days: int = 0, today: datetime.date | None = None) -> datetime.date:
    """A date ``days`` from today, for a hint's example: computed, so it never goes stale."""
    return (today or timezone.localdate()) + datetime.timedelta(days=days)


def from_today(make: Callable[[datetime.date], str]) -> Any:
    """Text worked out from today's date each time it is shown: a form's class body runs
    once, when the server starts, so a date written there would go stale."""
    return lazy(lambda: make(timezone.localdate()), str)()


def date_hint(*, days: int = -30, before: str = "") -> Any:
    """A GOV.UK date hint, like "For example, 27 3 2026", with an example ``days`` from today
    (in the past by default): ``before`` puts a sentence ahead of it."""

    def make(today: datetime.date) -> str:
        example = example_date(days=days, today=today)
        text = f"For example, {example.day} {example.month} {example.year}"
        return f"{before} {text}" if before else text

    return from_today(make)


def financial_year_of(day: datetime.date) -> int:
    """The year a financial year (April to March) containing ``day`` starts in."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_hint(*, quarter: bool = False, before: str = "") -> Any:
    """This financial year as an example, like "For example 2026-27" (or "... 2026-27 Q1"),
    after ``before`` when given ("A financial year and quarter, for example 2026-27 Q1")."""

    def make(today: datetime.date) -> str:
        start = financial_year_of(today)
        text = f"{start}-{(start + 1) % 100:02d}" + (" Q1" if quarter else "")
        return f"{before}, for example {text}" if before else f"For example {text}"

    return from_today(make)


# Spaces, thin spaces and commas people put between thousands ("1,200", "1 200").
_THOUSANDS = re.compile(r"[,\s\u00a0\u2009\u202f]")


def _number_messages(
    what: str, example: str, minimum: Any, maximum: Any, *, whole: bool
) -> dict[str, str]:
    noun = what[0].upper() + what[1:]
    minimum, maximum = (
        f"{limit:,}" if isinstance(limit, int) else limit for limit in (minimum, maximum)
    )
    kind = "a whole number" if whole else "a number"
    messages = {
        "required": f"Enter {what}, like {example}",
        "invalid": f"Enter {what} as {kind}, like {example}",
        "min_value": f"{noun} must be {minimum} or more",
        "max_value": f"{noun} must be {maximum} or less",
    }
    if not whole:
        messages |= {
            "max_digits": f"{noun} is too long: enter a shorter number, like {example}",
            "max_decimal_places": f"{noun} has too many numbers after the decimal point",
            "max_whole_digits": f"{noun} is too big: check the number",
            "step_size": f"Enter {what} as {kind}, like {example}",
        }
    return messages


class _WrittenNumber(forms.Field):
    """What both number fields share: Sightline's messages, thousands separators read, and a
    text box (GOV.UK asks for text inputs, not number inputs), so no min, max or step."""

    whole: bool

    def __init__(self, *, what: str, example: Any, **kwargs: Any) -> None:
        if self.whole:
            kwargs["min_value"], kwargs["max_value"] = integer_bounds(
                kwargs.get("min_value"), kwargs.get("max_value")
            )
        messages = _number_messages(
            what, str(example), kwargs.get("min_value"), kwargs.get("max_value"), whole=self.whole
        )
        messages |= kwargs.pop("error_messages", None) or {}
        super().__init__(error_messages=messages, **kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = _THOUSANDS.sub("", value)
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        for key in ("min", "max", "step"):
            attrs.pop(key, None)
        return attrs


class WholeNumberField(_WrittenNumber, forms.IntegerField):
    """A whole number as people write it ("1,200", "1 200"), in a text box with a numeric
    keyboard, with Sightline's messages.

    ``what`` names the number in a sentence ("the number of cases audited"); ``example`` is
    a typical value for "like 12"."""

    whole = True
    widget = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})

    def __init__(self, *, what: str, example: Any = 12, **kwargs: Any) -> None:
        super().__init__(what=what, example=example, **kwargs)


class DecimalNumberField(_WrittenNumber, forms.DecimalField):
    """A number with decimals as people write it ("1,200.5"), with Sightline's messages."""

    whole = False
    widget = forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"})

    def __init__(self, *, what: str, example: Any = "2.5", **kwargs: Any) -> None:
        super().__init__(what=what, example=example, **kwargs)


class GovukDateInput(forms.MultiWidget):
    """Day, month and year in three boxes, as the GOV.UK date input pattern asks."""

    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(attrs={"inputmode": "numeric"}),
            "month": forms.TextInput(attrs={"inputmode": "numeric"}),
            "year": forms.TextInput(attrs={"inputmode": "numeric"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


# Dates people enter lie within these years: a typing slip (0025, 9999) is caught rather
# than stored, and no date outside what every database and calendar library handles.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100


class GovukDateField(forms.MultiValueField):
    """A date entered as day, month and year, with messages that say what to fix."""

    widget = GovukDateInput

    def __init__(self, *, allow_future: bool = True, **kwargs: Any) -> None:
        self.allow_future = allow_future
        fields = tuple(forms.CharField(required=False) for _ in range(3))
        label = str(kwargs.get("label") or "the date")
        messages = {
            "required": f"Enter {label[0].lower() + label[1:]}"
            if kwargs.get("label")
            else "Enter the date",
            "invalid": f"{label} must be a real date",
            "incomplete": f"{label} must include a day, month and year",
        }
        messages |= kwargs.pop("error_messages", None) or {}
        super().__init__(fields=fields, require_all_fields=False, error_messages=messages, **kwargs)

    def compress(self, data_list: list[str]) -> datetime.date | None:
        if not data_list or not any(part.strip() for part in data_list if part):
            return None
        label = str(self.label or "The date")
        day, month, year = (part.strip() if part else "" for part in data_list)
        missing = [
            name
            for name, part in zip(("day", "month", "year"), (day, month, year), strict=True)
            if not part
        ]
        if missing:
            raise ValidationError(f"{label} must include a {' and a '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            example = example_date(days=-30)
            raise ValidationError(
                f"{label} must be a real date, in numbers, like "
                f"{example.day} {example.month} {example.year}"
            )
        if len(year) != 4:
            raise ValidationError(f"{label}: the year must include 4 numbers")
        try:
            value = datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError) as error:
            # OverflowError: a day or month too long for the machine's integers.
            raise ValidationError(f"{label} must be a real date") from error
        if not self.allow_future and value > datetime.date.today():
            raise ValidationError(f"{label} must be today or in the past")
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValidationError(
                f"{label}: the year must be between {EARLIEST_YEAR} and {LATEST_YEAR}"
            )
        return value


class AuditFilterForm(forms.Form):
    person = forms.CharField(
        label="Person", required=False, max_length=254, help_text="Part of an email address"
    )
    kind = forms.ChoiceField(
        label="What happened", required=False, choices=[("", "Any"), *AuditEvent.Kind.choices]
    )
    object_type = forms.ChoiceField(label="Kind of record", required=False, choices=[])
    object_id = forms.CharField(label="Record number", required=False, max_length=64)
    date_from = GovukDateField(label="From", required=False)
    date_to = GovukDateField(label="To", required=False)

    def __init__(self, *args: Any, object_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "object_type").choices = [("", "Any"), *object_types]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The ‘to’ date must be the same as or after the ‘from’ date")
        return cleaned


class AccessLogFilterForm(forms.Form):
    """The access log's filters, read from the query string."""

    person = forms.CharField(
        label="Person",
        required=False,
        max_length=254,
        help_text="Part of their name or email address",
        error_messages={"max_length": "Person must be 254 characters or fewer"},
    )
    action = forms.ChoiceField(
        label="What they did",
        required=False,
        choices=[("", "Viewed or exported"), *AccessLogEntry.Action.choices],
        error_messages={"invalid_choice": "Choose viewed or exported from the list"},
    )
    object_type = forms.ChoiceField(
        label="Kind of record",
        required=False,
        choices=[],
        error_messages={"invalid_choice": "Choose a kind of record from the list"},
    )
    object_id = forms.CharField(
        label="Record number",
        required=False,
        max_length=64,
        help_text="The number at the end of the record's web address",
        error_messages={"max_length": "Record number must be 64 characters or fewer"},
    )
    record = forms.CharField(
        label="Record name",
        required=False,
        max_length=200,
        help_text="Part of the record's name, like a case reference",
        error_messages={"max_length": "Record name must be 200 characters or fewer"},
    )
    date_from = GovukDateField(label="From", required=False)
    date_to = GovukDateField(label="To", required=False)

    def __init__(self, *args: Any, object_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "object_type").choices = [("", "Any"), *object_types]

    def clean_object_id(self) -> str:
        value = str(self.cleaned_data.get("object_id") or "").strip()
        if value and not value.isdigit():
            raise ValidationError("Record number must be a number, like 42")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The ‘to’ date must be the same as or after the ‘from’ date")
        return cleaned


class ClosureDayForm(forms.Form):
    date = GovukDateField(label="Date", error_messages={"required": "Enter the date"})
    description = forms.CharField(
        label="Why the partnership is closed",
        max_length=150,
        error_messages={"required": "Enter why the partnership is closed"},
    )


class SpreadsheetUploadForm(forms.Form):
    """A .csv or .xlsx file to import, refused early when too big or of the wrong type."""

    file_label = "File"
    file_hint = "A .csv or .xlsx file, up to {size} and {rows} rows"
    # Set when the file is over the size limit: the page answers 413 (Content Too Large).
    too_large = False

    file = forms.FileField(
        error_messages={
            "required": "Choose a .csv or .xlsx file to upload",
            "empty": "The file is empty",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "file").label = self.file_label
        bound = bounded.limits()
        field_of(self, "file").help_text = self.file_hint.format(
            size=bounded.megabytes(bound.upload_bytes), rows=f"{bound.rows:,}"
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        bound = bounded.limits()
        if upload.size > bound.upload_bytes:
            self.too_large = True
            raise forms.ValidationError(
                f"The file must be no larger than {bounded.megabytes(bound.upload_bytes)}: "
                f"split it into parts of at most {bound.rows:,} rows"
            )
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The file must be a .csv or .xlsx file")
        return upload


class ScheduleSettingForm(forms.Form):
    run_at = forms.TimeField(
        label="Time",
        input_formats=["%H:%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter a time, like 07:00",
            "invalid": "Enter a time on the 24-hour clock, like 07:00 or 18:30",
        },
    )
    is_enabled = forms.BooleanField(label="Run this schedule", required=False)


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices of a short list (agencies, practice themes) read with one plain query of
    two columns: each row's key and its name (which is what ``str()`` of either gives).

    Django reads a model choice field's choices with ``QuerySet.iterator()``, which on
    PostgreSQL opens a server-side cursor: three round trips and a cursor held to the end of
    the transaction, made for streaming large results, on every page with a filter form (a
    tenth of the case tracker's time). A few dozen rows need none of that, nor a model
    instance each, with its timestamps converted, only to print a name."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class ListedChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` over a short list of named rows (``ListedChoiceIterator``):
    the filter forms' agencies and themes. A chosen row is still checked against the query
    and cleaned to its instance."""

    iterator = ListedChoiceIterator
