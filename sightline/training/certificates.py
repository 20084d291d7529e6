"""Certificates of attendance, as PDF. The page is plain HTML and CSS rendered by WeasyPrint
(``core.pdf``: tagged for screen readers); it loads nothing from outside, so it renders the
same offline."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from sightline.core.pdf import render_pdf

from .models import Booking


def render(booking: Booking) -> bytes:
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
    return render_pdf(html)
