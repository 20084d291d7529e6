"""A course added twice, a self-registration sent twice, a place booked twice: one record,
never a 500 (issue 13's double submits)."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.models import User
from sightline.core.once import ALREADY_SENT, TOKEN_FIELD, new_token
from sightline.core.roles import Role
from sightline.core.tests.concurrent import ON_POSTGRESQL, post_together
from sightline.training.models import Course

COURSE_URL = reverse("training:course_create")
REGISTER_URL = reverse("training:register")
on_postgresql = pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL's row locks")


def course(token: str | None, title: str = "Neglect: recognising the signs") -> dict:
    review = timezone.localdate() + datetime.timedelta(days=200)
    data = {
        "title": title,
        "outline": "What neglect looks like, and what to do.",
        "audience": "children",
        "level": "awareness",
        "learning_outcomes": "Recognise the signs of neglect",
        "review_date_day": review.day,
        "review_date_month": review.month,
        "review_date_year": review.year,
        "impact_survey_weeks": "12",
    }
    return data if token is None else {**data, TOKEN_FIELD: token}


def registration(agency, token: str | None) -> dict:
    data = {
        "full_name": "Nia Newcomer",
        "email": "nia.once@example.test",
        "agency": agency.pk,
        "manager_email": "boss@example.test",
    }
    return data if token is None else {**data, TOKEN_FIELD: token}


def test_the_course_form_and_the_registration_form_carry_a_token(admin_client):
    pattern = rf'name="{TOKEN_FIELD}" value="[A-Za-z0-9_-]+"'
    assert re.search(pattern, admin_client.get(COURSE_URL).content.decode())
    assert re.search(pattern, Client().get(REGISTER_URL).content.decode())


def test_a_course_sent_twice_is_added_once_and_the_second_leads_to_it(admin_client):
    token = new_token()
    first = admin_client.post(COURSE_URL, course(token))
    second = admin_client.post(COURSE_URL, course(token))
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == Course.objects.get().get_absolute_url()
    assert ALREADY_SENT in [str(m) for m in get_messages(second.wsgi_request)]


def test_the_same_course_from_two_forms_is_a_form_error(admin_client):
    assert admin_client.post(COURSE_URL, course(new_token())).status_code == 302
    again = admin_client.post(
        COURSE_URL, course(new_token(), title="NEGLECT: recognising the signs")
    )
    assert again.status_code == 400
    assert Course.objects.count() == 1


def test_a_registration_sent_twice_makes_one_account(client, agency):
    token = new_token()
    answers = [client.post(REGISTER_URL, registration(agency, token)) for _ in range(2)]
    assert [answer["Location"] for answer in answers] == [reverse("training:register_sent")] * 2
    assert User.objects.filter(email="nia.once@example.test").count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_token", [True, False], ids=["one form", "old tabs"])
def test_a_course_added_twice_at_once_is_one_course_and_no_error(make_user, same_token):
    admin = make_user(Role.ADMINISTRATOR)
    token = new_token()
    forms = [course(token if same_token else None) for _ in range(2)]
    answers = post_together(COURSE_URL, forms, user=admin)
    assert Course.objects.count() == 1
    statuses = sorted(answer.status_code for answer in answers)
    # Without a token the second is not protected: its clash is a form error, not a 500.
    assert statuses == ([302, 302] if same_token else [302, 400])


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_token", [True, False], ids=["one form", "old tabs"])
def test_a_registration_sent_twice_at_once_makes_one_account_and_no_error(agency, same_token):
    token = new_token()
    forms = [registration(agency, token if same_token else None) for _ in range(2)]
    answers = post_together(REGISTER_URL, forms)
    assert [answer.status_code for answer in answers] == [302, 302]
    assert User.objects.filter(email="nia.once@example.test").count() == 1
