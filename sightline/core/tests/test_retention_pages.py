"""Settings → Retention: the pages an administrator uses, their answers to bad input, and
their query counts."""

import csv
import datetime
import html
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.models import SignInRecord
from sightline.accounts.tests.factories import UserFactory
from sightline.core import retention_services as service
from sightline.core.models import (
    AccessLogEntry,
    AuditEvent,
    LegalHold,
    RetentionReview,
    RetentionReviewItem,
    RetentionSetting,
)
from sightline.reviews.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def sessions(number: int, start: int = 0) -> None:
    long_ago = timezone.now() - datetime.timedelta(days=800)
    for n in range(start, start + number):
        user = UserFactory.create()
        SignInRecord.objects.create(user=user, session_key=f"{n:040d}", at=long_ago)


def test_the_settings_page_links_to_retention(admin_client):
    page = admin_client.get(reverse("core:settings")).content.decode()
    assert reverse("core:retention") in page


def test_the_periods_page_shows_each_kind_its_default_and_source(admin_client):
    text = admin_client.get(reverse("core:retention")).content.decode()
    for label in ("Cases", "Restricted details", "Referrals", "Audit trail", "Access log"):
        assert label in text
    assert "Limitation Act 1980" in text
    assert "Working Together to Safeguard Children 2023" in text
    assert "Partnership decision" in text


def test_an_administrator_changes_a_period_and_back(admin_client):
    url = reverse("core:retention_period", kwargs={"kind": "referrals"})
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"months": "36"})
    assert response.status_code == 302
    assert RetentionSetting.objects.get(kind="referrals").months == 36
    admin_client.post(url, {"months": ""})
    assert not RetentionSetting.objects.exists()


@pytest.mark.parametrize(
    ("months", "message"),
    [
        ("abc", "whole number of months"),
        ("0", "at least"),
        ("99999999999999999999", "at most"),
        ("6", "between 12 and 1200"),  # the audit trail's own range
    ],
)
def test_a_bad_period_is_refused_with_a_message(admin_client, months, message):
    url = reverse("core:retention_period", kwargs={"kind": "audit_trail"})
    response = admin_client.post(url, {"months": months})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RetentionSetting.objects.exists()


def test_an_unknown_kind_is_not_found(admin_client):
    url = reverse("core:retention_period", kwargs={"kind": "nonsense"})
    assert admin_client.get(url).status_code == 404


def test_an_administrator_places_and_releases_a_legal_hold(admin_client, admin_user):
    person = UserFactory.create(email="held@example.test")
    url = reverse("core:legal_holds")
    response = admin_client.post(
        url, {"covers": "person", "person_email": "HELD@example.test", "reason": "A claim"}
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.person == person
    assert hold.placed_by == admin_user
    assert "A claim" in admin_client.get(url).content.decode()

    release = reverse("core:legal_hold_release", kwargs={"pk": hold.pk})
    assert admin_client.post(release, {"reason": ""}).status_code == 400
    assert admin_client.post(release, {"reason": "Claim settled"}).status_code == 302
    hold.refresh_from_db()
    assert hold.released_by == admin_user
    assert hold.release_reason == "Claim settled"
    assert AuditEvent.objects.filter(object_type="core.legalhold").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"covers": "case", "reason": "x"}, "Enter the case's reference"),
        ({"covers": "person", "reason": "x"}, "Enter the person's email address"),
        (
            {"covers": "person", "person_email": "nobody@example.test", "reason": "x"},
            "No one in Sightline has that email address",
        ),
        ({"covers": "case", "case_reference": "CR-1"}, "Enter why the records must be kept"),
        ({"covers": "moon", "reason": "x"}, "Select a valid choice"),
        ({"covers": "case", "case_reference": "C" * 41, "reason": "x"}, "at most 40"),
    ],
)
def test_a_bad_legal_hold_is_refused_with_a_message(admin_client, data, message):
    response = admin_client.post(reverse("core:legal_holds"), data)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not LegalHold.objects.exists()


def test_an_administrator_approves_chosen_items_then_all(admin_client, admin_user):
    sessions(3)
    others = SignInRecord.objects.exclude(user=admin_user)
    service.retention_review_build()
    review = RetentionReview.objects.get()
    items = list(review.items.order_by("pk"))
    url = reverse("core:retention_review", kwargs={"pk": review.pk})
    assert "Sign-in record" in admin_client.get(url).content.decode()

    response = admin_client.post(url, {"items": [items[0].pk]})

    assert response.status_code == 302
    assert others.count() == 2
    assert admin_client.post(url, {"all": "1"}).status_code == 302
    assert others.count() == 0
    statuses = set(review.items.values_list("status", flat=True))
    assert statuses == {RetentionReviewItem.Status.DISPOSED}
    events = AuditEvent.objects.filter(object_type="core.retentionreview").order_by("pk")
    assert [event.changes["records"]["to"] for event in events] == [1, 2]


