"""The training offer's pages, through the test client: who sees what, what each page says,
the refusals, and query counts that stay the same when the rows grow tenfold."""

import datetime
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.models import User
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.core.tests.pages import client_for, page_html
from sightline.reviews.models import PracticeTheme
from sightline.training.models import Booking, DelegateProfile, Evaluation
from sightline.training.tokens import approval_token
from sightline.training.vocabulary import Attendance, BookingStatus, Mode, Rating

from .factories import (
    BookingFactory,
    CourseFactory,
    DelegateProfileFactory,
    EvaluationFactory,
    ImpactResponseFactory,
    SeriesFactory,
    SessionFactory,
)

text = page_html

pytestmark = pytest.mark.django_db


def past_session(**fields):
    starts = timezone.now() - datetime.timedelta(hours=2)
    return SessionFactory.create(
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=1), **fields
    )


@pytest.fixture
def practitioner():
    profile = DelegateProfileFactory.create(user__full_name="Priya Shah")
    MembershipFactory(user=profile.user, agency=profile.agency, role=Role.PRACTITIONER)
    return profile.user


@pytest.fixture
def trainer(make_user):
    return make_user(Role.TRAINER, full_name="Tom Trainer")


@pytest.fixture
def as_practitioner(practitioner):
    return client_for(practitioner)


@pytest.fixture
def as_trainer(trainer):
    return client_for(trainer)


def book_for(user: User, session, **fields) -> Booking:
    profile = user.delegate_profile
    return BookingFactory.create(session=session, delegate=user, agency=profile.agency, **fields)


# --- The catalogue -----------------------------------------------------------------


def test_catalogue_shows_places_left_full_sessions_series_and_the_users_own_status(
    as_practitioner, practitioner
):
    neglect = SessionFactory.create(course__title="Neglect: spotting the signs", capacity=3)
    BookingFactory.create(session=neglect)
    full = SessionFactory.create(course__title="Working with families", capacity=1)
    BookingFactory.create(session=full)
    week = SeriesFactory.create(name="Safeguarding Week")
    mine = SessionFactory.create(
        course__title="Domestic abuse", series=week, mode=Mode.IN_PERSON, venue="Town Hall, Northby"
    )
    book_for(practitioner, mine)
    past_session(course__title="Already happened")
    SessionFactory.create(course__title="Called off", is_cancelled=True)

    page = text(as_practitioner.get(reverse("training:catalogue")))

    assert "Neglect: spotting the signs" in page
    assert "2 places left" in page
    assert "Full: join the waiting list" in page
    assert "Safeguarding Week" in page
    assert "Town Hall, Northby" in page
    assert ">Booked<" in page.replace("\n", "").replace("  ", "")
    assert "Already happened" not in page
    assert "Called off" not in page
    assert "Add a course" not in page
    assert f'href="{reverse("training:session_list")}"' not in page


def test_catalogue_filters_and_says_when_nothing_matches(as_practitioner):
    SessionFactory.create(course__title="Neglect: spotting the signs")
    SessionFactory.create(course__title="Working with families")

    page = text(as_practitioner.get(reverse("training:catalogue"), {"search": "neglect"}))
    assert "Neglect: spotting the signs" in page
    assert "Working with families" not in page

    page = text(as_practitioner.get(reverse("training:catalogue"), {"level": "specialist"}))
    assert "No sessions coming up match these filters" in page


def test_catalogue_gives_trainers_the_links_to_add_and_run_training(as_trainer):
    page = text(as_trainer.get(reverse("training:catalogue")))
    assert "Add a course" in page
    assert "Add an event" in page
    assert f'href="{reverse("training:session_list")}"' in page


# --- My training and my details ------------------------------------------------------


def test_my_training_without_details_asks_for_them(make_user):
    client = client_for(make_user(Role.PRACTITIONER))
    page = text(client.get(reverse("training:mine")))
    assert "Add your details" in page
    assert reverse("training:profile") in page


