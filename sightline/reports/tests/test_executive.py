"""The executive member's dashboard and home page panel: who may see them, the risks they own
and the decisions waiting, every figure linking to its list (filters in the address), and a
number of queries that does not grow with the data."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from sightline.accounts.tests.factories import UserFactory
from sightline.assurance.models import AssuranceReturn, Priority, RiskSettings
from sightline.assurance.quarters import Quarter
from sightline.assurance.tests.factories import (
    GroupFactory,
    PriorityUpdateFactory,
    RiskAcceptanceFactory,
    RiskFactory,
)
from sightline.core.roles import Role
from sightline.learning.tests.factories import ActionFactory
from sightline.reports import executive

D = datetime.date
LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2025, 11, 15, 12, 0, tzinfo=LONDON)
TODAY = NOW.date()
Q3 = Quarter(2025, 3)
DASHBOARD = reverse("reports:executive_dashboard")
HOME = reverse("accounts:home")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def member(make_user):
    return make_user(Role.EXECUTIVE, full_name="Eve Executive")


LATER = D(2025, 12, 1)


def risk(owner, reference, likelihood, impact, *, next_review=LATER):
    return RiskFactory.create(
        owner=owner,
        reference=reference,
        title=f"Risk {reference}",
        residual_likelihood=likelihood,
        residual_impact=impact,
        inherent_likelihood=5,
        inherent_impact=5,
        opened_on=D(2025, 1, 6),
        last_reviewed_on=D(2025, 1, 6),
        next_review_on=next_review,
    )


@pytest.fixture
def register(member):
    RiskSettings.objects.create(appetite=9)
    other = UserFactory.create(full_name="Owen Owner")
    risk(member, "MINE-1", 4, 5)  # 20: above appetite, not accepted
    accepted = risk(member, "MINE-2", 3, 4, next_review=D(2025, 11, 14))  # accepted, overdue
    RiskAcceptanceFactory.create(
        risk=accepted, accepted_on=D(2025, 10, 1), until=D(2026, 3, 31), residual_score=12
    )
    risk(member, "MINE-3", 2, 2, next_review=D(2025, 11, 15))  # due for review today: not late
    risk(other, "THEIRS-1", 5, 5)  # above appetite, someone else's
    closed = risk(member, "MINE-4", 5, 5)
    closed.status, closed.closed_on = "closed", D(2025, 11, 1)
    closed.save()
    return {"other": other}


def page_of(client) -> str:
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def test_the_risks_they_own_highlight_what_needs_them(client, member, register):
    client.force_login(member)
    page = page_of(client)
    owned = page[page.index('id="your-risks"') : page.index('id="decisions"')]
    assert re.findall(r"<strong>(MINE-\d)</strong>", owned) == ["MINE-1", "MINE-2", "MINE-3"]
    assert owned.count("Above appetite, not accepted") == 1
    assert "Accepted until 31 March 2026" in owned
    assert owned.count("Review overdue") == 1
    base = reverse("assurance:risk_list")
    assert f'href="{base}?owner={member.pk}&amp;appetite=unaccepted">1</a>' in owned
    assert f'href="{base}?owner={member.pk}&amp;overdue=on">1</a>' in owned
    assert f'href="{base}?owner={member.pk}">3</a>' in owned


def test_the_decisions_waiting_for_the_executive(client, member, register):
    by = UserFactory.create()
    group = GroupFactory.create(name="Child practice group")
    for quarter, text in ((Q3, "Health visiting capacity."), (Q3.previous(), "No panel chair.")):
        AssuranceReturn.objects.create(
            group=group,
            quarter_start=quarter.start,
            level="not_assured",
            summary="Looked.",
            exceptions="Late.",
            escalations=text,
            submitted_by=by,
            submitted_at=NOW,
        )
    AssuranceReturn.objects.create(
        group=group,
        quarter_start=Q3.previous().previous().start,
        level="partial",
        summary="Looked.",
        exceptions="Late.",
        escalations="Too old to wait here.",
        submitted_by=by,
        submitted_at=NOW,
    )
    recorded = Priority.objects.filter(is_active=True).order_by("position")[0]
    PriorityUpdateFactory.create(priority=recorded, quarter_start=Q3.start, rag="green")
    client.force_login(member)
    page = page_of(client)
    decisions = page[page.index('id="decisions"') :]
    assert re.findall(r"<strong>(\w+-\d)</strong>", decisions) == ["THEIRS-1", "MINE-1"]
    assert "Accept THEIRS-1 above appetite" in decisions
    assert "2 open risks above the appetite of 9 with no acceptance" in decisions
    due = Priority.objects.filter(is_active=True).exclude(pk=recorded.pk)
    assert decisions.count("Record the status of ") == due.count()
    assert f"Record the status of {recorded.name}<" not in decisions
    assert "Health visiting capacity." in decisions
    assert "No panel chair." in decisions
    assert "Too old to wait here." not in decisions


def test_every_figure_at_a_glance_links_to_its_list_with_filters(client, member, register):
    ActionFactory.create(due_date=D(2025, 11, 1), recommendation__made_date=D(2025, 1, 6))
    client.force_login(member)
    page = page_of(client)
    glance = page[page.index('id="glance"') : page.index('id="trends"')]
    links = re.findall(r'href="([^"]+)"', glance)
    assert links == [
        f"{reverse('reviews:timeliness')}?as_at_day=15&amp;as_at_month=11&amp;as_at_year=2025"
        "&amp;since_day=1&amp;since_month=10&amp;since_year=2025",
        f"{reverse('learning:action_list')}?overdue=on",
        f"{reverse('assurance:risk_list')}?appetite=above",
        f"{reverse('assurance:assurance_rollup')}?quarter=2025-26+Q3",
        f"{reverse('training:report')}?date_from_day=1&amp;date_from_month=10"
        "&amp;date_from_year=2025&amp;date_to_day=15&amp;date_to_month=11&amp;date_to_year=2025",
    ]
    assert f'href="{reverse("learning:action_list")}?overdue=on">1</a>' in glance


@pytest.mark.parametrize(
    "url",
    [
        f"{reverse('assurance:risk_list')}?owner=OWNER&appetite=unaccepted",
        f"{reverse('assurance:risk_list')}?owner=OWNER&overdue=on",
        f"{reverse('assurance:risk_list')}?appetite=above",
        f"{reverse('assurance:assurance_rollup')}?quarter=2025-26+Q3",
        f"{reverse('learning:action_list')}?overdue=on",
        f"{reverse('reviews:timeliness')}?as_at_day=15&as_at_month=11&as_at_year=2025"
        "&since_day=1&since_month=10&since_year=2025",
        f"{reverse('training:report')}?date_from_day=1&date_from_month=10&date_from_year=2025"
        "&date_to_day=15&date_to_month=11&date_to_year=2025",
    ],
)
def test_the_lists_the_figures_link_to_take_their_filters(client, member, register, url):
    client.force_login(member)
    response = client.get(url.replace("OWNER", str(member.pk)))
    assert response.status_code == 200
    assert "govuk-error-summary" not in response.content.decode()


def test_the_register_filtered_as_the_dashboard_links_lists_what_the_figure_counts(
    client, member, register
):
    client.force_login(member)
    listed = client.get(
        reverse("assurance:risk_list"), {"owner": member.pk, "overdue": "on"}
    ).content.decode()
    assert "MINE-2" in listed
    assert "MINE-1" not in listed
    assert "MINE-3" not in listed


def test_the_trends_are_drawn_and_tabled(client, member, register):
    client.force_login(member)
    page = page_of(client)
    trends = page[page.index('id="trends"') : page.index('id="your-risks"')]
    # No deadline fell due and no workforce is known: nothing to draw for those two.
    assert trends.count('role="img"') == 3
    assert trends.count("No figure to draw for these quarters.") == 2
    assert "The trends' figures by quarter, most recent first" in trends
    assert trends.count('<th scope="row"') == 8
    assert "2023-24 Q4" in trends


# --- Who may see them ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.EXECUTIVE])
def test_administrators_and_executive_members_see_the_dashboard(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(DASHBOARD).status_code == 200


@pytest.mark.parametrize(
    "role",
    [Role.REVIEW_OFFICER, Role.REVIEW_GROUP_MEMBER, Role.AGENCY_LEAD, Role.TRAINER, None],
)
def test_everyone_else_is_refused_the_dashboard(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(DASHBOARD).status_code == 403


def test_the_home_page_panel_is_for_executive_members(client, member, register, make_user):
    client.force_login(member)
    home = client.get(HOME).content.decode()
    assert "The partnership this quarter" in home
    assert f'href="{DASHBOARD}">Your executive dashboard</a>' in home
    assert (
        f'href="{reverse("assurance:risk_list")}?owner={member.pk}&amp;appetite=unaccepted">1</a>'
        in home
    )
    client.force_login(make_user(Role.ADMINISTRATOR))
    assert "The partnership this quarter" not in client.get(HOME).content.decode()


# --- Queries ---------------------------------------------------------------------------------


def grow(member, times: int) -> None:
    by = UserFactory.create()
    for _ in range(times):
        mine = RiskFactory.create(
            owner=member,
            inherent_likelihood=5,
            inherent_impact=5,
            residual_likelihood=4,
            residual_impact=4,
        )
        RiskAcceptanceFactory.create(risk=mine, until=D(2026, 1, 1), residual_score=16)
        RiskFactory.create(
            inherent_likelihood=5, inherent_impact=5, residual_likelihood=5, residual_impact=5
        )
        ActionFactory.create(due_date=D(2025, 9, 1), recommendation__made_date=D(2025, 1, 6))
        AssuranceReturn.objects.create(
            group=GroupFactory.create(),
            quarter_start=Q3.start,
            level="not_assured",
            summary="Looked.",
            exceptions="Late.",
            escalations="Help.",
            submitted_by=by,
            submitted_at=NOW,
        )


# Worked out afresh (as after any change to a case), then with the timeliness from the cache;
# the risks above appetite counted in one statement, the appetite read once on the home page.
# An executive leads no agency, so the dashboard reads none for its links to scorecards.
# The home page reads the person's memberships once, for its list and their roles alike.
@pytest.mark.parametrize(("url", "expected", "cached"), [(DASHBOARD, 21, 17), (HOME, 21, 14)])
def test_the_dashboard_and_the_panel_take_the_same_queries_whatever_the_data(
    client, member, register, django_assert_num_queries, url, expected, cached
):
    client.force_login(member)
    grow(member, 1)
    cache.clear()  # the timeliness worked out afresh, as after any change to a case
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow(member, 10)
    cache.clear()
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(cached):
        assert client.get(url).status_code == 200


def test_the_dashboard_lists_the_first_decisions_and_counts_them_all(client, member, register):
    for n in range(executive.LISTED + 2):
        risk(register["other"], f"MORE-{n:02d}", 5, 4)
    client.force_login(member)
    decisions = page_of(client).split('id="decisions"')[1]
    total = executive.LISTED + 4
    assert f"{total} open risks above the appetite of 9 with no acceptance" in decisions
    assert f"the first {executive.LISTED} are listed" in decisions
    assert decisions.count("above appetite</a>") == executive.LISTED
