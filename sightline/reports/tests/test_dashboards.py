"""The role dashboards: each figure counts what it says, an agency lead sees only their own
agencies' scorecards, and the boundaries (due today, due in exactly 14 days) fall where the
words put them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.quarters import Quarter
from sightline.assurance.tests.factories import (
    AssuranceReturnFactory,
    AuditReturnFactory,
    GroupFactory,
    RiskAcceptanceFactory,
    RiskFactory,
)
from sightline.core.models import OutboxMessage
from sightline.core.roles import Role
from sightline.learning.models import DisseminationReturn
from sightline.learning.tests.factories import ActionFactory, RecommendationFactory
from sightline.learning.vocabulary import ActionStatus, Decision
from sightline.reports.selectors import dashboards
from sightline.reviews.models import CaseAssignment, CaseDeadline, TimelinessStandard
from sightline.reviews.tests.factories import CaseFactory, ReferralFactory
from sightline.training.tests.factories import (
    BookingFactory,
    CourseFactory,
    EvaluationFactory,
    SessionFactory,
)
from sightline.training.vocabulary import Attendance

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def person(role: Role, agency=None):
    user = UserFactory.create()
    MembershipFactory.create(user=user, role=role, agency=agency or AgencyFactory.create())
    return user


def deadline(due: datetime.date, *, agency=None, officer=None) -> CaseDeadline:
    """A case (involving ``agency``) with one deadline not yet met, due on ``due``."""
    case = CaseFactory.create(officer=officer)
    if agency is not None:
        case.agencies.add(agency)
    CaseDeadline.objects.filter(case=case).delete()
    return CaseDeadline.objects.create(
        case=case, standard=TimelinessStandard.objects.get(code="child.rapid_review"), due=due
    )


def figures(sections) -> dict[str, int]:
    return {figure.label: figure.count for section in sections for figure in section.figures}


def figure(sections, label: str):
    return next(f for s in sections for f in s.figures if f.label == label)


# --- Business unit ----------------------------------------------------------------------


def test_deadlines_overdue_are_before_today_and_due_soon_runs_from_today_to_14_days():
    admin = person(Role.ADMINISTRATOR)
    for due in (today() - 5 * DAY, today() - DAY):
        deadline(due)
    for due in (today(), today() + 14 * DAY):
        deadline(due)
    deadline(today() + 15 * DAY)

    counts = figures(dashboards.business_unit_dashboard(user=admin).sections)

    assert counts["Case review deadlines overdue"] == 2
    assert counts["Case review deadlines due in the next 14 days"] == 2


def test_a_review_officer_sees_their_own_deadlines_beside_everyones():
    officer = person(Role.REVIEW_OFFICER)
    deadline(today() - DAY, officer=officer)
    deadline(today() - DAY)
    deadline(today() + DAY)

    counts = figures(dashboards.business_unit_dashboard(user=officer).sections)

    assert counts["Your cases' deadlines overdue"] == 1
    assert counts["Your cases' deadlines due in the next 14 days"] == 0
    assert counts["Case review deadlines overdue"] == 2
    assert counts["Case review deadlines due in the next 14 days"] == 1


def test_learning_actions_overdue_are_counted_for_each_agency_most_first():
    admin = person(Role.ADMINISTRATOR)
    first, second = (
        AgencyFactory.create(name="Alpha Agency"),
        AgencyFactory.create(name="Beta Agency"),
    )
    ActionFactory.create_batch(2, agency=second, due_date=today() - DAY)
    ActionFactory.create(agency=first, due_date=today() - 30 * DAY)
    ActionFactory.create(agency=first, due_date=today())  # due today: not overdue yet
    ActionFactory.create(
        agency=first,
        due_date=today() - DAY,
        status=ActionStatus.COMPLETE,
        completed_date=today() - DAY,
    )

    dashboard = dashboards.business_unit_dashboard(user=admin)

    assert [(row.label, row.count) for row in dashboard.overdue_rows] == [
        ("Beta Agency", 2),
        ("Alpha Agency", 1),
    ]
    assert figures(dashboard.sections)["Learning actions overdue"] == 3
    assert [bar.count for bar in dashboard.overdue_chart.bars] == [2, 1]
    assert dashboard.overdue_rows[0].url.endswith(f"?agency={second.pk}&overdue=on")


def test_returns_outstanding_count_the_returns_not_yet_made():
    admin = person(Role.ADMINISTRATOR)
    agency = AgencyFactory.create()
    for n in range(3):
        DisseminationReturn.objects.create(
            case=CaseFactory.create(),
            agency=agency,
            requested_on=today() - 10 * DAY,
            returned_on=today() if n == 0 else None,
        )
    AuditReturnFactory.create_batch(2, agency=agency)
    AuditReturnFactory.create(agency=agency, returned_on=today(), answers="Yes")

    counts = figures(dashboards.business_unit_dashboard(user=admin).sections)

    assert counts["Dissemination returns outstanding"] == 2
    assert counts["Audit returns outstanding"] == 2


def test_risks_above_appetite_count_only_those_not_accepted_and_overdue_reviews_count_apart():
    admin = person(Role.ADMINISTRATOR)
    above = {
        "inherent_likelihood": 5,
        "inherent_impact": 5,
        "residual_likelihood": 4,
        "residual_impact": 5,
    }
    RiskFactory.create_batch(2, **above)
    RiskAcceptanceFactory.create(risk=RiskFactory.create(**above))
    RiskFactory.create(next_review_on=today() - DAY, last_reviewed_on=today() - 100 * DAY)
    RiskFactory.create(next_review_on=today())  # due for review today: not overdue

    sections = dashboards.business_unit_dashboard(user=admin).sections
    unaccepted = figure(sections, "Risks above appetite and not accepted")

    assert unaccepted.count == 2
    assert unaccepted.detail == "3 above appetite in all"
    assert figures(sections)["Risks overdue for review"] == 1


def test_referrals_are_counted_by_agency_and_month_with_the_silent_agencies_too():
    officer = person(Role.REVIEW_OFFICER)
    quiet = AgencyFactory.create(name="Aardvark Quiet Trust")
    busy = AgencyFactory.create(name="Busy Police")
    now = timezone.now()
    for days_ago in (0, 1, 400):
        ReferralFactory.create(
            referring_agency=busy, created_at=now - datetime.timedelta(days=days_ago)
        )

    dashboard = dashboards.business_unit_dashboard(user=officer)

    assert figures(dashboard.sections)["New referrals waiting for triage"] == 3
    table = dashboard.referrals
    assert table is not None
    assert len(table.months) == 12
    assert table.months[-1] == today().replace(day=1)
    rows = {row.agency: row for row in table.rows}
    assert rows[quiet.name].total == 0  # an agency that made none still has its row
    assert rows[busy.name].total == 2  # the one 400 days ago is outside the year
    assert sum(rows[busy.name].counts[-2:]) == 2
    assert table.total == sum(table.totals) == 2


def test_a_review_officer_is_not_shown_figures_whose_lists_they_may_not_open():
    officer = person(Role.REVIEW_OFFICER)
    labels = set(figures(dashboards.business_unit_dashboard(user=officer).sections))
    assert "Risks overdue for review" not in labels
    assert "Training registers to mark" not in labels
    assert "Emails that could not be sent" not in labels
    assert "Audit returns outstanding" in labels


def test_groups_that_gave_no_return_for_last_quarter_are_counted():
    admin = person(Role.ADMINISTRATOR)
    quarter = Quarter.containing(today()).previous()
    long_ago = timezone.now() - datetime.timedelta(days=400)
    GroupFactory.create_batch(2, created_at=long_ago)
    AssuranceReturnFactory.create(
        group=GroupFactory.create(created_at=long_ago), quarter_start=quarter.start
    )

    sections = dashboards.business_unit_dashboard(user=admin).sections

    assert figures(sections)[f"Group assurance returns missing for {quarter.label}"] == 2


def test_registers_to_mark_and_emails_given_up_are_counted_for_administrators():
    admin = person(Role.ADMINISTRATOR)
    past = timezone.now() - datetime.timedelta(days=3)
    SessionFactory.create_batch(2, starts_at=past)
    SessionFactory.create(starts_at=past, register_marked_at=timezone.now())
    SessionFactory.create(starts_at=past, is_cancelled=True)
    SessionFactory.create()  # still to come
    for n, status in enumerate(["dead", "dead", "sent"]):
        OutboxMessage.objects.create(
            key=f"test:{n}", kind="test", recipient="a@example.test", subject="S", status=status
        )

    counts = figures(dashboards.business_unit_dashboard(user=admin).sections)

    assert counts["Training registers to mark"] == 2
    assert counts["Emails that could not be sent"] == 2


# --- Agency scorecards --------------------------------------------------------------------


@pytest.fixture
def two_agencies():
    ours, theirs = (
        AgencyFactory.create(name="Our Agency", workforce=100),
        AgencyFactory.create(name="Their Agency", workforce=300),
    )
    ActionFactory.create(agency=ours, due_date=today() - DAY)
    ActionFactory.create(agency=ours, due_date=today() + 30 * DAY)
    ActionFactory.create(agency=ours, due_date=today() + 31 * DAY)
    ActionFactory.create_batch(3, agency=theirs, due_date=today() - DAY)
    ActionFactory.create(agency=theirs, due_date=today())
    DisseminationReturn.objects.create(
        case=CaseFactory.create(), agency=ours, requested_on=today(), returned_on=today()
    )
    DisseminationReturn.objects.create(
        case=CaseFactory.create(), agency=theirs, requested_on=today()
    )
    AuditReturnFactory.create(agency=theirs)
    last_month = timezone.now() - datetime.timedelta(days=30)
    for agency, people in ((ours, 10), (theirs, 3)):
        for _ in range(people):
            BookingFactory.create(
                agency=agency, session__starts_at=last_month, attendance=Attendance.ATTENDED
            )
    return ours, theirs


def test_an_agency_scorecard_counts_its_own_agency_and_compares_it_with_the_partnership(
    two_agencies,
):
    ours, _ = two_agencies
    lead = person(Role.AGENCY_LEAD, agency=ours)

    card = dashboards.agency_scorecard(user=lead, agency=ours)

    counts = figures(card.figures)
    assert counts["Overdue"] == 1
    assert counts["Due in the next 30 days"] == 1
    assert counts["Dissemination returns outstanding"] == 0
    assert counts["Audit returns outstanding"] == 0
    rates = {row.label: (row.agency.percent, row.partnership.percent) for row in card.comparisons}
    # 1 of our 3 open actions is overdue; 4 of the partnership's 7.
    assert rates["Open actions that are overdue"] == (33, 57)
    assert rates["Dissemination returns made"] == (100, 50)
    assert rates["Audit returns made"] == (None, 0)
    # 10 of our 100 people trained; 13 of the partnership's 400.
    assert rates["Workforce trained in the last 12 months"] == (10, 3)


def test_an_agency_lead_never_sees_another_agencys_scorecard(client, two_agencies):
    ours, theirs = two_agencies
    lead = person(Role.AGENCY_LEAD, agency=ours)
    client.force_login(lead)

    assert (
        client.get(reverse("reports:agency_dashboard", kwargs={"pk": theirs.pk})).status_code == 404
    )
    page = client.get(reverse("reports:agency_dashboard", kwargs={"pk": ours.pk}))
    assert page.status_code == 200
    assert "Their Agency" not in page.content.decode()


def test_an_agency_lead_with_two_agencies_chooses_between_their_scorecards(client, two_agencies):
    ours, theirs = two_agencies
    lead = person(Role.AGENCY_LEAD, agency=ours)
    MembershipFactory.create(user=lead, agency=theirs, role=Role.AGENCY_LEAD)
    client.force_login(lead)

    assert client.get(reverse("reports:dashboard"))["Location"] == reverse(
        "reports:agency_dashboard", kwargs={"pk": ours.pk}
    )
    page = client.get(reverse("reports:agency_dashboard", kwargs={"pk": ours.pk})).content.decode()
    assert reverse("reports:agency_dashboard", kwargs={"pk": theirs.pk}) in page


def test_an_administrator_compares_every_agency(admin_client, two_agencies):
    ours, theirs = two_agencies
    partnership = dashboards.partnership_scores()
    scores = {row.agency.pk: row for row in partnership.scores}
    assert scores[ours.pk].actions_overdue == 1
    assert scores[theirs.pk].actions_overdue == 3
    assert scores[theirs.pk].returns_outstanding == 1
    assert partnership.overdue_rate.text == "57% (4 of 7)"
    page = admin_client.get(reverse("reports:agency_comparison"))
    assert page.status_code == 200
    assert "50% (1 of 2)" in page.content.decode()  # the partnership's returns made
    assert reverse("reports:agency_dashboard", kwargs={"pk": theirs.pk}) in page.content.decode()


# --- Practice review group member, trainer, practitioner -----------------------------------


def test_a_group_member_sees_their_agencies_cases_and_actions_and_the_undecided_recommendations():
    agency = AgencyFactory.create()
    member = person(Role.REVIEW_GROUP_MEMBER, agency=agency)
    deadline(today() - DAY, agency=agency)
    deadline(today() + DAY, agency=agency)
    deadline(today() - DAY)  # another agency's case
    ActionFactory.create(agency=agency, due_date=today() - DAY)
    ActionFactory.create(agency=agency, due_date=today() + 10 * DAY)
    ActionFactory.create(due_date=today() - DAY)  # another agency's action
    RecommendationFactory.create_batch(2)
    RecommendationFactory.create(decision=Decision.ACCEPTED)

    dashboard = dashboards.review_group_dashboard(user=member)

    counts = figures(dashboard.sections)
    assert counts["Deadlines overdue"] == 1
    assert counts["Deadlines due in the next 14 days"] == 1
    # The actions' own recommendations are undecided too.
    assert counts["Recommendations waiting for a decision"] == 5
    assert counts["Your agencies' actions overdue"] == 1
    assert counts["Your agencies' actions due in the next 30 days"] == 1
    assert len(dashboard.deadlines) == 2


def test_a_group_members_deadlines_are_their_agencies_and_their_own_cases_soonest_first():
    agency = AgencyFactory.create()
    member = person(Role.REVIEW_GROUP_MEMBER, agency=agency)
    later = deadline(today() + 3 * DAY, agency=agency)
    overdue = deadline(today() - 2 * DAY, agency=agency)
    assigned = deadline(today() + DAY)  # no agency of theirs, but assigned to them
    CaseAssignment.objects.create(case=assigned.case, user=member)
    deadline(today())  # another agency's case
    deadline(today() + 20 * DAY, agency=agency)  # beyond the fortnight

    listed = dashboards.review_group_dashboard(user=member).deadlines

    assert [row.pk for row in listed] == [overdue.pk, assigned.pk, later.pk]
    assert [row.case_reference for row in listed] == [  # type: ignore[attr-defined]
        overdue.case.reference,
        assigned.case.reference,
        later.case.reference,
    ]
    assert listed[0].standard.code == "child.rapid_review"


def test_a_trainer_sees_their_own_sessions_registers_evaluations_and_courses_to_review():
    trainer = person(Role.TRAINER)
    past = timezone.now() - datetime.timedelta(days=3)
    coming = SessionFactory.create(trainer=trainer)
    BookingFactory.create_batch(2, session=coming)
    ended = SessionFactory.create(trainer=trainer, starts_at=past)
    SessionFactory.create(starts_at=past)  # another trainer's register
    EvaluationFactory.create_batch(2, session=ended)
    CourseFactory.create(review_date=today() - DAY)
    CourseFactory.create(review_date=today())
    BookingFactory.create(
        session=ended,
        attendance=Attendance.ATTENDED,
        impact_requested_at=timezone.now(),
    )

    dashboard = dashboards.trainer_dashboard(user=trainer)

    counts = {f.label: f.count for f in dashboard.figures}
    assert counts["Your sessions in the next 28 days"] == 1
    assert dashboard.teaching[0].taken == 2  # type: ignore[attr-defined]
    assert counts["Registers to mark"] == 1
    assert counts["Sessions with evaluations in the last 30 days"] == 1
    assert dashboard.evaluations[0].new_evaluations == 2  # type: ignore[attr-defined]
    assert counts["Courses past their review date"] == 1
    assert counts["Impact surveys waiting for an answer"] == 1


def test_a_practitioner_sees_their_places_evaluations_impact_surveys_and_certificates():
    practitioner = person(Role.PRACTITIONER)
    BookingFactory.create(delegate=practitioner)
    past = timezone.now() - datetime.timedelta(days=40)
    BookingFactory.create(
        delegate=practitioner, session__starts_at=past, attendance=Attendance.ATTENDED
    )
    BookingFactory.create(
        delegate=practitioner,
        session__starts_at=past,
        attendance=Attendance.ATTENDED,
        evaluated_on=today(),
        impact_requested_at=timezone.now(),
    )
    BookingFactory.create(
        delegate=practitioner, session__starts_at=past, attendance=Attendance.DID_NOT_ATTEND
    )
    BookingFactory.create(session__starts_at=past, attendance=Attendance.ATTENDED)  # someone else's

    counts = {
        f.label: f.count for f in dashboards.practitioner_dashboard(user=practitioner).figures
    }

    assert counts == {
        "Places booked": 1,
        "Evaluations to give": 1,
        "Impact surveys to answer": 1,
        "Certificates": 2,
    }


def test_a_practitioner_with_many_bookings_sees_them_counted_and_the_next_few_listed():
    practitioner = person(Role.PRACTITIONER)
    past = timezone.now() - datetime.timedelta(days=40)
    for _ in range(dashboards.LISTED + 3):
        BookingFactory.create(delegate=practitioner)
        BookingFactory.create(
            delegate=practitioner, session__starts_at=past, attendance=Attendance.ATTENDED
        )
    dashboard = dashboards.practitioner_dashboard(user=practitioner)
    counts = {f.label: f.count for f in dashboard.figures}
    assert counts["Places booked"] == counts["Evaluations to give"] == dashboards.LISTED + 3
    assert len(dashboard.places) == len(dashboard.to_evaluate) == dashboards.LISTED


# --- Home page and navigation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "dashboard"),
    [
        (Role.ADMINISTRATOR, "reports:business_unit_dashboard"),
        (Role.REVIEW_OFFICER, "reports:business_unit_dashboard"),
        (Role.EXECUTIVE, "reports:executive_dashboard"),
        (Role.REVIEW_GROUP_MEMBER, "reports:review_group_dashboard"),
        (Role.TRAINER, "reports:trainer_dashboard"),
        (Role.PRACTITIONER, "reports:practitioner_dashboard"),
    ],
)
def test_dashboard_in_the_navigation_leads_to_the_roles_own_dashboard(client, role, dashboard):
    client.force_login(person(role))
    home = client.get(reverse("accounts:home")).content.decode()
    assert f'href="{reverse("reports:dashboard")}"' in home
    assert client.get(reverse("reports:dashboard"))["Location"] == reverse(dashboard)


def test_the_administrators_home_page_shows_what_is_overdue(admin_client):
    ActionFactory.create(due_date=today() - DAY)
    page = admin_client.get(reverse("accounts:home")).content.decode()
    assert "Overdue across the partnership" in page
    assert "Learning actions overdue" in page
    assert reverse("reports:business_unit_dashboard") in page


def test_an_agency_leads_home_page_shows_their_scorecard(client):
    agency = AgencyFactory.create(name="Lead Agency")
    ActionFactory.create_batch(2, agency=agency, due_date=today() - DAY)
    client.force_login(person(Role.AGENCY_LEAD, agency=agency))
    page = client.get(reverse("accounts:home")).content.decode()
    assert "2 learning actions overdue" in page
    assert reverse("reports:agency_dashboard", kwargs={"pk": agency.pk}) in page


def test_a_figures_note_is_on_its_own_line_under_its_label(client):
    trainer = person(Role.TRAINER)
    client.force_login(trainer)
    page = client.get(reverse("reports:trainer_dashboard")).content.decode()
    label = page.split("Impact surveys waiting for an answer", 1)[1].split("</dt>", 1)[0]
    # A span is inline: without display-block the note ran into the label ("answerSent").
    assert 'class="govuk-hint govuk-!-display-block' in label
    assert "Sent to people who came to your sessions" in label
