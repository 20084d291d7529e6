from typing import Any

from django import forms
from django.utils import timezone

from sightline.accounts.models import Agency, User
from sightline.core.forms import (
    GovukDateField,
    ListedChoiceField,
    SpreadsheetUploadForm,
    WholeNumberField,
    date_hint,
    field_of,
)
from sightline.reviews.models import PracticeTheme

from .vocabulary import (
    OPEN_STATUSES,
    ActionStatus,
    Decision,
    DisseminationMethod,
    EvidenceKind,
    SourceType,
)


class ReportDateForm(forms.Form):
    as_at = GovukDateField(label="Position as at", required=False)


class TrackerFileForm(SpreadsheetUploadForm):
    file_label = "Learning tracker file"
    file_hint = f"{SpreadsheetUploadForm.file_hint}, in the learning tracker format"


def _blank(label: str) -> list[tuple[str, str]]:
    return [("", label)]


class RecommendationFilterForm(forms.Form):
    search = forms.CharField(label="Reference, text or source", required=False, max_length=100)
    source_type = forms.ChoiceField(
        label="Kind of source", required=False, choices=_blank("Any") + SourceType.choices
    )
    decision = forms.ChoiceField(
        label="Decision",
        required=False,
        choices=_blank("Any") + Decision.choices + [("undecided", "Not decided yet")],
    )
    theme = forms.ModelChoiceField(
        label="Theme",
        required=False,
        queryset=PracticeTheme.objects.order_by("name"),
        empty_label="Any",
    )
    agency = forms.ModelChoiceField(
        label="Agency with actions",
        required=False,
        queryset=Agency.objects.order_by("name"),
        empty_label="Any",
    )


class ActionFilterForm(forms.Form):
    agency = ListedChoiceField(
        label="Agency", required=False, queryset=Agency.objects.order_by("name"), empty_label="Any"
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=_blank("Any") + ActionStatus.choices
    )
    overdue = forms.BooleanField(label="Only overdue actions", required=False)
    due_soon = forms.BooleanField(label="Only actions due in the next 30 days", required=False)


class ReturnFilterForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency",
        required=False,
        queryset=Agency.objects.order_by("name"),
        empty_label="Any",
        error_messages={"invalid_choice": "Choose an agency from the list"},
    )
    outstanding = forms.BooleanField(label="Only returns outstanding", required=False)


class RecommendationForm(forms.Form):
    reference = forms.CharField(
        label="Reference",
        max_length=60,
        help_text="For example CR-2021-02/R3",
        error_messages={"required": "Enter the recommendation's reference"},
    )
    source_type = forms.ChoiceField(
        label="Where it comes from",
        choices=SourceType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the recommendation comes from"},
    )
    source = forms.CharField(
        label="Source",
        max_length=250,
        help_text=(
            "For a case review in Sightline, its reference; otherwise the title, "
            "like The myth of invisible men (2021)"
        ),
        error_messages={"required": "Enter the source"},
    )
    text = forms.CharField(
        label="Recommendation",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the recommendation"},
    )
    made_date = GovukDateField(
        label="Date made",
        allow_future=False,
        error_messages={"required": "Enter the date the recommendation was made"},
    )
    decision = forms.ChoiceField(
        label="Decision", required=False, choices=_blank("Not decided yet") + Decision.choices
    )
    decision_reason = forms.CharField(
        label="Reason (needed when not accepted)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decided_on = GovukDateField(
        label="Date of the decision",
        required=False,
        allow_future=False,
        help_text=date_hint(
            before="When you record or change the decision, the day it was taken. "
            "Left blank, today."
        ),
    )
    lead = forms.ModelChoiceField(
        label="Lead (optional)",
        required=False,
        queryset=User.objects.none(),
        empty_label="None",
        help_text="Answers for the recommendation and may sign off its actions",
    )
    themes = forms.ModelMultipleChoiceField(
        label="Learning themes",
        required=False,
        queryset=PracticeTheme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies it is for",
        required=False,
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "lead").queryset = User.objects.filter(is_active=True).order_by("full_name")
        # Today each time the form is made, not when the server started.
        field_of(self, "decided_on").initial = timezone.localdate
        field_of(self, "themes").queryset = PracticeTheme.objects.order_by("name")
        field_of(self, "agencies").queryset = Agency.objects.order_by("name")


