"""The training panel on the home page."""

import datetime

import pytest
from django.utils import timezone

from sightline.core.roles import Role
from sightline.training.panels import training_panel

from .factories import SessionFactory

pytestmark = pytest.mark.django_db


def in_days(days):
    starts = timezone.now() + datetime.timedelta(days=days)
    return {"starts_at": starts, "ends_at": starts + datetime.timedelta(hours=2)}


def test_a_trainer_sees_their_own_sessions_of_the_next_fortnight(make_user):
    trainer = make_user(Role.TRAINER)
    soon = SessionFactory.create(trainer=trainer, **in_days(3))
    SessionFactory.create(trainer=trainer, **in_days(20))
    SessionFactory.create(trainer=trainer, is_cancelled=True, **in_days(4))
    SessionFactory.create(**in_days(5))

    panel = training_panel(trainer)

    assert panel is not None
    assert panel.context["runs"] is True
    assert [session.pk for session in panel.context["teaching"]] == [soon.pk]


def test_a_practitioner_is_not_shown_sessions_to_teach(make_user):
    practitioner = make_user(Role.PRACTITIONER)
    SessionFactory.create(trainer=practitioner, **in_days(3))

    panel = training_panel(practitioner)

    assert panel is not None
    assert panel.context["runs"] is False
    assert panel.context["teaching"] == []


def test_someone_with_no_training_role_or_booking_gets_no_panel(make_user):
    assert training_panel(make_user(Role.EXECUTIVE)) is None
