"""Forms for the strategic plan: priorities, their quarterly status, action plans, measures
and scrutiny findings."""

import datetime
from typing import Any

from django import forms

from sightline.accounts.models import User
from sightline.core.forms import (
    GovukDateField,
    date_hint,
    field_of,
    financial_year_of,
    from_today,
)

from ..models import Measure
from ..quarters import Quarter, recent
from ..vocabulary import MeasureKind

QUARTERS_OFFERED = 4
RAG_CHOICES = [
    ("red", "Red: off track, and will not be delivered without the Executive's help"),
    ("amber", "Amber: at risk, with delays or concerns that are being managed"),
    ("green", "Green: on track"),
]


class PriorityForm(forms.Form):
    """A priority's description, lead and whether it is current; its name only when new."""

    name = forms.CharField(
        label="Name",
        max_length=150,
        help_text="For example Safeguarding under 1s",
        error_messages={
            "required": "Enter the priority's name",
            "max_length": "The name must be 150 characters or fewer",
        },
    )
    description = forms.CharField(
        label="What the partnership wants to achieve",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    lead = forms.ModelChoiceField(
        label="Lead (optional)",
        required=False,
        queryset=User.objects.none(),
        empty_label="None",
        help_text="Answers to the Executive for the priority",
    )
    is_active = forms.BooleanField(label="This is a current priority", required=False)

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "lead").queryset = User.objects.filter(is_active=True).order_by(
            "full_name", "email"
        )
        if not creating:
            del self.fields["name"]


class PriorityUpdateForm(forms.Form):
    """A priority's red, amber or green status for a quarter, and why."""

    quarter = forms.ChoiceField(
        label="Quarter",
        error_messages={
            "required": "Choose the quarter the status is for",
            "invalid_choice": "Choose one of the quarters listed",
        },
    )
    rag = forms.ChoiceField(
        label="Status",
        choices=RAG_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose red, amber or green"},
    )
    reason = forms.CharField(
        label="Why the priority has this status",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What has gone well or what is off track, and what is being done about it",
        error_messages={"required": "Give the reason for the status"},
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quarters = list(reversed(recent(today, QUARTERS_OFFERED)))
        self.quarters = {quarter.label: quarter for quarter in quarters}
        field_of(self, "quarter").choices = [
            (quarter.label, f"{quarter.label} ({quarter.months})") for quarter in quarters
        ]
        self.initial.setdefault("quarter", quarters[0].label)

    def clean_quarter(self) -> Quarter:
        return self.quarters[self.cleaned_data["quarter"]]


class ActionLinkForm(forms.Form):
    references = forms.CharField(
        label="Learning action references",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="One on each line, or separated by commas, for example CR-2021-02/R3/A1",
        error_messages={"required": "Enter the reference of at least one action"},
    )


class PriorityMeasureForm(forms.Form):
    kind = forms.ChoiceField(
        label="What it measures",
        choices=[
            (MeasureKind.PROGRESS.value, "Progress: whether the plan is being delivered"),
            (MeasureKind.IMPACT.value, "Impact: the difference it makes to people"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether it measures progress or impact"},
    )
    description = forms.CharField(
        label="Measure",
        max_length=300,
        help_text="For example Percentage of pre-birth assessments started by 20 weeks",
        error_messages={
            "required": "Say what is measured",
            "max_length": "The measure must be 300 characters or fewer",
        },
    )
    target = forms.CharField(
        label="Target (optional)",
        required=False,
        max_length=100,
        help_text=from_today(
            lambda today: f"For example 85% by March {financial_year_of(today) + 2}"
        ),
        error_messages={"max_length": "The target must be 100 characters or fewer"},
    )
    data_measure = forms.ModelChoiceField(
        label="Figures from data scrutiny (optional)",
        required=False,
        queryset=Measure.objects.none(),
        empty_label="None",
        help_text="A dataset measure whose latest figure is shown beside this one",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "data_measure").queryset = Measure.objects.filter(is_active=True).order_by(
            "dataset", "name"
        )


class ScrutinyFindingForm(forms.Form):
    found_on = GovukDateField(
        label="Date of the finding",
        allow_future=False,
        help_text=date_hint(),
        error_messages={"required": "Enter the date of the finding"},
    )
    scrutineer = forms.CharField(
        label="Who carried out the scrutiny",
        max_length=150,
        help_text="For example the independent scrutineer, or a peer review team",
        error_messages={
            "required": "Enter who carried out the scrutiny",
            "max_length": "This must be 150 characters or fewer",
        },
    )
    finding = forms.CharField(
        label="What they found",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what the scrutiny found"},
    )
    response = forms.CharField(
        label="The partnership's response (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
