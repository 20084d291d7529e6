"""The Executive pack's quarter, read from the address: ``?quarter=2025-26 Q3``."""

import datetime
from typing import Any

from django import forms

from sightline.assurance.quarters import Quarter
from sightline.core.forms import financial_year_hint


class QuarterForm(forms.Form):
    """A financial quarter, the current one when none is given; a quarter that has not
    started yet has no pack."""

    quarter = forms.CharField(
        label="Quarter",
        required=False,
        max_length=20,
        help_text=financial_year_hint(quarter=True, before="A financial year and quarter"),
        error_messages={"max_length": "That is not a quarter: write it like 2025-26 Q1"},
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = Quarter.containing(today)
        self.initial.setdefault("quarter", self.current.label)

    def clean_quarter(self) -> Quarter:
        text = self.cleaned_data["quarter"].strip()
        if not text:
            return self.current
        try:
            quarter = Quarter.parse(text)
        except ValueError as error:
            raise forms.ValidationError(
                f"‘{text}’ is not a quarter: write it like 2025-26 Q1"
            ) from error
        if quarter > self.current:
            raise forms.ValidationError(
                f"{quarter.label} has not started yet: choose {self.current.label} or an "
                "earlier quarter"
            )
        return quarter

    def chosen(self) -> Quarter | None:
        """The quarter asked for, the current one when none was, None when it is wrong."""
        if not self.is_bound:
            return self.current
        if not self.is_valid():
            return None
        quarter: Quarter = self.cleaned_data["quarter"]
        return quarter
