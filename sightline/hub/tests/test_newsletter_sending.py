"""Composing an issue from what was published since the last one, previewing it, and
sending it through a background job, with one-click unsubscribing in every email."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from sightline.core.job_models import BackgroundJob
from sightline.core.jobs import run_background_job
from sightline.core.models import OutboxMessage
from sightline.core.roles import Role
from sightline.hub.models import NewsletterIssue, Subscriber
from sightline.hub.selectors.newsletter import newsletter_candidates
from sightline.hub.services import newsletter as services
from sightline.hub.tests.factories import (
    BriefingFactory,
    NewsItemFactory,
    NewsletterIssueFactory,
    PublishedReviewFactory,
    ResourceFactory,
    SubscriberFactory,
)
from sightline.hub.vocabulary import State

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAYS = datetime.timedelta(days=1)


@pytest.fixture
def officer(make_user):
    return make_user(Role.REVIEW_OFFICER, email="officer@example.test")


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


def published(days_ago: int, **fields):
    return {"published": True, "live_on": TODAY - days_ago * DAYS, **fields}


def test_composing_picks_up_only_what_was_published_since_the_last_issue(officer):
    old = NewsItemFactory.create(**published(40, title="Old news"))
    last = NewsletterIssueFactory.create(
        sent_at=timezone.now() - 10 * DAYS,
        items=[
            {
                "kind": "news",
                "pk": old.pk,
                "title": old.title,
                "url": "",
                "summary": "",
                "live_on": TODAY.isoformat(),
            }
        ],
    )
    assert last.status == NewsletterIssue.Status.SENT
    NewsItemFactory.create(**published(11, title="Before the last issue"))
    review = PublishedReviewFactory.create(**published(3, title="A new review"))
    briefing = BriefingFactory.create(**published(2, title="A new briefing"))
    resource = ResourceFactory.create(**published(1, title="A new webinar"))
    news = NewsItemFactory.create(**published(10, title="On the day of the last issue"))
    NewsItemFactory.create(published=False, title="A draft")
    NewsItemFactory.create(**published(-3, title="Going live next week"))
    NewsItemFactory.create(
        **published(4, title="Withdrawn"),
        state=State.WITHDRAWN,
        withdrawn_at=timezone.now(),
        withdrawal_reason="A mistake",
    )
    NewsItemFactory.create(**published(5, title="Taken down", remove_on=TODAY))

    candidates = newsletter_candidates(on=TODAY)

    assert [item.title for item in candidates] == [
        resource.title,
        briefing.title,
        review.title,
        news.title,
    ]
    assert candidates[0].url.endswith(resource.get_absolute_url())
    assert candidates[1].summary == "Professional curiosity matters."


def test_the_compose_page_is_prefilled_and_saves_a_draft_to_preview(signed_in):
    review = PublishedReviewFactory.create(**published(3, title="A new review"))
    news = NewsItemFactory.create(**published(2, title="Some news"))
    page = signed_in.get(reverse("hub:newsletter_compose"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="review:{review.pk}" checked' in html
    assert f'value="news:{news.pk}" checked' in html
    assert "Learning hub newsletter, issue 1" in html

    response = signed_in.post(
        reverse("hub:newsletter_compose"),
        {"subject": "March issue", "introduction": "Hello all.", "items": [f"news:{news.pk}"]},
    )
    issue = NewsletterIssue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hub:newsletter_preview", kwargs={"pk": issue.pk})
    assert issue.status == NewsletterIssue.Status.DRAFT
    assert issue.number == 1
    assert [item["title"] for item in issue.items] == ["Some news"]

    preview = signed_in.get(response["Location"]).content.decode()
    assert "March issue" in preview
    assert "Hello all." in preview
    assert "Some news" in preview
    assert "A new review" not in preview
    assert "Unsubscribe in one click" in preview

    # Composing again opens the same draft.
    again = signed_in.get(reverse("hub:newsletter_compose")).content.decode()
    assert "March issue" in again
    assert f'value="review:{review.pk}" checked' not in again
    signed_in.post(
        reverse("hub:newsletter_compose"),
        {"subject": "March issue, final", "items": [f"news:{news.pk}", f"review:{review.pk}"]},
    )
    issue = NewsletterIssue.objects.get()
    assert issue.subject == "March issue, final"
    assert len(issue.items) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": "", "items": []}, "Enter a subject"),
        ({"subject": "x" * 151}, "Subject must be 150 characters or fewer"),
        ({"subject": "S", "introduction": "x" * 4001}, "4000 characters or fewer"),
        ({"subject": "S", "items": ["news:999999"]}, "Choose only from the items listed"),
        ({"subject": "S", "items": []}, "Choose at least one item"),
    ],
)
def test_bad_compose_input_is_explained(signed_in, data, message):
    NewsItemFactory.create(**published(2))
    response = signed_in.post(reverse("hub:newsletter_compose"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not NewsletterIssue.objects.exists()


def draft_with_items(officer) -> NewsletterIssue:
    news = NewsItemFactory.create(**published(2, title="Safeguarding Week"))
    return services.issue_draft_save(
        actor=officer, subject="Issue one", introduction="Hello.", item_keys=[f"news:{news.pk}"]
    )


def test_sending_writes_one_email_per_confirmed_subscriber_with_one_click_unsubscribe(
    signed_in, officer, mailoutbox, django_capture_on_commit_callbacks
):
    readers = SubscriberFactory.create_batch(3)
    SubscriberFactory.create(status=Subscriber.Status.PENDING, confirmed_at=None)
    SubscriberFactory.create(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    issue = draft_with_items(officer)
    url = reverse("hub:newsletter_send", kwargs={"pk": issue.pk})
    assert "Send issue 1 to 3 subscribers?" in signed_in.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url)
    job = BackgroundJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.message
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
    assert issue.recipients == 3
    assert issue.sent_at is not None

    emails = sorted(mailoutbox, key=lambda email: email.to[0])
    assert [email.to[0] for email in emails] == sorted(reader.email for reader in readers)
    for email, reader in zip(emails, sorted(readers, key=lambda r: r.email), strict=True):
        link = services.unsubscribe_url(reader.pk)
        message = email.message()
        assert message["List-Unsubscribe"] == f"<{link}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Message-ID"]
        assert link in email.body
        assert "Safeguarding Week" in email.body
        assert email.subject == "Issue one"

    # The link in the email unsubscribes in one click; the next issue does not go there.
    first = sorted(readers, key=lambda r: r.email)[0]
    signed_in.logout()
    signed_in.post(urlsplit(services.unsubscribe_url(first.pk)).path)
    first.refresh_from_db()
    assert first.status == Subscriber.Status.UNSUBSCRIBED
    signed_in.force_login(officer)
    mail_before = len(mailoutbox)
    second = draft_with_items(officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_send(actor=officer, issue=second)
    second.refresh_from_db()
    assert second.recipients == 2
    new_recipients = {email.to[0] for email in list(mailoutbox)[mail_before:]}
    assert first.email not in new_recipients
    assert len(new_recipients) == 2


def test_a_double_click_starts_one_job_and_a_retried_job_emails_no_one_twice(
    officer, django_capture_on_commit_callbacks
):
    SubscriberFactory.create_batch(3)
    issue = draft_with_items(officer)
    first = services.issue_send(actor=officer, issue=issue)
    second = services.issue_send(actor=officer, issue=issue)
    assert first.pk == second.pk
    assert BackgroundJob.objects.count() == 1

    # The worker died after writing some emails: the job runs again from the start.
    services._issue_write_batch(
        issue=issue,
        items=services.selectors.issue_items(NewsletterIssue.objects.get()),
        batch=services.selectors.confirmed_subscribers_after(after=0, limit=2),
    )
    assert OutboxMessage.objects.filter(kind="hub.newsletter_issue").count() == 2
    run_background_job.call(str(first.pk))
    assert OutboxMessage.objects.filter(kind="hub.newsletter_issue").count() == 3
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
    assert issue.recipients == 3
    # Once sent, it cannot be sent again.
    with pytest.raises(Exception, match="already been sent"):
        services.issue_send(actor=officer, issue=issue)


def test_nothing_is_written_to_the_outbox_in_the_request(signed_in, officer):
    SubscriberFactory.create_batch(2)
    issue = draft_with_items(officer)
    # Without the commit, the job never runs: the request itself wrote no email.
    signed_in.post(reverse("hub:newsletter_send", kwargs={"pk": issue.pk}))
    assert not OutboxMessage.objects.filter(kind="hub.newsletter_issue").exists()
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENDING


def test_an_item_withdrawn_after_composing_is_not_sent(officer):
    news = NewsItemFactory.create(**published(2, title="Withdrawn later"))
    kept = NewsItemFactory.create(**published(2, title="Kept"))
    issue = services.issue_draft_save(
        actor=officer,
        subject="S",
        introduction="",
        item_keys=[f"news:{news.pk}", f"news:{kept.pk}"],
    )
    type(news).objects.filter(pk=news.pk).update(
        state=State.WITHDRAWN, withdrawn_at=timezone.now(), withdrawal_reason="Wrong"
    )
    services.issue_send(actor=officer, issue=issue)
    issue.refresh_from_db()
    assert [item["title"] for item in issue.items] == ["Kept"]


def test_the_archive_shows_sent_issues_and_their_frozen_items_only(client, officer):
    sent = NewsletterIssueFactory.create(
        subject="The sent one",
        items=[
            {
                "kind": "news",
                "pk": 1,
                "title": "Frozen title",
                "url": "http://x/hub/news/a/",
                "summary": "As it was sent.",
                "live_on": "2026-01-05",
            }
        ],
    )
    NewsletterIssueFactory.create(
        subject="A draft", status=NewsletterIssue.Status.DRAFT, sent_at=None
    )
    page = client.get(reverse("hub:newsletter_archive")).content.decode()
    assert "The sent one" in page
    assert "A draft" not in page
    issue_page = client.get(sent.get_absolute_url())
    assert issue_page.status_code == 200
    assert "Frozen title" in issue_page.content.decode()
    assert "public" in issue_page["Cache-Control"]
    draft = NewsletterIssue.objects.get(subject="A draft")
    assert (
        client.get(reverse("hub:newsletter_issue", kwargs={"number": draft.number})).status_code
        == 404
    )


def test_the_lists_query_count_does_not_grow(client, signed_in, officer, django_assert_num_queries):
    def load() -> list[int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for url in (
            reverse("hub:newsletter_archive"),
            reverse("hub:newsletter_manage"),
            reverse("hub:newsletter_compose"),
        ):
            with CaptureQueriesContext(connection) as queries:
                response = signed_in.get(url)
            assert response.status_code == 200, url
            counts.append(len(queries))
        return counts

    NewsletterIssueFactory.create(composed_by=officer)
    NewsItemFactory.create(**published(1))
    SubscriberFactory.create()
    before = load()
    NewsletterIssueFactory.create_batch(10, composed_by=officer)
    NewsItemFactory.create_batch(10, **published(1))
    ResourceFactory.create_batch(5, **published(1))
    SubscriberFactory.create_batch(10)
    assert load() == before
