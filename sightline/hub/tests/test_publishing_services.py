"""Publishing as a decision: drafts, approval (held back, removal dates, domestic homicide
reviews), withdrawal, edits after approval, documents, each audited and safe to repeat."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from sightline.accounts.tests.factories import UserFactory
from sightline.core.models import AuditEvent
from sightline.hub.models import NewsItem, PublishedReview
from sightline.hub.services import publishing as services
from sightline.hub.vocabulary import ResourceKind, ReviewKind, State
from sightline.learning.models import Recommendation
from sightline.reviews.models import PracticeTheme
from sightline.reviews.tests.factories import CaseFactory

from .factories import PublishedReviewFactory, ResourceFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 3, 10)


@pytest.fixture
def actor():
    return UserFactory.create()


def kinds() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True))


def _draft(actor, **values):
    return services.review_save(
        actor=actor,
        values={"title": "Child K", "kind": ReviewKind.LCSPR, "summary": "What happened."} | values,
    )


def test_a_draft_is_audited_and_slugs_stay_unique_on_a_double_submit(actor):
    first = _draft(actor)
    second = _draft(actor)

    assert (first.slug, second.slug) == ("child-k", "child-k-2")
    assert first.state == State.DRAFT
    assert kinds() == ["hub.review_drafted", "hub.review_drafted"]


def test_approval_records_the_decision_and_a_repeat_changes_nothing(actor):
    review = _draft(actor)

    services.review_approve(actor=actor, item=review, live_on=TODAY, remove_on=None)
    services.review_approve(actor=actor, item=review, live_on=TODAY, remove_on=None)

    review.refresh_from_db()
    assert (review.state, review.approved_by, review.live_on) == (State.APPROVED, actor, TODAY)
    assert kinds() == ["hub.review_drafted", "hub.review_approved"]


def test_held_back_until_its_live_date_and_down_on_its_removal_date(actor):
    review = _draft(actor)
    later = TODAY + datetime.timedelta(days=30)
    services.review_approve(
        actor=actor, item=review, live_on=later, remove_on=later + datetime.timedelta(days=365)
    )

    assert not PublishedReview.objects.public(on=TODAY).exists()
    assert PublishedReview.objects.public(on=later).exists()
    assert not PublishedReview.objects.public(on=later + datetime.timedelta(days=365)).exists()


def test_a_removal_date_must_come_after_the_live_date(actor):
    review = _draft(actor)
    with pytest.raises(ValidationError, match="after the live date"):
        services.review_approve(actor=actor, item=review, live_on=TODAY, remove_on=TODAY)


def test_changing_the_dates_of_an_approved_review_is_audited(actor):
    review = _draft(actor)
    services.review_approve(actor=actor, item=review, live_on=TODAY)
    services.review_approve(actor=actor, item=review, live_on=TODAY + datetime.timedelta(days=3))

    assert kinds()[-1] == "hub.review_dates_changed"
    event = AuditEvent.objects.order_by("pk").reverse()[0]
    assert event.changes["live_on"]["to"] == "2025-03-13"


def test_a_domestic_homicide_review_needs_the_home_office_clearance(actor):
    review = _draft(actor, kind=ReviewKind.DHR)
    with pytest.raises(ValidationError, match="Home Office"):
        services.review_approve(actor=actor, item=review, live_on=TODAY)

    services.review_save(actor=actor, review=review, values={"home_office_cleared_on": TODAY})
    assert services.review_approve(actor=actor, item=review, live_on=TODAY).state == "approved"


def test_a_review_from_a_case_waits_for_its_final_report(actor):
    case = CaseFactory.create(route="child", pseudonym="Child Q")
    review = services.review_save(actor=actor, case=case, values={"summary": "Words."})
    with pytest.raises(ValidationError, match="no final report"):
        services.review_approve(actor=actor, item=review, live_on=TODAY)

    type(case).objects.filter(pk=case.pk).update(final_report_sent_date=TODAY)
    review.refresh_from_db()
    assert services.review_approve(actor=actor, item=review, live_on=TODAY).state == "approved"


def test_withdrawal_needs_a_reason_and_is_final(actor):
    review = _draft(actor)
    services.review_approve(actor=actor, item=review, live_on=TODAY)
    with pytest.raises(ValidationError, match="Enter why"):
        services.review_withdraw(actor=actor, item=review, reason="  ")

    services.review_withdraw(actor=actor, item=review, reason="The family asked.")
    services.review_withdraw(actor=actor, item=review, reason="The family asked.")

    review.refresh_from_db()
    assert (review.state, review.withdrawal_reason) == (State.WITHDRAWN, "The family asked.")
    assert kinds().count("hub.review_withdrawn") == 1
    with pytest.raises(ValidationError, match="withdrawn"):
        services.review_approve(actor=actor, item=review, live_on=TODAY)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.review_save(actor=actor, review=review, values={"title": "Again"})


def test_a_draft_cannot_be_withdrawn(actor):
    with pytest.raises(ValidationError, match="draft"):
        services.review_withdraw(actor=actor, item=_draft(actor), reason="No")


def test_an_edit_after_approval_is_audited_with_what_changed(actor):
    review = _draft(actor)
    services.review_approve(actor=actor, item=review, live_on=TODAY)
    theme = PracticeTheme.objects.create(name="Neglect")

    services.review_save(
        actor=actor,
        review=review,
        values={"summary": "Corrected."},
        themes=[theme],
        recommendations=["Share information."],
    )
    services.review_save(actor=actor, review=review, values={"summary": "Corrected."})

    event = AuditEvent.objects.filter(kind="hub.review_changed").get()
    assert event.detail == "Changed after approval."
    assert event.changes["summary"] == {"from": "What happened.", "to": "Corrected."}
    assert event.changes["themes"] == {"from": [], "to": ["Neglect"]}
    assert event.changes["recommendations"]["to"] == ["Share information."]


def test_a_draft_from_a_case_copies_only_what_may_be_public(actor):
    theme = PracticeTheme.objects.create(name="Domestic abuse")
    case = CaseFactory.create(
        route="adult", pseudonym="Adult R", restricted_summary="SECRET-DETAIL-R"
    )
    case.themes.add(theme)
    Recommendation.objects.create(
        reference="R-9",
        source_type="case_review",
        source_case=case,
        source_title="SAR",
        text="Assess capacity for each decision.",
        made_date=TODAY,
    )

    review = services.review_save(actor=actor, case=case, values={"summary": "Words."})

    assert review.title == "Adult R: safeguarding adult review"
    assert review.kind == ReviewKind.SAR
    assert list(review.themes.all()) == [theme]
    assert [item.text for item in review.recommendations.all()] == [
        "Assess capacity for each decision."
    ]
    stored = [str(value) for value in PublishedReview.objects.values().get(pk=review.pk).values()]
    assert not any("SECRET-DETAIL-R" in value for value in stored)
    with pytest.raises(ValidationError, match="already has a review"):
        services.review_save(actor=actor, case=case, values={})


def test_a_local_learning_review_needs_the_partners_agreement(actor):
    case = CaseFactory.create(route="local", pseudonym="Family P")
    with pytest.raises(ValidationError, match="partner agencies only"):
        services.review_save(actor=actor, case=case, values={})
    assert not PublishedReview.objects.exists()

    review = services.review_save(actor=actor, case=case, values={}, partners_agreed=True)
    assert review.kind == ReviewKind.LOCAL


def test_a_recording_needs_its_transcript_to_be_approved(actor):
    resource = services.resource_save(
        actor=actor,
        values={"title": "Podcast", "kind": ResourceKind.PODCAST, "summary": "Listen."},
    )
    with pytest.raises(ValidationError, match="transcript"):
        services.resource_approve(actor=actor, item=resource, live_on=TODAY)


def test_news_is_drafted_approved_and_withdrawn(actor):
    news = services.news_save(
        actor=actor, values={"title": "Week", "summary": "Soon.", "body": "Book."}
    )
    services.news_approve(actor=actor, item=news, live_on=TODAY)
    services.news_withdraw(actor=actor, item=news, reason="Cancelled.")
    assert NewsItem.objects.get().state == State.WITHDRAWN
    assert kinds() == ["hub.news_drafted", "hub.news_approved", "hub.news_withdrawn"]


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_document_is_cleaned_stored_unguessably_and_audited(actor):
    review = PublishedReviewFactory.create()

    document = services.document_upload(
        actor=actor, item=review, title="Chart", name="My Chart.PNG", content=_png()
    )

    assert document.content_type == "image/png"
    assert document.stored_as.startswith("hub/documents/")
    assert len(document.stored_as.split("/")[2]) >= 24
    assert default_storage.exists(document.stored_as)
    assert kinds() == ["hub.document_uploaded"]


def test_a_document_that_is_not_one_is_refused_with_what_to_do(actor):
    resource = ResourceFactory.create()
    with pytest.raises(ValidationError) as error:
        services.document_upload(
            actor=actor, item=resource, title="Notes", name="notes.exe", content=b"MZ\x90\x00"
        )
    assert "file" in error.value.error_dict
    assert not AuditEvent.objects.exists()
