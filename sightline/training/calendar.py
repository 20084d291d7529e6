"""A session as an iCalendar event (RFC 5545), attached to booking emails."""

import datetime

from icalendar import Calendar, Event

from .vocabulary import Mode


def session_ics(
    session, *, cancelled: bool = False, include_link: bool = False, base_url: str = ""
) -> bytes:
    """One event for ``session``. The UID stays the same for the life of the session and
    the sequence grows with every change, so calendars update the event in place."""
    calendar = Calendar()
    calendar.add("prodid", "-//Sightline//Training//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"training-session-{session.pk}@sightline")
    event.add("sequence", int(session.updated_at.timestamp()))
    event.add("dtstamp", datetime.datetime.now(datetime.UTC))
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", session.course.title)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if session.mode == Mode.IN_PERSON:
        event.add("location", session.venue)
    else:
        event.add("location", session.joining_link if include_link else "Online")
    if base_url:
        event.add("url", f"{base_url}{session.get_absolute_url()}")
    calendar.add_component(event)
    return calendar.to_ical()
