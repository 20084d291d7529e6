"""The demo training offer: a living year around today, loaded once, sending no email."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from sightline.accounts.demo import demo_email
from sightline.accounts.models import Sector, User
from sightline.core.roles import Role
from sightline.training.models import (
    Booking,
    Course,
    Evaluation,
    EventSeries,
    ImpactResponse,
    SectorWorkforce,
    Session,
)
from sightline.training.vocabulary import (
    GOOD_OR_EXCELLENT,
    PLACE_HOLDING_STATUSES,
    PRESENT,
    BookingStatus,
)


@pytest.fixture
def seeded(db, mailoutbox, django_capture_on_commit_callbacks):
    """The whole demo, every app's seeder in order, with the emails queued on commit sent."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--password", "demo-password-1", stdout=io.StringIO())
    return mailoutbox


def test_demo_training_is_a_living_year_and_sends_no_email(seeded):
    now, today = timezone.now(), timezone.localdate()
    assert not [message.subject for message in seeded]

    assert Course.objects.count() >= 10
    assert Course.objects.filter(review_date__lt=today).exists()
    assert not Course.objects.filter(themes=None).exists()
    assert Course.objects.filter(priorities__isnull=False).exists()

    series = EventSeries.objects.get()
    assert series.sessions.count() >= 6
    assert series.starts_on > today

    sessions = Session.objects.all()
    assert sessions.count() >= 40
    assert sessions.filter(starts_at__gt=now).count() >= 10
    # Every session has a trainer who holds the trainer role.
    assert not sessions.exclude(trainer__memberships__role=Role.TRAINER).exists()
    held = sessions.filter(ends_at__lt=now, is_cancelled=False)
    assert held.count() >= 20
    assert held.filter(register_marked_at__isnull=True).count() == 1
    assert sessions.filter(is_cancelled=True, starts_at__gt=now).exists()

    # Past registers are consistent with the bookings.
    past = Booking.objects.filter(session__in=held.filter(register_marked_at__isnull=False))
    assert not past.filter(status=BookingStatus.CONFIRMED, attendance="").exists()
    assert not past.filter(attendance__in=PRESENT, attendance_marked_at__isnull=True).exists()
    assert past.filter(attendance="did_not_attend").exists()
    assert past.filter(attendance="left_early").exists()
    evaluations = Evaluation.objects.count()
    assert evaluations >= 100
    assert evaluations == past.filter(evaluated_on__isnull=False).count()
    assert Evaluation.objects.filter(rating__in=GOOD_OR_EXCELLENT).count() > 0.7 * evaluations
    assert ImpactResponse.objects.exists()

    places = sessions.filter(starts_at__gt=now, is_cancelled=False).annotate(
        taken=Count("bookings", filter=Q(bookings__status__in=PLACE_HOLDING_STATUSES)),
        waiting=Count("bookings", filter=Q(bookings__status=BookingStatus.WAITING)),
    )
    assert [s for s in places if s.taken >= s.capacity and s.waiting]
    assert Booking.objects.filter(
        status=BookingStatus.AWAITING_APPROVAL, session__needs_manager_approval=True
    ).exists()
    assert Booking.objects.filter(
        status=BookingStatus.CANCELLED, session__starts_at__gt=now
    ).exists()

    practitioner = User.objects.get(email=demo_email(Role.PRACTITIONER))
    mine = Booking.objects.filter(delegate=practitioner)
    assert mine.filter(attendance__in=PRESENT, evaluated_on__isnull=True).exists()
    assert mine.filter(
        evaluated_on__isnull=False,
        impact_requested_at__isnull=False,
        impact_answered_on__isnull=True,
    ).exists()
    assert mine.filter(status=BookingStatus.CONFIRMED, session__starts_at__gt=now).exists()
    assert mine.filter(status=BookingStatus.WAITING).exists()
    trainer = User.objects.get(email=demo_email(Role.TRAINER))
    assert held.filter(trainer=trainer, register_marked_at__isnull=True).exists()

    # Workforce figures for most sectors, one unknown, and one sector reached far less than
    # the others for its size.
    headcounts = dict(SectorWorkforce.objects.values_list("sector", "headcount"))
    assert Sector.VOLUNTARY not in headcounts
    assert len(headcounts) >= 6
    reached = dict(
        Booking.objects.filter(attendance__in=PRESENT)
        .values_list("sector")
        .annotate(people=Count("delegate", distinct=True))
    )
    overall = sum(reached.get(sector, 0) for sector in headcounts) / sum(headcounts.values())
    assert min(reached.get(sector, 0) / size for sector, size in headcounts.items()) < overall / 2


def test_demo_training_is_added_once(seeded):
    def counts():
        return [
            model.objects.count()
            for model in (Course, Session, Booking, Evaluation, User, SectorWorkforce)
        ]

    before = counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == before
    assert "Training: courses exist already, none added." in out.getvalue()
