"""Forms of the business unit's briefing pages and the public list's filters."""

from typing import Any

from django import forms

from sightline.core.forms import GovukDateField, field_of
from sightline.reviews.models import PracticeTheme

from ..models import REASON_MAX, SECTION_MAX, TITLE_MAX
from ..vocabulary import BRIEFING_SECTIONS, Audience

HINTS = {
    "background": "Why the partnership reviewed this, in a few sentences.",
    "why_it_matters": "Why practitioners should read on.",
    "what_happened": "A short account, naming no one: pseudonyms only.",
    "what_we_learned": "Start a line with a hyphen and a space (- ) to make a list.",
    "what_to_do": "What practitioners should do differently. Lines starting - are a list.",
    "questions": "Questions a team can talk through. One a line, each starting - .",
    "further_information": "Where to read the review and find help.",
}


def _theme_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="Practice themes",
        required=False,
        queryset=PracticeTheme.objects.filter(is_active=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose practice themes from the list",
            "invalid_pk_value": "Choose practice themes from the list",
        },
    )


class _TitleAudience(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        error_messages={
            "required": "Enter a title",
            "max_length": f"The title must be {TITLE_MAX} characters or fewer",
        },
    )
    audience = forms.ChoiceField(
        label="Who is it for?",
        choices=Audience.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who the briefing is for",
            "invalid_choice": "Choose who the briefing is for",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"] = _theme_field()


class BriefingNewForm(_TitleAudience):
    """A briefing written from scratch: a thematic one, for example."""


class BriefingFromReviewForm(forms.Form):
    review = forms.ChoiceField(
        label="Published review",
        error_messages={
            "required": "Choose the review to draft the briefing from",
            "invalid_choice": "Choose a review from the list",
        },
    )

    def __init__(self, *args: Any, reviews: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reviews = {str(review.pk): review for review in reviews}
        field_of(self, "review").choices = [("", "Choose a review")] + [
            (str(review.pk), review.title) for review in reviews
        ]

    def clean_review(self) -> Any:
        return self.reviews[self.cleaned_data["review"]]


class BriefingEditForm(_TitleAudience):
    """The title, audience, themes and the seven sections, each bounded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, heading in BRIEFING_SECTIONS:
            self.fields[name] = forms.CharField(
                label=heading,
                required=False,
                max_length=SECTION_MAX,
                strip=True,
                help_text=HINTS[name],
                widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "true"}),
                error_messages={
                    "max_length": f"{heading} must be {SECTION_MAX:,} characters or fewer: "
                    "shorten it"
                },
            )
            # The character count tells people the limit; a maxlength would cut text off.
            self.fields[name].widget.attrs.pop("maxlength", None)


class ApproveForm(forms.Form):
    live_on = GovukDateField(
        label="Goes live on",
        help_text="The day it becomes public. Later than today holds it back until then.",
        error_messages={"required": "Enter the day the briefing goes live"},
    )
    remove_on = GovukDateField(
        label="Comes down on (optional)",
        required=False,
        help_text="Leave blank to keep it public until it is withdrawn.",
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is it being withdrawn?",
        max_length=REASON_MAX,
        help_text="Kept with the briefing. It is not shown to the public.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter why the briefing is being withdrawn",
            "max_length": f"The reason must be {REASON_MAX:,} characters or fewer: shorten it",
        },
    )


class BriefingFilterForm(forms.Form):
    theme = forms.ChoiceField(
        label="Practice theme",
        required=False,
        error_messages={"invalid_choice": "Choose a theme from the list"},
    )
    audience = forms.ChoiceField(
        label="Workforce",
        required=False,
        choices=[
            ("", "All workforces"),
            (Audience.CHILDREN, "Children's workforce"),
            (Audience.ADULTS, "Adults' workforce"),
        ],
        error_messages={"invalid_choice": "Choose a workforce from the list"},
    )

    def __init__(self, *args: Any, themes: list[PracticeTheme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.themes = {str(theme.pk): theme for theme in themes}
        field_of(self, "theme").choices = [("", "All themes")] + [
            (key, theme.name) for key, theme in self.themes.items()
        ]

    def clean_theme(self) -> PracticeTheme | None:
        return self.themes.get(self.cleaned_data["theme"])