def test_my_training_lists_places_waiting_lists_and_past_sessions_with_next_steps(
    as_practitioner, practitioner
):
    booked = book_for(practitioner, SessionFactory.create(course__title="Coming soon"))
    waiting = book_for(
        practitioner,
        SessionFactory.create(course__title="Popular course"),
        status=BookingStatus.WAITING,
        waiting_since=timezone.now(),
    )
    attended = book_for(
        practitioner, past_session(course__title="Went to this"), attendance=Attendance.ATTENDED
    )
    missed = book_for(
        practitioner,
        past_session(course__title="Missed this"),
        attendance=Attendance.DID_NOT_ATTEND,
    )
    surveyed = book_for(
        practitioner,
        past_session(course__title="Weeks ago"),
        attendance=Attendance.LEFT_EARLY,
        evaluated_on=timezone.localdate(),
        impact_requested_at=timezone.now(),
    )

    page = text(as_practitioner.get(reverse("training:mine")))

    assert "Coming soon" in page
    assert reverse("training:booking_detail", kwargs={"pk": booked.pk}) in page
    assert "Popular course" in page
    assert reverse("training:booking_detail", kwargs={"pk": waiting.pk}) in page
    assert reverse("training:certificate", kwargs={"pk": attended.pk}) in page
    assert reverse("training:evaluate", kwargs={"pk": attended.pk}) in page
    assert reverse("training:certificate", kwargs={"pk": missed.pk}) not in page
    assert reverse("training:evaluate", kwargs={"pk": missed.pk}) not in page
    assert reverse("training:evaluate", kwargs={"pk": surveyed.pk}) not in page
    assert reverse("training:certificate", kwargs={"pk": surveyed.pk}) not in page
    assert reverse("training:impact", kwargs={"pk": surveyed.pk}) in page
    assert practitioner.delegate_profile.manager_email in page
    assert "Add your details" not in page


def test_profile_page_keeps_next_and_goes_there_after_saving(client, make_user, agency):
    user = make_user(Role.PRACTITIONER)
    client.force_login(user)
    session = SessionFactory.create()
    target = session.get_absolute_url()

    page = text(client.get(reverse("training:profile"), {"next": target}))
    assert f'name="next" value="{target}"' in page

    refused = client.post(reverse("training:profile"), {"next": target})
    assert refused.status_code == 400
    assert "Choose the agency you work for" in text(refused)

    saved = client.post(
        reverse("training:profile"),
        {"next": target, "agency": agency.pk, "manager_email": "Boss@Example.test"},
    )
    assert saved.status_code == 302
    assert saved["Location"] == target
    assert DelegateProfile.objects.get(user=user).manager_email == "boss@example.test"


def test_profile_page_ignores_a_next_address_on_another_site(as_practitioner):
    page = text(as_practitioner.get(reverse("training:profile"), {"next": "https://evil.test/"}))
    assert "evil.test" not in page
    assert f'name="next" value="{reverse("training:mine")}"' in page


# --- A session's page and booking -------------------------------------------------


def test_session_page_offers_a_place_and_hides_the_joining_link(as_practitioner):
    session = SessionFactory.create(course__title="Neglect: spotting the signs", capacity=5)

    page = text(as_practitioner.get(session.get_absolute_url()))

    assert f'action="{reverse("training:book", kwargs={"pk": session.pk})}"' in page
    assert "Book a place" in page
    assert "csrfmiddlewaretoken" in page
    assert session.joining_link not in page
    assert "Delegates with a place" not in page


def test_session_page_says_a_full_session_means_the_waiting_list(as_practitioner):
    session = SessionFactory.create(capacity=1)
    BookingFactory.create(session=session)
    page = text(as_practitioner.get(session.get_absolute_url()))
    assert "Full: you will join the waiting list" in page


def test_session_page_shows_a_confirmed_delegate_the_link_and_their_booking(
    as_practitioner, practitioner
):
    session = SessionFactory.create()
    booking = book_for(practitioner, session)

    page = text(as_practitioner.get(session.get_absolute_url()))

    assert session.joining_link in page
    assert reverse("training:booking_detail", kwargs={"pk": booking.pk}) in page
    assert reverse("training:book", kwargs={"pk": session.pk}) not in page


def test_session_page_gives_a_waiting_delegate_their_place_in_the_queue(
    as_practitioner, practitioner
):
    session = SessionFactory.create(capacity=1)
    BookingFactory.create(session=session)
    BookingFactory.create(
        session=session,
        status=BookingStatus.WAITING,
        waiting_since=timezone.now() - datetime.timedelta(hours=1),
    )
    book_for(practitioner, session, status=BookingStatus.WAITING, waiting_since=timezone.now())

    page = text(as_practitioner.get(session.get_absolute_url()))

    assert "You are number 2 on the waiting list" in page
    assert session.joining_link not in page


def test_a_cancelled_session_cannot_be_booked_from_its_page(as_practitioner):
    session = SessionFactory.create(is_cancelled=True)
    page = text(as_practitioner.get(session.get_absolute_url()))
    assert "This session has been cancelled" in page
    assert reverse("training:book", kwargs={"pk": session.pk}) not in page


