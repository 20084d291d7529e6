"""The newsletter's forms: subscribing, and composing an issue."""

from typing import Any

from django import forms

from ..models import EMAIL_MAX, INTRODUCTION_MAX, NEWSLETTER_SUBJECT_MAX
from ..selectors.newsletter import IssueItem
from ..vocabulary import Audience


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=EMAIL_MAX,
        help_text="We will email you a link to confirm that you want the newsletter.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": f"Email address must be {EMAIL_MAX} characters or fewer",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    audience = forms.ChoiceField(
        label="Which learning interests you most? (optional)",
        choices=Audience.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the options, or none"},
    )


class IssueForm(forms.Form):
    subject = forms.CharField(
        label="Subject",
        max_length=NEWSLETTER_SUBJECT_MAX,
        help_text="The subject line of the email, and the issue's title in the archive.",
        error_messages={
            "required": "Enter a subject",
            "max_length": f"Subject must be {NEWSLETTER_SUBJECT_MAX} characters or fewer",
        },
    )
    introduction = forms.CharField(
        label="Introduction (optional)",
        max_length=INTRODUCTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="A few words before the list of what is new.",
        error_messages={
            "max_length": f"Introduction must be {INTRODUCTION_MAX} characters or fewer"
        },
    )
    items = forms.MultipleChoiceField(
        label="What the issue carries",
        help_text="Everything published on the hub since the last issue. Untick what to leave out.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one item for the issue",
            "invalid_choice": "Choose only from the items listed: the list may have changed, "
            "so check it again",
        },
    )

    def __init__(self, *args: Any, candidates: list[IssueItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [  # type: ignore[attr-defined]
            (item.key, f"{item.kind_label}: {item.title}") for item in candidates
        ]
