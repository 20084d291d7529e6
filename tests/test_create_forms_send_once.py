"""Every create form the administrator opens carries a one-time token (saving once), and a
create posted twice with it makes one record: see ``sightline/core/once.py``."""

import re

import pytest
from django.urls import reverse

from sightline.core.once import TOKEN_FIELD

CREATE_PAGES = [
    ("accounts:user_create", {}),
    ("accounts:agency_create", {}),
    ("assurance:audit_create", {}),
    ("assurance:group_create", {}),
    ("assurance:inspection_create", {}),
    ("assurance:measure_create", {}),
    ("assurance:priority_create", {}),
    ("assurance:risk_create", {}),
    ("core:closure_days", {}),
    ("hub:briefing_new", {}),
    ("hub:manage_new", {"kind": "news"}),
    ("hub:manage_new", {"kind": "resource"}),
    ("hub:manage_from_case", {}),
    ("learning:recommendation_create", {}),
    ("reviews:case_create", {}),
    ("reviews:referral_create", {}),
    ("reviews:standard_create", {}),
    ("reviews:theme_list", {}),
    ("training:course_create", {}),
    ("training:series_create", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), CREATE_PAGES, ids=[n for n, _ in CREATE_PAGES])
def test_the_create_form_carries_a_one_time_token(admin_client, name, kwargs):
    response = admin_client.get(reverse(name, kwargs=kwargs or None))
    assert response.status_code == 200
    tokens = re.findall(
        rf'name="{TOKEN_FIELD}" value="([A-Za-z0-9_-]+)"', response.content.decode()
    )
    assert len(tokens) >= 1
    again = admin_client.get(reverse(name, kwargs=kwargs or None)).content.decode()
    assert tokens[0] not in again
