"""Which of a person's bookings go under which heading of their training (pure: no ORM).

``selectors.bookings_of`` (the "Your training" page, every booking in full) and
``selectors.booking_overview_of`` (the home page and the dashboard, a few of each with how
many in all) both sort bookings with ``sort_bookings``, so that the headings mean the same
everywhere:

Places
    Sessions still to come on which the person holds a place (confirmed, or awaiting their
    manager's approval), soonest first.
Waiting
    Sessions still to come on whose waiting list they are, soonest first.
Past
    Sessions that have started, on which they had a confirmed place, newest first.
Attended
    Past sessions they came to (attended, or left early): each has a certificate.
To evaluate
    Attended sessions they have not evaluated yet.
Impact due
    Attended sessions whose impact survey was sent to them and not answered yet.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from .vocabulary import PLACE_HOLDING_STATUSES, PRESENT, BookingStatus


@dataclass(frozen=True)
class BookingFacts:
    """What sorting needs of one booking: its session's start and the booking's state."""

    starts_at: datetime.datetime
    status: str
    attendance: str
    evaluated_on: datetime.date | None
    impact_requested_at: datetime.datetime | None
    impact_answered_on: datetime.date | None


@dataclass(frozen=True)
class SortedBookings:
    """Positions in the list given to ``sort_bookings``, under each heading, in the order
    the heading shows them."""

    places: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    past: list[int] = field(default_factory=list)
    attended: list[int] = field(default_factory=list)
    to_evaluate: list[int] = field(default_factory=list)
    impact_due: list[int] = field(default_factory=list)


def sort_bookings(facts: Sequence[BookingFacts], *, now: datetime.datetime) -> SortedBookings:
    """Sort ``facts``, which come soonest session first, under the headings above."""
    result = SortedBookings()
    for position, booking in enumerate(facts):
        if booking.starts_at > now:
            if booking.status in PLACE_HOLDING_STATUSES:
                result.places.append(position)
            elif booking.status == BookingStatus.WAITING:
                result.waiting.append(position)
        elif booking.status == BookingStatus.CONFIRMED:
            result.past.append(position)
    result.past.reverse()
    for position in result.past:
        booking = facts[position]
        if booking.attendance not in PRESENT:
            continue
        result.attended.append(position)
        if booking.evaluated_on is None:
            result.to_evaluate.append(position)
        if booking.impact_requested_at and not booking.impact_answered_on:
            result.impact_due.append(position)
    return result
