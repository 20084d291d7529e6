"""Courses, events and sessions as the training team sets them up; signing up."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sightline.accounts.models import Membership, User
from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.models import AuditEvent
from sightline.core.roles import Role
from sightline.reviews.models import PracticeTheme
from sightline.training import services
from sightline.training.forms import SessionForm, parse_time
from sightline.training.models import Course, DelegateProfile, Session
from sightline.training.vocabulary import Mode

from .factories import BookingFactory, CourseFactory, SeriesFactory, SessionFactory

pytestmark = pytest.mark.django_db


def session_data(runner, **overrides):
    starts = timezone.now() + datetime.timedelta(days=10)
    return {
        "course": CourseFactory.create(),
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=3),
        "mode": Mode.IN_PERSON,
        "venue": "Riverside House, Room 2",
        "joining_link": "",
        "capacity": 20,
        "trainer": runner,
        "series": None,
        "needs_manager_approval": False,
        "cancellation_cutoff_hours": 48,
    } | overrides


@pytest.fixture
def trainer(make_user):
    return make_user(Role.TRAINER)


def test_a_session_is_saved_and_audited(trainer):
    session = services.session_save(actor=trainer, session=None, data=session_data(trainer))
    assert session.pk is not None
    assert session.created_by == trainer
    assert AuditEvent.objects.filter(
        object_type="training.session", object_id=str(session.pk), kind="create"
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"trainer": None}, "trainer", "Choose the trainer"),
        ({"venue": ""}, "venue", "venue"),
        ({"mode": Mode.ONLINE, "joining_link": ""}, "joining_link", "joining link"),
        (
            {"starts_at": timezone.now() - datetime.timedelta(days=1)},
            "starts_at",
            "future",
        ),
    ],
)
def test_a_session_missing_what_it_needs_is_refused(trainer, overrides, field, message):
    data = session_data(trainer, **overrides)
    if "starts_at" in overrides:
        data["ends_at"] = data["starts_at"] + datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as caught:
        services.session_save(actor=trainer, session=None, data=data)
    assert message in " ".join(caught.value.message_dict[field])
    assert not Session.objects.exists()


def test_the_trainer_must_hold_the_trainer_role(trainer, make_user):
    with pytest.raises(ValidationError, match="is not a trainer"):
        services.session_save(
            actor=trainer,
            session=None,
            data=session_data(trainer, trainer=make_user(Role.PRACTITIONER)),
        )


def test_a_session_must_end_after_it_starts(trainer):
    data = session_data(trainer)
    data["ends_at"] = data["starts_at"]
    with pytest.raises(ValidationError, match="end after it starts"):
        services.session_save(actor=trainer, session=None, data=data)


def test_a_session_in_a_series_falls_within_its_days(trainer):
    series = SeriesFactory.create(starts_on=timezone.localdate() + datetime.timedelta(days=30))
    with pytest.raises(ValidationError, match="runs from"):
        services.session_save(
            actor=trainer, session=None, data=session_data(trainer, series=series)
        )


def test_capacity_cannot_drop_below_the_places_taken(trainer):
    session = SessionFactory.create(trainer=trainer, capacity=3)
    BookingFactory.create_batch(3, session=session)
    data = session_data(trainer, course=session.course, capacity=2)
    with pytest.raises(ValidationError, match="3 places are already taken"):
        services.session_save(actor=trainer, session=session, data=data)
    session.refresh_from_db()
    assert session.capacity == 3


def test_the_session_form_reads_local_times():
    trainer = Membership.objects.create(
        user=User.objects.create_user("t@example.test", full_name="T"),
        agency=AgencyFactory.create(),
        role=Role.TRAINER,
    ).user
    form = SessionForm(
        {
            "date_day": "30",
            "date_month": "6",
            "date_year": "2031",
            "start_time": "9.30",
            "end_time": "1:15pm",
            "mode": "online",
            "joining_link": "meet.example.test/abc",
            "capacity": "12",
            "trainer": str(trainer.pk),
            "cancellation_cutoff_hours": "24",
        },
        trainers=User.objects.all(),
    )
    assert form.is_valid(), form.errors
    london = zoneinfo.ZoneInfo("Europe/London")
    assert form.cleaned_data["starts_at"] == datetime.datetime(2031, 6, 30, 9, 30, tzinfo=london)
    assert form.cleaned_data["ends_at"].hour == 13
    assert form.cleaned_data["joining_link"] == "https://meet.example.test/abc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:30", datetime.time(9, 30)),
        ("09.05", datetime.time(9, 5)),
        ("12:00pm", datetime.time(12, 0)),
        ("12:10am", datetime.time(0, 10)),
        ("2:15PM", datetime.time(14, 15)),
        ("23:59", datetime.time(23, 59)),
        ("24:00", None),
        ("13:00pm", None),
        ("9", None),
        ("nine", None),
        ("", None),
    ],
)
def test_times_are_read_as_people_type_them(text, expected):
    assert parse_time(text) == expected


def test_course_titles_are_unique_ignoring_case(admin_user):
    CourseFactory.create(title="Professional curiosity")
    with pytest.raises(ValidationError, match="already a course"):
        services.course_save(
            actor=admin_user,
            course=None,
            data={
                "title": "professional  CURIOSITY",
                "outline": "x",
                "audience": "both",
                "level": "awareness",
                "learning_outcomes": "x",
                "review_date": timezone.localdate(),
                "impact_survey_weeks": 12,
                "is_active": True,
            },
        )
    assert Course.objects.count() == 1


def test_a_course_records_its_themes_in_the_audit_trail(admin_user):
    course = CourseFactory.create()
    theme = PracticeTheme.objects.create(name="Test theme for audit")
    data = {"title": course.title, "themes": [theme], "priorities": []}
    services.course_save(actor=admin_user, course=course, data=data)
    event = AuditEvent.objects.filter(object_id=str(course.pk), kind="update").latest("pk")
    assert event.changes["themes"] == {"from": [], "to": ["Test theme for audit"]}


def test_a_practitioner_signs_up_and_is_sent_a_link_to_set_a_password(
    mailoutbox, django_capture_on_commit_callbacks
):
    agency = AgencyFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        user = services.delegate_register(
            email="New.Person@Example.test",
            full_name="New Person",
            job_title="Health visitor",
            agency=agency,
            organisation="Eastfield team",
            manager_email="Boss@Example.test",
        )
    assert user is not None
    assert user.email == "new.person@example.test"
    assert not user.has_usable_password()
    assert user.role_set == {Role.PRACTITIONER}
    profile = DelegateProfile.objects.get(user=user)
    assert (profile.agency, profile.manager_email) == (agency, "boss@example.test")
    [message] = mailoutbox
    assert message.to == [user.email]
    assert "/password-reset/" in message.body


def test_signing_up_with_a_known_address_creates_nothing_and_tells_its_owner(
    make_user, mailoutbox, django_capture_on_commit_callbacks
):
    known = make_user(Role.REVIEW_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.delegate_register(
            email=known.email.upper(),
            full_name="Impostor",
            job_title="",
            agency=AgencyFactory.create(),
            organisation="",
            manager_email="boss@example.test",
        )
    assert result is None
    known.refresh_from_db()
    assert known.full_name != "Impostor"
    assert not DelegateProfile.objects.filter(user=known).exists()
    [message] = mailoutbox
    assert message.to == [known.email]
    assert "already have an account" in message.body
