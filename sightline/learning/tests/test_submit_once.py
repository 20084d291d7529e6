"""An action added twice (a double click, two posts at once, old tabs): one action, never a
500 (issue 13's double submits)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.once import ALREADY_SENT, TOKEN_FIELD, new_token
from sightline.core.roles import Role
from sightline.core.tests.concurrent import ON_POSTGRESQL, post_together
from sightline.learning.models import Action, Recommendation

D = datetime.date
on_postgresql = pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL's row locks")


@pytest.fixture
def rec(db):
    return Recommendation.objects.create(
        reference="ONCE-1/R1",
        source_type="audit",
        source_title="Neglect audit 2024",
        text="Improve the use of the neglect toolkit.",
        made_date=D(2024, 1, 10),
    )


def action(agency, token: str | None, reference: str = "ONCE-1/R1/A1") -> dict:
    data = {
        "reference": reference,
        "agency": agency.pk,
        "description": "Train staff",
        "due_date_day": "30",
        "due_date_month": "6",
        "due_date_year": "2024",
    }
    return data if token is None else {**data, TOKEN_FIELD: token}


def test_the_add_action_form_carries_a_token(admin_client, rec):
    page = admin_client.get(reverse("learning:action_create", args=[rec.pk])).content.decode()
    assert f'name="{TOKEN_FIELD}"' in page


def test_an_action_sent_twice_is_added_once_and_the_second_leads_to_it(admin_client, rec):
    agency, token = AgencyFactory.create(), new_token()
    url = reverse("learning:action_create", args=[rec.pk])
    first = admin_client.post(url, action(agency, token))
    second = admin_client.post(url, action(agency, token))
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Action.objects.count() == 1
    assert ALREADY_SENT in [str(m) for m in get_messages(second.wsgi_request)]


def test_the_same_reference_from_two_forms_is_a_form_error(admin_client, rec):
    agency = AgencyFactory.create()
    url = reverse("learning:action_create", args=[rec.pk])
    assert admin_client.post(url, action(agency, new_token())).status_code == 302
    again = admin_client.post(url, action(agency, new_token(), reference="once-1/r1/a1"))
    assert again.status_code == 400
    assert "already exists" in again.content.decode()
    assert Action.objects.count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_token", [True, False], ids=["one form", "old tabs"])
def test_an_action_added_twice_at_once_is_one_action_and_no_error(make_user, rec, same_token):
    admin, agency, token = make_user(Role.ADMINISTRATOR), AgencyFactory.create(), new_token()
    url = reverse("learning:action_create", args=[rec.pk])
    forms = [action(agency, token if same_token else None) for _ in range(2)]
    answers = post_together(url, forms, user=admin)
    assert Action.objects.count() == 1
    statuses = sorted(answer.status_code for answer in answers)
    # Without a token the second is not protected: its clash is a form error, not a 500.
    assert statuses == ([302, 302] if same_token else [302, 400])
