"""The emails the training offer sends: to delegates about their places, and to their
managers for approval. Each is written to core's outbox in the transaction of the change it
reports, so it goes only if the change is committed, and the outbox sends it.

Emails about an event (a place booked, a session changed) are one message each; the reminder,
the evaluation request and the impact survey are one per booking, whenever they are asked for.
"""

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from sightline.core.outbox import Attachment, message_key, outbox_add

from .calendar import session_ics
from .policies import may_see_joining_link
from .tokens import approval_token
from .vocabulary import BookingStatus

REMINDER = "reminder"
EVALUATION_REQUEST = "evaluation_request"
IMPACT_REQUEST = "impact_request"


def once_per_booking_key(kind: str, booking_id: int) -> str:
    return message_key("training", kind, booking_id)


def _send(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict,
    ics: bytes | None = None,
    key: str | None = None,
    secret_link: bool = False,
) -> bool:
    base = settings.SIGHTLINE_BASE_URL
    body = render_to_string(
        f"training/email/{template}.txt",
        {"base_url": base, "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME} | context,
    )
    return outbox_add(
        key=key or message_key("training", template, uuid.uuid4().hex),
        kind=f"training.{template}",
        to=to,
        subject=subject,
        body=body,
        attachments=(
            [Attachment("session.ics", ics.decode(), "text/calendar")] if ics is not None else []
        ),
        forget_body_when_sent=secret_link,
    )


def _booking_link(booking) -> str:
    return f"{settings.SIGHTLINE_BASE_URL}{booking.get_absolute_url()}"


def _ics(booking, *, cancelled: bool = False) -> bytes:
    return session_ics(
        booking.session,
        cancelled=cancelled,
        include_link=may_see_joining_link(session=booking.session, runs=False, booking=booking),
        base_url=settings.SIGHTLINE_BASE_URL,
    )


def _about_place(booking, *, news: str = "") -> None:
    """Tell the delegate where their booking stands now, and their manager if it needs
    approving."""
    session = booking.session
    title = session.course.title
    if booking.status == BookingStatus.CONFIRMED:
        subject, ics = f"Your place is confirmed: {title}", _ics(booking)
    elif booking.status == BookingStatus.AWAITING_APPROVAL:
        subject, ics = f"Your place is waiting for your manager's approval: {title}", None
    else:
        subject, ics = f"You are on the waiting list: {title}", None
    _send(
        to=booking.delegate.email,
        subject=subject,
        template="booking",
        context={
            "booking": booking,
            "session": session,
            "news": news,
            "link": _booking_link(booking),
            "sees_link": may_see_joining_link(session=session, runs=False, booking=booking),
        },
        ics=ics,
    )
    if booking.status == BookingStatus.AWAITING_APPROVAL and booking.manager_email:
        path = reverse("training:approval", kwargs={"token": approval_token(booking.pk)})
        _send(
            to=booking.manager_email,
            subject=f"Please approve training for {booking.delegate.full_name}",
            template="approval_request",
            context={
                "booking": booking,
                "session": session,
                "link": f"{settings.SIGHTLINE_BASE_URL}{path}",
            },
            secret_link=True,
        )


def booking_made(*, booking) -> None:
    _about_place(booking)


def place_offered(*, session, bookings: Iterable) -> None:
    for booking in bookings:
        _about_place(booking, news="A place has come free and it is now yours.")


def approval_decided(*, booking) -> None:
    if booking.status == BookingStatus.CONFIRMED:
        _about_place(booking, news="Your manager has approved your place.")
        return
    _send(
        to=booking.delegate.email,
        subject=f"Your manager did not approve your place: {booking.session.course.title}",
        template="declined",
        context={"booking": booking, "session": booking.session},
    )


def approval_lapsed(*, booking) -> None:
    _send(
        to=booking.delegate.email,
        subject=f"Your place was released: {booking.session.course.title}",
        template="approval_lapsed",
        context={"booking": booking, "session": booking.session},
    )


def booking_cancelled(*, booking) -> None:
    _send(
        to=booking.delegate.email,
        subject=f"Your booking is cancelled: {booking.session.course.title}",
        template="cancelled",
        context={"booking": booking, "session": booking.session, "reason": ""},
        ics=_ics(booking, cancelled=True),
    )


def session_cancelled(*, session, bookings: Iterable, reason: str) -> None:
    for booking in bookings:
        booking.session = session
        _send(
            to=booking.delegate.email,
            subject=f"Session cancelled: {session.course.title}",
            template="cancelled",
            context={"booking": booking, "session": session, "reason": reason},
            ics=_ics(booking, cancelled=True),
        )


def session_changed(*, session, bookings: Iterable) -> None:
    for booking in bookings:
        booking.session = session
        _send(
            to=booking.delegate.email,
            subject=f"Change to your session: {session.course.title}",
            template="changed",
            context={
                "booking": booking,
                "session": session,
                "link": _booking_link(booking),
                "sees_link": may_see_joining_link(session=session, runs=False, booking=booking),
            },
            ics=_ics(booking),
        )


def session_reminder(*, booking) -> bool:
    return _send(
        key=once_per_booking_key(REMINDER, booking.pk),
        to=booking.delegate.email,
        subject=f"Reminder: {booking.session.course.title} is coming up",
        template="reminder",
        context={"booking": booking, "session": booking.session, "link": _booking_link(booking)},
        ics=_ics(booking),
    )


def evaluation_requested(*, booking) -> bool:
    path = reverse("training:evaluate", kwargs={"pk": booking.pk})
    return _send(
        key=once_per_booking_key(EVALUATION_REQUEST, booking.pk),
        to=booking.delegate.email,
        subject=f"Tell us what you thought: {booking.session.course.title}",
        template="evaluation_request",
        context={
            "booking": booking,
            "session": booking.session,
            "link": f"{settings.SIGHTLINE_BASE_URL}{path}",
        },
    )


def impact_requested(*, booking) -> bool:
    path = reverse("training:impact", kwargs={"pk": booking.pk})
    return _send(
        key=once_per_booking_key(IMPACT_REQUEST, booking.pk),
        to=booking.delegate.email,
        subject=f"Has it made a difference? {booking.session.course.title}",
        template="impact_request",
        context={
            "booking": booking,
            "session": booking.session,
            "link": f"{settings.SIGHTLINE_BASE_URL}{path}",
        },
    )


def already_registered(*, email: str) -> None:
    path = reverse("accounts:password_reset")
    _send(
        to=email,
        subject="You already have a Sightline account",
        template="already_registered",
        context={"link": f"{settings.SIGHTLINE_BASE_URL}{path}"},
    )
