"""The register, evaluations, the impact survey, reminders and certificates."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from sightline.core.models import OutboxMessage
from sightline.training import certificates, services
from sightline.training.models import Booking, Evaluation, ImpactResponse
from sightline.training.selectors import evaluation_summary
from sightline.training.vocabulary import Attendance, BookingStatus, Rating

from .factories import BookingFactory, CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db


def past_session(**fields):
    starts = timezone.now() - datetime.timedelta(hours=3)
    return SessionFactory.create(
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), **fields
    )


EVALUATION = {
    "rating": Rating.GOOD,
    "confidence_before": 2,
    "confidence_after": 4,
    "will_do_differently": "Ask about the baby's sleeping arrangements at every visit.",
    "comments": "",
}


def test_the_register_marks_everyone_at_once_and_asks_those_present_to_evaluate(
    mailoutbox, django_capture_on_commit_callbacks
):
    session = past_session()
    came, left, absent = BookingFactory.create_batch(3, session=session)
    marks = {
        came.pk: Attendance.ATTENDED,
        left.pk: Attendance.LEFT_EARLY,
        absent.pk: Attendance.DID_NOT_ATTEND,
    }

    with django_capture_on_commit_callbacks(execute=True):
        changed = services.register_mark(actor=session.trainer, session=session, marks=marks)

    assert len(changed) == 3
    stored = dict(Booking.objects.filter(session=session).values_list("pk", "attendance"))
    assert stored == marks
    session.refresh_from_db()
    assert session.register_marked_at is not None
    assert sorted(m.to[0] for m in mailoutbox) == sorted([came.delegate.email, left.delegate.email])
    # Marking again asks nobody twice.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.register_mark(
            actor=session.trainer,
            session=session,
            marks={absent.pk: Attendance.ATTENDED, came.pk: Attendance.ATTENDED},
        )
    assert [m.to[0] for m in mailoutbox] == [absent.delegate.email]


def test_marking_someone_not_booked_is_refused_and_nothing_saved():
    session = past_session()
    booked = BookingFactory.create(session=session)
    elsewhere = BookingFactory.create(session=past_session())
    cancelled = BookingFactory.create(session=session, status=BookingStatus.CANCELLED)

    for stranger in (elsewhere, cancelled):
        with pytest.raises(ValidationError, match="confirmed place"):
            services.register_mark(
                actor=session.trainer,
                session=session,
                marks={booked.pk: Attendance.ATTENDED, stranger.pk: Attendance.ATTENDED},
            )
    booked.refresh_from_db()
    assert booked.attendance == Attendance.NOT_MARKED


def test_the_register_opens_when_the_session_starts():
    session = SessionFactory.create()
    booking = BookingFactory.create(session=session)
    with pytest.raises(ValidationError, match="register opens"):
        services.register_mark(
            actor=session.trainer, session=session, marks={booking.pk: Attendance.ATTENDED}
        )


def test_an_unknown_mark_is_refused():
    session = past_session()
    booking = BookingFactory.create(session=session)
    with pytest.raises(ValidationError, match="attended, left early or did not attend"):
        services.register_mark(actor=session.trainer, session=session, marks={booking.pk: "late"})


def test_an_evaluation_is_stored_apart_from_the_delegate():
    booking = BookingFactory.create(session=past_session(), attendance=Attendance.ATTENDED)

    evaluation = services.evaluation_submit(
        actor=booking.delegate, booking=booking, data=EVALUATION
    )

    booking.refresh_from_db()
    assert booking.evaluated_on is not None
    assert evaluation.session_id == booking.session_id
    field_names = {field.name for field in Evaluation._meta.get_fields()}
    assert not field_names & {"booking", "delegate", "user"}
    with pytest.raises(ValidationError, match="already answered"):
        services.evaluation_submit(actor=booking.delegate, booking=booking, data=EVALUATION)
    assert Evaluation.objects.filter(session=booking.session).count() == 1


@pytest.mark.parametrize("attendance", [Attendance.DID_NOT_ATTEND, Attendance.NOT_MARKED])
def test_only_delegates_who_attended_can_evaluate(attendance):
    booking = BookingFactory.create(session=past_session(), attendance=attendance)
    with pytest.raises(ValidationError, match="marked as attending"):
        services.evaluation_submit(actor=booking.delegate, booking=booking, data=EVALUATION)
    assert not Evaluation.objects.exists()


def test_nobody_evaluates_someone_elses_place(make_user):
    booking = BookingFactory.create(session=past_session(), attendance=Attendance.ATTENDED)
    with pytest.raises(ValidationError, match="own place"):
        services.evaluation_submit(actor=make_user(), booking=booking, data=EVALUATION)


def test_someone_who_evaluated_cannot_be_marked_absent():
    session = past_session()
    booking = BookingFactory.create(session=session, attendance=Attendance.ATTENDED)
    services.evaluation_submit(actor=booking.delegate, booking=booking, data=EVALUATION)
    with pytest.raises(ValidationError, match="already evaluated"):
        services.register_mark(
            actor=session.trainer, session=session, marks={booking.pk: Attendance.DID_NOT_ATTEND}
        )


def test_results_are_hidden_until_three_delegates_have_answered():
    session = past_session()
    bookings = BookingFactory.create_batch(3, session=session, attendance=Attendance.ATTENDED)
    ratings = [Rating.EXCELLENT, Rating.POOR, Rating.GOOD]
    for booking, rating in zip(bookings[:2], ratings, strict=False):
        services.evaluation_submit(
            actor=booking.delegate, booking=booking, data=EVALUATION | {"rating": rating}
        )

    hidden = evaluation_summary(session=session)
    assert (hidden.responses, hidden.shown) == (2, False)
    assert hidden.will_do_differently == []
    assert all(count == 0 for _, count in hidden.ratings)

    services.evaluation_submit(
        actor=bookings[2].delegate, booking=bookings[2], data=EVALUATION | {"rating": ratings[2]}
    )
    shown = evaluation_summary(session=session)
    assert (shown.responses, shown.shown) == (3, True)
    assert dict(shown.ratings) == {"Excellent": 1, "Good": 1, "Satisfactory": 0, "Poor": 1}
    assert shown.good_or_excellent == 67
    assert (shown.confidence_before, shown.confidence_after) == (2.0, 4.0)


def test_the_impact_survey_is_sent_once_after_the_courses_weeks(
    mailoutbox, django_capture_on_commit_callbacks
):
    course = CourseFactory.create(impact_survey_weeks=6)
    starts = timezone.now() - datetime.timedelta(weeks=7)
    session = SessionFactory.create(
        course=course, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )
    came = BookingFactory.create(session=session, attendance=Attendance.ATTENDED)
    BookingFactory.create(session=session, attendance=Attendance.DID_NOT_ATTEND)
    recent = SessionFactory.create(
        course=course,
        starts_at=timezone.now() - datetime.timedelta(weeks=2),
        ends_at=timezone.now() - datetime.timedelta(weeks=2) + datetime.timedelta(hours=2),
    )
    BookingFactory.create(session=recent, attendance=Attendance.ATTENDED)

    out = io.StringIO()
    call_command("send_training_reminders", stdout=out)
    call_command("send_training_reminders", stdout=io.StringIO())

    assert "1 impact surveys written" in out.getvalue()
    surveys = [m.to[0] for m in mailoutbox if m.subject.startswith("Has it made a difference")]
    assert surveys == [came.delegate.email]
    services.impact_submit(
        actor=came.delegate, booking=came, data={"applied": "yes", "example": "Asked sooner."}
    )
    assert ImpactResponse.objects.get().session == session
    with pytest.raises(ValidationError, match="already answered"):
        services.impact_submit(actor=came.delegate, booking=came, data={"applied": "no"})


def test_reminders_go_once_to_confirmed_places_in_the_next_two_days(mailoutbox):
    soon = SessionFactory.create(
        starts_at=timezone.now() + datetime.timedelta(hours=30),
        ends_at=timezone.now() + datetime.timedelta(hours=32),
    )
    later = SessionFactory.create()
    confirmed = BookingFactory.create(session=soon)
    BookingFactory.create(session=soon, status=BookingStatus.WAITING, waiting_since=timezone.now())
    BookingFactory.create(session=later)

    first = services.training_reminders_send()
    second = services.training_reminders_send()

    assert first["reminders"] == 1
    assert second["reminders"] == 0
    assert [m.to[0] for m in mailoutbox] == [confirmed.delegate.email]
    assert mailoutbox[0].attachments[0][0] == "session.ics"
    assert OutboxMessage.objects.filter(recipient=confirmed.delegate.email).count() == 1


def test_a_certificate_is_a_pdf_naming_the_delegate_and_course(monkeypatch):
    import weasyprint

    from sightline.core.tests.pdfs import check_accessible_pdf

    booking = BookingFactory.create(
        session=past_session(course=CourseFactory.create(title="Safer sleep for infants")),
        attendance=Attendance.ATTENDED,
        delegate__full_name="Priya Shah",
    )
    pages: list[str] = []
    real_html = weasyprint.HTML

    def html(*, string):
        pages.append(string)
        return real_html(string=string)

    monkeypatch.setattr(weasyprint, "HTML", html)
    pdf = certificates.render(booking)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1000
    [page] = pages
    assert "Priya Shah" in page
    assert "Safer sleep for infants" in page
    check_accessible_pdf(pdf, title="Certificate of attendance: Safer sleep for infants")


def test_the_impact_survey_cannot_be_answered_before_it_opens():
    booking = BookingFactory.create(session=past_session(), attendance=Attendance.ATTENDED)
    with pytest.raises(ValidationError, match="opens on"):
        services.impact_submit(actor=booking.delegate, booking=booking, data={"applied": "yes"})
    assert not ImpactResponse.objects.exists()


def test_an_evaluation_request_is_written_once_per_booking(
    mailoutbox, django_capture_on_commit_callbacks
):
    session = past_session()
    booking = BookingFactory.create(session=session)
    with django_capture_on_commit_callbacks(execute=True):
        services.register_mark(
            actor=session.trainer, session=session, marks={booking.pk: Attendance.ATTENDED}
        )
    assert [m.to[0] for m in mailoutbox] == [booking.delegate.email]
    # The hourly run finds it asked already, however often it runs.
    assert services.training_reminders_send()["evaluation_requests"] == 0
    assert len(mailoutbox) == 1


def test_an_evaluation_request_lost_before_the_outbox_is_written_by_the_hourly_run(mailoutbox):
    session = past_session()
    booking = BookingFactory.create(
        session=session, attendance=Attendance.ATTENDED, attendance_marked_at=timezone.now()
    )
    sent = services.training_reminders_send()
    assert sent["evaluation_requests"] == 1
    assert [m.to[0] for m in mailoutbox] == [booking.delegate.email]
    assert services.training_reminders_send()["evaluation_requests"] == 0
