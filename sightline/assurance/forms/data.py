"""Forms for the partnership's datasets. They check the shape of what was entered; the
services check it against the measures and figures already recorded."""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q

from sightline.core.forms import (
    DecimalNumberField,
    SpreadsheetUploadForm,
    field_of,
    financial_year_of,
    from_today,
)

from ..data_import import NOTE_LENGTH, parse_value
from ..models import Group
from ..quarters import Quarter, recent
from ..vocabulary import Direction

DECIMAL_INPUT = {"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"}


def recent_quarters(today: datetime.date, count: int = 12) -> list[Quarter]:
    """The quarter containing ``today`` and the ``count - 1`` before it, newest first."""
    return list(reversed(recent(today, count)))


class QuarterField(forms.ChoiceField):
    """A financial quarter chosen from a list, or given in the address (``2025-26 Q1``) for
    one that is not on the list; cleaned to a ``Quarter``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"required": "Choose the quarter"})
        super().__init__(**kwargs)
        self.quarters: list[Quarter] = []

    def set_quarters(self, quarters: Sequence[Quarter], *, also: Any = None) -> None:
        """Offer ``quarters``, and ``also`` (a quarter's label, from the address or the
        initial data) when it names one that is not among them."""
        self.quarters = list(quarters)
        try:
            extra = Quarter.parse(str(also or ""))
        except ValueError:
            extra = None
        if extra is not None and extra not in self.quarters:
            self.quarters.append(extra)
        self.choices = [
            (quarter.label, f"{quarter.label} ({quarter.months})") for quarter in self.quarters
        ]

    def valid_value(self, value: Any) -> bool:
        try:
            Quarter.parse(str(value))
        except ValueError:
            return False
        return True

    def validate(self, value: Any) -> None:
        if value in self.empty_values:
            super().validate(value)
            return
        try:
            Quarter.parse(str(value))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self, value: Any) -> Quarter | None:
        text = super().clean(value)
        return Quarter.parse(text) if text else None


class QuarterTextField(forms.CharField):
    """A financial quarter written out (``2025-26 Q1``), cleaned to a ``Quarter``, or None
    when left blank; anything else is refused saying how to write it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Quarter | None:
        text = super().clean(value).strip()
        if not text:
            return None
        try:
            return Quarter.parse(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class DataPointForm(forms.Form):
    quarter = QuarterField(label="Quarter")
    value = forms.CharField(
        label="Figure",
        max_length=40,
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
        error_messages={"required": "Enter the figure, like 42 or 12.5"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=NOTE_LENGTH,
        help_text="For example, why the figure changed or where it came from",
        error_messages={"max_length": f"The note must be {NOTE_LENGTH} characters or fewer"},
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "quarter").set_quarters(
            recent_quarters(today), also=self.data.get("quarter") or self.initial.get("quarter")
        )

    def clean_value(self) -> Decimal:
        try:
            return parse_value(self.cleaned_data["value"])
        except ValueError as error:
            raise forms.ValidationError(str(error)[0].upper() + str(error)[1:]) from None


class MeasureForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=60,
        help_text="Short and stable: uploads name the measure by it. For example SAC-S42-NEGLECT",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": "Enter the measure's code"},
    )
    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={"required": "Enter the measure's name"},
    )
    dataset = forms.CharField(
        label="Dataset",
        max_length=120,
        help_text="For example Safeguarding Adults Collection",
        error_messages={"required": "Enter the dataset the measure belongs to"},
    )
    breakdown = forms.CharField(
        label="Breakdown (optional)",
        max_length=120,
        required=False,
        help_text="For example Type of abuse: neglect and acts of omission",
    )
    unit = forms.CharField(
        label="Unit",
        max_length=30,
        initial="number",
        help_text="number, % or rate",
        error_messages={"required": "Enter the unit, such as number, % or rate"},
    )
    group = forms.ModelChoiceField(
        label="Group its exceptions go to",
        queryset=Group.objects.none(),
        error_messages={"required": "Choose the group the measure's exceptions go to"},
    )
    threshold = DecimalNumberField(
        what="the threshold",
        example="50 or 12.5",
        label="Threshold (optional)",
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
        help_text="A figure beyond it raises an exception to the group",
        error_messages={
            "invalid": "Enter the threshold as a number, like 50 or 12.5",
            "max_decimal_places": "Give the threshold to no more than 2 decimal places",
            "max_digits": "The threshold is too large",
            "max_whole_digits": "The threshold is too large",
        },
    )
    direction = forms.ChoiceField(
        label="Which side of the threshold is an exception",
        required=False,
        widget=forms.RadioSelect,
        choices=Direction.choices,
        help_text="Needed with a threshold. With no threshold, the measure raises no exceptions.",
    )
    is_active = forms.BooleanField(
        label="Collected now",
        required=False,
        initial=True,
        help_text="Untick when the partnership stops collecting it: its figures are kept.",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A measure keeps its group even after the group is stood down, until it is moved.
        current = self.initial.get("group")
        field_of(self, "group").queryset = Group.objects.filter(
            Q(is_active=True) | Q(pk=current.pk if current else None)
        ).order_by("name")
        if not editing:
            del self.fields["is_active"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        threshold, direction = cleaned.get("threshold"), cleaned.get("direction")
        if threshold is not None and not direction:
            self.add_error(
                "direction", "Choose whether a figure above or below the threshold is an exception"
            )
        return cleaned

    @classmethod
    def initial_for(cls, measure: Any) -> dict[str, Any]:
        return {
            "code": measure.code,
            "name": measure.name,
            "dataset": measure.dataset,
            "breakdown": measure.breakdown,
            "unit": measure.unit,
            "group": measure.group,
            "threshold": measure.threshold,
            "direction": measure.direction,
            "is_active": measure.is_active,
        }


class MeasureFilterForm(forms.Form):
    dataset = forms.ChoiceField(label="Dataset", required=False)
    group = forms.ChoiceField(label="Group", required=False)
    exceptions_only = forms.BooleanField(label="Only measures raising an exception", required=False)

    def __init__(
        self, *args: Any, datasets: Sequence[str], groups: Sequence[Group], **kwargs: Any
    ) -> None:
        """``datasets`` and ``groups`` are the choices, read once by the view: the page
        renders them without going back to the database."""
        super().__init__(*args, **kwargs)
        self.groups = {str(group.pk): group for group in groups}
        field_of(self, "dataset").choices = [("", "Any dataset")] + [
            (name, name) for name in datasets
        ]
        field_of(self, "group").choices = [("", "Any group")] + [
            (key, group.name) for key, group in self.groups.items()
        ]

    def clean_group(self) -> Group | None:
        return self.groups.get(self.cleaned_data.get("group") or "")


def _quarter_example(today: datetime.date) -> str:
    start = financial_year_of(today)
    return f"{start}-{(start + 1) % 100:02d} Q1 (April to June {start})"


class DatasetUploadForm(SpreadsheetUploadForm):
    # The file format's example quarter, this financial year's first, for the import page.
    quarter_example = from_today(_quarter_example)
    file_label = "Dataset file"
