from typing import Any

from django import forms

from sightline.core.forms import GovukDateField, field_of
from sightline.reviews.forms import ImportForm


class ReportDateForm(forms.Form):
    as_at = GovukDateField(label="Position as at", required=False)


class TrackerFileForm(ImportForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "file").label = "Learning tracker file"
        field_of(
            self, "file"
        ).help_text = "A .csv or .xlsx file, up to 10 MB, in the learning tracker format"
