"""The multi-agency training offer: courses, their sessions, who booked, who came, and what
delegates thought of it."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from sightline.accounts.models import Agency, Sector
from sightline.assurance.models import Priority
from sightline.core.models import AppendOnlyModel, TimeStampedModel
from sightline.reviews.models import PracticeTheme

from .vocabulary import (
    LIVE_STATUSES,
    PRESENT,
    Applied,
    Attendance,
    Audience,
    BookingStatus,
    Confidence,
    Level,
    Mode,
    Rating,
)


class Course(TimeStampedModel):
    title = models.CharField(max_length=200)
    outline = models.TextField()
    audience = models.CharField(max_length=10, choices=Audience.choices)
    level = models.CharField(max_length=20, choices=Level.choices)
    learning_outcomes = models.TextField(help_text="One outcome on each line.")
    themes = models.ManyToManyField(PracticeTheme, blank=True, related_name="courses")
    priorities = models.ManyToManyField(Priority, blank=True, related_name="courses")
    review_date = models.DateField(help_text="When the course content is next reviewed.")
    impact_survey_weeks = models.PositiveSmallIntegerField(
        default=12, help_text="Weeks after the session that delegates are asked about impact."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(Lower("title"), name="course_title_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(audience__in=Audience.values), name="course_audience_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values), name="course_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(impact_survey_weeks__gte=1, impact_survey_weeks__lte=52),
                name="course_impact_weeks_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:course_detail", kwargs={"pk": self.pk})

    @property
    def outcome_list(self) -> list[str]:
        return [line.strip() for line in self.learning_outcomes.splitlines() if line.strip()]


class EventSeries(TimeStampedModel):
    """Sessions offered together under one name, such as Safeguarding Week."""

    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name_plural = "event series"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="series_name_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="series_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("training:series_detail", kwargs={"pk": self.pk})


class Session(TimeStampedModel):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    series = models.ForeignKey(
        EventSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    mode = models.CharField(max_length=10, choices=Mode.choices)
    venue = models.CharField(max_length=250, blank=True)
    # Released only to delegates with a confirmed place.
    joining_link = models.URLField(max_length=500, blank=True)
    capacity = models.PositiveSmallIntegerField()
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions_trained"
    )
    needs_manager_approval = models.BooleanField(default=False)
    cancellation_cutoff_hours = models.PositiveSmallIntegerField(
        default=48, help_text="Delegates may cancel up to this many hours before the start."
    )
    is_cancelled = models.BooleanField(default=False)
    register_marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            # A trainer's sessions in time order: those to teach, those with evaluations.
            models.Index(fields=["trainer", "starts_at"], name="session_trainer_start_idx"),
            # Registers still to mark (a few in a thousand sessions), for a trainer or all.
            models.Index(
                fields=["trainer", "starts_at"],
                condition=models.Q(register_marked_at__isnull=True, is_cancelled=False),
                name="session_unmarked_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="session_has_places"),
            models.CheckConstraint(
                condition=models.Q(mode__in=Mode.values), name="session_mode_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(mode=Mode.IN_PERSON) | ~models.Q(venue=""),
                name="session_in_person_has_venue",
            ),
            models.CheckConstraint(
                condition=~models.Q(mode=Mode.ONLINE) | ~models.Q(joining_link=""),
                name="session_online_has_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.title}, {self.starts_at:%d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("training:session_detail", kwargs={"pk": self.pk})


class DelegateProfile(models.Model):
    """What booking needs to know about a person: where they work and who their manager is."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegate_profile"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    organisation = models.CharField(
        max_length=150, blank=True, help_text="The team, school or practice, if useful."
    )
    manager_email = models.EmailField(max_length=254)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Delegate details of {self.user_id}"


