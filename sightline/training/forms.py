"""Forms for the training offer. They check the shape of what was entered; the services
check it against the state of the sessions and bookings."""

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from sightline.accounts.models import Agency, User
from sightline.assurance.models import Priority
from sightline.core.forms import GovukDateField, WholeNumberField, date_hint, from_today
from sightline.reviews.models import PracticeTheme

from .models import Course, EventSeries
from .vocabulary import Applied, Attendance, Audience, Confidence, Level, Mode, Rating


def _blank(text: str) -> list[tuple[str, str]]:
    return [("", text)]


class CatalogueFilterForm(forms.Form):
    audience = forms.ChoiceField(
        label="Workforce", required=False, choices=_blank("Any workforce") + Audience.choices
    )
    level = forms.ChoiceField(
        label="Level", required=False, choices=_blank("Any level") + Level.choices
    )
    theme = forms.ModelChoiceField(
        label="Practice theme",
        required=False,
        queryset=PracticeTheme.objects.order_by("name"),
        empty_label="Any theme",
    )
    series = forms.ModelChoiceField(
        label="Event",
        required=False,
        queryset=EventSeries.objects.all(),
        empty_label="Any event",
    )
    search = forms.CharField(label="Course title contains", required=False, max_length=100)


class CourseForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the course's title"}
    )
    outline = forms.CharField(
        label="Outline",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe the course in a sentence or two"},
    )
    audience = forms.ChoiceField(
        label="Who it is for",
        choices=Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the course is for"},
    )
    level = forms.ChoiceField(
        label="Level",
        choices=Level.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the course's level"},
    )
    learning_outcomes = forms.CharField(
        label="Learning outcomes",
        help_text="One on each line, for example: Recognise the signs of neglect",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter at least one learning outcome"},
    )
    themes = forms.ModelMultipleChoiceField(
        label="Practice themes it covers",
        required=False,
        queryset=PracticeTheme.objects.filter(is_active=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text="The learning loop counts the course against these themes from case reviews.",
    )
    priorities = forms.ModelMultipleChoiceField(
        label="Strategic priorities it supports",
        required=False,
        queryset=Priority.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    review_date = GovukDateField(
        label="Content review date",
        help_text=date_hint(
            days=365, before="When the course is next checked against current practice."
        ),
        error_messages={"required": "Enter the date the course is next reviewed"},
    )
    impact_survey_weeks = WholeNumberField(
        what="the number of weeks",
        example=12,
        label="Weeks until the impact survey",
        min_value=1,
        max_value=52,
        initial=12,
        help_text="Delegates are asked whether the training changed their practice.",
        error_messages={
            "required": "Enter the number of weeks, from 1 to 52",
            "min_value": "Enter a number of weeks from 1 to 52",
            "max_value": "Enter a number of weeks from 1 to 52",
            "invalid": "Enter a number of weeks from 1 to 52",
        },
    )
    is_active = forms.BooleanField(
        label="Offered now",
        required=False,
        initial=True,
        help_text="Untick to retire the course: its past sessions stay in the reports.",
    )

    def __init__(self, *args: Any, course: Course | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if course is not None:
            # A theme or priority since retired stays on the course until someone unticks it.
            for name, model in (("themes", PracticeTheme), ("priorities", Priority)):
                field = self.fields[name]
                assert isinstance(field, forms.ModelMultipleChoiceField)
                field.queryset = model.objects.filter(
                    Q(is_active=True) | Q(courses=course)
                ).distinct()

    @classmethod
    def initial_for(cls, course: Course) -> dict[str, Any]:
        return {
            "title": course.title,
            "outline": course.outline,
            "audience": course.audience,
            "level": course.level,
            "learning_outcomes": course.learning_outcomes,
            "themes": list(course.themes.all()),
            "priorities": list(course.priorities.all()),
            "review_date": course.review_date,
            "impact_survey_weeks": course.impact_survey_weeks,
            "is_active": course.is_active,
        }


class SeriesForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=150,
        help_text=from_today(lambda today: f"For example Safeguarding Week {today.year + 1}"),
        error_messages={"required": "Enter the name of the event"},
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = GovukDateField(
        label="First day", error_messages={"required": "Enter the first day"}
    )
    ends_on = GovukDateField(label="Last day", error_messages={"required": "Enter the last day"})


TIME_PATTERN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*(am|pm)?\s*$", re.IGNORECASE)


def parse_time(value: str) -> datetime.time | None:
    """A time as people type it: 9:30, 09.30, 2:15pm, 14:15."""
    match = TIME_PATTERN.match(value or "")
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2]), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


class TimeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.widget.attrs.update({"class": "govuk-input--width-5", "autocomplete": "off"})

    def clean(self, value: Any) -> datetime.time | None:
        text = super().clean(value)
        if not text:
            return None
        parsed = parse_time(text)
        if parsed is None:
            raise forms.ValidationError(
                f"Enter the {str(self.label or 'time').lower()} as hours and minutes, "
                "like 9:30 or 14:00"
            )
        return parsed


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


class SessionForm(forms.Form):
    date = GovukDateField(label="Date", error_messages={"required": "Enter the session's date"})
    start_time = TimeField(
        label="Start time",
        help_text="For example 9:30 or 14:00",
        error_messages={"required": "Enter the start time"},
    )
    end_time = TimeField(
        label="End time",
        help_text="For example 12:30 or 16:00",
        error_messages={"required": "Enter the end time"},
    )
    mode = forms.ChoiceField(
        label="How it is delivered",
        choices=Mode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose in person or online"},
    )
    venue = forms.CharField(
        label="Venue (in person)",
        required=False,
        max_length=250,
        help_text="The building, room and town",
    )
    joining_link = forms.URLField(
        label="Joining link (online)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Only delegates with a confirmed place see it",
        error_messages={"invalid": "Enter the joining link as a web address, like https://..."},
    )
    capacity = WholeNumberField(
        what="the number of places",
        example=20,
        label="Places",
        min_value=1,
        max_value=500,
        error_messages={
            "required": "Enter the number of places",
            "min_value": "A session needs at least 1 place",
            "max_value": "Enter 500 places or fewer",
            "invalid": "Enter the number of places as a whole number",
        },
    )
    trainer = PersonChoiceField(
        label="Trainer",
        queryset=User.objects.none(),
        empty_label="Choose a trainer",
        error_messages={"required": "Choose the trainer who will run the session"},
    )
    series = forms.ModelChoiceField(
        label="Part of an event",
        required=False,
        queryset=EventSeries.objects.all(),
        empty_label="Not part of an event",
    )
    needs_manager_approval = forms.BooleanField(
        label="Places need the delegate's manager's approval", required=False
    )
    cancellation_cutoff_hours = WholeNumberField(
        what="the cancellation cut-off in hours",
        example=48,
        label="Delegates may cancel up to this many hours before the start",
        initial=48,
        min_value=0,
        max_value=720,
        error_messages={
            "required": "Enter the cancellation cut-off in hours (0 for none)",
            "min_value": "Enter a cut-off from 0 to 720 hours",
            "max_value": "Enter a cut-off from 0 to 720 hours",
            "invalid": "Enter the cut-off as a whole number of hours",
        },
    )

    def __init__(self, *args: Any, trainers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        trainer = self.fields["trainer"]
        assert isinstance(trainer, forms.ModelChoiceField)
        trainer.queryset = trainers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            zone = ZoneInfo(settings.TIME_ZONE)
            data["starts_at"] = datetime.datetime.combine(day, start, tzinfo=zone)
            data["ends_at"] = datetime.datetime.combine(day, end, tzinfo=zone)
        return data

    @staticmethod
    def initial_for(session: Any) -> dict[str, Any]:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return {
            "date": starts.date(),
            "start_time": f"{starts:%H:%M}",
            "end_time": f"{ends:%H:%M}",
            "mode": session.mode,
            "venue": session.venue,
            "joining_link": session.joining_link,
            "capacity": session.capacity,
            "trainer": session.trainer,
            "series": session.series,
            "needs_manager_approval": session.needs_manager_approval,
            "cancellation_cutoff_hours": session.cancellation_cutoff_hours,
        }


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the session cancelled?",
        help_text="Everyone booked or waiting is emailed this reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Say why the session is cancelled: delegates are told"},
    )


class ProfileForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Your agency",
        queryset=Agency.objects.filter(is_active=True),
        empty_label="Choose your agency",
        help_text="Training reports count you in this agency and its sector.",
        error_messages={"required": "Choose the agency you work for"},
    )
    organisation = forms.CharField(
        label="Team, school or practice (optional)", required=False, max_length=150
    )
    manager_email = forms.EmailField(
        label="Your manager's email address",
        help_text="Some sessions need your manager's approval: we email them a link.",
        error_messages={
            "required": "Enter your manager's email address",
            "invalid": (
                "Enter your manager's email address in the correct format, like name@example.org"
            ),
        },
    )


class RegistrationForm(ProfileForm):
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter your full name"}
    )
    email = forms.EmailField(
        label="Work email address",
        max_length=254,
        help_text="We send a link to this address for you to set your password.",
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    job_title = forms.CharField(label="Job title", max_length=150, required=False)

    field_order = ["full_name", "email", "job_title", "agency", "organisation", "manager_email"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, manager = data.get("email", ""), data.get("manager_email", "")
        if email and manager and email.lower() == manager.lower():
            self.add_error("manager_email", "Enter your manager's address, not your own")
        return data


class RegisterForm(forms.Form):
    """The trainer's register: one choice per delegate, built from the session's bookings."""

    def __init__(self, *args: Any, bookings: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for booking in bookings:
            name = booking.delegate.full_name or booking.delegate.email
            self.fields[f"booking_{booking.pk}"] = forms.ChoiceField(
                label=booking.delegate.full_name or booking.delegate.email,
                choices=[(value, label) for value, label in Attendance.choices if value],
                widget=forms.RadioSelect,
                # No answer is chosen for the trainer (GOV.UK radios): saving marks people as
                # there, which emails them and makes certificates available.
                initial=booking.attendance or None,
                error_messages={
                    "required": f"Choose whether {name} attended, left early or did not attend",
                    "invalid_choice": f"Choose whether {name} attended, left early or did not "
                    "attend",
                },
            )

    def marks(self) -> dict[int, str]:
        return {
            int(name.removeprefix("booking_")): value for name, value in self.cleaned_data.items()
        }


class EvaluationForm(forms.Form):
    rating = forms.ChoiceField(
        label="Overall, how would you rate the session?",
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating for the session"},
    )
    confidence_before = forms.TypedChoiceField(
        label="Before the session, how confident were you in this area of practice?",
        choices=Confidence.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how confident you were before"},
    )
    confidence_after = forms.TypedChoiceField(
        label="After the session, how confident are you?",
        choices=Confidence.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how confident you are now"},
    )
    will_do_differently = forms.CharField(
        label="What will you do differently in your practice?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Say what you will do differently, even if it is small"},
    )
    comments = forms.CharField(
        label="Any other comments (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ImpactForm(forms.Form):
    applied = forms.ChoiceField(
        label="Have you used what you learned in your practice?",
        choices=Applied.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes, partly or not yet"},
    )
    example = forms.CharField(
        label="Give an example, if you can (optional)",
        help_text="Leave out anything that could identify a child, an adult or a family.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
