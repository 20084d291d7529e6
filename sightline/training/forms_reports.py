"""Forms for the training reports: the period a report covers, and each sector's workforce."""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from sightline.core.forms import GovukDateField, WholeNumberField, financial_year_of, from_today

from .reporting import financial_year, period_problem

MAX_HEADCOUNT = 10_000_000


class PeriodForm(forms.Form):
    """From and to dates, both optional: a missing date is taken from the current financial
    year, so an empty form shows the current financial year."""

    date_from = GovukDateField(
        label="From",
        required=False,
        help_text=from_today(lambda today: f"For example, 1 4 {financial_year_of(today)}"),
    )
    date_to = GovukDateField(
        label="To",
        required=False,
        help_text=from_today(lambda today: f"For example, 31 3 {financial_year_of(today) + 1}"),
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        self.default = financial_year(today)
        kwargs.setdefault("initial", {"date_from": self.default[0], "date_to": self.default[1]})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "date_from" in cleaned and "date_to" in cleaned:
            cleaned["date_from"] = cleaned["date_from"] or self.default[0]
            cleaned["date_to"] = cleaned["date_to"] or self.default[1]
            problem = period_problem(cleaned["date_from"], cleaned["date_to"])
            if problem:
                self.add_error("date_to", problem)
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date] | None:
        """The period asked for, the default when nothing was asked, None when the dates
        entered are wrong."""
        if not self.is_bound:
            return self.default
        if not self.is_valid():
            return None
        return self.cleaned_data["date_from"], self.cleaned_data["date_to"]


class HeadcountField(WholeNumberField):
    """A whole number of people; "1,200" and "1 200" are read as 1200."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(what="the headcount", example=1200, **kwargs)


class WorkforceForm(forms.Form):
    """Each sector's headcount (blank when not known) and where the figure comes from."""

    def __init__(
        self,
        *args: Any,
        sectors: Sequence[tuple[str, str]],
        current: Mapping[str, Mapping[str, Any]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sectors = list(sectors)
        for code, name in self.sectors:
            self.fields[f"{code}_headcount"] = HeadcountField(
                label="Headcount",
                required=False,
                min_value=1,
                max_value=MAX_HEADCOUNT,
                help_text="Leave blank if not known",
                error_messages={
                    "invalid": f"Enter the {name} headcount as a whole number, like 1200",
                    "min_value": f"The {name} headcount must be 1 or more, or leave it blank",
                    "max_value": f"The {name} headcount must be {MAX_HEADCOUNT:,} or fewer",
                },
            )
            self.fields[f"{code}_source"] = forms.CharField(
                label="Where the figure comes from",
                required=False,
                max_length=200,
                error_messages={
                    "max_length": f"The source of the {name} figure must be 200 characters "
                    "or fewer",
                },
            )
            row = current.get(code)
            if row is not None:
                self.initial[f"{code}_headcount"] = row["headcount"]
                self.initial[f"{code}_source"] = row["source"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for code, name in self.sectors:
            headcount_field = f"{code}_headcount"
            if headcount_field in self.errors:
                continue
            if cleaned.get(headcount_field) is None and cleaned.get(f"{code}_source", "").strip():
                self.add_error(
                    headcount_field,
                    f"Enter the {name} headcount, or clear where the figure comes from",
                )
        return cleaned

    def groups(self) -> list[tuple[str, str, BoundField, BoundField]]:
        """(code, name, headcount field, source field) for each sector, for the page."""
        return [
            (code, name, self[f"{code}_headcount"], self[f"{code}_source"])
            for code, name in self.sectors
        ]

    def figures(self) -> list[dict[str, Any]]:
        """What to save: one dict for each sector, keyword arguments of workforce_save."""
        return [
            {
                "sector": code,
                "headcount": self.cleaned_data[f"{code}_headcount"],
                "source": self.cleaned_data[f"{code}_source"].strip(),
            }
            for code, _ in self.sectors
        ]
