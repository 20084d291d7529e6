"""Who sees an online session's joining link: decided once, in the training policy, and
shown on the session's and the booking's pages accordingly."""

import pytest
from django.urls import reverse
from django.utils import timezone

from sightline.core.roles import Role
from sightline.training.policies import may_see_joining_link
from sightline.training.tests.factories import BookingFactory, SessionFactory
from sightline.training.vocabulary import BookingStatus

LINK = "https://meet.example.test/session"


@pytest.mark.parametrize(
    ("runs", "status", "cancelled", "link", "sees"),
    [
        (True, None, False, LINK, True),
        (False, BookingStatus.CONFIRMED, False, LINK, True),
        (False, BookingStatus.WAITING, False, LINK, False),
        (False, BookingStatus.AWAITING_APPROVAL, False, LINK, False),
        (False, BookingStatus.CANCELLED, False, LINK, False),
        (False, None, False, LINK, False),
        (True, BookingStatus.CONFIRMED, True, LINK, False),  # a cancelled session
        (True, None, False, "", False),  # in person: no link
    ],
)
def test_who_may_see_the_joining_link(runs, status, cancelled, link, sees):
    from sightline.training.models import Booking, Session

    session = Session(is_cancelled=cancelled, joining_link=link)
    booking = Booking(status=status) if status else None
    assert may_see_joining_link(session=session, runs=runs, booking=booking) is sees


def test_pages_show_the_link_to_a_confirmed_delegate_only(client, make_user):
    session = SessionFactory.create()
    confirmed = BookingFactory.create(session=session)
    waiting = BookingFactory.create(
        session=session, status=BookingStatus.WAITING, waiting_since=timezone.now()
    )
    for booking, sees in ((confirmed, True), (waiting, False)):
        client.force_login(booking.delegate)
        session_page = client.get(reverse("training:session_detail", args=[session.pk]))
        booking_page = client.get(reverse("training:booking_detail", args=[booking.pk]))
        assert (LINK in session_page.content.decode()) is sees
        assert (LINK in booking_page.content.decode()) is sees
    client.force_login(make_user(Role.PRACTITIONER))
    assert (
        LINK
        not in client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    )
    client.force_login(session.trainer)
    assert (
        LINK in client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    )
