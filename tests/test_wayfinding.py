"""Finding your way: every page below a list says where it sits (GOV.UK breadcrumbs) or, for
a form, leads back to where it came from (a back link).

Every page in the access matrix an administrator may open is opened; the top-level pages
(home, the pages in the service navigation and the footer's) are the only ones allowed
neither. A new page in the matrix is checked too.
"""

import re

import pytest
from django.urls import reverse

from sightline.accounts.tests.factories import MembershipFactory, UserFactory
from sightline.core.roles import Role

from .test_access_matrix import RULES, _url, world  # noqa: F401  (world is a fixture)

TOP_LEVEL = {
    "accounts:home",
    "accounts:account",
    "reviews:case_list",
    "reviews:deadlines",
    "reviews:timeliness",
    "learning:recommendation_list",
    "assurance:overview",
    "training:catalogue",
    "reports:yearly_list",
    "core:settings",
    "core:help",
    # "Dashboard" in the navigation, and the dashboard it leads to for each role.
    "reports:dashboard",
    "reports:business_unit_dashboard",
    "reports:review_group_dashboard",
    "reports:trainer_dashboard",
    "reports:practitioner_dashboard",
    # mfa: the second step of signing in, where there is nowhere else to go yet.
    "accounts:mfa_setup",
    "accounts:mfa_verify",
}

PAGES = sorted(
    name
    for name, rule in RULES.items()
    if rule.method == "get" and rule.allowed and Role.ADMINISTRATOR in rule.allowed
)


def test_every_top_level_page_is_one_an_administrator_opens():
    assert TOP_LEVEL - set(PAGES) == set()


def _wayfinding(html: str) -> bool:
    return "govuk-breadcrumbs" in html or "govuk-back-link" in html


@pytest.mark.parametrize("name", PAGES)
def test_every_page_below_a_list_shows_the_way_back(client, world, name):  # noqa: F811
    admin = UserFactory()
    MembershipFactory(user=admin, agency=world["home_agency"], role=Role.ADMINISTRATOR)
    client.force_login(admin)
    # A page that starts a background job sends you on to its progress page.
    response = client.get(_url(name, RULES[name], world), follow=True)
    assert response.status_code == 200
    if not response["Content-Type"].startswith("text/html"):
        return  # a download
    html = response.content.decode()
    if name in TOP_LEVEL:
        assert "govuk-breadcrumbs" not in html, f"{name} is top level: it needs no breadcrumbs"
    else:
        assert _wayfinding(html), f"{name} has neither breadcrumbs nor a back link"


def test_breadcrumbs_start_at_home_and_lead_to_the_list(client, world):  # noqa: F811
    admin = UserFactory()
    MembershipFactory(user=admin, agency=world["home_agency"], role=Role.ADMINISTRATOR)
    client.force_login(admin)
    html = client.get(reverse("learning:action_detail", args=[world["action"].pk])).content
    crumbs = html.decode().split('<nav class="govuk-breadcrumbs')[1].split("</nav>")[0]
    links = re.findall(r'href="([^"]+)"', crumbs)
    assert links == ["/", reverse("learning:recommendation_list"), reverse("learning:action_list")]


SETTINGS_PAGES = [
    "accounts:user_list",
    "accounts:agency_list",
    "core:audit_trail",
    "core:access_log",
    "core:closure_days",
    "reviews:standard_list",
    "reports:yearly_settings",
    "reviews:theme_list",
]


def _navigation(html: str) -> list[str]:
    nav = html.split('<ul class="govuk-service-navigation__list"')[1].split("</ul>")[0]
    return [text.strip() for text in re.findall(r"<a [^>]*>\s*(?:<strong[^>]*>)?([^<]+)", nav)]


def test_settings_pages_are_gathered_behind_one_settings_item(admin_client):
    home = admin_client.get(reverse("accounts:home")).content.decode()
    # The service's name in the header leads home; the navigation starts at the dashboard.
    assert _navigation(home) == [
        "Dashboard",
        "Cases",
        "Deadlines",
        "Timeliness",
        "Learning",
        "Assurance",
        "Training",
        "Settings",
    ]
    page = admin_client.get(reverse("core:settings")).content.decode()
    for name in SETTINGS_PAGES:
        assert f'href="{reverse(name)}"' in page
    # Each settings page marks Settings, and nothing else, as where you are.
    standards = admin_client.get(reverse("reviews:standard_list")).content.decode()
    assert re.findall(r'aria-current="true">\s*<strong[^>]*>([^<]+)', standards) == ["Settings"]


def test_settings_is_for_those_who_may_open_a_settings_page(client, make_user):
    client.force_login(make_user(Role.REVIEW_OFFICER))
    assert "Settings" not in _navigation(client.get(reverse("accounts:home")).content.decode())
    assert client.get(reverse("core:settings")).status_code == 403


def test_adding_a_user_says_what_each_role_may_do(admin_client):
    page = admin_client.get(reverse("accounts:user_create")).content.decode()
    for role in Role:
        assert role.summary.replace("'", "&#39;") in page
