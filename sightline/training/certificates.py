"""Certificates of attendance, as PDF. The page is plain HTML and CSS rendered by WeasyPrint;
it loads nothing from outside, so it renders the same offline."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Booking


def render(booking: Booking) -> bytes:
    # Imported here: loading WeasyPrint takes a moment and logs, and only this needs it.
    from weasyprint import HTML

    html = render_to_string(
        "training/certificate.html",
        {
            "booking": booking,
            "session": booking.session,
            "course": booking.session.course,
            "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME,
            "issued_on": timezone.localdate(),
        },
    )
    return HTML(string=html).write_pdf()
