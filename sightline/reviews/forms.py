from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q

from sightline.accounts.models import Agency, User
from sightline.core.forms import (
    GovukDateField,
    ListedChoiceField,
    SpreadsheetUploadForm,
    WholeNumberField,
    date_hint,
    field_of,
    from_today,
)
from sightline.core.roles import Role

from .lifecycle import Stage
from .models import (
    REFERRAL_PSEUDONYM_MAX,
    REFERRAL_REASON_MAX,
    REFERRAL_TEXT_MAX,
    Case,
    PracticeTheme,
    ReferralStatus,
    TimelinessStandard,
)
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
    theme = ListedChoiceField(
        label="Practice theme",
        required=False,
        queryset=PracticeTheme.objects.none(),
        empty_label="Any",
    )
    agency = ListedChoiceField(
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


# --- Referrals ------------------------------------------------------------------


def _is_key(value: Any) -> bool:
    """Whether a posted choice can be a row's key: a number the database can hold (a longer
    one overflows the query rather than finding nothing)."""
    return value in (None, "") or (str(value).isdigit() and len(str(value)) <= 18)


class _AgencyChoiceField(forms.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if not _is_key(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], "invalid_choice")
        return super().to_python(value)


class _AgencyChoicesField(forms.ModelMultipleChoiceField):
    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple) and not all(_is_key(each) for each in value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], "invalid_choice")
        return super().clean(value)


PHONE = RegexValidator(
    r"^\+?[0-9 ()-]{6,30}$", "Enter a telephone number, like 01632 960 001 or +44 808 157 0192"
)


def _text_messages(what: str, limit: int) -> dict[str, str]:
    return {
        "required": f"Enter {what}",
        "max_length": f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer",
    }


class ReferralForm(forms.Form):
    """What a partner tells the review group about a case it thinks may need a review."""

    # One-time: set when the form is shown, so a second post of the same form is known.
    submission_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={"required": "The form was incomplete: open it again and fill it in"},
    )
    referring_agency = _AgencyChoiceField(
        label="Which agency are you referring for?",
        queryset=Agency.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose the agency you are referring for",
            "invalid_choice": "Choose one of your agencies from the list",
        },
    )
    pseudonym = forms.CharField(
        label="Who it concerns",
        max_length=REFERRAL_PSEUDONYM_MAX,
        help_text="Initials or a pseudonym only, like Child P or J.S. Never a real name.",
        error_messages=_text_messages("who it concerns, as initials or a pseudonym", 80),
    )
    age_band = forms.ChoiceField(
        label="Their age (optional)",
        required=False,
        choices=_blank("Not known") + AgeBand.choices,
        error_messages={"invalid_choice": "Choose an age band from the list"},
    )
    route = forms.ChoiceField(
        label="What kind of review may it need?",
        required=False,
        choices=[*Route.choices, ("", "Not sure")],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a kind of review, or not sure"},
    )
    aware_on = GovukDateField(
        label="When your agency became aware",
        allow_future=False,
        help_text=date_hint(days=-14),
    )
    what_happened = forms.CharField(
        label="What happened",
        max_length=REFERRAL_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The facts as your agency knows them. Use initials, not names.",
        error_messages=_text_messages("what happened", REFERRAL_TEXT_MAX),
    )
    agencies = _AgencyChoicesField(
        label="Other agencies involved (optional)",
        required=False,
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose agencies from the list",
            "invalid_pk_value": "Choose agencies from the list",
        },
    )
    why_review = forms.CharField(
        label="Why it may need a review",
        max_length=REFERRAL_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why you think it meets the criteria for a review, or what could be learned.",
        error_messages=_text_messages("why it may need a review", REFERRAL_TEXT_MAX),
    )
    contact_email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="We send the acknowledgement and the decision here.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "The email address must be 254 characters or fewer",
        },
    )
    contact_phone = forms.CharField(
        label="Your telephone number (optional)",
        required=False,
        max_length=30,
        validators=[PHONE],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        error_messages={"max_length": "The telephone number must be 30 characters or fewer"},
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = field_of(self, "referring_agency")
        choice.queryset = Agency.objects.filter(pk__in=[agency.pk for agency in agencies])
        self.only_agency = agencies[0] if len(agencies) == 1 else None
        if self.only_agency is not None:
            # One agency: nothing to choose, so it is not asked.
            choice.widget = forms.HiddenInput()
            choice.required = False
        field_of(self, "agencies").queryset = Agency.objects.filter(is_active=True).order_by("name")

    def clean_referring_agency(self) -> Agency | None:
        return self.cleaned_data.get("referring_agency") or self.only_agency


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=_blank("Any") + ReferralStatus.choices,
        error_messages={"invalid_choice": "Choose a status from the list"},
    )
    agency = _AgencyChoiceField(
        label="Referring agency",
        required=False,
        queryset=Agency.objects.none(),
        empty_label="Any",
        error_messages={"invalid_choice": "Choose an agency from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "agency").queryset = Agency.objects.order_by("name")


class ReferralConvertForm(forms.Form):
    reference = forms.CharField(
        label="Case reference",
        max_length=40,
        help_text=from_today(lambda today: f"For example CR-{today.year}-03"),
        error_messages={
            "required": "Enter the new case's reference",
            "max_length": "The reference must be 40 characters or fewer",
        },
    )
    route = forms.ChoiceField(
        label="Route",
        choices=Route.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the route the case is on",
            "invalid_choice": "Choose the route the case is on",
        },
    )

    def clean_reference(self) -> str:
        return str(self.cleaned_data["reference"]).strip()


class ReferralCloseForm(forms.Form):
    reason = forms.CharField(
        label="Why the referral is closed",
        max_length=REFERRAL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The referrer is sent this by email, so write it for them.",
        error_messages=_text_messages("why the referral is closed", REFERRAL_REASON_MAX),
    )