class ActionForm(forms.Form):
    reference = forms.CharField(
        label="Reference",
        max_length=60,
        help_text="For example CR-2021-02/R3/A1",
        error_messages={"required": "Enter the action's reference"},
    )
    agency = forms.ModelChoiceField(
        label="Owning agency",
        queryset=Agency.objects.none(),
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency that owns the action"},
    )
    description = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what will be done"},
    )
    owner = forms.ModelChoiceField(
        label="Owner (optional)", required=False, queryset=User.objects.none(), empty_label="None"
    )
    due_date = GovukDateField(
        label="Due date", error_messages={"required": "Enter the date the action is due"}
    )
    next_review_date = GovukDateField(label="Next review (optional)", required=False)
    # Required of a change (the service refuses one without it, as a conflict); not sent
    # when adding an action.
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        max_value=2_147_483_647,
        error_messages={
            "invalid": "The form was changed: reload the page and try again",
            "min_value": "The form was changed: reload the page and try again",
            "max_value": "The form was changed: reload the page and try again",
        },
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "agency").queryset = Agency.objects.filter(is_active=True).order_by("name")
        field_of(self, "owner").queryset = User.objects.filter(is_active=True).order_by("full_name")
        if editing:
            del self.fields["reference"]


class ProgressForm(forms.Form):
    status = forms.ChoiceField(
        label="How it is going",
        widget=forms.RadioSelect,
        choices=[(s.value, s.label) for s in ActionStatus if s in OPEN_STATUSES],
        error_messages={"required": "Choose how the action is going"},
    )
    note = forms.CharField(
        label="Update",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the update"},
    )
    on = GovukDateField(
        label="Date of the update",
        allow_future=False,
        error_messages={"required": "Enter the date"},
    )


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label="Evidence of",
        choices=EvidenceKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the evidence shows"},
    )
    description = forms.CharField(
        label="What was done, or what changed",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Describe the evidence"},
    )
    dated = GovukDateField(
        label="Date", allow_future=False, error_messages={"required": "Enter the date"}
    )
    method = forms.ChoiceField(
        label="How the learning was spread (dissemination)",
        required=False,
        choices=_blank("Not given") + DisseminationMethod.choices,
    )
    staff_reached = WholeNumberField(
        what="the number of staff reached",
        example=40,
        label="Staff reached (dissemination)",
        required=False,
        min_value=0,
        error_messages={"min_value": "Enter 0 or more"},
    )
    measure = forms.CharField(label="Measure (impact)", required=False, max_length=200)
    baseline = forms.CharField(label="Baseline (impact)", required=False, max_length=100)
    target = forms.CharField(label="Target (impact)", required=False, max_length=100)
    result = forms.CharField(
        label="Result of the re-audit (impact)", required=False, max_length=100
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        widget=forms.RadioSelect,
        choices=[("complete", "Complete"), ("closed_incomplete", "Closed without completion")],
        error_messages={"required": "Choose the outcome"},
    )
    on = GovukDateField(
        label="Date", allow_future=False, error_messages={"required": "Enter the date"}
    )
    reason = forms.CharField(
        label="Reason (needed when closed without completion)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReturnForm(forms.Form):
    returned_on = GovukDateField(
        label="When the learning was spread",
        allow_future=False,
        error_messages={"required": "Enter the date"},
    )
    methods = forms.MultipleChoiceField(
        label="How the learning was spread",
        help_text="Select all that apply",
        choices=DisseminationMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select how the learning was spread",
            "invalid_choice": "Select how the learning was spread from the list",
        },
    )
    staff_reached = WholeNumberField(
        what="how many staff it reached",
        example=40,
        label="How many staff it reached",
        min_value=0,
        error_messages={
            "required": "Enter how many staff it reached",
            "min_value": "Enter 0 or more",
        },
    )
    summary = forms.CharField(
        label="What you did",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what you did"},
    )
