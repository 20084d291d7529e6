"""Forms of the yearly report's drafting: starting a year, owners, chapter text,
approvals, missing contents, publication, the national panel, circulation and settings."""

from collections.abc import Sequence
from typing import Any

from django import forms

from sightline.core.forms import GovukDateField, WholeNumberField, field_of

from ..models import (
    CHAPTER_TEXT_MAX,
    PANEL_DAYS_MAX,
    PANEL_DAYS_MIN,
    REASON_MAX,
    THRESHOLD_MAX,
    THRESHOLD_MIN,
    Recipient,
)
from ..yearly.contents import STATUTORY_CONTENTS


class YearStartForm(forms.Form):
    year = forms.CharField(
        max_length=7,
        widget=forms.HiddenInput,
        error_messages={"required": "Choose the year to start the report for"},
    )


class ChapterTextForm(forms.Form):
    text = forms.CharField(
        label="The chapter's text",
        max_length=CHAPTER_TEXT_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true"}),
        help_text="Leave a blank line between paragraphs.",
        error_messages={
            "required": "Write the chapter's text",
            "max_length": f"The chapter must be {CHAPTER_TEXT_MAX:,} characters or fewer: "
            "shorten it",
        },
    )
    # The number of the text's version the writer started from (0: none yet). Left out, or
    # older than the latest, the text is not saved: the conflict page shows the latest.
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=0,
        max_value=1_000_000,
        error_messages={
            "invalid": "The form was changed: reload the page and write the text again",
            "min_value": "The form was changed: reload the page and write the text again",
            "max_value": "The form was changed: reload the page and write the text again",
        },
    )


class ApproveForm(forms.Form):
    """The version the approver read: approving a later one needs reading it first."""

    version = forms.IntegerField(
        min_value=1,
        max_value=1_000_000,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Reload the page and approve the text again",
            "invalid": "Reload the page and approve the text again",
            "min_value": "Reload the page and approve the text again",
            "max_value": "Reload the page and approve the text again",
        },
    )


class OwnerForm(forms.Form):
    owner = forms.ChoiceField(
        label="Owner",
        required=False,
        help_text="Who writes this chapter. They can see and write it; someone else approves it.",
        error_messages={"invalid_choice": "Choose an owner from the list"},
    )

    def __init__(self, *args: Any, owners: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owners = {str(user.pk): user for user in owners}
        field_of(self, "owner").choices = [("", "Nobody yet")] + [
            (str(user.pk), user.full_name or user.email) for user in owners
        ]

    def clean_owner(self) -> Any:
        return self.owners.get(self.cleaned_data["owner"])


class ContentExceptionForm(forms.Form):
    content = forms.ChoiceField(
        choices=[(content.id, content.id) for content in STATUTORY_CONTENTS],
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose a statutory content from the checklist",
            "invalid_choice": "Choose a statutory content from the checklist",
        },
    )
    reason = forms.CharField(
        label="Why the report does not cover it",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Readers of the checklist see this reason, with your name and the date.",
        error_messages={
            "required": "Say why the report does not cover this content",
            "max_length": f"The reason must be {REASON_MAX:,} characters or fewer: shorten it",
        },
    )


class PublishForm(forms.Form):
    """One box to tick for each small figure not yet confirmed safe to publish."""

    def __init__(self, *args: Any, small_numbers: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.small_numbers = list(small_numbers)
        for index, item in enumerate(self.small_numbers):
            self.fields[f"confirm_{index}"] = forms.BooleanField(
                label=f"{item.label}: {item.value} is safe to publish",
                help_text=f"In {item.where}",
                error_messages={
                    "required": f"Confirm that {item.label} ({item.value}) is safe to publish, "
                    "or do not publish the report"
                },
            )

    def acknowledged(self) -> list[tuple[str, int]]:
        return [
            (item.label, item.value)
            for index, item in enumerate(self.small_numbers)
            if self.cleaned_data.get(f"confirm_{index}")
        ]


class PanelSentForm(forms.Form):
    sent_on = GovukDateField(label="Date it was sent", allow_future=False)


class CirculationForm(forms.Form):
    recipient = forms.ChoiceField(
        label="Who it was sent to",
        choices=Recipient.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who the report was sent to",
            "invalid_choice": "Choose who the report was sent to",
        },
    )
    name = forms.CharField(
        label="Name or role (optional unless someone else)",
        required=False,
        max_length=150,
        error_messages={"max_length": "The name must be 150 characters or fewer"},
    )
    organisation = forms.CharField(
        label="Organisation (optional)",
        required=False,
        max_length=150,
        error_messages={"max_length": "The organisation must be 150 characters or fewer"},
    )
    sent_on = GovukDateField(label="Date it was sent", allow_future=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("recipient") == Recipient.OTHER and not cleaned.get("name", "").strip():
            self.add_error("name", "Enter the name or role of the person it was sent to")
        return cleaned


class ReportSettingsForm(forms.Form):
    position_since = GovukDateField(
        label="Case review position since",
        required=False,
        allow_future=False,
        help_text="The first day the yearly report's cumulative case review position counts "
        "from. Leave blank to count every case.",
    )
    small_number_threshold = WholeNumberField(
        what="the small number threshold",
        example=5,
        label="Small number threshold",
        min_value=THRESHOLD_MIN,
        max_value=THRESHOLD_MAX,
        help_text="Figures about people (cases, deaths, referrals) below this are flagged to "
        "the author, who must confirm each is safe to publish.",
    )
    panel_days = WholeNumberField(
        what="the days to send the report to the national panel",
        example=7,
        label="Days to send the report to the national panel",
        min_value=PANEL_DAYS_MIN,
        max_value=PANEL_DAYS_MAX,
        help_text="Calendar days after publication. Statutory guidance has asked for seven.",
    )
