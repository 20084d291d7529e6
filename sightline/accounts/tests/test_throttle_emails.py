"""Password reset and training registration: limited per address and per client, and the
same work and the same response whether or not the address has an account."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sightline.accounts.models import User
from sightline.accounts.tests.factories import AgencyFactory, UserFactory
from sightline.core.models import AuditEvent
from sightline.core.once import TOKEN_FIELD, new_token

PER_RECIPIENT = settings.SIGHTLINE_EMAIL_LIMIT_PER_RECIPIENT[0]
PER_CLIENT = settings.SIGHTLINE_EMAIL_LIMIT_PER_CLIENT[0]
# The tasks are kept, not run, as the database backend does in production: the request's
# work is then only its own.
KEPT = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def reset(client, email, address="192.0.2.1"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address)


def measured(post):
    """The response, and the SQL the request ran with its parameters' values masked."""
    with CaptureQueriesContext(connection) as queries:
        response = post()
    return response, [query["sql"] for query in queries.captured_queries]


def shapes(statements):
    """The statements with their values (keys, times, addresses, tokens) blanked."""
    return [re.sub(r"'[^']*'|\d+", "?", sql) for sql in statements]


@pytest.fixture
def kept_tasks():
    with override_settings(TASKS=KEPT):
        from django.tasks import default_task_backend

        yield default_task_backend


def test_reset_does_the_same_work_and_answers_the_same_for_known_and_unknown(
    db, kept_tasks, mailoutbox
):
    UserFactory(email="known.person@example.test")
    known, known_sql = measured(lambda: reset(Client(), "known.person@example.test"))
    unknown, unknown_sql = measured(lambda: reset(Client(), "nobody.here@example.test"))
    assert shapes(known_sql) == shapes(unknown_sql)
    assert not any('"accounts_user"' in sql for sql in known_sql)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    assert mailoutbox == []
    # The worker's half: the email goes only to the account that exists.
    for result in kept_tasks.results:
        result.task.call(*result.args, **result.kwargs)
    assert [message.to for message in mailoutbox] == [["known.person@example.test"]]
    assert "/password-reset/" in mailoutbox[0].body


def test_the_fourth_reset_in_an_hour_sends_nothing_and_looks_the_same(client, db, mailoutbox):
    UserFactory(email="known.person@example.test")
    pages = [reset(client, "known.person@example.test") for _ in range(PER_RECIPIENT + 1)]
    assert {page["Location"] for page in pages} == {reverse("accounts:password_reset_done")}
    assert len(mailoutbox) == PER_RECIPIENT
    assert (
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.PASSWORD_RESET_REQUESTED, detail__contains="No email sent"
        ).count()
        == 1
    )


def test_one_client_asking_for_many_resets_is_refused_with_when_to_try_again(client, db):
    for n in range(PER_CLIENT):
        assert reset(client, f"person{n}@example.test").status_code == 302
    refused = reset(client, "one.more@example.test")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    assert "Try again at" in page
    assert "(UK time)" in page
    assert reset(Client(), "one.more@example.test", address="192.0.2.99").status_code == 302


def register(client, email, agency, address="192.0.2.1"):
    data = {
        "full_name": "Nia Newcomer",
        "email": email,
        "agency": agency.pk,
        "manager_email": "manager@example.test",
        TOKEN_FIELD: new_token(),
    }
    return client.post(reverse("training:register"), data, REMOTE_ADDR=address)


def test_registration_does_the_same_work_and_answers_the_same_for_known_and_unknown(
    db, kept_tasks, mailoutbox
):
    agency = AgencyFactory()
    UserFactory(email="known.person@example.test")
    known, known_sql = measured(lambda: register(Client(), "known.person@example.test", agency))
    unknown, unknown_sql = measured(lambda: register(Client(), "new.person@example.test", agency))
    assert shapes(known_sql) == shapes(unknown_sql)
    assert not any('"accounts_user"' in sql for sql in known_sql)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("training:register_sent")
    assert not User.objects.filter(email="new.person@example.test").exists()
    for result in kept_tasks.results:
        result.task.call(*result.args, **result.kwargs)
    assert User.objects.filter(email="new.person@example.test").exists()
    subjects = {message.to[0]: message.subject for message in mailoutbox}
    assert subjects["known.person@example.test"] == "You already have a Sightline account"
    assert "new.person@example.test" in subjects


def test_registration_emails_to_one_address_are_limited(client, db, mailoutbox):
    agency = AgencyFactory()
    UserFactory(email="known.person@example.test")
    for _ in range(PER_RECIPIENT + 2):
        response = register(client, "known.person@example.test", agency)
        assert response["Location"] == reverse("training:register_sent")
    assert len(mailoutbox) == PER_RECIPIENT


def test_one_client_registering_many_addresses_is_refused(client, db):
    agency = AgencyFactory()
    for n in range(PER_CLIENT):
        assert register(client, f"new{n}@example.test", agency).status_code == 302
    refused = register(client, "one.more@example.test", agency)
    assert refused.status_code == 429
    assert "Retry-After" in refused
