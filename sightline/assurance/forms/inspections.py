"""Forms for inspections, their recommendations and the quarterly inspection update."""

from collections.abc import Callable, Iterable
from typing import Any

from django import forms

from sightline.core.forms import GovukDateField, field_of, financial_year_hint, from_today

from ..vocabulary import InspectionType, Inspectorate
from .data import QuarterTextField

# Judgements the inspectorates give; an inspection may have another, or none.
JUDGEMENTS = (
    "Outstanding",
    "Good",
    "Requires improvement to be good",
    "Requires improvement",
    "Adequate",
    "Inadequate",
    "Areas for priority action",
    "No graded judgement",
)


class ObjectChoiceField(forms.ChoiceField):
    """One of the objects ``offer``ed when the form is made. The list is read before the
    page is drawn, so drawing the page runs no query."""

    default_error_messages = {"invalid_choice": "Choose one of the options listed"}

    def __init__(self, *, empty_label: str | None = None, **kwargs: Any) -> None:
        self.empty_label = empty_label
        self.objects: dict[str, Any] = {}
        super().__init__(choices=(), **kwargs)

    def offer(self, objects: Iterable[Any], label: Callable[[Any], str] = str) -> None:
        self.objects = {str(item.pk): item for item in objects}
        blank = [("", self.empty_label)] if self.empty_label is not None else []
        self.choices = blank + [(key, label(item)) for key, item in self.objects.items()]

    def prepare_value(self, value: Any) -> Any:
        return getattr(value, "pk", value)

    def clean(self, value: Any) -> Any:
        key = super().clean(value)
        return self.objects.get(str(key)) if key else None


class ObjectsChoiceField(forms.MultipleChoiceField):
    """Any of the objects ``offer``ed when the form is made, as checkboxes."""

    widget = forms.CheckboxSelectMultiple
    default_error_messages = {"invalid_choice": "Choose from the options listed"}

    def __init__(self, **kwargs: Any) -> None:
        self.objects: dict[str, Any] = {}
        super().__init__(choices=(), **kwargs)

    def offer(self, objects: Iterable[Any], label: Callable[[Any], str] = str) -> None:
        self.objects = {str(item.pk): item for item in objects}
        self.choices = [(key, label(item)) for key, item in self.objects.items()]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple | set):
            return [getattr(item, "pk", item) for item in value]
        return value

    def clean(self, value: Any) -> list[Any]:
        return [self.objects[str(key)] for key in super().clean(value)]


def _blank(label: str) -> list[tuple[str, str]]:
    return [("", label)]


class InspectionForm(forms.Form):
    inspectorate = forms.ChoiceField(
        label="Inspectorate",
        choices=_blank("Choose the inspectorate") + Inspectorate.choices,
        error_messages={"required": "Choose the inspectorate"},
    )
    kind = forms.ChoiceField(
        label="Type of inspection",
        choices=_blank("Choose the type") + InspectionType.choices,
        error_messages={"required": "Choose the type of inspection"},
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text=from_today(lambda today: f"For example Northshire ILACS {today.year}"),
        error_messages={"required": "Enter the inspection's title"},
    )
    started_on = GovukDateField(
        label="Date the inspection started",
        error_messages={"required": "Enter the date the inspection started"},
    )
    published_on = GovukDateField(
        label="Date the report was published (if it has been)",
        required=False,
        allow_future=False,
    )
    judgement = forms.CharField(
        label="Judgement (optional)",
        max_length=100,
        required=False,
        help_text="As the report gives it, for example Good or Requires improvement to be good",
        widget=forms.TextInput(attrs={"list": "judgement-suggestions", "autocomplete": "off"}),
    )
    report_url = forms.URLField(
        label="Link to the report (optional)",
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter the link to the report as a full web address, starting https://"
        },
    )
    summary = forms.CharField(
        label="Summary (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The main findings, in a few sentences",
    )


class SourceRecommendationForm(forms.Form):
    """A recommendation for the learning tracker, from an inspection or an audit (where it
    is called a finding)."""

    reference = forms.CharField(
        label="Reference",
        max_length=60,
        error_messages={"required": "Enter the reference"},
    )
    text = forms.CharField(
        label="Recommendation",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the recommendation"},
    )
    made_date = GovukDateField(
        label="Date made",
        allow_future=False,
        error_messages={"required": "Enter the date it was made"},
    )
    lead = ObjectChoiceField(
        label="Lead (optional)",
        required=False,
        empty_label="None",
        help_text="Answers for it, and may sign off its actions",
    )
    agencies = ObjectsChoiceField(label="Agencies it is for (optional)", required=False)

    def __init__(
        self, *args: Any, options: dict[str, list[Any]], noun: str = "recommendation", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "lead").offer(options["leads"])
        field_of(self, "agencies").offer(options["agencies"])
        field_of(self, "text").label = noun.capitalize()
        field_of(self, "text").error_messages["required"] = f"Enter the {noun}"


class QuarterForm(forms.Form):
    quarter = QuarterTextField(
        label="Quarter", required=False, help_text=financial_year_hint(quarter=True)
    )


class InspectionFilterForm(forms.Form):
    inspectorate = forms.ChoiceField(
        label="Inspectorate",
        required=False,
        choices=_blank("Any") + Inspectorate.choices,
        error_messages={"invalid_choice": "Choose an inspectorate from the list"},
    )