@pytest.mark.parametrize("data", [{}, {"items": ["x"]}, {"items": ["999999"]}])
def test_disposing_of_nothing_or_nonsense_is_refused(admin_client, admin_user, data):
    sessions(1)
    others = SignInRecord.objects.exclude(user=admin_user)
    service.retention_review_build()
    review = RetentionReview.objects.get()
    response = admin_client.post(reverse("core:retention_review", kwargs={"pk": review.pk}), data)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert others.count() == 1


def test_a_review_that_does_not_exist_is_not_found(admin_client):
    url = reverse("core:retention_review", kwargs={"pk": 999999})
    assert admin_client.get(url).status_code == 404


def test_a_subject_access_search_then_export_is_logged(admin_client, admin_user):
    person = UserFactory.create(full_name="Sam Subject", email="sam@example.test")
    CaseFactory.create(reference="CR-SAM")
    page = admin_client.post(reverse("core:subject_access"), {"email": "sam@example.test"})
    assert page.status_code == 200
    assert "Sign-in records and addresses" in page.content.decode()
    assert not AccessLogEntry.objects.exists()

    response = admin_client.post(
        reverse("core:subject_access_export"),
        {"email": "sam@example.test", "case_reference": "cr-sam"},
    )

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["kind of record", "record", "record id", "field", "value"]
    assert ["Sign-in records and addresses", "Account", str(person.pk), "email", person.email] in (
        rows
    )
    assert any(row[1] == "Case" and row[4] == "CR-SAM" for row in rows)
    entry = AccessLogEntry.objects.get()
    assert entry.user == admin_user
    assert entry.action == "export"


@pytest.mark.parametrize(
    "query", [{}, {"name": " "}, {"email": "not an address"}, {"case_reference": "x" * 41}]
)
def test_a_subject_access_request_needs_something_valid(admin_client, query):
    page = admin_client.post(reverse("core:subject_access"), query)
    assert page.status_code == 400
    assert "There is a problem" in page.content.decode()
    export = admin_client.post(reverse("core:subject_access_export"), query)
    assert export.status_code == 302
    assert admin_client.get(reverse("core:subject_access_export")).status_code == 302
    assert not AccessLogEntry.objects.exists()


def test_the_lists_cost_the_same_queries_with_ten_times_the_rows(admin_client, admin_user):
    sessions(2)
    service.retention_review_build()
    review = RetentionReview.objects.get()
    for n in range(2):
        LegalHold.objects.create(
            covers="case", case_reference=f"CR-{n}", reason="x", placed_by=admin_user
        )
        RetentionReview.objects.create(month=f"2020-0{n + 1}")
    urls = [
        reverse("core:retention"),
        reverse("core:legal_holds"),
        reverse("core:retention_reviews"),
        reverse("core:retention_review", kwargs={"pk": review.pk}),
    ]
    few = [queries(admin_client, url) for url in urls]
    sessions(20, start=100)
    service.retention_review_build()
    for n in range(2, 22):
        hold = LegalHold.objects.create(
            covers="person", person=UserFactory.create(), reason="x", placed_by=admin_user
        )
        if n % 2:
            service.legal_hold_release(actor=admin_user, hold=hold, reason="Done")
        RetentionReview.objects.create(month=f"{1900 + n}-01")
    assert review.items.count() == 22
    assert [queries(admin_client, url) for url in urls] == few


def test_a_legal_hold_sent_twice_is_placed_once(admin_client):
    url = reverse("core:legal_holds")
    page = admin_client.get(url).content.decode()
    token = re.search(r'name="submit_once" value="([^"]+)"', page)
    assert token, "the form carries a one-time token"
    data = {"covers": "case", "case_reference": "CR-2019-01", "reason": "A claim"}
    data["submit_once"] = token.group(1)
    first = admin_client.post(url, data)
    second = admin_client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert LegalHold.objects.count() == 1


def test_a_long_month_is_shown_a_page_at_a_time_and_counted_whole(admin_client):
    sessions(30)
    service.retention_review_build()
    review = RetentionReview.objects.get()
    url = reverse("core:retention_review", kwargs={"pk": review.pk})
    first = admin_client.get(url).content.decode()
    second = admin_client.get(url, {"page": 2}).content.decode()
    assert first.count('name="items"') == 25
    assert second.count('name="items"') == review.items.count() - 25
    assert "Dispose of all 30 waiting" in first
    assert 'aria-label="Page 2"' in first or "?page=2" in first
