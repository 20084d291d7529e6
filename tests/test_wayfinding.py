"""Finding your way: every page below a list says where it sits (GOV.UK breadcrumbs) or, for
a form, leads back to where it came from (a back link).

Every page in the access matrix is opened by an administrator; the top-level pages (home,
the pages in the service navigation, the footer's and the signed-out pages) are the only
ones allowed neither.
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
    "accounts:sign_in",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "reviews:case_list",
    "reviews:deadlines",
    "reviews:timeliness",
    "learning:recommendation_list",
    "assurance:overview",
    "training:catalogue",
    "training:register",
    "training:register_sent",
    "training:approval",
    "core:settings",
    "core:help",
}

PAGES = sorted(
    name
    for name, rule in RULES.items()
    if rule.method == "get" and rule.allowed and Role.ADMINISTRATOR in rule.allowed
)


def _wayfinding(html: str) -> bool:
    return "govuk-breadcrumbs" in html or "govuk-back-link" in html


@pytest.mark.parametrize("name", PAGES)
def test_every_page_below_a_list_shows_the_way_back(client, world, name):  # noqa: F811
    admin = UserFactory()
    MembershipFactory(user=admin, agency=world["home_agency"], role=Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.get(_url(name, RULES[name], world))
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
