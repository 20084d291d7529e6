"""Booking, the waiting list, cancelling and managers' approval."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sightline.core.models import AuditEvent
from sightline.core.roles import Role
from sightline.training import services
from sightline.training.models import Booking
from sightline.training.tokens import approval_booking_id, approval_token
from sightline.training.vocabulary import BookingStatus

from .factories import BookingFactory, DelegateProfileFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def delegate():
    return DelegateProfileFactory.create().user


def make_delegates(count):
    return [DelegateProfileFactory.create().user for _ in range(count)]


def book(user, session, capture):
    with capture(execute=True):
        return services.booking_make(actor=user, session=session)


def session_change(session, **changes):
    """The data ``session_save`` takes to keep ``session`` as it is, apart from ``changes``."""
    return {
        "course": session.course,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "mode": session.mode,
        "venue": "",
        "joining_link": session.joining_link,
        "capacity": session.capacity,
        "trainer": session.trainer,
        "series": None,
        "needs_manager_approval": False,
        "cancellation_cutoff_hours": 48,
    } | changes


def test_a_free_place_is_confirmed_and_the_delegate_emailed_a_calendar_file(
    delegate, mailoutbox, django_capture_on_commit_callbacks
):
    session = SessionFactory.create(capacity=2)
    booking = book(delegate, session, django_capture_on_commit_callbacks)

    assert booking.status == BookingStatus.CONFIRMED
    assert booking.agency == delegate.delegate_profile.agency
    assert booking.sector == delegate.delegate_profile.agency.sector
    [message] = mailoutbox
    assert message.to == [delegate.email]
    assert "confirmed" in message.subject
    [(name, content, kind)] = message.attachments
    assert (name, kind) == ("session.ics", "text/calendar")
    assert "BEGIN:VEVENT" in content
    assert f"training-session-{session.pk}@sightline" in content
    # The joining link is the delegate's now that the place is confirmed.
    assert session.joining_link in message.body
    assert AuditEvent.objects.filter(
        object_type="training.booking", object_id=str(booking.pk), kind="create"
    ).exists()


def test_a_full_session_puts_the_next_person_on_the_waiting_list_without_the_link(
    mailoutbox, django_capture_on_commit_callbacks
):
    session = SessionFactory.create(capacity=1)
    first, second = make_delegates(2)
    book(first, session, django_capture_on_commit_callbacks)
    mailoutbox.clear()

    waiting = book(second, session, django_capture_on_commit_callbacks)

    assert waiting.status == BookingStatus.WAITING
    assert waiting.waiting_since is not None
    [message] = mailoutbox
    assert "waiting list" in message.subject
    assert session.joining_link not in message.body
    assert message.attachments == []


def test_booking_twice_is_refused_and_the_database_refuses_it_too(
    delegate, django_capture_on_commit_callbacks
):
    session = SessionFactory.create()
    booking = book(delegate, session, django_capture_on_commit_callbacks)

    with pytest.raises(ValidationError, match="already booked"):
        services.booking_make(actor=delegate, session=session)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            session=session,
            delegate=delegate,
            agency=booking.agency,
            sector=booking.sector,
            status=BookingStatus.WAITING,
            booked_at=timezone.now(),
            waiting_since=timezone.now(),
            status_changed_at=timezone.now(),
        )
    assert Booking.objects.filter(session=session).count() == 1


def test_after_cancelling_a_person_may_book_again(delegate, django_capture_on_commit_callbacks):
    session = SessionFactory.create()
    booking = book(delegate, session, django_capture_on_commit_callbacks)
    services.booking_cancel(actor=delegate, booking=booking)

    again = book(delegate, session, django_capture_on_commit_callbacks)

    assert again.status == BookingStatus.CONFIRMED
    assert again.pk != booking.pk


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"is_cancelled": True}, "cancelled"),
        ({"starts_at_offset": -1}, "already started"),
    ],
)
def test_past_and_cancelled_sessions_cannot_be_booked(delegate, fields, message):
    offset = fields.pop("starts_at_offset", None)
    if offset is not None:
        fields["starts_at"] = timezone.now() + datetime.timedelta(hours=offset)
        fields["ends_at"] = fields["starts_at"] + datetime.timedelta(hours=2)
    session = SessionFactory.create(**fields)

    with pytest.raises(ValidationError, match=message):
        services.booking_make(actor=delegate, session=session)
    assert not Booking.objects.filter(session=session).exists()


def test_booking_needs_the_delegates_details_first(make_user):
    session = SessionFactory.create()
    with pytest.raises(ValidationError, match="where you work"):
        services.booking_make(actor=make_user(Role.PRACTITIONER), session=session)


def test_the_trainer_cannot_book_their_own_session():
    session = SessionFactory.create()
    DelegateProfileFactory.create(user=session.trainer)
    with pytest.raises(ValidationError, match="trainer"):
        services.booking_make(actor=session.trainer, session=session)


def test_a_freed_place_goes_to_the_first_person_waiting_who_is_told(
    mailoutbox, django_capture_on_commit_callbacks
):
    session = SessionFactory.create(capacity=1)
    holder, first, second = make_delegates(3)
    place = book(holder, session, django_capture_on_commit_callbacks)
    first_wait = book(first, session, django_capture_on_commit_callbacks)
    second_wait = book(second, session, django_capture_on_commit_callbacks)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(actor=holder, booking=place)

    first_wait.refresh_from_db()
    second_wait.refresh_from_db()
    assert first_wait.status == BookingStatus.CONFIRMED
    assert second_wait.status == BookingStatus.WAITING
    recipients = {tuple(message.to): message for message in mailoutbox}
    assert set(recipients) == {(holder.email,), (first.email,)}
    assert "come free" in recipients[(first.email,)].body
    assert "confirmed" in recipients[(first.email,)].subject


def test_leaving_the_waiting_list_frees_no_place(django_capture_on_commit_callbacks):
    session = SessionFactory.create(capacity=1)
    holder, first, second = make_delegates(3)
    book(holder, session, django_capture_on_commit_callbacks)
    first_wait = book(first, session, django_capture_on_commit_callbacks)
    second_wait = book(second, session, django_capture_on_commit_callbacks)

    services.booking_cancel(actor=first, booking=first_wait)

    second_wait.refresh_from_db()
    assert second_wait.status == BookingStatus.WAITING


def test_more_places_on_a_session_go_to_the_waiting_list(django_capture_on_commit_callbacks):
    session = SessionFactory.create(capacity=1)
    holder, first, second = make_delegates(3)
    book(holder, session, django_capture_on_commit_callbacks)
    first_wait = book(first, session, django_capture_on_commit_callbacks)
    second_wait = book(second, session, django_capture_on_commit_callbacks)
    data = session_change(session, capacity=2)

    services.session_save(actor=session.trainer, session=session, data=data)

    first_wait.refresh_from_db()
    second_wait.refresh_from_db()
    assert (first_wait.status, second_wait.status) == (
        BookingStatus.CONFIRMED,
        BookingStatus.WAITING,
    )


def test_after_the_cut_off_only_an_administrator_can_cancel_a_place(
    make_user, django_capture_on_commit_callbacks
):
    session = SessionFactory.create(
        starts_at=timezone.now() + datetime.timedelta(hours=24),
        ends_at=timezone.now() + datetime.timedelta(hours=26),
        cancellation_cutoff_hours=48,
    )
    delegate = make_delegates(1)[0]
    booking = book(delegate, session, django_capture_on_commit_callbacks)

    with pytest.raises(ValidationError, match="48 hours"):
        services.booking_cancel(actor=delegate, booking=booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    services.booking_cancel(actor=make_user(Role.ADMINISTRATOR), booking=booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_a_waiting_list_entry_can_be_left_after_the_cut_off(django_capture_on_commit_callbacks):
    session = SessionFactory.create(
        capacity=1,
        starts_at=timezone.now() + datetime.timedelta(hours=24),
        ends_at=timezone.now() + datetime.timedelta(hours=26),
    )
    holder, waiter = make_delegates(2)
    book(holder, session, django_capture_on_commit_callbacks)
    waiting = book(waiter, session, django_capture_on_commit_callbacks)

    services.booking_cancel(actor=waiter, booking=waiting)

    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CANCELLED


def test_cancelling_twice_is_refused(delegate, django_capture_on_commit_callbacks):
    booking = book(delegate, SessionFactory.create(), django_capture_on_commit_callbacks)
    services.booking_cancel(actor=delegate, booking=booking)
    with pytest.raises(ValidationError, match="already cancelled"):
        services.booking_cancel(actor=delegate, booking=booking)


def test_a_place_needing_approval_is_held_and_the_manager_asked(
    delegate, mailoutbox, django_capture_on_commit_callbacks
):
    session = SessionFactory.create(needs_manager_approval=True, capacity=1)
    booking = book(delegate, session, django_capture_on_commit_callbacks)

    assert booking.status == BookingStatus.AWAITING_APPROVAL
    to_manager = next(m for m in mailoutbox if m.to == [delegate.delegate_profile.manager_email])
    token = to_manager.body.split("/training/approval/")[1].split("/")[0]
    assert approval_booking_id(token) == booking.pk
    # The held place counts: the next person waits.
    other = book(make_delegates(1)[0], session, django_capture_on_commit_callbacks)
    assert other.status == BookingStatus.WAITING

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_decide(booking=booking, approve=True, manager_email="boss@example.test")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert [m.to for m in mailoutbox] == [[delegate.email]]
    with pytest.raises(ValidationError, match="already been dealt with"):
        services.booking_decide(booking=booking, approve=False, manager_email="x@example.test")


def test_a_declined_place_goes_to_the_waiting_list(django_capture_on_commit_callbacks):
    session = SessionFactory.create(needs_manager_approval=True, capacity=1)
    first, second = make_delegates(2)
    held = book(first, session, django_capture_on_commit_callbacks)
    waiting = book(second, session, django_capture_on_commit_callbacks)

    services.booking_decide(booking=held, approve=False, manager_email="boss@example.test")

    held.refresh_from_db()
    waiting.refresh_from_db()
    assert held.status == BookingStatus.DECLINED
    # Approval is needed for the next person too.
    assert waiting.status == BookingStatus.AWAITING_APPROVAL


def test_a_tampered_or_expired_approval_link_is_refused():
    token = approval_token(41)
    with pytest.raises(ValidationError, match="not valid"):
        approval_booking_id(token[:-2] + "xx")
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=15)),
        pytest.raises(ValidationError, match="expired"),
    ):
        approval_booking_id(token)


def test_cancelling_a_session_cancels_every_live_booking_and_tells_everyone(
    mailoutbox, django_capture_on_commit_callbacks
):
    session = SessionFactory.create(capacity=1)
    holder, waiter = make_delegates(2)
    book(holder, session, django_capture_on_commit_callbacks)
    book(waiter, session, django_capture_on_commit_callbacks)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(actor=session.trainer, session=session, reason="Trainer unwell")

    statuses = set(Booking.objects.filter(session=session).values_list("status", flat=True))
    assert statuses == {BookingStatus.CANCELLED}
    assert {m.to[0] for m in mailoutbox} == {holder.email, waiter.email}
    assert all("Trainer unwell" in m.body for m in mailoutbox)
    assert all("METHOD:CANCEL" in m.attachments[0][1] for m in mailoutbox)


def test_a_session_change_is_sent_to_everyone_booked(
    mailoutbox, django_capture_on_commit_callbacks
):
    session = SessionFactory.create()
    delegate = make_delegates(1)[0]
    book(delegate, session, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    later = session.starts_at + datetime.timedelta(days=1)
    data = session_change(session, starts_at=later, ends_at=later + datetime.timedelta(hours=2))

    with django_capture_on_commit_callbacks(execute=True):
        services.session_save(actor=session.trainer, session=session, data=data)

    [message] = mailoutbox
    assert "Change to your session" in message.subject
    assert message.attachments[0][0] == "session.ics"


def test_booking_confirmed_bookings_factory_holds_places():
    session = SessionFactory.create(capacity=2)
    BookingFactory.create_batch(2, session=session)
    delegate = make_delegates(1)[0]
    booking = services.booking_make(actor=delegate, session=session)
    assert booking.status == BookingStatus.WAITING


def test_a_place_nobody_approves_is_released_after_14_days(
    mailoutbox, django_capture_on_commit_callbacks
):
    session = SessionFactory.create(
        needs_manager_approval=True,
        capacity=1,
        starts_at=timezone.now() + datetime.timedelta(days=30),
        ends_at=timezone.now() + datetime.timedelta(days=30, hours=2),
    )
    first, second = make_delegates(2)
    held = book(first, session, django_capture_on_commit_callbacks)
    waiting = book(second, session, django_capture_on_commit_callbacks)

    assert services.training_reminders_send()["released"] == 0
    mailoutbox.clear()
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=15)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.training_reminders_send()["released"] == 1

    held.refresh_from_db()
    waiting.refresh_from_db()
    assert held.status == BookingStatus.CANCELLED
    assert waiting.status == BookingStatus.AWAITING_APPROVAL
    subjects = {m.to[0]: m.subject for m in mailoutbox if m.to[0] != waiting.manager_email}
    assert "released" in subjects[first.email]


def test_a_place_offered_after_the_cut_off_can_still_be_turned_down(
    django_capture_on_commit_callbacks,
):
    session = SessionFactory.create(
        capacity=1,
        starts_at=timezone.now() + datetime.timedelta(hours=24),
        ends_at=timezone.now() + datetime.timedelta(hours=26),
    )
    holder, waiter = make_delegates(2)
    place = book(holder, session, django_capture_on_commit_callbacks)
    waiting = book(waiter, session, django_capture_on_commit_callbacks)
    services.booking_cancel(actor=make_admin(), booking=place)
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CONFIRMED

    services.booking_cancel(actor=waiter, booking=waiting)

    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CANCELLED


def make_admin():
    from sightline.accounts.tests.factories import MembershipFactory

    return MembershipFactory.create(role=Role.ADMINISTRATOR).user


def test_a_retired_course_cannot_be_booked(delegate):
    session = SessionFactory.create(course__is_active=False)
    with pytest.raises(ValidationError, match="no longer offered"):
        services.booking_make(actor=delegate, session=session)


def test_a_manager_cannot_approve_once_the_session_has_started(
    delegate, django_capture_on_commit_callbacks
):
    session = SessionFactory.create(needs_manager_approval=True)
    booking = book(delegate, session, django_capture_on_commit_callbacks)
    Session = type(session)
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    with pytest.raises(ValidationError, match="has started"):
        services.booking_decide(booking=booking, approve=True, manager_email="m@example.test")


def test_the_waiting_list_hears_of_a_change_too(mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory.create(capacity=1)
    holder, waiter = make_delegates(2)
    book(holder, session, django_capture_on_commit_callbacks)
    book(waiter, session, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    data = session_change(session, ends_at=session.ends_at + datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.session_save(actor=session.trainer, session=session, data=data)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([holder.email, waiter.email])
    # The joining link goes only to the person with the place.
    bodies = {m.to[0]: m.body for m in mailoutbox}
    assert session.joining_link in bodies[holder.email]
    assert session.joining_link not in bodies[waiter.email]


def test_a_session_that_has_started_cannot_be_changed():
    session = SessionFactory.create()
    type(session).objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    session.refresh_from_db()
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.session_save(
            actor=session.trainer, session=session, data={"capacity": 5, "trainer": None}
        )


def test_the_delegate_is_not_their_own_manager(delegate):
    with pytest.raises(ValidationError, match="not your own"):
        services.profile_save(
            actor=delegate,
            user=delegate,
            agency=delegate.delegate_profile.agency,
            manager_email=delegate.email.upper(),
        )


def test_a_place_whose_attendance_is_marked_is_never_cancelled(db):
    """A session moved later after its register was marked keeps its attendance: cancelling
    the place, or the session, is refused with a message (the fuzz test's 500 before)."""
    from sightline.training.vocabulary import Attendance

    session = SessionFactory.create()
    booking = BookingFactory.create(
        session=session, status=BookingStatus.CONFIRMED, attendance=Attendance.ATTENDED
    )
    with pytest.raises(ValidationError, match="Attendance has been marked for this place"):
        services.booking_cancel(actor=session.trainer, booking=booking)
    with pytest.raises(ValidationError, match="Attendance has been marked for this session"):
        services.session_cancel(actor=session.trainer, session=session, reason="Unwell")
    booking.refresh_from_db()
    session.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert not session.is_cancelled
