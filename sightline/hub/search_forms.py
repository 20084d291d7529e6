"""The search forms: the hub's public search with its filters, and the signed-in search."""

from typing import Any

from django import forms

from sightline.core.forms import field_of

from .models import SearchEntry
from .search_query import MAX_LENGTH
from .vocabulary import Audience, ReviewKind

TOO_LONG = f"Search terms must be {MAX_LENGTH} characters or fewer"


def _any(choices: list[tuple[Any, str]]) -> list[tuple[Any, str]]:
    return [("", "Any"), *choices]


class HubSearchForm(forms.Form):
    q = forms.CharField(
        label="Search the learning hub",
        required=False,
        max_length=MAX_LENGTH,
        error_messages={"max_length": TOO_LONG},
    )
    type = forms.MultipleChoiceField(
        label="Type",
        required=False,
        choices=SearchEntry.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select a type from the list"},
    )
    theme = forms.TypedChoiceField(
        label="Practice theme",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a practice theme from the list"},
    )
    audience = forms.ChoiceField(
        label="Workforce",
        required=False,
        choices=_any([c for c in Audience.choices if c[0] != Audience.BOTH]),
        error_messages={"invalid_choice": "Select a workforce from the list"},
    )
    route = forms.ChoiceField(
        label="Type of review",
        required=False,
        choices=_any(ReviewKind.choices),
        error_messages={"invalid_choice": "Select a type of review from the list"},
    )
    year = forms.TypedChoiceField(
        label="Year published",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a year from the list"},
    )

    def __init__(
        self, *args: Any, themes: list[tuple[int, str]], years: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "theme").choices = _any([(str(pk), name) for pk, name in themes])
        field_of(self, "year").choices = _any([(str(year), str(year)) for year in years])


class SignedInSearchForm(forms.Form):
    q = forms.CharField(
        label="Search Sightline",
        help_text="A case reference, pseudonym or theme; words from a recommendation, an "
        "action or a course title",
        required=False,
        max_length=MAX_LENGTH,
        error_messages={"max_length": TOO_LONG},
    )
