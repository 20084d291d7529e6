"""Forms of the risk register. Scores are checked against the partnership's matrix here and
again by the services, with the same messages (both ask ``scoring``)."""

from typing import Any

from django import forms
from django.utils import timezone

from sightline.core.forms import (
    GovukDateField,
    WholeNumberField,
    date_hint,
    field_of,
    from_today,
)

from .. import scoring
from ..models import RiskControl
from ..services.risks import ControlInput
from ..vocabulary import RiskCategory, RiskStatus

SCORE_NAMES = (
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
)
NUMBER = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})


def _score_field(stage: str, dimension: str) -> WholeNumberField:
    return WholeNumberField(
        what=f"the {stage} {dimension}",
        example=3,
        label=f"{stage.capitalize()} {dimension}",
        required=False,
        widget=NUMBER,
    )


class ScoresForm(forms.Form):
    """The four scores and the reason a residual score may be above the inherent one.
    A missing or malformed score gets the same message as one outside the matrix."""

    inherent_likelihood = _score_field("inherent", "likelihood")
    inherent_impact = _score_field("inherent", "impact")
    residual_likelihood = _score_field("residual", "likelihood")
    residual_impact = _score_field("residual", "impact")
    residual_reason = forms.CharField(
        label="Why the residual score is above the inherent score (if it is)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed only when the risk is scored higher with its controls than without",
    )

    def __init__(self, *args: Any, matrix: scoring.Matrix, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.matrix = matrix
        for name in SCORE_NAMES:
            stage, dimension = name.split("_")
            when = "Before controls" if stage == "inherent" else "With the controls in place"
            message = scoring.score_problems(matrix, stage=stage, likelihood=None, impact=None)[
                name
            ]
            field = field_of(self, name)
            field.help_text = f"{when}. {scoring.scale_hint(matrix, dimension)}"
            field.error_messages = {
                "invalid": message,
                "required": message,
                "min_value": message,
                "max_value": message,
            }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if any(name in self.errors for name in SCORE_NAMES):
            return cleaned
        problems = scoring.assessment_problems(
            self.matrix,
            **{name: cleaned.get(name) for name in SCORE_NAMES},
            residual_reason=cleaned.get("residual_reason", ""),
        )
        for name, message in problems.items():
            self.add_error(name, message)
        return cleaned


class RiskForm(ScoresForm):
    """A new risk (``creating``) or a risk's details: once added, its scores change only
    through a review."""

    reference = forms.CharField(
        label="Reference",
        max_length=30,
        help_text=from_today(lambda today: f"For example SR-{today.year}-04"),
        error_messages={
            "required": "Enter the risk's reference",
            "max_length": "The reference must be 30 characters or fewer",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": "Enter the risk's title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    category = forms.ChoiceField(
        label="Category",
        choices=[("", "Choose a category"), *RiskCategory.choices],
        error_messages={"required": "Choose the risk's category"},
    )
    owner = forms.TypedChoiceField(
        label="Owner",
        coerce=int,
        help_text="An executive member or partnership administrator",
        error_messages={
            "required": "Choose who owns the risk",
            "invalid_choice": "Choose an owner from the list",
        },
    )
    cause = forms.CharField(
        label="Cause",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What could make the risk happen",
        error_messages={"required": "Describe the cause of the risk"},
    )
    consequence = forms.CharField(
        label="Consequence",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What would happen if it did",
        error_messages={"required": "Describe what would happen if the risk occurred"},
    )
    next_review_on = GovukDateField(
        label="Next review date (optional)",
        required=False,
    )

    DETAIL_FIELDS = ("reference", "title", "category", "owner", "cause", "consequence")

    field_order = [*DETAIL_FIELDS, *SCORE_NAMES, "residual_reason", "next_review_on"]

    def __init__(
        self, *args: Any, matrix: scoring.Matrix, owners: list[Any], creating: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, matrix=matrix, **kwargs)
        # Choices from people already fetched, so rendering the form runs no query.
        self.owners = {owner.pk: owner for owner in owners}
        field_of(self, "owner").choices = [("", "Choose an owner")] + [
            (owner.pk, owner.full_name or owner.email) for owner in owners
        ]
        if creating:
            field_of(self, "next_review_on").help_text = (
                "Today or later. Leave it blank to use the longest gap the risk's level "
                f"allows: {scoring.review_frequency_text(matrix)}"
            )
        else:
            for name in (*SCORE_NAMES, "residual_reason", "next_review_on"):
                del self.fields[name]

    def clean_owner(self) -> Any:
        return self.owners.get(self.cleaned_data["owner"])

    def clean(self) -> dict[str, Any]:
        if "inherent_likelihood" not in self.fields:
            return forms.Form.clean(self) or {}
        cleaned = super().clean()
        next_review_on = cleaned.get("next_review_on")
        if next_review_on is not None and "next_review_on" not in self.errors:
            scores, _ = scoring.checked_scores(
                self.matrix,
                inherent_likelihood=cleaned.get("inherent_likelihood"),
                inherent_impact=cleaned.get("inherent_impact"),
                residual_likelihood=cleaned.get("residual_likelihood"),
                residual_impact=cleaned.get("residual_impact"),
            )
            problems = scoring.first_review_problems(
                self.matrix,
                residual=scores.residual if scores else None,
                next_review_on=next_review_on,
                today=timezone.localdate(),
            )
            for name, message in problems.items():
                self.add_error(name, message)
        return cleaned

    @staticmethod
    def initial_for(risk: Any) -> dict[str, Any]:
        initial = {name: getattr(risk, name) for name in RiskForm.DETAIL_FIELDS}
        return initial | {"owner": risk.owner_id}


class ControlForm(forms.Form):
    """One control. A row left empty is ignored; ticking "remove" removes the control."""

    pk = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": "The form was changed: reload the page and try again"},
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"max_length": "Describe the control in 2,000 characters or fewer"},
    )
    effectiveness = forms.ChoiceField(
        required=False,
        choices=[("", "Choose how effective it is"), *RiskControl.Effectiveness.choices],
    )
    remove = forms.BooleanField(required=False)

    def __init__(self, *args: Any, number: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.number = number
        # Each control is a fieldset whose legend carries the number.
        field_of(self, "description").label = "What the control is"
        field_of(self, "effectiveness").label = "How effective it is"
        field_of(self, "remove").label = "Remove this control"

    @property
    def is_existing(self) -> bool:
        return bool(self.initial.get("pk") or (self.data and self["pk"].value()))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("remove"):
            return cleaned
        described = bool((cleaned.get("description") or "").strip())
        rated = bool(cleaned.get("effectiveness"))
        if described and not rated:
            self.add_error("effectiveness", f"Choose how effective control {self.number} is")
        if rated and not described:
            self.add_error("description", f"Describe control {self.number}, or leave it blank")
        if not described and not rated and cleaned.get("pk"):
            self.add_error(
                "description",
                f"Describe control {self.number}, or tick ‘Remove control {self.number}’",
            )
        return cleaned


class BaseControlFormSet(forms.BaseFormSet):
    default_error_messages = {
        "missing_management_form": "The form was incomplete: reload the page and try again",
        "too_many_forms": "A risk can have at most %(num)d controls",
    }

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"number": (index or 0) + 1}

    def controls(self) -> list[ControlInput]:
        """The controls to keep, as the services take them."""
        kept = []
        for form in self.forms:
            data = form.cleaned_data
            description = (data.get("description") or "").strip()
            if data.get("remove") or not description:
                continue
            kept.append(
                ControlInput(
                    description=description,
                    effectiveness=data.get("effectiveness", ""),
                    pk=data.get("pk"),
                )
            )
        return kept


