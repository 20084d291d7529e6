"""Each figure's link leads to the list it counts, filtered to the same rows: the filters the
dashboards added to the lists behind them (actions due soon, returns by agency and
outstanding, registers to mark, deadlines in the next two weeks), and each agency's
workforce, which the scorecards' training reach needs."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.models import Agency
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.models import AuditEvent
from sightline.core.roles import Role
from sightline.learning.models import DisseminationReturn
from sightline.learning.tests.factories import ActionFactory
from sightline.reports.selectors import dashboards
from sightline.reviews.models import CaseDeadline, TimelinessStandard
from sightline.reviews.tests.factories import CaseFactory
from sightline.training.tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def figure(sections, label: str):
    return next(f for s in sections for f in s.figures if f.label == label)


def test_actions_due_soon_are_open_and_due_from_today_to_30_days(admin_client):
    agency = AgencyFactory.create()
    due = [ActionFactory.create(agency=agency, due_date=today() + n * DAY) for n in (0, 30)]
    ActionFactory.create(agency=agency, due_date=today() + 31 * DAY)
    ActionFactory.create(agency=agency, due_date=today() - DAY)
    ActionFactory.create(
        agency=agency, due_date=today() + DAY, status="complete", completed_date=today()
    )
    ActionFactory.create(due_date=today() + DAY)  # another agency's

    lead = UserFactory.create()
    MembershipFactory.create(user=lead, agency=agency, role=Role.AGENCY_LEAD)
    card = dashboards.agency_scorecard(user=lead, agency=agency)
    link = figure(card.figures, "Due in the next 30 days")
    page = admin_client.get(link.url).content.decode()

    assert link.count == 2
    assert "2 actions" in page
    for action in due:
        assert action.reference in page


def test_returns_can_be_filtered_by_agency_and_to_those_outstanding(admin_client):
    ours, theirs = AgencyFactory.create(), AgencyFactory.create()
    cases = [CaseFactory.create(reference=f"RET-{n}") for n in range(3)]
    DisseminationReturn.objects.create(case=cases[0], agency=ours, requested_on=today())
    DisseminationReturn.objects.create(
        case=cases[1], agency=ours, requested_on=today(), returned_on=today()
    )
    DisseminationReturn.objects.create(case=cases[2], agency=theirs, requested_on=today())

    url = reverse("learning:returns")
    outstanding = admin_client.get(f"{url}?agency={ours.pk}&outstanding=on").content.decode()
    everything = admin_client.get(f"{url}?agency={ours.pk}").content.decode()

    assert re.findall(r"RET-\d", outstanding) == ["RET-0"]
    assert sorted(set(re.findall(r"RET-\d", everything))) == ["RET-0", "RET-1"]
    assert admin_client.get(f"{url}?agency=999999").status_code == 200


def test_registers_to_mark_list_only_ended_sessions_not_yet_marked(admin_client):
    past = timezone.now() - datetime.timedelta(days=2)
    waiting = SessionFactory.create(starts_at=past, course__title="Unmarked course")
    SessionFactory.create(
        starts_at=past, register_marked_at=timezone.now(), course__title="Marked course"
    )
    SessionFactory.create(course__title="Future course")

    page = admin_client.get(f"{reverse('training:session_list')}?unmarked=1").content.decode()

    assert "Registers to mark" in page
    assert "Unmarked course" in page
    assert "Marked course" not in page
    assert "Future course" not in page
    assert reverse("training:session_detail", kwargs={"pk": waiting.pk}) in page


def test_deadlines_due_soon_list_the_next_two_weeks(admin_client):
    standard = TimelinessStandard.objects.get(code="child.rapid_review")
    for reference, days in (("SOON-1", 14), ("LATER-1", 15)):
        case = CaseFactory.create(reference=reference)
        CaseDeadline.objects.filter(case=case).delete()
        CaseDeadline.objects.create(case=case, standard=standard, due=today() + days * DAY)

    two_weeks = admin_client.get(f"{reverse('reviews:deadlines')}?within=14").content.decode()
    month = admin_client.get(reverse("reviews:deadlines")).content.decode()

    assert "SOON-1" in two_weeks
    assert "LATER-1" not in two_weeks
    assert "SOON-1" in month
    assert "LATER-1" in month


def test_an_agencys_workforce_is_saved_range_checked_and_audited(admin_client):
    agency = AgencyFactory.create(name="Workforce Agency", sector="police")
    url = reverse("accounts:agency_edit", kwargs={"pk": agency.pk})
    form = {"name": agency.name, "sector": "police", "is_active": "on"}

    refused = admin_client.post(url, {**form, "workforce": "40,000"})
    assert refused.status_code == 400
    assert "must be 32,000 or less" in refused.content.decode()

    assert admin_client.post(url, {**form, "workforce": "1,250"}).status_code == 302
    assert Agency.objects.get(pk=agency.pk).workforce == 1250
    event = AuditEvent.objects.filter(object_id=str(agency.pk)).latest("pk")
    assert "workforce" in str(event.changes)

    assert admin_client.post(url, {**form, "workforce": ""}).status_code == 302
    assert Agency.objects.get(pk=agency.pk).workforce is None


def test_the_scorecards_offered_are_those_of_the_agencies_a_person_leads_and_no_other():
    led, worked_in, other = (AgencyFactory.create() for _ in range(3))
    person = UserFactory.create()
    MembershipFactory.create(user=person, agency=led, role=Role.AGENCY_LEAD)
    MembershipFactory.create(user=person, agency=worked_in, role=Role.PRACTITIONER)
    labels = [link.label for link in dashboards.dashboard_links(user=person)]
    assert f"{led.name} scorecard" in labels
    assert f"{worked_in.name} scorecard" not in labels
    assert f"{other.name} scorecard" not in labels
    # The policy still decides: an agency closed since is not offered.
    Agency.objects.filter(pk=led.pk).update(is_active=False)
    person.forget_memberships()
    assert not [
        label
        for label in (link.label for link in dashboards.dashboard_links(user=person))
        if label.endswith("scorecard")
    ]


def test_someone_who_leads_no_agency_is_offered_no_scorecard_and_costs_no_query(
    django_assert_num_queries,
):
    person = UserFactory.create()
    MembershipFactory.create(user=person, agency=AgencyFactory.create(), role=Role.TRAINER)
    dashboards.dashboard_links(user=person)  # the memberships, read once a request
    with django_assert_num_queries(0):
        links = dashboards.dashboard_links(user=person)
    assert [link.label for link in links] == ["Running training", "Your training"]


def test_a_quiet_trainers_dashboard_reads_no_list_it_would_show_empty(
    django_assert_num_queries,
):
    trainer = UserFactory.create()
    MembershipFactory.create(user=trainer, agency=AgencyFactory.create(), role=Role.TRAINER)
    trainer.role_set  # noqa: B018 (the memberships, read once a request)
    # The next sessions, then the four counts: nothing to mark, evaluate or review.
    with django_assert_num_queries(2):
        quiet = dashboards.trainer_dashboard(user=trainer)
    assert (quiet.to_mark, quiet.evaluations, quiet.courses) == ((), (), ())
    ended = SessionFactory.create(
        trainer=trainer, starts_at=timezone.now() - datetime.timedelta(days=3)
    )
    busy = dashboards.trainer_dashboard(user=trainer)
    assert [session.pk for session in busy.to_mark] == [ended.pk]
