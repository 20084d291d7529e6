"""Deadlines as an iCalendar feed (RFC 5545), one all-day event per deadline."""

import datetime
from collections.abc import Iterable

from icalendar import Calendar, Event

from .models import CaseDeadline


def ics(deadlines: Iterable[CaseDeadline], *, base_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Sightline//Case review deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Sightline deadlines")
    stamp = datetime.datetime.now(datetime.UTC)
    for deadline in deadlines:
        case = deadline.case
        event = Event()
        event.add("uid", f"deadline-{case.pk}-{deadline.standard.code}@sightline")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.due)
        event.add("dtend", deadline.due + datetime.timedelta(days=1))
        # Only the reference and the milestone: no pseudonym or detail leaves Sightline.
        event.add("summary", f"{case.reference}: {deadline.standard.spec().describe()}")
        event.add("url", f"{base_url}{case.get_absolute_url()}")
        calendar.add_component(event)
    return calendar.to_ical()
