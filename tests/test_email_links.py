"""Every email links only to pages its recipient may open.

Each kind of email the service sends is triggered here as the service would send it; every
link in it to Sightline is then followed as its recipient would: signed out first, and
signed in as the recipient when Sightline asks them to sign in. Each must open (200).
The emails are read from ``mailoutbox``: whatever the service sent, as delivered.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from sightline.accounts import services as account_services
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory
from sightline.assurance.services.audits import audit_returns_request
from sightline.assurance.tests.factories import AuditFactory
from sightline.core.roles import Role
from sightline.learning import services as learning_services
from sightline.learning.models import Action, DisseminationReturn, Recommendation
from sightline.reviews import services as review_services
from sightline.reviews.tests.factories import CaseFactory
from sightline.training import services as training_services
from sightline.training.tests.factories import CourseFactory, DelegateProfileFactory, SessionFactory
from sightline.training.vocabulary import Attendance

pytestmark = pytest.mark.django_db

# Links to Sightline: its configured address, or the address a request came to (the test
# client's "testserver"), as in the emails a request sends (a password reset).
LINK = re.compile(
    "(?:" + re.escape(settings.SIGHTLINE_BASE_URL) + r"|https?://testserver)(/[^\s>)\"']*)"
)


def assert_every_link_opens(client, messages) -> int:
    """Follow every Sightline link in ``messages`` as its recipient; return how many."""
    followed = 0
    for message in messages:
        [to] = message.to
        recipient = get_user_model().objects.filter(email__iexact=to).first()
        for path in LINK.findall(message.body):
            client.logout()
            response = client.get(path, follow=True)
            if response.redirect_chain and response.redirect_chain[-1][0].startswith(
                reverse("accounts:sign_in")
            ):
                assert recipient is not None, (
                    f"{message.subject!r} to {to}: {path} needs an account"
                )
                client.force_login(recipient)
                response = client.get(path, follow=True)
            assert response.status_code == 200, (
                f"{message.subject!r} to {to} links to {path}, which answers {response.status_code}"
            )
            followed += 1
    return followed


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run ``work`` and send what it leaves for after the commit, as the service would."""

    def run(work, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return work(*args, **kwargs)

    return run


def test_learning_reminders_returns_and_digest(client, make_user, run, mailoutbox):
    police = AgencyFactory.create(name="Police")
    make_user(Role.AGENCY_LEAD, agency=police, email="lead@police.test")
    trainer = make_user(Role.TRAINER, email="trainer@police.test")
    practitioner = make_user(Role.PRACTITIONER, email="practitioner@police.test")
    today = timezone.localdate()
    rec = Recommendation.objects.create(
        reference="R-1",
        source_type="other",
        source_title="An audit",
        text="Improve supervision",
        made_date=today - datetime.timedelta(days=90),
    )
    for number, owner in enumerate([trainer, practitioner, None], start=1):
        Action.objects.create(
            reference=f"R-1/A{number}",
            recommendation=rec,
            agency=police,
            owner=owner,
            description="Do it",
            due_date=today - datetime.timedelta(days=number),
        )
    case = CaseFactory.create(published_date=today - datetime.timedelta(days=30))
    case.agencies.add(police)
    admin = make_user(Role.ADMINISTRATOR)
    run(learning_services.returns_request, actor=admin, case=case)
    run(learning_services.learning_reminders_send, today=today, digest=True)

    messages = list(mailoutbox)
    recipients = {message.to[0] for message in messages}
    assert {"trainer@police.test", "practitioner@police.test", "lead@police.test"} <= recipients
    assert DisseminationReturn.objects.filter(agency=police).exists()
    # Three action reminders, the return request and its reminder, and the digest.
    assert assert_every_link_opens(client, messages) >= 6


def test_case_deadline_reminders(client, make_user, mailoutbox):
    officer = make_user(Role.REVIEW_OFFICER, email="officer@example.test")
    make_user(Role.REVIEW_OFFICER, email="other-officer@example.test")
    # Someone once the responsible officer, now only a practitioner, cannot open the case.
    moved_on = make_user(Role.PRACTITIONER, email="moved-on@example.test")
    cases = [
        CaseFactory.create(officer=officer, incident_aware_date=datetime.date(2024, 3, 4)),
        CaseFactory.create(officer=None, incident_aware_date=datetime.date(2024, 3, 4)),
        CaseFactory.create(officer=moved_on, incident_aware_date=datetime.date(2024, 3, 4)),
    ]
    review_services.deadlines_refresh(case_ids=[case.pk for case in cases])
    assert review_services.reminders_send(today=datetime.date(2024, 3, 21)) >= 5
    assert "moved-on@example.test" not in {message.to[0] for message in mailoutbox}
    assert assert_every_link_opens(client, list(mailoutbox)) >= 5


def test_audit_return_requests(client, make_user, run, mailoutbox):
    police = AgencyFactory.create()
    make_user(Role.AGENCY_LEAD, agency=police, email="lead@police.test")
    run(
        audit_returns_request,
        actor=make_user(Role.ADMINISTRATOR),
        audit=AuditFactory.create(),
        agencies=[police],
    )
    assert assert_every_link_opens(client, list(mailoutbox)) == 1


def _delegate(**fields):
    profile = DelegateProfileFactory.create(**fields)
    MembershipFactory.create(user=profile.user, agency=profile.agency, role=Role.PRACTITIONER)
    return profile.user


def test_training_emails(client, run, mailoutbox):
    now = timezone.now()
    session = SessionFactory.create(capacity=1)
    first, second = _delegate(), _delegate()
    run(training_services.booking_make, actor=first, session=session)  # confirmed
    waiting = run(training_services.booking_make, actor=second, session=session)  # waiting
    run(
        training_services.session_save,
        actor=session.trainer,
        session=session,
        data={
            "course": session.course,
            "starts_at": session.starts_at + datetime.timedelta(hours=1),
            "ends_at": session.ends_at + datetime.timedelta(hours=1),
            "mode": session.mode,
            "venue": "",
            "joining_link": session.joining_link,
            "capacity": session.capacity,
            "trainer": session.trainer,
            "series": None,
            "needs_manager_approval": False,
            "cancellation_cutoff_hours": 48,
        },
    )  # changed
    run(training_services.booking_cancel, actor=second, booking=waiting)  # cancelled
    needs_approval = SessionFactory.create(needs_manager_approval=True)
    held = run(training_services.booking_make, actor=_delegate(), session=needs_approval)
    run(
        training_services.booking_decide,
        booking=held,
        approve=False,
        manager_email=held.manager_email,
    )  # the manager was asked, then declined
    soon = SessionFactory.create(starts_at=now + datetime.timedelta(hours=20))
    run(training_services.booking_make, actor=_delegate(), session=soon)
    # The register of a session that has ended, and one whose impact survey is due.
    course = CourseFactory.create(impact_survey_weeks=1)
    ended = SessionFactory.create(
        course=course,
        starts_at=now - datetime.timedelta(days=10),
        ends_at=now - datetime.timedelta(days=10) + datetime.timedelta(hours=2),
    )
    attendee = _delegate()
    booking = training_services.Booking.objects.create(
        session=ended,
        delegate=attendee,
        agency=attendee.delegate_profile.agency,
        sector=attendee.delegate_profile.agency.sector,
        manager_email=attendee.delegate_profile.manager_email,
        status="confirmed",
        booked_at=now - datetime.timedelta(days=20),
        status_changed_at=now - datetime.timedelta(days=20),
    )
    run(
        training_services.register_mark,
        actor=ended.trainer,
        session=ended,
        marks={booking.pk: Attendance.ATTENDED},
    )  # evaluation request
    run(training_services.training_reminders_send, now=now)  # reminder and impact survey
    cancelled = SessionFactory.create()
    run(training_services.booking_make, actor=_delegate(), session=cancelled)
    run(training_services.session_cancel, actor=cancelled.trainer, session=cancelled, reason="Ill")

    subjects = " | ".join(str(message.subject) for message in list(mailoutbox))
    for words in (
        "your place is confirmed",
        "waiting list",
        "change to your session",
        "your booking is cancelled",
        "please approve",
        "did not approve",
        "tell us what you thought",
        "reminder",
        "made a difference",
        "session cancelled",
    ):
        assert words in subjects.lower(), subjects
    assert assert_every_link_opens(client, list(mailoutbox)) >= 9


def test_account_emails(client, make_user, run, mailoutbox):
    user = make_user(Role.PRACTITIONER, email="someone@example.test")
    account_services.password_link_send(user=user)
    client.post(reverse("accounts:password_reset"), {"email": "someone@example.test"})
    agency = AgencyFactory.create()
    run(
        training_services.delegate_register,
        email="new@example.test",
        full_name="New Person",
        job_title="",
        agency=agency,
        organisation="",
        manager_email="boss@example.test",
    )
    run(
        training_services.delegate_register,
        email="someone@example.test",
        full_name="Someone",
        job_title="",
        agency=agency,
        organisation="",
        manager_email="boss@example.test",
    )
    assert len(list(mailoutbox)) == 4
    assert assert_every_link_opens(client, list(mailoutbox)) == 4


def test_newsletter_emails(client, make_user, run, mailoutbox):
    from sightline.hub.services import newsletter as newsletter_services
    from sightline.hub.tests.factories import NewsItemFactory, SubscriberFactory

    officer = make_user(Role.REVIEW_OFFICER, email="officer@example.test")
    run(newsletter_services.subscriber_subscribe, email="reader@example.test")
    SubscriberFactory.create(email="subscribed@example.test")
    news = NewsItemFactory.create(live_on=timezone.localdate() - datetime.timedelta(days=1))
    issue = newsletter_services.issue_draft_save(
        actor=officer, subject="Issue one", introduction="", item_keys=[f"news:{news.pk}"]
    )
    run(newsletter_services.issue_send, actor=officer, issue=issue)
    # The confirmation link, then the issue's item, archive page and unsubscribe link.
    assert len(list(mailoutbox)) == 2
    assert assert_every_link_opens(client, list(mailoutbox)) == 5