def test_the_trainer_sees_delegates_the_waiting_list_in_order_and_the_others(as_trainer, trainer):
    session = SessionFactory.create(trainer=trainer, capacity=1)
    BookingFactory.create(session=session, delegate__full_name="Ada Booked", agency__name="Police")
    now = timezone.now()
    BookingFactory.create(
        session=session,
        delegate__full_name="Second Waiting",
        status=BookingStatus.WAITING,
        waiting_since=now,
    )
    BookingFactory.create(
        session=session,
        delegate__full_name="First Waiting",
        status=BookingStatus.WAITING,
        waiting_since=now - datetime.timedelta(hours=1),
    )
    BookingFactory.create(
        session=session, delegate__full_name="Carl Cancelled", status=BookingStatus.CANCELLED
    )

    page = text(as_trainer.get(session.get_absolute_url()))

    assert "Ada Booked" in page
    assert "Police" in page
    assert page.index("First Waiting") < page.index("Second Waiting")
    assert "Carl Cancelled" in page
    assert session.joining_link in page
    for name in ("register_mark", "session_evaluations", "session_edit", "session_cancel"):
        assert reverse(f"training:{name}", kwargs={"pk": session.pk}) in page
    assert "You are the trainer for this session" in page


def test_booking_a_free_place_confirms_it(as_practitioner, practitioner):
    session = SessionFactory.create()
    response = as_practitioner.post(reverse("training:book", kwargs={"pk": session.pk}))
    booking = Booking.objects.get(session=session, delegate=practitioner)
    assert response.status_code == 302
    assert response["Location"] == booking.get_absolute_url()
    assert booking.status == BookingStatus.CONFIRMED


def test_booking_a_full_session_joins_the_waiting_list(as_practitioner, practitioner):
    session = SessionFactory.create(capacity=1)
    BookingFactory.create(session=session)
    as_practitioner.post(reverse("training:book", kwargs={"pk": session.pk}))
    assert Booking.objects.get(session=session, delegate=practitioner).status == "waiting"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (past_session, "This session has already started: choose a later date"),
        (
            lambda: SessionFactory.create(is_cancelled=True),
            "This session has been cancelled: choose another date",
        ),
    ],
    ids=["past", "cancelled"],
)
def test_booking_a_past_or_cancelled_session_is_refused_clearly(
    as_practitioner, practitioner, make, message
):
    session = make()
    response = as_practitioner.post(reverse("training:book", kwargs={"pk": session.pk}))
    assert response.status_code == 409
    page = text(response)
    assert message in page
    assert "We could not book your place" in page
    assert not Booking.objects.filter(session=session).exists()


def test_booking_twice_is_refused_clearly(as_practitioner, practitioner):
    session = SessionFactory.create()
    book_for(practitioner, session)
    response = as_practitioner.post(reverse("training:book", kwargs={"pk": session.pk}))
    assert response.status_code == 409
    assert "You are already booked for this session" in text(response)
    assert Booking.objects.filter(session=session).count() == 1


def test_booking_without_details_asks_for_them_first(make_user):
    client = client_for(make_user(Role.PRACTITIONER))
    session = SessionFactory.create()
    response = client.post(reverse("training:book", kwargs={"pk": session.pk}))
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('training:profile')}?next={session.get_absolute_url()}"
    )
    assert not Booking.objects.exists()


# --- A booking's page, cancelling -----------------------------------------------------


def test_booking_page_shows_the_waiting_list_position_and_how_to_leave_it(
    as_practitioner, practitioner
):
    session = SessionFactory.create(capacity=1)
    BookingFactory.create(session=session)
    booking = book_for(
        practitioner, session, status=BookingStatus.WAITING, waiting_since=timezone.now()
    )
    page = text(as_practitioner.get(booking.get_absolute_url()))
    assert "You are number 1 on the waiting list" in page
    assert "Leave the waiting list" in page
    assert reverse("training:booking_cancel", kwargs={"pk": booking.pk}) in page


def test_booking_page_shows_the_cancellation_deadline_and_cancel_link(
    as_practitioner, practitioner
):
    starts = timezone.localtime().replace(microsecond=0) + datetime.timedelta(days=10)
    session = SessionFactory.create(starts_at=starts, cancellation_cutoff_hours=24)
    booking = book_for(practitioner, session)
    page = text(as_practitioner.get(booking.get_absolute_url()))
    deadline = timezone.localtime(starts - datetime.timedelta(hours=24))
    assert f"You can cancel until {deadline.day} {deadline:%B %Y}" in page
    assert "Cancel this booking" in page
    assert session.joining_link in page
    assert reverse("training:certificate", kwargs={"pk": booking.pk}) not in page


def test_booking_page_offers_the_certificate_and_evaluation_after_attending(
    as_practitioner, practitioner
):
    booking = book_for(practitioner, past_session(), attendance=Attendance.ATTENDED)
    page = text(as_practitioner.get(booking.get_absolute_url()))
    assert reverse("training:certificate", kwargs={"pk": booking.pk}) in page
    assert reverse("training:evaluate", kwargs={"pk": booking.pk}) in page


