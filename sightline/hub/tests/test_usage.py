"""Usage without tracking: a count per public page per month, nothing about the reader."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sightline.accounts.tests.factories import MembershipFactory, UserFactory
from sightline.core.roles import Role
from sightline.hub.models import PageView
from sightline.hub.selectors.usage import months_back, usage_rows
from sightline.hub.services.usage import page_view_count

from .factories import NewsItemFactory, PublishedReviewFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 3, 10)


def test_views_are_counted_per_path_per_month():
    for on in (DAY, DAY, DAY.replace(day=28), DAY.replace(month=4)):
        page_view_count(path="/hub/reviews/a/", on=on)
    assert set(PageView.objects.values_list("month", "views")) == {
        (datetime.date(2025, 3, 1), 3),
        (datetime.date(2025, 4, 1), 1),
    }


def test_a_public_page_counts_a_get_but_not_a_head_a_404_or_a_crawler(client):
    review = PublishedReviewFactory.create()
    client.get(review.get_absolute_url())
    client.head(review.get_absolute_url())
    client.get(review.get_absolute_url(), headers={"user-agent": "Googlebot/2.1"})
    client.get("/hub/reviews/no-such-review/")
    assert list(PageView.objects.values_list("path", "views")) == [(review.get_absolute_url(), 1)]


def test_a_query_string_is_not_kept(client):
    client.get(reverse("hub:reviews"), {"kind": "sar", "email": "someone@example.org"})
    assert list(PageView.objects.values_list("path", flat=True)) == ["/hub/reviews/"]


@pytest.mark.django_db(transaction=True)
def test_first_views_at_the_same_moment_are_all_counted():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("an in-memory SQLite database is not shared between threads")
    barrier = threading.Barrier(4)
    errors = []

    def view():
        try:
            barrier.wait()
            page_view_count(path="/hub/", on=DAY)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=view) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert PageView.objects.get(path="/hub/").views == 4


def test_months_back_crosses_years():
    assert months_back(datetime.date(2025, 2, 1), 11) == datetime.date(2024, 3, 1)


def test_usage_lists_every_public_item_least_read_first_on_request():
    read = PublishedReviewFactory.create(title="Read")
    unread = NewsItemFactory.create(title="Unread")
    PublishedReviewFactory.create(title="Draft", published=False)
    page_view_count(path=read.get_absolute_url(), on=DAY)
    page_view_count(path=read.get_absolute_url(), on=months_back(DAY, 13))

    rows = usage_rows(on=DAY)
    assert [(row.title, row.this_month, row.last_year) for row in rows] == [
        ("Read", 1, 1),
        ("Unread", 0, 0),
    ]
    assert [row.title for row in usage_rows(on=DAY, least_read_first=True)] == [
        unread.title,
        read.title,
    ]


def test_the_usage_page_takes_the_same_queries_however_many_items(client):
    admin = UserFactory.create()
    MembershipFactory(user=admin, role=Role.ADMINISTRATOR)
    client.force_login(admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("hub:usage"), {"order": "least"}).status_code == 200
        return len(captured)

    PublishedReviewFactory.create()
    few = count()
    for _ in range(10):
        review = PublishedReviewFactory.create()
        page_view_count(path=review.get_absolute_url(), on=DAY)
        NewsItemFactory.create()
    assert count() == few


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_count_of_its_own_skips_the_flush_wait_and_only_for_itself():
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    before = _synchronous_commit()
    with CaptureQueriesContext(connection) as alone:
        page_view_count(path="/hub/", on=DAY)
        page_view_count(path="/hub/", on=DAY)
    # Set for the count's own transaction only: the next statement commits as before.
    assert before == _synchronous_commit() == "on"
    assert all("synchronous_commit" in query["sql"] for query in alone.captured_queries)
    assert PageView.objects.get(path="/hub/").views == 2


@pytest.mark.django_db(transaction=True)
def test_a_count_inside_a_callers_transaction_commits_as_the_caller_does():
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    with transaction.atomic():
        page_view_count(path="/hub/", on=DAY)
        # The caller's other writes must still wait for the disk.
        assert _synchronous_commit() == "on"
    assert PageView.objects.get(path="/hub/").views == 1
