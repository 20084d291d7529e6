"""Forms for the public hub's filters and the business unit's publishing pages."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from sightline.core.forms import GovukDateField, WholeNumberField, field_of
from sightline.reviews.models import PracticeTheme

from ..models import (
    BODY_MAX,
    REASON_MAX,
    SECTION_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    URL_MAX,
    PublishedReview,
)
from ..vocabulary import Audience, ResourceKind, ReviewKind, State

# How far ahead a live or removal date may be set, and how far back a live date: a decision
# recorded a little late may say the day it really went live.
FURTHEST_AHEAD_YEARS = 10
FURTHEST_BACK_DAYS = 366
RECOMMENDATIONS_MAX = 50 * SECTION_MAX


class ReviewFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of review", required=False, choices=[("", "Any kind"), *ReviewKind.choices]
    )
    theme = forms.TypedChoiceField(label="Practice theme", required=False, coerce=int)
    audience = forms.ChoiceField(
        label="For", required=False, choices=[("", "Anyone"), *Audience.choices[:2]]
    )
    year = forms.TypedChoiceField(label="Year published", required=False, coerce=int)

    def __init__(self, *args: Any, themes: list[PracticeTheme], years: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        theme_field = field_of(self, "theme")
        theme_field.choices = [("", "Any theme"), *((theme.pk, theme.name) for theme in themes)]
        theme_field.error_messages["invalid_choice"] = "Choose a practice theme from the list"
        year_field = field_of(self, "year")
        year_field.choices = [("", "Any year"), *((year, str(year)) for year in years)]
        year_field.error_messages["invalid_choice"] = "Choose a year from the list"
        field_of(self, "kind").error_messages["invalid_choice"] = "Choose a kind from the list"
        field_of(self, "audience").error_messages["invalid_choice"] = (
            "Choose a workforce from the list"
        )


def _themes_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="Practice themes",
        required=False,
        queryset=PracticeTheme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )


class _ItemForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        error_messages={
            "required": "Enter a title",
            "max_length": f"Title must be {TITLE_MAX} characters or fewer",
        },
    )
    audience = forms.ChoiceField(
        label="Who it is for",
        choices=Audience.choices,
        initial=Audience.BOTH,
        error_messages={"required": "Choose who it is for"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "themes" in self.fields:
            field_of(self, "themes").queryset = PracticeTheme.objects.filter(
                is_active=True
            ).order_by("name")

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name not in self.extra}

    extra: tuple[str, ...] = ("themes",)


class ReviewForm(_ItemForm):
    kind = forms.ChoiceField(
        label="Kind of review",
        choices=ReviewKind.choices,
        error_messages={"required": "Choose the kind of review"},
    )
    summary = forms.CharField(
        label="Summary for the public",
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Written for publication: pseudonyms only, nothing that identifies anyone",
        error_messages={
            "required": "Enter the summary readers will see",
            "max_length": f"Summary must be {SUMMARY_MAX} characters or fewer",
        },
    )
    author = forms.CharField(
        label="Independent reviewer or author (optional)", max_length=150, required=False
    )
    home_office_cleared_on = GovukDateField(
        label="Date the Home Office cleared it",
        required=False,
        allow_future=False,
        help_text="Domestic homicide reviews only: they are published once cleared",
    )
    themes = _themes_field()
    recommendations = forms.CharField(
        label="Recommendations as published",
        required=False,
        max_length=RECOMMENDATIONS_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One recommendation to a paragraph: leave a blank line between them",
    )
    extra = ("themes", "recommendations")

    def recommendation_texts(self) -> list[str]:
        text = self.cleaned_data.get("recommendations", "").replace("\r\n", "\n")
        return [part.strip() for part in text.split("\n\n") if part.strip()]

    def clean_recommendations(self) -> str:
        text = self.cleaned_data["recommendations"]
        if any(len(part) > SECTION_MAX for part in text.split("\n\n")):
            raise forms.ValidationError(
                f"Each recommendation must be {SECTION_MAX} characters or fewer"
            )
        return text

    @classmethod
    def initial_for(cls, review: PublishedReview) -> dict[str, Any]:
        return {
            **{name: getattr(review, name) for name in ("title", "audience", "kind", "summary")},
            "author": review.author,
            "home_office_cleared_on": review.home_office_cleared_on,
            "themes": list(review.themes.all()),
            "recommendations": "\n\n".join(item.text for item in review.recommendations.all()),
        }


class ReviewFromCaseForm(forms.Form):
    reference = forms.CharField(
        label="Case reference",
        max_length=40,
        help_text="The title, kind, themes and recommendations are copied from the case: "
        "never its restricted details",
        error_messages={"required": "Enter the case's reference, like CR-2024-03"},
    )
    partners_agreed = forms.BooleanField(
        label="For a local learning review: the partners agreed its learning may be public",
        required=False,
    )


class ResourceForm(_ItemForm):
    kind = forms.ChoiceField(
        label="Kind of resource",
        choices=ResourceKind.choices,
        error_messages={"required": "Choose the kind of resource"},
    )
    summary = forms.CharField(
        label="Summary",
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter a summary"},
    )
    link = forms.URLField(
        label="Link (optional)",
        max_length=URL_MAX,
        required=False,
        assume_scheme="https",
        help_text="Where the recording or tool is, if it is online",
        error_messages={"invalid": "Enter a link starting https://"},
    )
    duration_minutes = WholeNumberField(
        what="the length in minutes",
        example=45,
        label="Length in minutes (optional)",
        required=False,
        min_value=1,
        max_value=1440,
    )
    transcript = forms.CharField(
        label="Transcript",
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Needed for a webinar, podcast or interview before it is published",
    )
    review = forms.ModelChoiceField(
        label="The review it belongs to (optional)",
        required=False,
        queryset=PublishedReview.objects.none(),
        empty_label="None",
    )
    themes = _themes_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "review").queryset = PublishedReview.objects.exclude(
            state=State.WITHDRAWN
        ).only("pk", "title")


class NewsForm(_ItemForm):
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        error_messages={
            "required": "Enter a summary",
            "max_length": "Summary must be 300 characters or fewer",
        },
    )
    body = forms.CharField(
        label="The news",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "Enter the news"},
    )
    themes = _themes_field()


class ApproveForm(forms.Form):
    live_on = GovukDateField(
        label="Date it goes live",
        error_messages={"required": "Enter the date it goes live"},
        help_text="Today, or a later day to hold it back (for example past an anniversary)",
    )
    remove_on = GovukDateField(
        label="Date it comes down (optional)",
        required=False,
        help_text="Leave blank to keep it up. Published reviews stay up for at least a year",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        latest = today.replace(year=today.year + FURTHEST_AHEAD_YEARS)
        live_on, remove_on = data.get("live_on"), data.get("remove_on")
        if live_on and not (today - datetime.timedelta(days=FURTHEST_BACK_DAYS) <= live_on):
            self.add_error("live_on", "Date it goes live must be within the last year")
        if live_on and live_on > latest:
            self.add_error(
                "live_on", f"Date it goes live must be within {FURTHEST_AHEAD_YEARS} years"
            )
        if remove_on and remove_on > latest:
            self.add_error(
                "remove_on", f"Date it comes down must be within {FURTHEST_AHEAD_YEARS} years"
            )
        if live_on and remove_on and remove_on <= live_on:
            self.add_error("remove_on", "Date it comes down must be after the date it goes live")
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why it is being withdrawn",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Kept with the record, not shown to the public",
        error_messages={
            "required": "Enter why it is being withdrawn",
            "max_length": f"Reason must be {REASON_MAX} characters or fewer",
        },
    )


class DocumentForm(forms.Form):
    title = forms.CharField(
        label="Document title",
        max_length=TITLE_MAX,
        help_text="As readers will see it, for example Full report",
        error_messages={"required": "Enter the document's title"},
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="A PDF, Word document, PowerPoint presentation, Excel spreadsheet, PNG or "
        "JPEG. Hidden details such as the author and comments are removed",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )
