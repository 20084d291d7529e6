"""Every write to the training offer: courses, sessions, bookings and the waiting list,
registers, evaluations. Each function checks the current state, saves, and writes the audit
trail in one transaction; emails go after the commit."""

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from sightline.accounts.models import Agency, User
from sightline.accounts.services import user_create
from sightline.core.models import AuditEvent
from sightline.core.outbox import keys_present
from sightline.core.policies import is_administrator
from sightline.core.roles import Role
from sightline.core.services import audit_record, changes_between, save_changed, snapshot

from . import notices
from .models import (
    AttendanceMark,
    Booking,
    Course,
    DelegateProfile,
    Evaluation,
    EventSeries,
    ImpactResponse,
    SectorWorkforce,
    Session,
)
from .policies import runs_training
from .tokens import APPROVAL_MAX_AGE
from .vocabulary import (
    LIVE_STATUSES,
    PLACE_HOLDING_STATUSES,
    PRESENT,
    Attendance,
    BookingStatus,
    Mode,
)

logger = logging.getLogger(__name__)

COURSE_FIELDS = (
    "title",
    "outline",
    "audience",
    "level",
    "learning_outcomes",
    "review_date",
    "impact_survey_weeks",
    "is_active",
)
SERIES_FIELDS = ("name", "description", "starts_on", "ends_on")
SESSION_FIELDS = (
    "course",
    "series",
    "starts_at",
    "ends_at",
    "mode",
    "venue",
    "joining_link",
    "capacity",
    "trainer",
    "needs_manager_approval",
    "cancellation_cutoff_hours",
)
# A change to any of these is news to everyone booked.
SESSION_NEWS_FIELDS = ("starts_at", "ends_at", "mode", "venue", "joining_link")
BOOKING_FIELDS = ("status", "attendance")


def _save(
    obj: Any, fields: tuple[str, ...], values: dict[str, Any], actor: Any
) -> tuple[bool, dict[str, Any]]:
    """Save through ``core.services.save_changed`` and audit the outcome: (created, changes)."""
    outcome, changes = save_changed(obj, fields=fields, values=values, actor=actor)
    if outcome != "unchanged":
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE if outcome == "created" else AuditEvent.Kind.UPDATE,
            obj=obj,
            changes=changes,
        )
    return outcome == "created", changes


def _set_related(obj: Any, name: str, values: Any, changes: dict[str, Any]) -> None:
    if values is None:
        return
    before = sorted(str(item) for item in getattr(obj, name).all())
    getattr(obj, name).set(values)
    after = sorted(str(item) for item in values)
    if before != after:
        changes[name] = {"from": before, "to": after}


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


# --- Courses, series and sessions ------------------------------------------------------


@transaction.atomic
def course_save(*, actor: Any, course: Course | None, data: dict[str, Any]) -> Course:
    """Create or change a course from cleaned form data."""
    course = course or Course()
    title = " ".join(data.get("title", "").split())
    clash = Course.objects.filter(title__iexact=title).exclude(pk=course.pk)
    _refuse({"title": f"There is already a course called {title}"} if clash.exists() else {})
    values = {name: data[name] for name in COURSE_FIELDS if name in data} | {"title": title}
    _save(course, COURSE_FIELDS, values, actor)
    related: dict[str, Any] = {}
    _set_related(course, "themes", data.get("themes"), related)
    _set_related(course, "priorities", data.get("priorities"), related)
    if related:
        audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=course, changes=related)
    return course


@transaction.atomic
def series_save(*, actor: Any, series: EventSeries | None, data: dict[str, Any]) -> EventSeries:
    series = series or EventSeries()
    name = " ".join(data.get("name", "").split())
    errors = {}
    if EventSeries.objects.filter(name__iexact=name).exclude(pk=series.pk).exists():
        errors["name"] = f"There is already a series called {name}"
    if data["ends_on"] < data["starts_on"]:
        errors["ends_on"] = "The last day must be the same as or after the first day"
    _refuse(errors)
    _save(
        series,
        SERIES_FIELDS,
        {name_: data[name_] for name_ in SERIES_FIELDS} | {"name": name},
        actor,
    )
    return series


def _places_held(session: Session) -> int:
    return session.bookings.filter(status__in=PLACE_HOLDING_STATUSES).count()


def _session_problems(
    session: Session, data: dict[str, Any], *, now: datetime.datetime
) -> dict[str, str]:
    errors: dict[str, str] = {}
    trainer = data.get("trainer")
    if trainer is None:
        errors["trainer"] = "Choose the trainer who will run the session"
    elif not runs_training(trainer):
        errors["trainer"] = f"{trainer.full_name} is not a trainer: choose someone who is"
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts and ends and ends <= starts:
        errors["ends_at"] = "The session must end after it starts"
    if starts and session.pk is None and starts <= now:
        errors["starts_at"] = "A new session must start in the future"
    if data.get("mode") == Mode.IN_PERSON and not data.get("venue", "").strip():
        errors["venue"] = "Enter the venue of an in-person session"
    if data.get("mode") == Mode.ONLINE and not data.get("joining_link", "").strip():
        errors["joining_link"] = "Enter the joining link of an online session"
    series = data.get("series")
    if (
        series is not None
        and starts
        and not (series.starts_on <= timezone.localdate(starts) <= series.ends_on)
    ):
        errors["series"] = (
            f"{series.name} runs from {series.starts_on:%d %B} to {series.ends_on:%d %B %Y}: "
            "change the date or the series"
        )
    if session.pk is not None and data.get("capacity"):
        held = _places_held(session)
        if data["capacity"] < held:
            errors["capacity"] = (
                f"{held} places are already taken: the capacity cannot be less than that"
            )
    return errors


@transaction.atomic
def session_save(*, actor: Any, session: Session | None, data: dict[str, Any]) -> Session:
    """Create or change a session. Delegates already booked are told of changes to the
    time, the place or the link; extra places go to the waiting list at once."""
    creating = session is None
    if session is not None:
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.starts_at <= timezone.now():
            raise ValidationError("This session has started: it can no longer be changed")
        if session.is_cancelled:
            raise ValidationError("This session is cancelled: it can no longer be changed")
    session = session or Session()
    _refuse(_session_problems(session, data, now=timezone.now()))
    values = {name: data[name] for name in SESSION_FIELDS if name in data}
    if values.get("mode") == Mode.ONLINE:
        values["venue"] = values.get("venue", "").strip()
    _, changes = _save(session, SESSION_FIELDS, values, actor)
    if not creating:
        if set(changes) & set(SESSION_NEWS_FIELDS):
            _tell_booked(session)
        if "capacity" in changes or "needs_manager_approval" in changes:
            _fill_places(session, actor=actor)
    return session


@transaction.atomic
def session_cancel(*, actor: Any, session: Session, reason: str) -> Session:
    """Call off a session: every live booking is cancelled and its delegate told why."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        raise ValidationError("This session is already cancelled")
    if session.starts_at <= timezone.now():
        raise ValidationError("This session has started: it can no longer be cancelled")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the session is cancelled: delegates are told"})
    # A session moved later after its register was marked keeps that attendance: a place
    # marked as attended (or missed) is a record of what happened, never cancelled.
    if session.bookings.exclude(attendance=Attendance.NOT_MARKED).exists():
        raise ValidationError(
            "Attendance has been marked for this session: it can no longer be cancelled"
        )
    _save(session, ("is_cancelled",), {"is_cancelled": True}, actor)
    audit_record(
        actor=actor, kind=AuditEvent.Kind.UPDATE, obj=session, detail=f"Cancelled: {reason}"
    )
    live = list(session.bookings.filter(status__in=LIVE_STATUSES).select_related("delegate"))
    for booking in live:
        _set_status(booking, BookingStatus.CANCELLED, actor=actor)
    notices.session_cancelled(session=session, bookings=live, reason=reason)
    return session


def _tell_booked(session: Session) -> None:
    booked = list(session.bookings.filter(status__in=LIVE_STATUSES).select_related("delegate"))
    if booked:
        notices.session_changed(session=session, bookings=booked)


# --- Delegates -----------------------------------------------------------------------


@transaction.atomic
def profile_save(
    *, actor: Any, user: Any, agency: Agency, manager_email: str, organisation: str = ""
) -> DelegateProfile:
    if manager_email.strip().lower() == user.email.lower():
        raise ValidationError({"manager_email": "Enter your manager's address, not your own"})
    profile = DelegateProfile.objects.filter(user=user).first() or DelegateProfile(user=user)
    before = (
        {} if profile.pk is None else snapshot(profile, ("agency", "manager_email", "organisation"))
    )
    profile.agency = agency
    profile.manager_email = manager_email.strip().lower()
    profile.organisation = organisation.strip()
    after = snapshot(profile, ("agency", "manager_email", "organisation"))
    changes = changes_between(before, after)
    if changes:
        profile.save()
        audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=user, changes=changes)
    return profile


@transaction.atomic
def delegate_register(
    *,
    email: str,
    full_name: str,
    job_title: str,
    agency: Agency,
    organisation: str,
    manager_email: str,
) -> User | None:
    """A practitioner signs themselves up. They get an email with a link to set their
    password, which also proves the address is theirs. When the address is already known,
    nothing is created and its owner is told instead: the page says the same either way,
    so the form cannot be used to find out who has an account."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        notices.already_registered(email=email)
        return None
    try:
        with transaction.atomic():
            user = user_create(
                actor=None,
                email=email,
                full_name=full_name,
                job_title=job_title,
                agency=agency,
                role=Role.PRACTITIONER,
                send_password_link=True,
            )
            profile_save(
                actor=None,
                user=user,
                agency=agency,
                manager_email=manager_email,
                organisation=organisation,
            )
    except IntegrityError:
        # The same address was registered a moment before, by a form sent at the same time:
        # that one made the account and sent its email; this one makes nothing.
        return None
    return user


# --- Booking and the waiting list -------------------------------------------------------


def _set_status(booking: Booking, status: str, *, actor: Any, detail: str = "") -> None:
    before = snapshot(booking, BOOKING_FIELDS)
    now = timezone.now()
    booking.status = status
    booking.status_changed_at = now
    if status == BookingStatus.WAITING and booking.waiting_since is None:
        booking.waiting_since = now
    booking.save(update_fields=["status", "status_changed_at", "waiting_since"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=booking,
        changes=changes_between(before, snapshot(booking, BOOKING_FIELDS)),
        detail=detail,
    )


def _place_status(session: Session) -> str:
    if session.needs_manager_approval:
        return BookingStatus.AWAITING_APPROVAL
    return BookingStatus.CONFIRMED


def _fill_places(session: Session, *, actor: Any) -> list[Booking]:
    """Give free places to the waiting list, first come first served, and tell each person.
    The caller holds the lock on the session."""
    free = session.capacity - _places_held(session)
    if free <= 0 or session.is_cancelled or session.starts_at <= timezone.now():
        return []
    promoted = list(
        session.bookings.filter(status=BookingStatus.WAITING)
        .select_related("delegate")
        .order_by("waiting_since", "pk")[:free]
    )
    for booking in promoted:
        _set_status(booking, _place_status(session), actor=actor, detail="A place came free")
    if promoted:
        notices.place_offered(session=session, bookings=promoted)
    return promoted


def booking_make(*, actor: Any, session: Session) -> Booking:
    """Book ``actor`` onto ``session``: a place when one is free, else the waiting list.

    The session row is locked while places are counted, so when two people ask for the last
    place at once, one gets it and the other joins the waiting list. A second live booking
    for the same person is refused by a database constraint as well as here."""
    try:
        with transaction.atomic():
            return _booking_make(actor=actor, session=session)
    except IntegrityError as error:
        if "booking_one_live_per_delegate" in str(error) or "UNIQUE" in str(error).upper():
            raise ValidationError("You already have a place or a waiting list entry") from error
        raise


def _booking_make(*, actor: Any, session: Session) -> Booking:
    session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    now = timezone.now()
    if session.is_cancelled:
        raise ValidationError("This session has been cancelled: choose another date")
    if not session.course.is_active:
        raise ValidationError("This course is no longer offered: choose another course")
    if session.starts_at <= now:
        raise ValidationError("This session has already started: choose a later date")
    profile = DelegateProfile.objects.filter(user=actor).select_related("agency").first()
    if profile is None:
        raise ValidationError("Tell us where you work before booking")
    if session.trainer_id == actor.pk:
        raise ValidationError("You are the trainer for this session: you cannot book a place")
    existing = session.bookings.filter(delegate=actor, status__in=LIVE_STATUSES).first()
    if existing is not None:
        raise ValidationError(
            f"You are already {existing.get_status_display().lower()} for this session"
        )
    full = _places_held(session) >= session.capacity
    status = BookingStatus.WAITING if full else _place_status(session)
    booking = Booking.objects.create(
        session=session,
        delegate=actor,
        agency=profile.agency,
        sector=profile.agency.sector,
        manager_email=profile.manager_email,
        status=status,
        booked_at=now,
        waiting_since=now if full else None,
        status_changed_at=now,
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=booking,
        changes=changes_between({}, snapshot(booking, BOOKING_FIELDS)),
    )
    notices.booking_made(booking=booking)
    return booking


def cancellation_deadline(session: Session) -> datetime.datetime:
    return session.starts_at - datetime.timedelta(hours=session.cancellation_cutoff_hours)


@transaction.atomic
def booking_cancel(*, actor: Any, booking: Booking) -> Booking:
    """Cancel a booking or leave the waiting list. After the cut-off only an administrator
    can cancel a place; the freed place goes to the next person waiting."""
    session = Session.objects.select_for_update().get(pk=booking.session_id)
    booking = Booking.objects.select_related("delegate").get(pk=booking.pk)
    if booking.status not in LIVE_STATUSES:
        raise ValidationError("This booking is already cancelled")
    now = timezone.now()
    if session.starts_at <= now:
        raise ValidationError("The session has started: the booking can no longer be cancelled")
    if booking.attendance != Attendance.NOT_MARKED:
        raise ValidationError(
            "Attendance has been marked for this place: the booking can no longer be cancelled"
        )
    holds_place = booking.status in PLACE_HOLDING_STATUSES
    deadline = cancellation_deadline(session)
    # A place offered from the waiting list after the cut-off may still be turned down.
    offered_late = booking.waiting_since is not None and booking.status_changed_at > deadline
    late = now > deadline and not offered_late
    if holds_place and late and not is_administrator(actor):
        raise ValidationError(
            f"Places can be cancelled up to {session.cancellation_cutoff_hours} hours before "
            "the start. Ask a partnership administrator to cancel it for you."
        )
    _set_status(booking, BookingStatus.CANCELLED, actor=actor)
    notices.booking_cancelled(booking=booking)
    if holds_place:
        _fill_places(session, actor=actor)
    return booking


@transaction.atomic
def booking_decide(*, booking: Booking, approve: bool, manager_email: str) -> Booking:
    """The delegate's manager approves or declines a place held for approval."""
    session = Session.objects.select_for_update().get(pk=booking.session_id)
    booking = Booking.objects.select_related("delegate").get(pk=booking.pk)
    if booking.status != BookingStatus.AWAITING_APPROVAL:
        raise ValidationError(
            "This booking has already been dealt with: it is "
            f"{booking.get_status_display().lower()}"
        )
    if session.starts_at <= timezone.now():
        raise ValidationError("The session has started: the place can no longer be approved")
    status = BookingStatus.CONFIRMED if approve else BookingStatus.DECLINED
    _set_status(
        booking,
        status,
        actor=None,
        detail=f"{'Approved' if approve else 'Declined'} by manager {manager_email}",
    )
    notices.approval_decided(booking=booking)
    if not approve:
        _fill_places(session, actor=None)
    return booking


# --- The register ------------------------------------------------------------------


def _asks_for_evaluation(booking: Booking, value: str | None) -> bool:
    return value in PRESENT and booking.attendance not in PRESENT


def register_evaluation_requests(
    *, bookings: list[Booking], marks: Mapping[int, str]
) -> list[Booking]:
    """The delegates whom saving ``marks`` would email an evaluation form: those newly marked
    as there (attended or left early). The register page shows them before saving."""
    return [booking for booking in bookings if _asks_for_evaluation(booking, marks.get(booking.pk))]


@transaction.atomic
def register_mark(*, actor: Any, session: Session, marks: Mapping[int, str]) -> list[Booking]:
    """Mark attendance for the whole session at once. ``marks`` maps booking ids to an
    attendance value; every id must be a confirmed booking on this session."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        raise ValidationError("This session was cancelled: there is no register to mark")
    if session.starts_at > timezone.now():
        raise ValidationError(
            "The register opens when the session starts, at "
            f"{timezone.localtime(session.starts_at):%H:%M on %d %B %Y}"
        )
    valid = {choice for choice in Attendance.values if choice}
    bookings = {
        booking.pk: booking
        for booking in session.bookings.filter(status=BookingStatus.CONFIRMED).select_related(
            "delegate"
        )
    }
    strangers = sorted(set(marks) - set(bookings))
    if strangers:
        raise ValidationError(
            "Only people with a confirmed place can be marked. Refresh the register: "
            f"{len(strangers)} of the marks are not for this session's delegates."
        )
    unknown = sorted(value for value in marks.values() if value not in valid)
    if unknown:
        raise ValidationError("Mark each delegate as attended, left early or did not attend")
    now = timezone.now()
    newly_present = []
    changed = []
    for pk, value in marks.items():
        booking = bookings[pk]
        if booking.attendance == value:
            continue
        before = snapshot(booking, BOOKING_FIELDS)
        if booking.evaluated_on is not None and value not in PRESENT:
            raise ValidationError(
                f"{booking.delegate.full_name} has already evaluated the session, so was "
                "there: they cannot be marked as not attending"
            )
        if _asks_for_evaluation(booking, value):
            newly_present.append(booking)
        booking.attendance = value
        booking.attendance_marked_at = now
        booking.save(update_fields=["attendance", "attendance_marked_at"])
        AttendanceMark.objects.create(
            booking=booking,
            attendance=value,
            marked_at=now,
            marked_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=booking,
            changes=changes_between(before, snapshot(booking, BOOKING_FIELDS)),
        )
        changed.append(booking)
    if session.register_marked_at is None:
        session.register_marked_at = now
        session.save(update_fields=["register_marked_at"])
    if newly_present:
        _ask_for_evaluations(newly_present)
    return changed


def _ask_for_evaluations(bookings: list[Booking]) -> int:
    """Ask each delegate once to evaluate (the outbox keeps it to one email per booking)."""
    return sum(notices.evaluation_requested(booking=booking) for booking in bookings)


# --- Evaluation and impact ----------------------------------------------------------


def _may_answer(booking: Booking, actor: Any, stamp: str) -> Booking:
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.delegate_id != actor.pk:
        raise ValidationError("Only the delegate can answer for their own place")
    if booking.attendance not in PRESENT:
        raise ValidationError(
            "Only delegates marked as attending can evaluate a session. If you were there, "
            "ask the trainer to correct the register."
        )
    if getattr(booking, stamp) is not None:
        raise ValidationError("You have already answered: thank you")
    return booking


@transaction.atomic
def evaluation_submit(*, actor: Any, booking: Booking, data: dict[str, Any]) -> Evaluation:
    """Record a delegate's evaluation, apart from their name: the booking keeps only the fact
    that it was given."""
    booking = _may_answer(booking, actor, "evaluated_on")
    evaluation = Evaluation.objects.create(
        session_id=booking.session_id,
        rating=data["rating"],
        confidence_before=data["confidence_before"],
        confidence_after=data["confidence_after"],
        will_do_differently=data["will_do_differently"].strip(),
        comments=data.get("comments", "").strip(),
        submitted_on=timezone.localdate(),
    )
    booking.evaluated_on = timezone.localdate()
    booking.save(update_fields=["evaluated_on"])
    # The audit trail records that an evaluation was given, not what it said.
    audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=booking, detail="Evaluation given")
    return evaluation


@transaction.atomic
def impact_submit(*, actor: Any, booking: Booking, data: dict[str, Any]) -> ImpactResponse:
    booking = _may_answer(booking, actor, "impact_answered_on")
    session = Session.objects.select_related("course").get(pk=booking.session_id)
    opens = session.ends_at + datetime.timedelta(weeks=session.course.impact_survey_weeks)
    if opens > timezone.now():
        raise ValidationError(
            f"The impact survey opens on {timezone.localdate(opens):%d %B %Y}, "
            f"{session.course.impact_survey_weeks} weeks after the session: we will email you"
        )
    response = ImpactResponse.objects.create(
        session_id=booking.session_id,
        applied=data["applied"],
        example=data.get("example", "").strip(),
        submitted_on=timezone.localdate(),
    )
    booking.impact_answered_on = timezone.localdate()
    booking.save(update_fields=["impact_answered_on"])
    audit_record(
        actor=actor, kind=AuditEvent.Kind.UPDATE, obj=booking, detail="Impact survey answered"
    )
    return response


# --- Workforce figures ------------------------------------------------------------------


@transaction.atomic
def workforce_save(
    *, actor: Any, sector: str, headcount: int | None, source: str = ""
) -> SectorWorkforce | None:
    """Set (or, with no headcount, forget) the size of a sector's local workforce."""
    row = SectorWorkforce.objects.filter(sector=sector).first()
    if headcount is None:
        if row is not None:
            audit_record(
                actor=actor,
                kind=AuditEvent.Kind.DELETE,
                obj=row,
                changes=changes_between(snapshot(row, ("headcount",)), {"headcount": None}),
            )
            row.delete()
        return None
    if headcount < 1:
        raise ValidationError({"headcount": "Enter a headcount of 1 or more, or leave it blank"})
    row = row or SectorWorkforce(sector=sector)
    before = {} if row.pk is None else snapshot(row, ("headcount", "source"))
    row.headcount, row.source = headcount, source.strip()
    changes = changes_between(before, snapshot(row, ("headcount", "source")))
    if changes:
        row.save()
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE if not before else AuditEvent.Kind.UPDATE,
            obj=row,
            changes=changes,
        )
    return row


@transaction.atomic
def workforce_update(*, actor: Any, figures: list[dict[str, Any]]) -> None:
    """Save every sector's figure, or none: a refused figure is reported against its sector's
    field (``<sector>_headcount``)."""
    for figure in figures:
        try:
            workforce_save(actor=actor, **figure)
        except ValidationError as error:
            raise ValidationError({f"{figure['sector']}_headcount": error.messages}) from error


# --- Reminders ----------------------------------------------------------------------

REMINDER_HOURS = 48
# Attendees not yet asked to evaluate (their email failed) are asked again for this long.
EVALUATION_ASKING_DAYS = 30


def _release_unapproved(now: datetime.datetime) -> int:
    """Places held for a manager who has not answered within the life of their link (or
    before the session starts) go back to the waiting list."""
    stale = Booking.objects.filter(status=BookingStatus.AWAITING_APPROVAL).filter(
        Q(status_changed_at__lte=now - datetime.timedelta(seconds=APPROVAL_MAX_AGE))
        | Q(session__starts_at__lte=now)
    )
    released = 0
    for booking_id, session_id in stale.values_list("pk", "session_id"):
        with transaction.atomic():
            session = Session.objects.select_for_update().get(pk=session_id)
            booking = Booking.objects.select_related("delegate", "session__course").get(
                pk=booking_id
            )
            if booking.status != BookingStatus.AWAITING_APPROVAL:
                continue
            _set_status(
                booking,
                BookingStatus.CANCELLED,
                actor=None,
                detail="The manager did not answer in time: the place was released",
            )
            notices.approval_lapsed(booking=booking)
            _fill_places(session, actor=None)
            released += 1
    return released


def _not_yet_written(bookings: Any, kind: str) -> list[Booking]:
    """The bookings whose once-per-booking email of ``kind`` is not in the outbox yet, so
    that an hourly run does not build again emails written before."""
    bookings = list(bookings)
    written = keys_present(notices.once_per_booking_key(kind, b.pk) for b in bookings)
    return [b for b in bookings if notices.once_per_booking_key(kind, b.pk) not in written]


def training_reminders_send(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Once per booking, written to the outbox: a reminder two days before the session, the
    evaluation request to anyone present in the last 30 days who was never asked, and the
    impact survey the course's set number of weeks after it; places whose approval lapsed
    are released. Safe to run as often as you like."""
    now = now or timezone.now()
    sent = {"reminders": 0, "impact_surveys": 0, "released": _release_unapproved(now)}
    upcoming = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        session__is_cancelled=False,
        session__starts_at__gt=now,
        session__starts_at__lte=now + datetime.timedelta(hours=REMINDER_HOURS),
    ).select_related("session__course", "delegate")
    unasked = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        attendance__in=PRESENT,
        evaluated_on__isnull=True,
        session__ends_at__gte=now - datetime.timedelta(days=EVALUATION_ASKING_DAYS),
    ).select_related("session__course", "delegate")
    with transaction.atomic():
        sent["reminders"] = sum(
            notices.session_reminder(booking=booking)
            for booking in _not_yet_written(upcoming, notices.REMINDER)
        )
        sent["evaluation_requests"] = _ask_for_evaluations(
            _not_yet_written(unasked, notices.EVALUATION_REQUEST)
        )
    for course in Course.objects.filter(sessions__ends_at__lte=now).distinct():
        # Each course sets its own wait, so the cut-off is found course by course.
        cutoff = now - datetime.timedelta(weeks=course.impact_survey_weeks)
        due = Booking.objects.filter(
            session__course=course,
            session__ends_at__lte=cutoff,
            status=BookingStatus.CONFIRMED,
            attendance__in=PRESENT,
            impact_requested_at__isnull=True,
            impact_answered_on__isnull=True,
        ).select_related("session__course", "delegate")
        with transaction.atomic():
            for booking in due:
                claimed = Booking.objects.filter(
                    pk=booking.pk, impact_requested_at__isnull=True
                ).update(impact_requested_at=now)
                if claimed:
                    notices.impact_requested(booking=booking)
                sent["impact_surveys"] += claimed
    return sent


def training_reminders_scheduled(*, now: datetime.datetime) -> dict[str, int]:
    """The worker's hourly run."""
    return training_reminders_send(now=now)