def test_a_booking_is_seen_by_its_delegate_and_trainer_but_not_another_practitioner(
    practitioner, trainer, make_user
):
    booking = book_for(practitioner, SessionFactory.create(trainer=trainer))
    assert client_for(trainer).get(booking.get_absolute_url()).status_code == 200
    stranger = client_for(make_user(Role.PRACTITIONER))
    assert stranger.get(booking.get_absolute_url()).status_code == 403


def test_cancelling_a_booking_asks_first_then_cancels(as_practitioner, practitioner):
    booking = book_for(practitioner, SessionFactory.create())
    url = reverse("training:booking_cancel", kwargs={"pk": booking.pk})
    page = text(as_practitioner.get(url))
    assert "Are you sure you want to cancel your place?" in page
    assert booking.session.course.title in page
    starts = timezone.localtime(booking.session.starts_at)
    assert f"{starts:%A} {starts.day} {starts:%B %Y}" in page
    assert "The place will be offered to the next person on the waiting list" in page
    html = as_practitioner.get(url).content.decode()
    assert re.search(r"govuk-button--warning[^>]*>\s*Cancel my place", html)
    assert f'href="{booking.get_absolute_url()}"' in html
    assert "Keep my place" in html
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    response = as_practitioner.post(url)
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


# --- Signing up and managers' approval ----------------------------------------------------


def test_sign_in_page_links_to_registration(client):
    page = text(client.get(reverse("accounts:sign_in")))
    assert reverse("training:register") in page
    assert "Register to book training" in page


def test_registration_page_is_public_and_signs_people_up(client, agency):
    page = text(client.get(reverse("training:register")))
    assert "Register to book training" in page
    assert reverse("accounts:sign_in") in page

    refused = client.post(reverse("training:register"), {})
    assert refused.status_code == 400
    assert "Enter your full name" in text(refused)

    data = {
        "full_name": "Nia Newcomer",
        "email": "nia@example.test",
        "agency": agency.pk,
        "manager_email": "boss@example.test",
    }
    response = client.post(reverse("training:register"), data)
    assert response["Location"] == reverse("training:register_sent")
    user = User.objects.get(email="nia@example.test")
    assert user.delegate_profile.manager_email == "boss@example.test"


def test_registering_a_known_address_looks_the_same_and_creates_nothing(client, agency):
    UserFactory(email="known@example.test")
    data = {
        "full_name": "Known Person",
        "email": "known@example.test",
        "agency": agency.pk,
        "manager_email": "boss@example.test",
    }
    response = client.post(reverse("training:register"), data)
    assert response["Location"] == reverse("training:register_sent")
    assert User.objects.filter(email="known@example.test").count() == 1
    page = text(client.get(reverse("training:register_sent")))
    assert "Check your email" in page


def test_registration_page_sends_signed_in_people_to_their_details(as_practitioner):
    response = as_practitioner.get(reverse("training:register"))
    assert response["Location"] == reverse("training:profile")


@pytest.fixture
def awaiting():
    session = SessionFactory.create(
        course__title="Leading safeguarding", needs_manager_approval=True
    )
    return BookingFactory.create(
        session=session,
        delegate__full_name="Dev Delegate",
        status=BookingStatus.AWAITING_APPROVAL,
        manager_email="boss@example.test",
    )


def test_approval_page_shows_the_place_to_the_manager_signed_out(client, awaiting):
    url = reverse("training:approval", kwargs={"token": approval_token(awaiting.pk)})
    page = text(client.get(url))
    assert "Dev Delegate" in page
    assert "Leading safeguarding" in page
    assert 'value="approve" name="decision"' in page
    assert 'value="decline" name="decision"' in page
    assert "csrfmiddlewaretoken" in page


def test_manager_approves_a_place(client, awaiting):
    url = reverse("training:approval", kwargs={"token": approval_token(awaiting.pk)})
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 200
    assert "Place approved" in text(response)
    awaiting.refresh_from_db()
    assert awaiting.status == BookingStatus.CONFIRMED


def test_manager_declines_a_place(client, awaiting):
    url = reverse("training:approval", kwargs={"token": approval_token(awaiting.pk)})
    response = client.post(url, {"decision": "decline"})
    assert "Place declined" in text(response)
    awaiting.refresh_from_db()
    assert awaiting.status == BookingStatus.DECLINED


def test_approval_without_a_decision_says_what_to_do(client, awaiting):
    url = reverse("training:approval", kwargs={"token": approval_token(awaiting.pk)})
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Choose whether to approve or decline the place" in text(response)
    awaiting.refresh_from_db()
    assert awaiting.status == BookingStatus.AWAITING_APPROVAL


