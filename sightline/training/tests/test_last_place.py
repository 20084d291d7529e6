"""Two people taking the last place at once: exactly one gets it, the other waits.

Runs with real transactions and two database connections, on SQLite and on PostgreSQL."""

import threading

import pytest
from django.db import connection

from sightline.training import services
from sightline.training.models import Booking
from sightline.training.vocabulary import BookingStatus

from .factories import BookingFactory, DelegateProfileFactory, SessionFactory


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason=(
        "SQLite's shared in-memory test database refuses a second writer instead of making it "
        "wait; a SQLite file (as in production) queues writers with BEGIN IMMEDIATE. The "
        "PostgreSQL run tests the row lock."
    ),
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_people_taking_the_last_place_at_once(attempt):
    session = SessionFactory.create(capacity=3)
    BookingFactory.create_batch(2, session=session)
    people = [DelegateProfileFactory.create().user for _ in range(2)]
    start = threading.Barrier(len(people))
    outcomes: dict[int, str] = {}
    failures: list[BaseException] = []

    def take_place(person):
        try:
            start.wait()
            outcomes[person.pk] = services.booking_make(actor=person, session=session).status
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_place, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert sorted(outcomes.values()) == [BookingStatus.CONFIRMED, BookingStatus.WAITING]
    held = Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).count()
    assert held == session.capacity