def control_formset(
    data: Any = None, *, controls: list[RiskControl] | None = None, blank: int = 2
) -> BaseControlFormSet:
    """The risk's controls with ``blank`` empty rows to add more."""
    formset_class = forms.formset_factory(
        ControlForm, formset=BaseControlFormSet, extra=blank, max_num=50, validate_max=True
    )
    initial = [
        {
            "pk": control.pk,
            "description": control.description,
            "effectiveness": control.effectiveness,
        }
        for control in controls or []
    ]
    formset = formset_class(data, initial=initial, prefix="controls")
    assert isinstance(formset, BaseControlFormSet)
    return formset


class ReviewForm(ScoresForm):
    assessed_on = GovukDateField(
        label="Date of the review",
        allow_future=False,
        error_messages={"required": "Enter the date of the review"},
    )
    note = forms.CharField(
        label="What the review found",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what the review found"},
    )

    field_order = ["assessed_on", *SCORE_NAMES, "residual_reason", "note"]


class AcceptForm(forms.Form):
    reason = forms.CharField(
        label="Why the partnership accepts this risk",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason the partnership accepts this risk"},
    )
    until = GovukDateField(
        label="Accepted until",
        help_text=date_hint(
            days=90, before=f"At most {scoring.ACCEPTANCE_MONTHS} months from today."
        ),
        error_messages={"required": "Enter the date the acceptance lasts until"},
    )


