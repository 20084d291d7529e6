"""Every dashboard, and the home page that carries their panels, takes the same number of
queries however many cases, actions, returns, risks, sessions and bookings there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.tests.factories import AuditReturnFactory, RiskFactory
from sightline.core.models import OutboxMessage
from sightline.core.roles import Role
from sightline.learning.models import DisseminationReturn
from sightline.learning.tests.factories import ActionFactory
from sightline.reviews.models import CaseDeadline, TimelinessStandard
from sightline.reviews.tests.factories import CaseFactory, ReferralFactory
from sightline.training.tests.factories import BookingFactory, EvaluationFactory, SessionFactory
from sightline.training.vocabulary import Attendance

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def people():
    agency = AgencyFactory.create(workforce=50)
    found = {}
    for role in Role:
        user = UserFactory.create()
        MembershipFactory.create(user=user, agency=agency, role=role)
        found[role] = user
    return agency, found


def grow(agency, people, times: int) -> None:
    """``times`` more of every row a dashboard counts, for the people's agency and others."""
    today = timezone.localdate()
    past = timezone.now() - datetime.timedelta(days=3)
    standard = TimelinessStandard.objects.get(code="child.rapid_review")
    trainer, practitioner = people[Role.TRAINER], people[Role.PRACTITIONER]
    for n in range(times):
        other = AgencyFactory.create(workforce=20 + n)
        for owner in (agency, other):
            case = CaseFactory.create(officer=people[Role.REVIEW_OFFICER])
            case.agencies.add(owner)
            CaseDeadline.objects.filter(case=case).delete()
            CaseDeadline.objects.create(case=case, standard=standard, due=today - n * DAY)
            ActionFactory.create(agency=owner, due_date=today - DAY)
            ActionFactory.create(agency=owner, due_date=today + 5 * DAY)
            DisseminationReturn.objects.create(case=case, agency=owner, requested_on=today)
            AuditReturnFactory.create(agency=owner)
            ReferralFactory.create(referring_agency=owner, referrer=practitioner)
        RiskFactory.create(next_review_on=today - DAY, last_reviewed_on=today - 100 * DAY)
        ended = SessionFactory.create(trainer=trainer, starts_at=past)
        # Its course past its review date: the trainer's dashboard lists it.
        type(ended.course).objects.filter(pk=ended.course_id).update(review_date=today - DAY)
        EvaluationFactory.create(session=ended)
        BookingFactory.create(session=SessionFactory.create(trainer=trainer))
        BookingFactory.create(session=ended, agency=other, attendance=Attendance.ATTENDED)
        BookingFactory.create(delegate=practitioner, agency=agency)
        BookingFactory.create(
            delegate=practitioner,
            agency=agency,
            session=ended,
            attendance=Attendance.ATTENDED,
            impact_requested_at=timezone.now(),
        )
        OutboxMessage.objects.create(
            key=f"test:{other.pk}",
            kind="test",
            recipient="a@example.test",
            subject="S",
            status="dead",
        )


def queries(client, url: str) -> int:
    """The queries of a second visit: the first may make settings rows read ever after (the
    risk matrix's, the working calendar's)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


PAGES = [
    (Role.ADMINISTRATOR, "reports:business_unit_dashboard", False),
    (Role.REVIEW_OFFICER, "reports:business_unit_dashboard", False),
    (Role.AGENCY_LEAD, "reports:agency_dashboard", True),
    (Role.ADMINISTRATOR, "reports:agency_comparison", False),
    (Role.REVIEW_GROUP_MEMBER, "reports:review_group_dashboard", False),
    (Role.TRAINER, "reports:trainer_dashboard", False),
    (Role.PRACTITIONER, "reports:practitioner_dashboard", False),
]


@pytest.mark.parametrize(("role", "name", "of_agency"), PAGES, ids=lambda v: str(v))
def test_a_dashboard_takes_as_many_queries_with_ten_times_the_rows(
    client, people, role, name, of_agency
):
    agency, found = people
    client.force_login(found[role])
    url = reverse(name, kwargs={"pk": agency.pk} if of_agency else None)
    grow(agency, found, 2)
    few = queries(client, url)
    grow(agency, found, 18)
    assert queries(client, url) == few


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_the_home_page_takes_as_many_queries_with_ten_times_the_rows(client, people, role):
    agency, found = people
    client.force_login(found[role])
    grow(agency, found, 2)
    few = queries(client, reverse("accounts:home"))
    grow(agency, found, 18)
    assert queries(client, reverse("accounts:home")) == few


# The pinned counts: a new query on a dashboard is a decision, not an accident.
PINNED = {
    # 3 of them the referrals': the new ones' count, the agencies, and their months' counts.
    "reports:business_unit_dashboard": 16,
    "reports:agency_dashboard": 10,
    "reports:agency_comparison": 8,
    # The deadlines counted; the recommendations and actions counted in one query; the
    # deadlines listed.
    "reports:review_group_dashboard": 6,
    # Its four counts in one (training.selectors.trainer_counts), then each list counted
    # above nought; no query for the agencies someone who leads none might lead.
    "reports:trainer_dashboard": 8,
    # The bookings' facts, then the few listed in full (training.selectors.booking_overview_of).
    "reports:practitioner_dashboard": 5,
}


@pytest.mark.parametrize(
    ("role", "name", "of_agency"), PAGES[::2] + PAGES[3:4] + PAGES[5:], ids=str
)
def test_each_dashboards_query_count_is_pinned(
    client, people, django_assert_num_queries, role, name, of_agency
):
    agency, found = people
    client.force_login(found[role])
    url = reverse(name, kwargs={"pk": agency.pk} if of_agency else None)
    grow(agency, found, 3)
    client.get(url)
    with django_assert_num_queries(PINNED[name]):
        client.get(url)


def test_a_practitioners_home_reads_their_listed_bookings_once(client, people):
    """The training panel lists the next few bookings in full; the training record panel
    beside it shows counts alone, so the listed bookings are read once, not once a panel."""
    agency, found = people
    practitioner = found[Role.PRACTITIONER]
    client.force_login(practitioner)
    grow(agency, found, 3)
    client.get(reverse("accounts:home"))
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("accounts:home"))
    assert page.status_code == 200
    listed = [
        query["sql"]
        for query in captured
        if query["sql"].startswith('SELECT "training_booking"."id", "training_booking"')
    ]
    assert len(listed) == 1, listed
    assert "Your training record" in page.content.decode()
