"""Forms for the multi-agency audit programme: audits, asking for returns, the returns."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from sightline.core.forms import (
    GovukDateField,
    WholeNumberField,
    field_of,
    financial_year_hint,
)

from ..quarters import Quarter
from ..vocabulary import AuditStatus
from .data import QuarterTextField
from .inspections import ObjectChoiceField, ObjectsChoiceField


class AuditForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="For example Neglect in families with children under 5",
        error_messages={"required": "Enter the audit's title"},
    )
    scope = forms.CharField(
        label="Scope",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the audit looks at, and in which cases",
        error_messages={"required": "Say what the audit looks at, and in which cases"},
    )
    quarter_start = QuarterTextField(
        label="Quarter",
        help_text=financial_year_hint(quarter=True, before="The quarter it is planned for"),
        error_messages={"required": "Enter the quarter the audit is planned for"},
    )
    group = ObjectChoiceField(
        label="Group running it (optional)", required=False, empty_label="None"
    )
    themes = ObjectsChoiceField(label="Learning themes (optional)", required=False)
    questionnaire = forms.CharField(
        label="Questionnaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The questions agencies answer, one on each line. Needed before asking "
        "agencies for returns",
    )
    returns_due_on = GovukDateField(label="Date returns are due (optional)", required=False)
    status = forms.ChoiceField(
        label="Status",
        choices=AuditStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the audit's status"},
    )
    summary = forms.CharField(
        label="What the audit found",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Needed once the audit is reported",
    )

    def __init__(
        self, *args: Any, options: dict[str, list[Any]], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "group").offer(options["groups"])
        field_of(self, "themes").offer(options["themes"])
        if not editing:
            # A new audit is planned, and has found nothing yet.
            del self.fields["status"]
            del self.fields["summary"]

    def clean_quarter_start(self) -> datetime.date:
        return self.cleaned_data["quarter_start"].start


class ReturnRequestForm(forms.Form):
    agencies = ObjectsChoiceField(
        label="Agencies to ask",
        error_messages={
            "required": "Choose the agencies to ask for a return",
            "invalid_choice": "Choose from the agencies listed: an agency already asked is "
            "not asked again",
        },
    )

    def __init__(self, *args: Any, agencies: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "agencies").offer(agencies)


class AuditReturnForm(forms.Form):
    """The audit's questionnaire: an answer to each question, and how many cases were
    audited."""

    cases_audited = WholeNumberField(
        what="how many cases your agency audited",
        example=6,
        label="How many cases your agency audited",
        min_value=0,
        error_messages={
            "required": "Enter how many cases your agency audited",
            "min_value": "Enter 0 or more",
            "invalid": "Enter a whole number, like 6",
        },
    )

    def __init__(self, *args: Any, questions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, 1):
            self.fields[f"answer_{number}"] = forms.CharField(
                label=f"{number}. {question}",
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"required": f"Answer question {number}"},
            )

    @property
    def answers(self) -> list[str]:
        return [self.cleaned_data[f"answer_{n}"] for n in range(1, len(self.questions) + 1)]


class YearForm(forms.Form):
    year = forms.CharField(
        label="Financial year", max_length=20, required=False, help_text=financial_year_hint()
    )

    def clean_year(self) -> int | None:
        text = self.cleaned_data["year"].strip()
        if not text:
            return None
        try:
            return Quarter.parse(f"{text} Q1").year
        except ValueError as error:
            raise ValidationError(f"{text} is not a financial year: write it like 2025-26") from (
                error
            )
