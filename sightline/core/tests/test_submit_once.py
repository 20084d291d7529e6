"""Saving once: a create form's one-time token makes a second submit lead to the record
already made; clashes answer a form error or a 409, never a 500."""

import datetime
import re
import threading
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, connections
from django.forms import Form
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from sightline.core import once
from sightline.core import views as core_views
from sightline.core.models import ClosureDay, SubmissionToken
from sightline.core.once import (
    ALREADY_SENT,
    TOKEN_FIELD,
    IntegrityErrorMiddleware,
    new_token,
    run_once,
    submit_once_field,
    unique_save,
)
from sightline.core.roles import Role

URL = reverse("core:closure_days")
DAY = datetime.date(2026, 12, 29)


def closure(token: str | None = None, on: datetime.date = DAY, why: str = "Staff day") -> dict:
    data = {"date_day": on.day, "date_month": on.month, "date_year": on.year, "description": why}
    if token is not None:
        data[TOKEN_FIELD] = token
    return data


def token_on(page: str) -> str:
    found = re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', page)
    assert found is not None, "the form carries no one-time token"
    return found.group(1)


def test_each_rendered_field_holds_a_fresh_token_of_the_expected_form():
    first, second = str(submit_once_field()), str(submit_once_field())
    assert first.startswith(f'<input type="hidden" name="{TOKEN_FIELD}" value="')
    assert token_on(first) != token_on(second)
    assert once.TOKEN_PATTERN.fullmatch(token_on(first))
    assert len(token_on(first)) <= SubmissionToken.TOKEN_MAX


def test_the_create_form_page_carries_a_token_each_time_it_is_shown(admin_client):
    first = token_on(admin_client.get(URL).content.decode())
    assert first != token_on(admin_client.get(URL).content.decode())


def test_a_second_submit_of_the_same_form_leads_to_what_the_first_made(admin_client):
    token = token_on(admin_client.get(URL).content.decode())
    first = admin_client.post(URL, closure(token))
    assert first.status_code == 302
    second = admin_client.post(URL, closure(token))
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert ClosureDay.objects.filter(date=DAY).count() == 1
    assert ALREADY_SENT in [str(m) for m in get_messages(second.wsgi_request)]
    row = SubmissionToken.objects.get(token=token)
    assert row.url == first["Location"]
    assert row.user is not None


def test_a_form_with_errors_keeps_its_token_free_for_the_corrected_submit(admin_client):
    token = new_token()
    refused = admin_client.post(URL, closure(token, why=""))
    assert refused.status_code == 400
    assert not SubmissionToken.objects.filter(token=token).exists()
    assert admin_client.post(URL, closure(token)).status_code == 302
    assert ClosureDay.objects.filter(date=DAY).count() == 1


def test_a_form_without_a_token_is_accepted_unprotected(admin_client):
    assert admin_client.post(URL, closure()).status_code == 302
    assert ClosureDay.objects.filter(date=DAY).count() == 1
    assert not SubmissionToken.objects.exists()


@pytest.mark.parametrize("token", ["", "short", "x" * 65, "a" * 40 + "<script>"])
def test_a_token_we_could_not_have_made_is_refused_and_nothing_is_saved(admin_client, token):
    response = admin_client.post(URL, closure(token))
    assert response.status_code == 400
    assert "Open the page again" in response.content.decode()
    assert not ClosureDay.objects.exists()
    assert not SubmissionToken.objects.exists()


def test_another_persons_token_is_refused_not_followed(admin_client, make_user):
    token = new_token()
    assert admin_client.post(URL, closure(token)).status_code == 302
    other = Client()
    other.force_login(make_user(Role.ADMINISTRATOR))
    response = other.post(URL, closure(token, on=DAY + datetime.timedelta(days=1)))
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    assert ClosureDay.objects.count() == 1


def test_the_same_day_added_by_two_forms_is_a_form_error(admin_client):
    assert admin_client.post(URL, closure(new_token())).status_code == 302
    again = admin_client.post(URL, closure(new_token()))
    assert again.status_code == 400
    assert "is already a closure day" in again.content.decode()
    assert ClosureDay.objects.count() == 1


