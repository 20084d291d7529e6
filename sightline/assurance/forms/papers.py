"""Forms for a group's papers. The file is checked and cleaned here (``core.cleaning``), so
what reaches the service is a document safe to keep; a refusal says what to do."""

from typing import Any

from django import forms

from sightline.core.cleaning import MAX_DOCUMENT_BYTES, DocumentRefused, document_clean
from sightline.core.forms import field_of

from ..models import Meeting
from ..vocabulary import PaperKind

MAX_MEGABYTES = MAX_DOCUMENT_BYTES // (1024 * 1024)
FILE_HINT = (
    f"A PDF, Word document (.docx), PowerPoint presentation (.pptx), Excel spreadsheet "
    f"(.xlsx), PNG or JPEG, up to {MAX_MEGABYTES} MB. Sightline removes the author, comments, "
    "tracked changes and other hidden details before members can open it, and shows you what "
    "it removed."
)


def meeting_label(meeting: Meeting) -> str:
    return f"{meeting.held_on.day} {meeting.held_on:%B %Y}"


class PaperFileField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label="File",
            help_text=FILE_HINT,
            max_length=255,
            error_messages={
                "required": "Choose a file to upload",
                "empty": "The selected file is empty – choose a file with something in it",
                "invalid": "Choose a file to upload",
                "max_length": "The file's name must be 255 characters or fewer",
            },
            **kwargs,
        )


class _CleanedFileForm(forms.Form):
    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(
                f"The selected file must be smaller than {MAX_MEGABYTES} MB"
            )
        try:
            self.cleaned_data["document"] = document_clean(
                name=upload.name or "document", content=upload.read(MAX_DOCUMENT_BYTES + 1)
            )
        except DocumentRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return upload


class GroupPaperForm(_CleanedFileForm):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": "Enter the paper's title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    kind = forms.ChoiceField(
        label="What kind of paper is it?",
        choices=PaperKind.choices,
        initial=PaperKind.PAPER,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what kind of paper it is",
            "invalid_choice": "Choose what kind of paper it is",
        },
    )
    meeting = forms.ChoiceField(
        label="Meeting (optional)",
        required=False,
        help_text="Leave it empty for papers that belong to no one meeting",
        error_messages={"invalid_choice": "Choose one of the group's meetings"},
    )
    file = PaperFileField()

    def __init__(self, *args: Any, meetings: list[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._meetings = {str(meeting.pk): meeting for meeting in meetings}
        field_of(self, "meeting").choices = [("", "Not for a meeting")] + [
            (str(meeting.pk), meeting_label(meeting)) for meeting in meetings
        ]

    def clean_meeting(self) -> Meeting | None:
        return self._meetings.get(self.cleaned_data.get("meeting") or "")


class GroupPaperReplaceForm(_CleanedFileForm):
    file = PaperFileField()
