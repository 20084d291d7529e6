"""Forms for the partnership's groups, their members and meetings, and assurance returns.
They check the shape of what was entered; the services check it against what is recorded."""

import datetime
import re
from typing import Any

from django import forms
from django.db.models import Q

from sightline.accounts.models import Agency, User
from sightline.core.forms import GovukDateField, date_hint, field_of

from ..models import Group
from ..vocabulary import AssuranceLevel, GroupKind
from .data import QuarterField, recent_quarters


def _person(user: User) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _person(obj)


class GroupForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=150, error_messages={"required": "Enter the group's name"}
    )
    kind = forms.ChoiceField(
        label="Kind of group",
        choices=GroupKind.choices,
        initial=GroupKind.SUBGROUP,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of group"},
    )
    purpose = forms.CharField(
        label="Purpose (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the group is for, in a sentence or two",
    )
    terms_of_reference = forms.CharField(
        label="Terms of reference (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Its remit, membership, quoracy, how often it meets and how it reports",
    )
    chair = PersonChoiceField(
        label="Chair (optional)",
        required=False,
        queryset=User.objects.none(),
        empty_label="No chair named",
    )
    reports_to = forms.ModelChoiceField(
        label="Reports to (optional)",
        required=False,
        queryset=Group.objects.none(),
        empty_label="No other group",
        help_text="Subgroups usually report to the Executive",
    )
    is_active = forms.BooleanField(
        label="Meets now",
        required=False,
        initial=True,
        help_text="Untick when the group is stood down: its meetings and returns are kept.",
    )

    def __init__(self, *args: Any, group: Group | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chair = group.chair_id if group else None
        field_of(self, "chair").queryset = User.objects.filter(
            Q(is_active=True) | Q(pk=chair)
        ).order_by("full_name", "email")
        parents = Group.objects.filter(
            Q(is_active=True) | Q(pk=group.reports_to_id if group else None)
        )
        if group is not None:
            parents = parents.exclude(pk=group.pk)
        field_of(self, "reports_to").queryset = parents.order_by("name")
        if group is None:
            del self.fields["is_active"]

    @classmethod
    def initial_for(cls, group: Group) -> dict[str, Any]:
        return {
            "name": group.name,
            "kind": group.kind,
            "purpose": group.purpose,
            "terms_of_reference": group.terms_of_reference,
            "chair": group.chair,
            "reports_to": group.reports_to,
            "is_active": group.is_active,
        }


class GroupMemberForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        error_messages={"required": "Choose the agency that holds the seat"},
    )
    user = PersonChoiceField(
        label="Person (optional)",
        required=False,
        queryset=User.objects.none(),
        empty_label="Not named yet",
        help_text="Someone who works for the agency. Leave it for a seat still to be filled.",
    )
    role = forms.CharField(
        label="Role on the group (optional)",
        required=False,
        max_length=100,
        help_text="For example vice chair, or designated nurse",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "agency").queryset = Agency.objects.filter(is_active=True).order_by("name")
        field_of(self, "user").queryset = User.objects.filter(is_active=True).order_by(
            "full_name", "email"
        )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class MeetingForm(forms.Form):
    held_on = GovukDateField(
        label="Date of the meeting",
        help_text=date_hint(days=14),
        error_messages={"required": "Enter the date of the meeting"},
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Who attended, what was discussed. Keep personal details out.",
    )
    decisions = forms.CharField(
        label="Decisions (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Put each decision on its own line",
    )
    action_references = forms.CharField(
        label="Actions agreed (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The references of the learning tracker actions agreed at the meeting, "
        "separated by commas or on separate lines. For example LR-2024-01/A1",
    )

    def clean_decisions(self) -> list[str]:
        return _lines(self.cleaned_data.get("decisions", ""))

    def clean_action_references(self) -> list[str]:
        text = self.cleaned_data.get("action_references", "")
        return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]

    @classmethod
    def initial_for(cls, meeting: Any, decisions: list[Any], actions: list[Any]) -> dict[str, Any]:
        return {
            "held_on": meeting.held_on,
            "notes": meeting.notes,
            "decisions": "\n".join(decision.text for decision in decisions),
            "action_references": ", ".join(action.reference for action in actions),
        }


class AssuranceReturnForm(forms.Form):
    level = forms.ChoiceField(
        label="How assured is the group?",
        choices=AssuranceLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how assured the group is"},
    )
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the group looked at this quarter and what gives it assurance",
        error_messages={"required": "Summarise the assurance the group gives"},
    )
    exceptions = forms.CharField(
        label="Exceptions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Where the group is not assured, and why. Needed unless it is assured.",
    )
    escalations = forms.CharField(
        label="Escalations to the Executive (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the group asks the Executive to act on",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        level = cleaned.get("level")
        if level and level != AssuranceLevel.ASSURED and not cleaned.get("exceptions", "").strip():
            self.add_error(
                "exceptions",
                f"Describe the exceptions: a group that is "
                f"{AssuranceLevel(level).label.lower()} must say where it is not assured",
            )
        return cleaned


class RollupForm(forms.Form):
    quarter = QuarterField(label="Quarter")

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "quarter").set_quarters(
            recent_quarters(today), also=self.data.get("quarter") or self.initial.get("quarter")
        )
