"""Multi-agency training in a real browser, with axe on every page: booking and cancelling,
the waiting list, the register, evaluation and certificates, signing up and approval."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.reviews.models import PracticeTheme
from sightline.training.tests.factories import (
    BookingFactory,
    CourseFactory,
    DelegateProfileFactory,
    EvaluationFactory,
    ImpactResponseFactory,
    SeriesFactory,
    SessionFactory,
)
from sightline.training.tokens import approval_token
from sightline.training.vocabulary import BookingStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    unit = AgencyFactory.create(name="Business Unit")
    police = AgencyFactory.create(name="Northshire Constabulary")
    practitioner = UserFactory.create(email="practitioner@example.test", full_name="Priya Shah")
    MembershipFactory.create(user=practitioner, agency=police, role=Role.PRACTITIONER)
    DelegateProfileFactory.create(
        user=practitioner, agency=police, manager_email="sergeant@example.test"
    )
    trainer = UserFactory.create(email="trainer@example.test", full_name="Tom Trainer")
    MembershipFactory.create(user=trainer, agency=unit, role=Role.TRAINER)
    return {"practitioner": practitioner, "trainer": trainer, "police": police}


def test_practitioner_books_a_place_sees_it_and_cancels_it(visitor, people):
    session = SessionFactory.create(
        course__title="Neglect: spotting the signs", trainer=people["trainer"], capacity=5
    )
    visitor.sign_in("practitioner@example.test", PASSWORD)
    page = visitor.page
    main = page.locator("main")

    visitor.click(page.locator(".govuk-service-navigation").get_by_role("link", name="Training"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Find and book training")
    expect(page.locator("tbody")).to_contain_text("5 places left")
    page.get_by_label("Course title contains").fill("neglect")
    visitor.click(page.get_by_role("button", name="Filter"))
    visitor.click(
        page.get_by_role("link", name=re.compile(r"^Book a place on Neglect: spotting the signs"))
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Neglect: spotting the signs")
    expect(main).not_to_contain_text(session.joining_link)

    visitor.click(page.get_by_role("button", name="Book a place"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your place is booked")
    expect(main).to_contain_text("Booked")
    expect(main).to_contain_text(session.joining_link)

    visitor.click(page.get_by_role("link", name="Back to your training"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your training")
    expect(main).to_contain_text("sergeant@example.test")
    visitor.click(page.get_by_role("link", name=re.compile(r"^Neglect: spotting the signs")))
    visitor.click(page.get_by_role("link", name="Cancel this booking"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to cancel your place?"
    )
    expect(main).to_contain_text("Neglect: spotting the signs")
    starts = timezone.localtime(session.starts_at)
    expect(main).to_contain_text(f"{starts:%A} {starts.day} {starts:%B %Y}")
    visitor.click(page.get_by_role("button", name="Keep my place"))
    expect(main).to_contain_text("Booked")
    visitor.click(page.get_by_role("link", name="Cancel this booking"))
    visitor.click(page.get_by_role("button", name="Cancel my place"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The booking is cancelled")
    expect(main).to_contain_text("Cancelled")

    visitor.goto("/training/mine/")
    expect(main).to_contain_text("You have no places booked")


def test_a_full_session_puts_the_practitioner_on_the_waiting_list(visitor, people):
    session = SessionFactory.create(course__title="Working with families", capacity=1)
    BookingFactory.create(session=session)
    visitor.sign_in("practitioner@example.test", PASSWORD)
    page = visitor.page
    main = page.locator("main")

    visitor.goto("/training/")
    expect(page.locator("tbody")).to_contain_text("Full: join the waiting list")
    visitor.click(page.get_by_role("link", name=re.compile(r"^Join the waiting list for Working")))
    visitor.click(page.get_by_role("button", name="Full: you will join the waiting list"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("on the waiting list")
    expect(main).to_contain_text("You are number 1 on the waiting list")
    expect(main).not_to_contain_text(session.joining_link)

    visitor.goto("/training/mine/")
    expect(page.get_by_role("heading", name="Waiting lists")).to_be_visible()
    expect(main).to_contain_text("Working with families")


def test_trainer_marks_the_register_and_the_delegate_evaluates_and_gets_a_certificate(
    visitor, people
):
    starts = timezone.now() - datetime.timedelta(hours=2)
    session = SessionFactory.create(
        course__title="Child exploitation",
        trainer=people["trainer"],
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
    )
    # The booking service refuses sessions that have started, so the places are made here.
    practitioner = people["practitioner"]
    BookingFactory.create(session=session, delegate=practitioner, agency=people["police"])
    BookingFactory.create(session=session, delegate__full_name="Owen Absent")
    page = visitor.page
    main = page.locator("main")

    visitor.sign_in("trainer@example.test", PASSWORD)
    visitor.goto("/training/sessions/?when=past")
    expect(page.locator("tbody")).to_contain_text("Register to mark")
    visitor.click(page.get_by_role("link", name=re.compile(r"^Mark the register for Child")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Register")
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)
    page.get_by_role("group", name="Priya Shah").get_by_label("Attended").check()
    visitor.click(page.get_by_role("button", name="Save the register"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose whether Owen Absent attended, left early or did not attend"
    )
    page.get_by_role("group", name="Owen Absent").get_by_label("Did not attend").check()
    visitor.click(page.get_by_role("button", name="Save the register"))
    expect(main).to_contain_text("Saving will email an evaluation form to 1 delegate.")
    expect(main).to_contain_text("Priya Shah")
    visitor.click(page.get_by_role("button", name="Save and send 1 email"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The register is saved")
    expect(main).to_contain_text("Booked: attended")
    expect(main).to_contain_text("Booked: did not attend")
    visitor.sign_out()

    visitor.sign_in("practitioner@example.test", PASSWORD)
    visitor.goto("/training/mine/")
    visitor.click(page.get_by_role("link", name=re.compile(r"^Evaluate Child exploitation")))
    page.get_by_role("group", name="Overall, how would you rate the session?").get_by_label(
        "Good"
    ).check()
    page.get_by_role("group", name=re.compile("^Before the session")).get_by_label(
        "2: a little confident"
    ).check()
    page.get_by_role("group", name=re.compile("^After the session")).get_by_label(
        "4: confident", exact=True
    ).check()
    page.get_by_label("What will you do differently in your practice?").fill(
        "Ask about exploitation at every contact."
    )
    visitor.click(page.get_by_role("button", name="Send my evaluation"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "your evaluation has been recorded"
    )
    expect(page.get_by_role("link", name=re.compile(r"^Evaluate"))).to_have_count(0)

    certificate = page.get_by_role("link", name=re.compile(r"^Download certificate"))
    response = page.context.request.get(certificate.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    visitor.sign_out()

    visitor.sign_in("trainer@example.test", PASSWORD)
    visitor.goto(f"/training/sessions/{session.pk}/")
    visitor.click(page.get_by_role("button", name=re.compile(r"^See the evaluations")))
    expect(main).to_contain_text("Results are shown once at least 3 delegates have answered")
    expect(main).not_to_contain_text("Ask about exploitation")


def test_signing_up_and_a_managers_approval_work_signed_out(visitor, people):
    page = visitor.page
    main = page.locator("main")

    visitor.goto("/sign-in/")
    visitor.click(page.get_by_role("link", name="Register to book training"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Register to book training")
    visitor.click(page.get_by_role("button", name="Register"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your full name")
    page.get_by_label("Full name").fill("Nia Newcomer")
    page.get_by_label("Work email address").fill("nia.newcomer@example.test")
    page.get_by_label("Your agency").select_option(label="Northshire Constabulary")
    page.get_by_label("Your manager's email address").fill("sergeant@example.test")
    visitor.click(page.get_by_role("button", name="Register"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    session = SessionFactory.create(
        course__title="Leading safeguarding", needs_manager_approval=True
    )
    booking = BookingFactory.create(
        session=session,
        delegate=people["practitioner"],
        agency=people["police"],
        status=BookingStatus.AWAITING_APPROVAL,
        manager_email="sergeant@example.test",
    )
    visitor.goto(f"/training/approval/{approval_token(booking.pk)}/")
    expect(main).to_contain_text("Priya Shah")
    expect(main).to_contain_text("Leading safeguarding")
    visitor.click(page.get_by_role("button", name="Approve the place"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Place approved")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    visitor.goto(f"/training/approval/{approval_token(booking.pk)}/")
    expect(main).to_contain_text("already been dealt with")
    visitor.goto("/training/approval/not-a-real-link/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")


def test_course_event_and_results_pages_are_accessible(visitor, people):
    week = SeriesFactory.create(name="Safeguarding Week", description="Short sessions all week.")
    course = CourseFactory.create(
        title="Self-neglect in practice",
        review_date=timezone.localdate() - datetime.timedelta(days=1),
        themes=list(PracticeTheme.objects.all()[:2]),
    )
    CourseFactory.create(title="Retired course", is_active=False)
    session = SessionFactory.create(course=course, series=week, trainer=people["trainer"])
    starts = timezone.now() - datetime.timedelta(days=1)
    held = SessionFactory.create(
        course=course,
        trainer=people["trainer"],
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        register_marked_at=starts,
    )
    for answer in ("Ask sooner.", "Record the reason.", "Check the history."):
        EvaluationFactory.create(session=held, will_do_differently=answer, comments="Clear.")
        ImpactResponseFactory.create(session=held, example="Used the checklist.")
    page = visitor.page
    main = page.locator("main")

    visitor.sign_in("trainer@example.test", PASSWORD)
    visitor.goto("/training/courses/")
    expect(main).to_contain_text("Review overdue")
    expect(main).to_contain_text("Retired")
    visitor.click(page.get_by_role("link", name="Self-neglect in practice"))
    expect(main).to_contain_text("Recognise the signs")
    visitor.goto("/training/series/")
    visitor.click(page.get_by_role("link", name="Safeguarding Week"))
    expect(main).to_contain_text("Short sessions all week.")
    visitor.goto(f"/training/sessions/{held.pk}/evaluations/")
    expect(main).to_contain_text("Record the reason.")
    expect(main).to_contain_text("Used the checklist.")
    visitor.sign_out()

    visitor.sign_in("practitioner@example.test", PASSWORD)
    visitor.goto("/training/mine/details/")
    page.get_by_label("Your manager's email address").fill("")
    visitor.click(page.get_by_role("button", name="Save your details"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your manager's email")
    page.get_by_label("Your manager's email address").fill("inspector@example.test")
    visitor.click(page.get_by_role("button", name="Save your details"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your details have been saved"
    )
    expect(main).to_contain_text("inspector@example.test")

    visitor.goto(f"/training/sessions/{session.pk}/")
    # The session is called off while the page is open: booking is refused, and says why.
    session.is_cancelled = True
    session.save(update_fields=["is_cancelled"])
    visitor.click(page.get_by_role("button", name="Book a place"))
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not book your place")
    expect(page.locator(".govuk-error-summary")).to_contain_text("This session has been cancelled")
