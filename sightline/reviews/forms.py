from typing import Any

from django import forms
from django.db.models import Q

from sightline.accounts.models import Agency, User
from sightline.core.forms import (
    GovukDateField,
    SpreadsheetUploadForm,
    WholeNumberField,
    date_hint,
    field_of,
    from_today,
)
from sightline.core.roles import Role

from .lifecycle import Stage
from .models import Case, PracticeTheme, TimelinessStandard
from .timeliness import Rule
from .vocabulary import (
    MILESTONES,
    MILESTONES_BY_ROUTE,
    OUTCOMES_BY_ROUTE,
    AgeBand,
    Disability,
    Ethnicity,
    HarmType,
    LegalStatus,
    Outcome,
    PauseReason,
    RelationKind,
    Route,
    Sex,
)


def _blank(label: str = "Not recorded") -> list[tuple[str, str]]:
    return [("", label)]


class CaseFilterForm(forms.Form):
    search = forms.CharField(label="Reference or pseudonym", required=False, max_length=80)
    route = forms.ChoiceField(label="Route", required=False, choices=_blank("Any") + Route.choices)
    stage = forms.ChoiceField(label="Stage", required=False, choices=_blank("Any") + Stage.choices)
    year = forms.TypedChoiceField(label="Year opened", required=False, coerce=int, empty_value=None)
    theme = forms.ModelChoiceField(
        label="Practice theme",
        required=False,
        queryset=PracticeTheme.objects.none(),
        empty_label="Any",
    )
    agency = forms.ModelChoiceField(
        label="Agency involved", required=False, queryset=Agency.objects.none(), empty_label="Any"
    )
    overdue = forms.BooleanField(label="Only cases with an overdue milestone", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("opened", "Newest first"),
            ("oldest", "Oldest first"),
            ("reference", "Reference"),
            ("next_due", "Next deadline"),
            ("stage", "Stage"),
        ],
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "year").choices = _blank("Any") + [(str(year), str(year)) for year in years]
        field_of(self, "theme").queryset = PracticeTheme.objects.order_by("name")
        field_of(self, "agency").queryset = Agency.objects.order_by("name")


class CaseForm(forms.Form):
    """What every case has, whatever its route. The route's own questions (its outcome and
    milestones) are in a ``RouteDetailsForm``, asked once the route is known."""

    route = forms.ChoiceField(
        label="Which route is the case on?",
        choices=Route.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the route the case is on",
            "invalid_choice": "Choose the route the case is on",
        },
    )
    # The route whose questions the page showed: when it differs from the chosen route, the
    # page is shown again with the chosen route's questions rather than saved.
    shown_route = forms.CharField(required=False, widget=forms.HiddenInput)
    reference = forms.CharField(
        label="Reference",
        max_length=40,
        help_text=from_today(lambda today: f"For example CR-{today.year}-03"),
        error_messages={
            "required": "Enter the case's reference",
            "max_length": "The reference must be 40 characters or fewer",
        },
    )
    pseudonym = forms.CharField(
        label="Pseudonym (optional)",
        max_length=80,
        required=False,
        help_text="The name used in reports, like Child P or Adult T",
        error_messages={"max_length": "The pseudonym must be 80 characters or fewer"},
    )
    officer = forms.ModelChoiceField(
        label="Responsible review officer",
        required=False,
        queryset=User.objects.none(),
        empty_label="None",
        error_messages={"invalid_choice": "Choose a review officer from the list"},
    )
    lead_reviewer = forms.CharField(
        label="Lead reviewer or author (optional)",
        max_length=150,
        required=False,
        error_messages={"max_length": "The lead reviewer's name must be 150 characters or fewer"},
    )
    themes = forms.ModelMultipleChoiceField(
        label="Practice themes",
        required=False,
        queryset=PracticeTheme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose practice themes from the list",
            "invalid_pk_value": "Choose practice themes from the list",
        },
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies involved",
        required=False,
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose agencies from the list",
            "invalid_pk_value": "Choose agencies from the list",
        },
    )
    harm_types = forms.MultipleChoiceField(
        label="Types of harm",
        required=False,
        choices=HarmType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose types of harm from the list"},
    )

    def __init__(self, *args: Any, case: Case | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What a case already has stays on offer, even when no longer offered for new cases,
        # so that saving the case never drops it silently.
        officers = Q(
            is_active=True, memberships__role__in=[Role.REVIEW_OFFICER, Role.ADMINISTRATOR]
        )
        themes, agencies = Q(is_active=True), Q(is_active=True)
        if case is not None and case.pk:
            officers |= Q(pk=case.officer_id)
            themes |= Q(cases=case)
            agencies |= Q(cases=case)
        field_of(self, "officer").queryset = (
            User.objects.filter(officers).distinct().order_by("full_name")
        )
        field_of(self, "themes").queryset = (
            PracticeTheme.objects.filter(themes).distinct().order_by("name")
        )
        field_of(self, "agencies").queryset = (
            Agency.objects.filter(agencies).distinct().order_by("name")
        )

    @staticmethod
    def initial_for(case: Case) -> dict[str, Any]:
        initial = {
            field: getattr(case, field)
            for field in (
                "reference",
                "route",
                "pseudonym",
                "officer",
                "lead_reviewer",
                "harm_types",
            )
        }
        initial["shown_route"] = case.route
        initial["themes"] = list(case.themes.all())
        initial["agencies"] = list(case.agencies.all())
        return initial


class RouteDetailsForm(forms.Form):
    """One route's outcome and milestone dates, prefixed with the route so that the page can
    hold every route's questions at once (script shows the chosen route's, hides the rest)."""

    def __init__(self, *args: Any, route: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", route)
        super().__init__(*args, **kwargs)
        self.route = route
        self.fields["outcome"] = forms.ChoiceField(
            label="Outcome",
            required=False,
            choices=_blank("Not decided yet")
            + [(value, Outcome(value).label) for value in OUTCOMES_BY_ROUTE[route]],
            error_messages={"invalid_choice": "Choose an outcome from the list"},
        )
        for field in MILESTONES_BY_ROUTE[route]:
            label = MILESTONES[field]
            self.fields[field] = GovukDateField(
                label=label,
                required=False,
                allow_future=False,
                help_text=date_hint(),
            )

    @property
    def milestones(self) -> tuple[str, ...]:
        return MILESTONES_BY_ROUTE[self.route]

    @staticmethod
    def initial_for(case: Case, route: str) -> dict[str, Any]:
        """A case's answers that fit ``route``: its outcome when the route has it, and the
        milestones the route shares with the case's own."""
        initial: dict[str, Any] = {
            field: getattr(case, field) for field in MILESTONES_BY_ROUTE[route]
        }
        if case.outcome in OUTCOMES_BY_ROUTE[route]:
            initial["outcome"] = case.outcome
        return initial


class RestrictedDetailsForm(forms.Form):
    restricted_summary = forms.CharField(
        label="Summary (restricted)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Seen only by people on the case, review officers and administrators",
    )
    age_band = forms.ChoiceField(
        label="Age band", required=False, choices=_blank() + AgeBand.choices
    )
    sex = forms.ChoiceField(label="Sex", required=False, choices=_blank() + Sex.choices)
    ethnicity = forms.ChoiceField(
        label="Ethnicity", required=False, choices=_blank() + Ethnicity.choices
    )
    disability = forms.ChoiceField(
        label="Disability or learning disability",
        required=False,
        choices=_blank() + Disability.choices,
    )
    legal_status = forms.ChoiceField(
        label="Legal status (children)", required=False, choices=_blank() + LegalStatus.choices
    )


class DecisionForm(forms.Form):
    decided_on = GovukDateField(
        label="Date of the decision",
        allow_future=False,
        error_messages={"required": "Enter the date of the decision"},
    )
    decision = forms.CharField(
        label="What was decided",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what was decided"},
    )
    reasons = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reasons for the decision"},
    )
    decided_by = forms.CharField(
        label="Decided by",
        max_length=150,
        help_text="For example the practice review group, or the independent chair",
        error_messages={"required": "Enter who made the decision"},
    )


class PauseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason for the delay",
        choices=PauseReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the reason for the delay"},
    )
    standard_code = forms.ChoiceField(label="Which deadline it affects", required=False, choices=[])
    started_on = GovukDateField(
        label="Started",
        allow_future=False,
        error_messages={"required": "Enter the date the delay started"},
    )
    ended_on = GovukDateField(
        label="Ended (leave blank if it continues)", required=False, allow_future=False
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "standard_code").choices = [("", "The whole case")] + [
            (code, code) for code in codes
        ]


class AssignmentForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Person",
        queryset=User.objects.none(),
        empty_label="Choose a person",
        error_messages={"required": "Choose the person to add"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "user").queryset = User.objects.filter(is_active=True).order_by("full_name")


class RelatedCaseForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        choices=RelationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of case it is"},
    )
    reference = forms.CharField(
        label="Reference or title",
        max_length=120,
        error_messages={"required": "Enter its reference or title"},
    )
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)


class ImportForm(SpreadsheetUploadForm):
    file_label = "Case file"
    file_hint = f"{SpreadsheetUploadForm.file_hint}, in the case data format"


class TimelinessFilterForm(forms.Form):
    as_at = GovukDateField(label="Position as at", required=False)
    since = GovukDateField(label="Cases starting on or after (optional)", required=False)


class StandardForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=60,
        help_text="Lower-case, with dots, like adult.decision",
        error_messages={"required": "Enter a code"},
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
    route = forms.ChoiceField(
        label="Route", choices=Route.choices, error_messages={"required": "Choose a route"}
    )
    start_field = forms.ChoiceField(
        label="Counts from",
        choices=list(MILESTONES.items()),
        error_messages={"required": "Choose the milestone the deadline counts from"},
    )
    done_field = forms.ChoiceField(
        label="Milestone measured",
        choices=list(MILESTONES.items()),
        error_messages={"required": "Choose the milestone the deadline measures"},
    )
    rule = forms.ChoiceField(
        label="Rule",
        choices=[
            (Rule.WITHIN_WORKING_DAYS.value, "Within a number of working days"),
            (Rule.WITHIN_MONTHS.value, "Within a number of calendar months"),
            (Rule.BEFORE_WORKING_DAYS.value, "At least a number of working days before"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the deadline is counted"},
    )
    amount = WholeNumberField(
        what="the number of days or months",
        example=15,
        label="Number of days or months",
        min_value=1,
        max_value=365,
        error_messages={
            "required": "Enter the number of days or months",
            "min_value": "Enter a number of at least 1",
            "max_value": "Enter a number no more than 365",
        },
    )
    outcome = forms.ChoiceField(
        label="Only when the outcome is",
        required=False,
        choices=_blank("Any outcome") + Outcome.choices,
    )
    is_active = forms.BooleanField(label="In use", required=False, initial=True)

    @staticmethod
    def initial_for(standard: TimelinessStandard) -> dict[str, Any]:
        return {
            field: getattr(standard, field)
            for field in (
                "code",
                "description",
                "route",
                "start_field",
                "done_field",
                "rule",
                "amount",
                "outcome",
                "is_active",
            )
        }


class ThemeForm(forms.Form):
    name = forms.CharField(
        label="Theme", max_length=120, error_messages={"required": "Enter the theme's name"}
    )
    is_active = forms.BooleanField(
        label="Offer this theme for new cases", required=False, initial=True
    )