class Booking(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="bookings")
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    # Where the delegate worked when they booked: reports count them there for good.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(max_length=32, choices=Sector.choices)
    manager_email = models.EmailField(max_length=254, blank=True)
    status = models.CharField(max_length=20, choices=BookingStatus.choices)
    attendance = models.CharField(
        max_length=20, choices=Attendance.choices, blank=True, default=Attendance.NOT_MARKED
    )
    booked_at = models.DateTimeField()
    # The waiting list is served in the order people joined it.
    waiting_since = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField()
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    # Only the day an answer was given, not the moment, so that it cannot be matched to one
    # of the anonymous answers by time.
    evaluated_on = models.DateField(null=True, blank=True)
    impact_requested_at = models.DateTimeField(null=True, blank=True)
    impact_answered_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["booked_at", "pk"]
        indexes = [
            models.Index(fields=["session", "status"], name="booking_session_status"),
            models.Index(fields=["delegate", "status"], name="booking_delegate_status"),
            # Who came, for each session: the agencies' "people trained" counts read it
            # alone, without the bookings (PostgreSQL's index-only scan; SQLite uses it as
            # a plain partial index).
            models.Index(
                fields=["session"],
                include=["agency", "delegate"],
                condition=models.Q(attendance__in=PRESENT),
                name="booking_present_session",
            ),
            # Impact surveys sent and not answered, for each session (a trainer's count).
            models.Index(
                fields=["session"],
                include=["attendance"],
                condition=models.Q(
                    impact_requested_at__isnull=False, impact_answered_on__isnull=True
                ),
                name="booking_impact_awaited",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "delegate"],
                condition=models.Q(status__in=LIVE_STATUSES),
                name="booking_one_live_per_delegate",
                violation_error_message="You already have a place or a waiting list entry.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=BookingStatus.values), name="booking_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(attendance=Attendance.NOT_MARKED)
                | models.Q(status=BookingStatus.CONFIRMED),
                name="booking_attendance_only_when_confirmed",
            ),
            models.CheckConstraint(
                condition=models.Q(evaluated_on__isnull=True) | models.Q(attendance__in=PRESENT),
                name="booking_evaluated_only_when_present",
            ),
            models.CheckConstraint(
                condition=models.Q(waiting_since__isnull=False)
                | ~models.Q(status=BookingStatus.WAITING),
                name="booking_waiting_has_position",
            ),
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk} on session {self.session_id}"

    def get_absolute_url(self) -> str:
        return reverse("training:booking_detail", kwargs={"pk": self.pk})

    @property
    def is_live(self) -> bool:
        """Confirmed, awaiting approval or waiting: a place held or hoped for."""
        return self.status in LIVE_STATUSES

    @property
    def was_present(self) -> bool:
        return self.attendance in PRESENT

    @property
    def evaluation_due(self) -> bool:
        return self.was_present and not self.evaluated_on

    @property
    def impact_due(self) -> bool:
        return bool(self.was_present and self.impact_requested_at and not self.impact_answered_on)


class AttendanceMark(AppendOnlyModel):
    """Each marking of a delegate's attendance, and when it was made: a register marked again
    later keeps what it said before, so the figures as at a date count the marks made by
    then (the booking's own ``attendance`` is the latest)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="marks")
    attendance = models.CharField(max_length=20, choices=Attendance.choices)
    marked_at = models.DateTimeField()
    # Null for marks carried over when the history began.
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-marked_at", "-pk"]
        indexes = [models.Index(fields=["booking", "marked_at"], name="attendance_mark_idx")]

    def __str__(self) -> str:
        return f"Booking {self.booking_id} marked {self.attendance} at {self.marked_at}"


class Evaluation(models.Model):
    """A delegate's evaluation of a session. Deliberately not linked to the delegate or the
    booking (the booking only records the day it was given), dated to the day, and keyed at
    random rather than in order, so that no answer can be traced back to a person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="evaluations")
    rating = models.CharField(max_length=15, choices=Rating.choices)
    confidence_before = models.PositiveSmallIntegerField(choices=Confidence.choices)
    confidence_after = models.PositiveSmallIntegerField(choices=Confidence.choices)
    will_do_differently = models.TextField()
    comments = models.TextField(blank=True)
    submitted_on = models.DateField()

    class Meta:
        ordering = ["session", "pk"]
        indexes = [
            # The evaluations given since a day (a trainer's dashboard), with their sessions.
            models.Index(fields=["submitted_on", "session"], name="evaluation_submitted_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__in=Rating.values), name="evaluation_rating_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(confidence_before__gte=1, confidence_before__lte=5)
                & models.Q(confidence_after__gte=1, confidence_after__lte=5),
                name="evaluation_confidence_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation of session {self.session_id}"


class ImpactResponse(models.Model):
    """The follow-up survey, weeks later: did the training change practice? Anonymous, like
    the evaluation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="impact_responses")
    applied = models.CharField(max_length=10, choices=Applied.choices)
    example = models.TextField(blank=True)
    submitted_on = models.DateField()

    class Meta:
        ordering = ["session", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applied__in=Applied.values), name="impact_applied_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Impact response for session {self.session_id}"


class SectorWorkforce(models.Model):
    """How many people work in a sector locally, where known: the denominator for reach."""

    sector = models.CharField(max_length=32, choices=Sector.choices, unique=True)
    headcount = models.PositiveIntegerField()
    source = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sector"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(headcount__gte=1), name="workforce_headcount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_sector_display()}: {self.headcount}"