@pytest.mark.django_db
def test_unique_save_answers_a_clash_as_a_form_error_on_the_field():
    ClosureDay.objects.create(date=DAY, description="First")

    class DayForm(Form):
        from django import forms

        date = forms.DateField()

    form = DayForm({"date": DAY.isoformat()})
    assert form.is_valid()
    result = unique_save(
        form, lambda: ClosureDay.objects.create(date=DAY, description="Second"), "Taken", "date"
    )
    assert result is None
    assert form.errors == {"date": ["Taken"]}
    # The transaction goes on: the clash was rolled back to its savepoint only.
    assert ClosureDay.objects.filter(date=DAY).get().description == "First"
    made = unique_save(
        form, lambda: ClosureDay.objects.create(date=DAY + datetime.timedelta(1)), "Taken"
    )
    assert made is not None


@pytest.mark.django_db
def test_an_unhandled_integrity_error_answers_409_not_500(admin_user):
    request = RequestFactory().post("/somewhere/")
    request.user = admin_user
    middleware = IntegrityErrorMiddleware(lambda request: HttpResponse())
    response = middleware.process_exception(request, IntegrityError("duplicate key"))
    assert response is not None
    assert response.status_code == 409
    assert "Someone else saved at the same moment" in response.content.decode()
    assert middleware.process_exception(request, ValueError("other")) is None


def test_the_middleware_is_installed(settings):
    assert "sightline.core.once.IntegrityErrorMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
def test_a_clash_inside_the_view_is_raised_when_no_other_submit_made_the_token(admin_user):
    request = RequestFactory().post("/x/", {TOKEN_FIELD: new_token()})
    request.user = admin_user

    def clash() -> HttpResponse:
        raise IntegrityError("the view's own unique constraint")

    with pytest.raises(IntegrityError):
        run_once(request, clash)
    assert not SubmissionToken.objects.exists()


@pytest.mark.django_db
def test_a_long_redirect_is_followed_but_not_kept(admin_user):
    request = RequestFactory().post("/x/", {TOKEN_FIELD: new_token()})
    request.user = admin_user
    location = "/" + "a" * SubmissionToken.URL_MAX
    response = run_once(request, lambda: HttpResponse(status=302, headers={"Location": location}))
    assert response.status_code == 302
    assert not SubmissionToken.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_of_one_token_make_one_record(make_user, monkeypatch):
    """Two threads, two connections, one token: the second insert of the token waits on the
    first transaction (seen waiting in pg_stat_activity before the first goes on), then
    fails, and is answered with the record the first made."""
    user = make_user(Role.ADMINISTRATOR)
    token = new_token()
    seen_waiting = threading.Event()
    real_add = core_views.closure_day_add

    def add_when_the_other_waits(**kwargs):
        watcher = connections.create_connection("default")
        try:
            for _ in range(600):  # up to a minute: never reached unless the design is broken
                with watcher.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                    if cursor.fetchone()[0]:
                        seen_waiting.set()
                        break
                threading.Event().wait(0.1)
        finally:
            watcher.close()
        return real_add(**kwargs)

    monkeypatch.setattr(core_views, "closure_day_add", add_when_the_other_waits)
    answers: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def post() -> None:
        client = Client()
        client.force_login(user)
        try:
            start.wait()
            answers.append(client.post(URL, closure(token)))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert seen_waiting.is_set()
    assert sorted(answer.status_code for answer in answers) == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert ClosureDay.objects.filter(date=DAY).count() == 1
    assert SubmissionToken.objects.filter(token=token).count() == 1


@pytest.mark.django_db
def test_old_tokens_are_pruned_and_recent_ones_kept():
    now = timezone.now()
    old = SubmissionToken.objects.create(
        token=new_token(), created_at=now - once.SUBMISSION_TOKENS_KEPT - datetime.timedelta(1)
    )
    kept = SubmissionToken.objects.create(token=new_token(), created_at=now)
    assert once.submission_tokens_prune(now=now) == 1
    assert list(SubmissionToken.objects.all()) == [kept]
    assert not SubmissionToken.objects.filter(pk=old.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_a_closure_day_added_twice_at_once_from_old_tabs_is_one_day_and_no_error(make_user):
    from sightline.core.tests.concurrent import post_together

    answers = post_together(URL, [closure(), closure()], user=make_user(Role.ADMINISTRATOR))
    assert sorted(answer.status_code for answer in answers) == [302, 400]
    assert ClosureDay.objects.filter(date=DAY).count() == 1