class CloseForm(forms.Form):
    closed_on = GovukDateField(
        label="Date the risk closed",
        allow_future=False,
        error_messages={"required": "Enter the date the risk closed"},
    )
    reason = forms.CharField(
        label="Why the risk is closed",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason the risk is closed"},
    )


class ActionLinkForm(forms.Form):
    reference = forms.CharField(
        label="Reference of the learning action",
        max_length=60,
        help_text="For example R-2024-01/A1",
        error_messages={
            "required": "Enter the reference of a learning action, for example R-2024-01/A1",
            "max_length": "A reference is 60 characters or fewer",
        },
    )


LEVEL_CHOICES = [("", "Any"), *((level.value, level.label) for level in scoring.LEVELS)]


class RiskFilterForm(forms.Form):
    search = forms.CharField(label="Reference or title contains", required=False, max_length=100)
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "Any"), *RiskCategory.choices]
    )
    owner = forms.TypedChoiceField(
        label="Owner",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose an owner from the list"},
    )
    level = forms.ChoiceField(
        label="Level (residual)",
        required=False,
        choices=LEVEL_CHOICES,
        error_messages={"invalid_choice": "Choose a level from the list"},
    )
    appetite = forms.ChoiceField(
        label="Appetite",
        required=False,
        choices=[
            ("", "Any"),
            ("above", "Above appetite"),
            ("unaccepted", "Above appetite and not accepted"),
        ],
        error_messages={"invalid_choice": "Choose an appetite filter from the list"},
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[*RiskStatus.choices, ("all", "Open and closed")],
        error_messages={"invalid_choice": "Choose open, closed, or open and closed"},
    )
    overdue = forms.BooleanField(label="Only risks overdue for review", required=False)
    scores = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[("residual", "Residual"), ("inherent", "Inherent")],
        error_messages={"invalid_choice": "Choose inherent or residual scores"},
    )
    likelihood = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        min_value=1,
        max_value=scoring.MATRIX_MAX,
        error_messages={
            "invalid": "The likelihood must be a whole number",
            "min_value": "The likelihood must be 1 or more",
            "max_value": f"The likelihood must be {scoring.MATRIX_MAX} or less",
        },
    )
    impact = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        min_value=1,
        max_value=scoring.MATRIX_MAX,
        error_messages={
            "invalid": "The impact must be a whole number",
            "min_value": "The impact must be 1 or more",
            "max_value": f"The impact must be {scoring.MATRIX_MAX} or less",
        },
    )

    def __init__(self, *args: Any, owners: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "owner").choices = [("", "Anyone")] + [
            (owner.pk, owner.full_name or owner.email) for owner in owners
        ]


def _setting(label: str, example: int, help_text: str = "") -> WholeNumberField:
    what = f"the {label[0].lower()}{label[1:]}"
    return WholeNumberField(what=what, example=example, label=label, help_text=help_text)


class SettingsForm(forms.Form):
    likelihood_levels = _setting("Levels of likelihood", 5)
    impact_levels = _setting("Levels of impact", 5)
    appetite = _setting(
        "Appetite",
        9,
        help_text="The highest residual score the partnership accepts without a decision",
    )
    low_max = _setting("Highest score of a low risk", 4)
    medium_max = _setting("Highest score of a medium risk", 9)
    high_max = _setting(
        "Highest score of a high risk", 15, help_text="Scores above this are very high"
    )
    review_days_low = _setting("Days between reviews of a low risk", 180)
    review_days_medium = _setting("Days between reviews of a medium risk", 90)
    review_days_high = _setting("Days between reviews of a high risk", 30)
    review_days_very_high = _setting("Days between reviews of a very high risk", 14)

    @staticmethod
    def initial_for(settings_row: Any) -> dict[str, Any]:
        return {name: getattr(settings_row, name) for name in SettingsForm.base_fields}
