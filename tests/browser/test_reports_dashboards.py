"""Every role's dashboard in a real browser, with axe and the 320 pixel reflow check on each
page: reached from "Dashboard" in the navigation, its figures leading to their lists."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.tests.factories import AuditReturnFactory, RiskFactory
from sightline.core.models import OutboxMessage
from sightline.core.roles import Role
from sightline.learning.models import DisseminationReturn
from sightline.learning.tests.factories import ActionFactory
from sightline.reviews.models import CaseDeadline, TimelinessStandard
from sightline.reviews.tests.factories import CaseFactory
from sightline.training.tests.factories import (
    BookingFactory,
    CourseFactory,
    EvaluationFactory,
    SessionFactory,
)
from sightline.training.vocabulary import Attendance

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.timedelta(days=1)


@pytest.fixture
def partnership():
    """Two agencies with something overdue or due in every part of the service, and one
    person in each role, each with their own email address."""
    today = timezone.localdate()
    police = AgencyFactory.create(name="Northshire Constabulary", sector="police", workforce=650)
    health = AgencyFactory.create(
        name="Northshire and Wealdbridge Integrated Care Board", sector="health", workforce=120
    )
    people = {}
    for role in Role:
        user = UserFactory.create(email=f"{role.slug}@example.test", full_name=f"Test {role.label}")
        MembershipFactory.create(user=user, agency=police, role=role)
        people[role] = user
    standard = TimelinessStandard.objects.get(code="child.rapid_review")
    for n, agency in enumerate((police, health)):
        case = CaseFactory.create(officer=people[Role.REVIEW_OFFICER])
        case.agencies.add(agency)
        CaseDeadline.objects.filter(case=case).delete()
        CaseDeadline.objects.create(case=case, standard=standard, due=today + (n * 5 - 2) * DAY)
        ActionFactory.create_batch(n + 2, agency=agency, due_date=today - 10 * DAY)
        ActionFactory.create(agency=agency, due_date=today + 7 * DAY)
        DisseminationReturn.objects.create(case=case, agency=agency, requested_on=today)
        AuditReturnFactory.create(agency=agency)
    RiskFactory.create(next_review_on=today - DAY, last_reviewed_on=today - 100 * DAY)
    past = timezone.now() - datetime.timedelta(days=3)
    trainer, practitioner = people[Role.TRAINER], people[Role.PRACTITIONER]
    ended = SessionFactory.create(trainer=trainer, starts_at=past)
    EvaluationFactory.create_batch(3, session=ended)
    BookingFactory.create(session=SessionFactory.create(trainer=trainer), agency=police)
    BookingFactory.create(
        session=ended,
        delegate=practitioner,
        agency=police,
        attendance=Attendance.ATTENDED,
        impact_requested_at=timezone.now(),
    )
    CourseFactory.create(review_date=today - DAY)
    OutboxMessage.objects.create(
        key="test:dead", kind="test", recipient="gone@example.test", subject="S", status="dead"
    )
    return {"police": police, "people": people}


def _open_dashboard(visitor, role: Role) -> None:
    visitor.sign_in(f"{role.slug}@example.test", PASSWORD)
    visitor.click(visitor.page.get_by_role("link", name="Dashboard", exact=True))


def test_the_business_unit_follows_a_figure_to_its_list(visitor, partnership):
    _open_dashboard(visitor, Role.ADMINISTRATOR)
    page = visitor.page
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Overdue and due soon across the partnership"
    )
    expect(page.get_by_role("img", name="Learning actions overdue by agency")).to_be_visible()
    expect(
        page.get_by_role("table", name="Learning actions overdue by agency, most first")
    ).to_be_visible()
    visitor.click(page.get_by_role("link", name="5 Learning actions overdue"))
    expect(page.get_by_text("5 actions")).to_be_visible()
    visitor.goto("/reports/dashboards/agencies/")
    visitor.click(page.get_by_role("link", name="Northshire Constabulary", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Northshire Constabulary")
    visitor.goto("/")
    expect(page.get_by_role("heading", name="Overdue across the partnership")).to_be_visible()


def test_a_review_officer_sees_their_own_deadlines(visitor, partnership):
    _open_dashboard(visitor, Role.REVIEW_OFFICER)
    expect(
        visitor.page.get_by_role("term").filter(has_text="Your cases' deadlines overdue")
    ).to_be_visible()


def test_an_agency_lead_reads_their_scorecard_from_the_home_page(visitor, partnership):
    visitor.sign_in(f"{Role.AGENCY_LEAD.slug}@example.test", PASSWORD)
    page = visitor.page
    visitor.click(page.get_by_role("link", name="See Northshire Constabulary's scorecard"))
    expect(
        page.get_by_role(
            "table", name="Northshire Constabulary compared with the partnership as a whole"
        )
    ).to_be_visible()
    visitor.click(page.get_by_role("link", name="Open actions that are overdue"))
    expect(page.get_by_text("2 actions")).to_be_visible()


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        (Role.REVIEW_GROUP_MEMBER, "What the practice review group needs next"),
        (Role.TRAINER, "Running training: what comes next"),
        (Role.PRACTITIONER, "Your training"),
    ],
    ids=str,
)
def test_each_role_reaches_what_it_needs_next(visitor, partnership, role, heading):
    _open_dashboard(visitor, role)
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text(heading)
