"""The business unit's hub pages: the list by where items are in publishing, the forms, and
their messages for bad input."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.tests.factories import MembershipFactory, UserFactory
from sightline.core.models import AuditEvent
from sightline.core.roles import Role
from sightline.hub.models import HubDocument, PublishedReview
from sightline.hub.vocabulary import State
from sightline.reviews.tests.factories import CaseFactory

from .factories import NewsItemFactory, PublishedReviewFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def _login(client, role):
    user = UserFactory.create()
    MembershipFactory(user=user, role=role)
    client.force_login(user)
    return user


def _date(prefix: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def test_the_list_sorts_items_by_where_they_are_in_publishing(client):
    _login(client, Role.REVIEW_OFFICER)
    today = timezone.localdate()
    PublishedReviewFactory.create(title="A draft", published=False)
    ResourceFactory.create(title="Held", live_on=today + datetime.timedelta(days=9))
    NewsItemFactory.create(title="Leaving", remove_on=today + datetime.timedelta(days=5))
    PublishedReviewFactory.create(title="Live one")

    html = client.get(reverse("hub:manage")).content.decode()

    for heading, title in [
        ("Drafts", "A draft"),
        ("Held back", "Held"),
        ("Coming down soon", "Leaving"),
        ("Live", "Live one"),
    ]:
        section = html.split(f">{heading} (")[1].split("<h2")[0]
        assert title in section


def test_the_list_takes_the_same_queries_however_many_items(client):
    _login(client, Role.ADMINISTRATOR)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("hub:manage")).status_code == 200
        return len(captured)

    PublishedReviewFactory.create()
    few = count()
    for _ in range(10):
        PublishedReviewFactory.create(published=False)
        ResourceFactory.create()
        NewsItemFactory.create()
    assert count() == few


def test_a_review_is_drafted_approved_held_back_and_withdrawn_through_the_pages(client):
    _login(client, Role.ADMINISTRATOR)
    response = client.post(
        reverse("hub:manage_new", args=["review"]),
        {
            "title": "Child M",
            "audience": "both",
            "kind": "lcspr",
            "summary": "What happened.",
            "recommendations": "First.\r\n\r\nSecond.",
        },
    )
    review = PublishedReview.objects.get()
    assert response["Location"] == reverse("hub:manage_item", args=["review", review.pk])
    assert [item.text for item in review.recommendations.all()] == ["First.", "Second."]

    later = timezone.localdate() + datetime.timedelta(days=20)
    url = reverse("hub:manage_approve", args=["review", review.pk])
    response = client.post(url, _date("live_on", later), follow=True)
    assert f"It goes live on {later.day} {later:%B %Y}" in response.content.decode()
    review.refresh_from_db()
    assert (review.state, review.live_on) == (State.APPROVED, later)

    url = reverse("hub:manage_withdraw", args=["review", review.pk])
    client.post(url, {"reason": "The family asked us to wait."})
    review.refresh_from_db()
    assert review.state == State.WITHDRAWN
    assert client.get(reverse("hub:manage_edit", args=["review", review.pk])).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the date it goes live"),
        ({"live_on_day": "31", "live_on_month": "2", "live_on_year": "2030"}, "real date"),
        (_date("live_on", datetime.date(2001, 1, 1)), "within the last year"),
        (
            _date("live_on", datetime.date(2099, 1, 1))
            | _date("remove_on", datetime.date(2099, 1, 1)),
            "within 10 years",
        ),
    ],
)
def test_a_bad_approval_is_a_400_saying_what_to_do(client, data, message):
    _login(client, Role.EXECUTIVE)
    review = PublishedReviewFactory.create(published=False)
    response = client.post(reverse("hub:manage_approve", args=["review", review.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert PublishedReview.objects.get().state == State.DRAFT


def test_a_removal_date_before_the_live_date_is_refused(client):
    _login(client, Role.EXECUTIVE)
    review = PublishedReviewFactory.create(published=False)
    today = timezone.localdate()
    data = _date("live_on", today) | _date("remove_on", today)
    response = client.post(reverse("hub:manage_approve", args=["review", review.pk]), data)
    assert response.status_code == 400
    assert "must be after the date it goes live" in response.content.decode()


def test_approving_a_domestic_homicide_review_not_cleared_says_why(client):
    _login(client, Role.ADMINISTRATOR)
    review = PublishedReviewFactory.create(published=False, kind="dhr")
    url = reverse("hub:manage_approve", args=["review", review.pk])
    response = client.post(url, _date("live_on", timezone.localdate()))
    assert response.status_code == 400
    assert "Home Office quality assurance panel" in response.content.decode()


def test_a_withdrawal_without_a_reason_is_a_400(client):
    _login(client, Role.ADMINISTRATOR)
    review = PublishedReviewFactory.create()
    response = client.post(reverse("hub:manage_withdraw", args=["review", review.pk]), {})
    assert response.status_code == 400
    assert "Enter why it is being withdrawn" in response.content.decode()


def test_a_draft_from_a_case_on_the_local_route_needs_the_partners_agreement(client):
    _login(client, Role.REVIEW_OFFICER)
    CaseFactory.create(reference="LOCAL-2024-01", route="local", pseudonym="Family P")
    url = reverse("hub:manage_from_case")

    response = client.post(url, {"reference": "local-2024-01"})
    assert response.status_code == 400
    assert "partner agencies only" in response.content.decode()

    response = client.post(url, {"reference": "LOCAL-2024-01", "partners_agreed": "on"})
    assert response.status_code == 302
    assert PublishedReview.objects.get().title.startswith("Family P")


def test_an_unknown_case_reference_says_so(client):
    _login(client, Role.REVIEW_OFFICER)
    response = client.post(reverse("hub:manage_from_case"), {"reference": "NOPE-1"})
    assert response.status_code == 400
    assert "No case has this reference" in response.content.decode()


def test_an_unknown_kind_is_not_found(client):
    _login(client, Role.ADMINISTRATOR)
    assert client.get(reverse("hub:manage_new", args=["briefcase"])).status_code == 404


def test_a_document_upload_shows_what_was_removed(client):
    from PIL import Image

    _login(client, Role.REVIEW_OFFICER)
    review = PublishedReviewFactory.create()
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    upload = SimpleUploadedFile("chart.png", buffer.getvalue(), content_type="image/png")

    response = client.post(
        reverse("hub:manage_document", args=["review", review.pk]),
        {"title": "Chart", "file": upload},
        follow=True,
    )

    assert "chart.png is added. Removed from it:" in response.content.decode()
    assert HubDocument.objects.get().review == review
    assert AuditEvent.objects.filter(kind="hub.document_uploaded").exists()


def test_a_document_that_cannot_be_published_is_a_400(client):
    _login(client, Role.REVIEW_OFFICER)
    review = PublishedReviewFactory.create()
    upload = SimpleUploadedFile("notes.txt", b"plain words", content_type="text/plain")
    response = client.post(
        reverse("hub:manage_document", args=["review", review.pk]),
        {"title": "Notes", "file": upload},
    )
    assert response.status_code == 400
    assert not HubDocument.objects.exists()


def test_news_has_no_documents(client):
    _login(client, Role.ADMINISTRATOR)
    news = NewsItemFactory.create()
    url = reverse("hub:manage_document", args=["news", news.pk])
    assert client.get(url).status_code == 404


def test_the_home_page_leads_to_the_hub_for_those_who_publish(client):
    _login(client, Role.EXECUTIVE)
    assert reverse("hub:manage") in client.get(reverse("accounts:home")).content.decode()
    _login(client, Role.PRACTITIONER)
    assert reverse("hub:manage") not in client.get(reverse("accounts:home")).content.decode()