def test_a_bad_or_spent_approval_link_is_refused(client, awaiting):
    bad = client.get(reverse("training:approval", kwargs={"token": "not-a-token"}))
    assert bad.status_code == 400
    assert "This link is not valid" in text(bad)

    url = reverse("training:approval", kwargs={"token": approval_token(awaiting.pk)})
    client.post(url, {"decision": "approve"})
    assert "already been dealt with" in text(client.get(url))
    again = client.post(url, {"decision": "decline"})
    assert again.status_code == 400
    assert "already been dealt with" in text(again)


# --- Courses and events ----------------------------------------------------------------


def test_course_list_tags_overdue_reviews_and_retired_courses_for_managers_only(
    as_practitioner, as_trainer
):
    CourseFactory.create(title="Current course")
    CourseFactory.create(
        title="Stale course", review_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    CourseFactory.create(title="Old course", is_active=False)

    managed = text(as_trainer.get(reverse("training:course_list")))
    assert "Review overdue" in managed
    assert "Retired" in managed
    assert "Old course" in managed

    seen = text(as_practitioner.get(reverse("training:course_list")))
    assert "Stale course" in seen
    assert "Review overdue" not in seen
    assert "Old course" not in seen


def test_course_page_lists_outcomes_themes_and_sessions_with_the_users_status(
    as_practitioner, practitioner, as_trainer
):
    theme = PracticeTheme.objects.order_by("name")[0]
    course = CourseFactory.create(
        title="Neglect: spotting the signs",
        learning_outcomes="Recognise neglect\nKnow who to tell",
        themes=[theme],
    )
    session = SessionFactory.create(course=course)
    book_for(practitioner, session)
    SessionFactory.create(course=course, capacity=1)
    BookingFactory.create(session=SessionFactory.create(course=course, capacity=1))

    page = text(as_practitioner.get(course.get_absolute_url()))
    assert "Recognise neglect" in page
    assert theme.name in page
    assert "Booked" in page
    assert "1 place left" in page
    assert "Full: join the waiting list" in page
    assert reverse("training:session_detail", kwargs={"pk": session.pk}) in page
    assert "Schedule a session" not in page

    managed = text(as_trainer.get(course.get_absolute_url()))
    assert reverse("training:session_create", kwargs={"course_pk": course.pk}) in managed
    assert reverse("training:course_edit", kwargs={"pk": course.pk}) in managed


def test_events_list_and_page(as_practitioner, as_trainer):
    week = SeriesFactory.create(name="Safeguarding Week", description="A week of short sessions.")
    SessionFactory.create(series=week, course__title="Exploitation briefing")

    listed = text(as_practitioner.get(reverse("training:series_list")))
    assert "Safeguarding Week" in listed
    assert "Add an event" not in listed
    assert "Add an event" in text(as_trainer.get(reverse("training:series_list")))

    page = text(as_practitioner.get(week.get_absolute_url()))
    assert "A week of short sessions." in page
    assert "Exploitation briefing" in page
    assert reverse("training:series_edit", kwargs={"pk": week.pk}) not in page
    assert reverse("training:series_edit", kwargs={"pk": week.pk}) in text(
        as_trainer.get(week.get_absolute_url())
    )


# --- Running sessions --------------------------------------------------------------------


def test_session_list_is_for_trainers_and_shows_registers_to_mark(
    as_trainer, trainer, as_practitioner, make_user
):
    SessionFactory.create(trainer=trainer, course__title="Coming up soon")
    past_session(trainer=trainer, course__title="Needs a register")
    past_session(trainer=trainer, course__title="Already marked", register_marked_at=timezone.now())
    SessionFactory.create(course__title="Someone else's")

    assert as_practitioner.get(reverse("training:session_list")).status_code == 403

    upcoming = text(as_trainer.get(reverse("training:session_list")))
    assert "Coming up soon" in upcoming
    assert "Someone else's" not in upcoming
    assert "Needs a register" not in upcoming

    past = text(as_trainer.get(reverse("training:session_list"), {"when": "past"}))
    assert "Needs a register" in past
    assert "Register to mark" in past
    assert "Already marked" in past
    assert "Marked" in past

    everyone = text(client_for(make_user(Role.ADMINISTRATOR)).get(reverse("training:session_list")))
    assert "Someone else's" in everyone
    assert "Tom Trainer" in everyone


def test_an_administrator_may_narrow_the_session_list_to_their_own(as_trainer, make_user):
    admin = make_user(Role.ADMINISTRATOR, full_name="Ada Admin")
    SessionFactory.create(trainer=admin, course__title="Ada's own")
    SessionFactory.create(course__title="Someone else's")
    as_admin = client_for(admin)

    everyone = text(as_admin.get(reverse("training:session_list")))
    assert "Showing everyone's sessions" in everyone
    assert ">Trainer</th>" in everyone

    own = text(as_admin.get(reverse("training:session_list"), {"mine": "1"}))
    assert "Showing only sessions you run" in own
    assert "Ada's own" in own
    assert "Someone else's" not in own
    assert ">Trainer</th>" not in own

    trainers_page = text(as_trainer.get(reverse("training:session_list")))
    assert "Showing everyone's sessions" not in trainers_page
    assert ">Trainer</th>" not in trainers_page


def test_session_list_pages_long_lists(as_trainer, trainer):
    for _ in range(30):
        SessionFactory.create(trainer=trainer)
    page = text(as_trainer.get(reverse("training:session_list")))
    assert "30 sessions" in page
    assert "govuk-pagination" in page
    assert "page=2" in page


def test_register_opens_only_when_the_session_starts(as_trainer, trainer):
    session = SessionFactory.create(trainer=trainer)
    BookingFactory.create(session=session)
    page = text(as_trainer.get(reverse("training:register_mark", kwargs={"pk": session.pk})))
    assert "The register opens when the session starts" in page
    assert "Save the register" not in page


def test_register_lists_each_delegate_as_radios_and_saves_the_marks(as_trainer, trainer):
    session = past_session(trainer=trainer)
    ada = BookingFactory.create(session=session, delegate__full_name="Ada Attender")
    bo = BookingFactory.create(session=session, delegate__full_name="Bo Absent")
    BookingFactory.create(session=session, status=BookingStatus.CANCELLED)
    url = reverse("training:register_mark", kwargs={"pk": session.pk})

    page = text(as_trainer.get(url))
    assert "Ada Attender" in page
    assert "Bo Absent" in page
    assert page.count('type="radio"') == 6
    assert "checked" not in page
    assert "govuk-radios--inline" in page

    marks = {f"booking_{ada.pk}": "attended", f"booking_{bo.pk}": "did_not_attend"}
    check = as_trainer.post(url, marks)
    assert check.status_code == 200
    assert "Saving will email an evaluation form to 1 delegate." in text(check)
    ada.refresh_from_db()
    assert ada.attendance == Attendance.NOT_MARKED

    response = as_trainer.post(url, marks | {"confirmed": "1"})
    assert response.status_code == 302
    ada.refresh_from_db()
    bo.refresh_from_db()
    assert (ada.attendance, bo.attendance) == ("attended", "did_not_attend")


def test_register_asks_again_when_the_number_to_email_changed(as_trainer, trainer):
    session = past_session(trainer=trainer)
    ada = BookingFactory.create(session=session)
    bo = BookingFactory.create(session=session)
    url = reverse("training:register_mark", kwargs={"pk": session.pk})
    marks = {f"booking_{ada.pk}": "attended", f"booking_{bo.pk}": "left_early"}
    response = as_trainer.post(url, marks | {"confirmed": "1"})
    assert response.status_code == 200
    assert "Saving will email an evaluation form to 2 delegates." in text(response)
    ada.refresh_from_db()
    assert ada.attendance == Attendance.NOT_MARKED


def test_register_changed_from_the_check_page_keeps_the_marks(as_trainer, trainer):
    session = past_session(trainer=trainer)
    ada = BookingFactory.create(session=session)
    url = reverse("training:register_mark", kwargs={"pk": session.pk})
    response = as_trainer.post(url, {f"booking_{ada.pk}": "left_early", "change": "yes"})
    assert response.status_code == 200
    assert 'value="left_early" checked' in response.content.decode()
    ada.refresh_from_db()
    assert ada.attendance == Attendance.NOT_MARKED


def test_register_with_nobody_to_email_saves_at_once(as_trainer, trainer):
    session = past_session(trainer=trainer)
    ada = BookingFactory.create(session=session)
    url = reverse("training:register_mark", kwargs={"pk": session.pk})
    response = as_trainer.post(url, {f"booking_{ada.pk}": "did_not_attend"})
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.attendance == "did_not_attend"


def test_register_refuses_a_booking_not_on_the_session_and_saves_nothing(as_trainer, trainer):
    session = past_session(trainer=trainer)
    ada = BookingFactory.create(session=session)
    elsewhere = BookingFactory.create(session=past_session(trainer=trainer))
    response = as_trainer.post(
        reverse("training:register_mark", kwargs={"pk": session.pk}),
        {f"booking_{ada.pk}": "attended", f"booking_{elsewhere.pk}": "attended"},
    )
    assert response.status_code == 400
    assert "Only people with a confirmed place can be marked" in text(response)
    ada.refresh_from_db()
    elsewhere.refresh_from_db()
    assert ada.attendance == elsewhere.attendance == Attendance.NOT_MARKED
    session.refresh_from_db()
    assert session.register_marked_at is None


def test_register_without_a_mark_shows_the_error_summary(as_trainer, trainer):
    session = past_session(trainer=trainer)
    BookingFactory.create(session=session, delegate__full_name="Ada Attender")
    response = as_trainer.post(reverse("training:register_mark", kwargs={"pk": session.pk}), {})
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert "Choose whether Ada Attender attended, left early or did not attend" in page


def test_register_is_not_for_practitioners(as_practitioner):
    session = past_session()
    url = reverse("training:register_mark", kwargs={"pk": session.pk})
    assert as_practitioner.get(url).status_code == 403


def test_evaluations_are_held_back_until_enough_delegates_answer(as_trainer, trainer):
    session = past_session(trainer=trainer)
    EvaluationFactory.create(session=session)
    url = reverse("training:session_evaluations", kwargs={"pk": session.pk})
    page = text(as_trainer.get(url))
    assert "Results are shown once at least 3 delegates have answered" in page
    assert "1 has answered so far" in page
    assert "Ask sooner." not in page


def test_evaluations_are_pooled_without_names_once_enough_answer(as_trainer, trainer):
    session = past_session(trainer=trainer)
    BookingFactory.create(session=session, delegate__full_name="Named Delegate", evaluated_on=None)
    EvaluationFactory.create(
        session=session, rating=Rating.EXCELLENT, will_do_differently="Ask sooner."
    )
    EvaluationFactory.create(session=session, rating=Rating.GOOD, comments="Good pace.")
    EvaluationFactory.create(
        session=session, rating=Rating.POOR, will_do_differently="Read the policy."
    )
    for _ in range(3):
        ImpactResponseFactory(session=session, applied="partly", example="Used the checklist.")

    page = text(as_trainer.get(reverse("training:session_evaluations", kwargs={"pk": session.pk})))

    assert "67% rated the session good or excellent" in page
    assert "Read the policy." in page
    assert "Good pace." in page
    assert "Used the checklist." in page
    assert "Named Delegate" not in page


def test_evaluations_are_not_for_practitioners(as_practitioner):
    url = reverse("training:session_evaluations", kwargs={"pk": past_session().pk})
    assert as_practitioner.get(url).status_code == 403


# --- Evaluating and certificates ---------------------------------------------------------


def test_an_attendee_evaluates_the_session(as_practitioner, practitioner):
    booking = book_for(practitioner, past_session(), attendance=Attendance.ATTENDED)
    url = reverse("training:evaluate", kwargs={"pk": booking.pk})
    assert "Evaluate the session" in text(as_practitioner.get(url))
    response = as_practitioner.post(
        url,
        {
            "rating": "good",
            "confidence_before": "2",
            "confidence_after": "4",
            "will_do_differently": "Check the chronology.",
        },
    )
    assert response["Location"] == reverse("training:mine")
    assert Evaluation.objects.filter(session=booking.session).count() == 1


def test_evaluation_by_someone_marked_absent_is_refused(as_practitioner, practitioner):
    booking = book_for(practitioner, past_session(), attendance=Attendance.DID_NOT_ATTEND)
    response = as_practitioner.post(
        reverse("training:evaluate", kwargs={"pk": booking.pk}),
        {
            "rating": "good",
            "confidence_before": "2",
            "confidence_after": "4",
            "will_do_differently": "Nothing.",
        },
    )
    assert response.status_code == 400
    assert "Only delegates marked as attending can evaluate a session" in text(response)
    assert not Evaluation.objects.exists()


def test_evaluation_of_someone_elses_booking_is_forbidden(practitioner, make_user):
    booking = book_for(practitioner, past_session(), attendance=Attendance.ATTENDED)
    stranger = client_for(make_user(Role.PRACTITIONER))
    assert stranger.get(reverse("training:evaluate", kwargs={"pk": booking.pk})).status_code == 403


def test_certificate_is_a_pdf_for_those_who_attended(as_practitioner, practitioner):
    booking = book_for(practitioner, past_session(), attendance=Attendance.ATTENDED)
    response = as_practitioner.get(reverse("training:certificate", kwargs={"pk": booking.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_no_certificate_for_a_delegate_who_did_not_attend(as_practitioner, practitioner):
    booking = book_for(practitioner, past_session(), attendance=Attendance.DID_NOT_ATTEND)
    response = as_practitioner.get(reverse("training:certificate", kwargs={"pk": booking.pk}))
    assert response.status_code == 404


def test_no_certificate_for_a_delegate_who_left_early(as_practitioner, practitioner):
    booking = book_for(practitioner, past_session(), attendance=Attendance.LEFT_EARLY)
    response = as_practitioner.get(reverse("training:certificate", kwargs={"pk": booking.pk}))
    assert response.status_code == 404
    page = as_practitioner.get(booking.get_absolute_url())
    assert reverse("training:certificate", kwargs={"pk": booking.pk}) not in text(page)


# --- Query counts --------------------------------------------------------------------------


def assert_queries_flat(
    client: Client, url: str, grow: Callable[[int], None], expected: int, assert_num_queries
) -> None:
    """The page takes ``expected`` queries with a few rows and with ten times as many."""
    grow(1)
    with assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow(9)
    with assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_catalogue_queries_do_not_grow(as_practitioner, practitioner, django_assert_num_queries):
    theme = PracticeTheme.objects.first()

    def grow(times: int) -> None:
        for _ in range(times * 3):
            series = SeriesFactory.create()
            session = SessionFactory.create(series=series, course__themes=[theme])
            BookingFactory.create(session=session)
            book_for(practitioner, session)

    assert_queries_flat(
        as_practitioner, reverse("training:catalogue"), grow, 6, django_assert_num_queries
    )


def test_course_list_queries_do_not_grow(as_trainer, django_assert_num_queries):
    def grow(times: int) -> None:
        for _ in range(times * 3):
            course = CourseFactory.create()
            SessionFactory.create(course=course)
            past_session(course=course)

    assert_queries_flat(
        as_trainer, reverse("training:course_list"), grow, 4, django_assert_num_queries
    )


def test_course_page_queries_do_not_grow(as_practitioner, practitioner, django_assert_num_queries):
    course = CourseFactory.create()
    themes = list(PracticeTheme.objects.all()[:3])

    def grow(times: int) -> None:
        course.themes.add(*themes[:times])
        for _ in range(times * 3):
            session = SessionFactory.create(course=course, series=SeriesFactory.create())
            BookingFactory.create(session=session)
            book_for(practitioner, session)

    assert_queries_flat(
        as_practitioner, course.get_absolute_url(), grow, 7, django_assert_num_queries
    )


def test_event_page_queries_do_not_grow(as_practitioner, practitioner, django_assert_num_queries):
    week = SeriesFactory.create()

    def grow(times: int) -> None:
        for _ in range(times * 3):
            session = SessionFactory.create(series=week)
            BookingFactory.create(session=session)
            book_for(
                practitioner, session, status=BookingStatus.WAITING, waiting_since=timezone.now()
            )

    assert_queries_flat(
        as_practitioner, week.get_absolute_url(), grow, 5, django_assert_num_queries
    )


def test_session_list_queries_do_not_grow(as_trainer, trainer, django_assert_num_queries):
    def grow(times: int) -> None:
        for _ in range(times * 2):
            session = SessionFactory.create(trainer=trainer)
            BookingFactory.create(session=session)
            BookingFactory.create(
                session=session, status=BookingStatus.WAITING, waiting_since=timezone.now()
            )

    assert_queries_flat(
        as_trainer, reverse("training:session_list"), grow, 5, django_assert_num_queries
    )


def test_my_training_queries_do_not_grow(as_practitioner, practitioner, django_assert_num_queries):
    def grow(times: int) -> None:
        for _ in range(times):
            book_for(practitioner, SessionFactory.create())
            book_for(
                practitioner,
                SessionFactory.create(),
                status=BookingStatus.WAITING,
                waiting_since=timezone.now(),
            )
            book_for(practitioner, past_session(), attendance=Attendance.ATTENDED)
            book_for(practitioner, past_session(), attendance=Attendance.LEFT_EARLY)

    assert_queries_flat(
        as_practitioner, reverse("training:mine"), grow, 5, django_assert_num_queries
    )


def test_session_page_for_its_trainer_queries_do_not_grow(
    as_trainer, trainer, django_assert_num_queries
):
    session = SessionFactory.create(trainer=trainer, capacity=200)

    def grow(times: int) -> None:
        for _ in range(times * 2):
            BookingFactory.create(session=session)
            BookingFactory.create(
                session=session, status=BookingStatus.WAITING, waiting_since=timezone.now()
            )
            BookingFactory.create(session=session, status=BookingStatus.CANCELLED)
            EvaluationFactory.create(session=session)

    assert_queries_flat(as_trainer, session.get_absolute_url(), grow, 8, django_assert_num_queries)


def test_register_page_queries_do_not_grow(as_trainer, trainer, django_assert_num_queries):
    session = past_session(trainer=trainer, capacity=200)

    def grow(times: int) -> None:
        for _ in range(times * 3):
            BookingFactory.create(session=session, agency=AgencyFactory())

    assert_queries_flat(
        as_trainer,
        reverse("training:register_mark", kwargs={"pk": session.pk}),
        grow,
        5,
        django_assert_num_queries,
    )
