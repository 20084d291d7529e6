from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms

from sightline.core.forms import WholeNumberField
from sightline.core.roles import Role

from .models import MAX_WORKFORCE, Agency, Sector


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )


class UserForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter the person's full name"},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the person's email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    job_title = forms.CharField(label="Job title (optional)", max_length=150, required=False)


def _agency_choices() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        empty_label="Choose an agency",
        error_messages={
            "required": "Choose the agency",
            "invalid_choice": "Choose an agency from the list",
        },
    )


class MembershipForm(forms.Form):
    agency = _agency_choices()
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )
    role.item_hints = {choice.value: choice.summary for choice in Role}  # type: ignore[attr-defined]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"] = _agency_choices()


class NewUserForm(UserForm, MembershipForm):
    field_order = ["full_name", "email", "job_title", "agency", "role"]


class UserFilterForm(forms.Form):
    search = forms.CharField(label="Name or email", required=False, max_length=150)
    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.order_by("name"), required=False, empty_label="Any"
    )
    role = forms.ChoiceField(label="Role", required=False, choices=[("", "Any"), *Role.choices])
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "Any"),
            ("active", "Active"),
            ("suspended", "Suspended"),
            ("inactive", "Deactivated"),
        ],
    )


class AgencyForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=150, error_messages={"required": "Enter the agency's name"}
    )
    sector = forms.ChoiceField(
        label="Sector",
        choices=Sector.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the agency's sector"},
    )
    is_active = forms.BooleanField(
        label="This agency is an active partner", required=False, initial=True
    )
    workforce = WholeNumberField(
        what="the agency's workforce",
        example=1200,
        label="Workforce (optional)",
        help_text="How many people the agency employs in the partnership's area. Its "
        "scorecard compares the people it has had trained with this figure.",
        required=False,
        min_value=1,
        max_value=MAX_WORKFORCE,
    )
    single_sign_on_only = forms.BooleanField(
        label="Its staff sign in only with their organisation's single sign-on",
        help_text="They cannot sign in with a password or reset one, so someone disabled in "
        "the organisation's directory cannot get in. Link each person's work account first.",
        required=False,
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Only checks the address: the worker sends the email (``services.password_reset_send``)."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )


class AccessDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("keep", "Keep"), ("remove", "Remove")],
        error_messages={
            "required": "Choose keep or remove",
            "invalid_choice": "Choose keep or remove",
        },
    )
