"""The public briefing pages and downloads, and the business unit's pages."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pptx import Presentation

from sightline.core.roles import Role
from sightline.hub.models import Briefing
from sightline.hub.services.briefings import briefing_draft, briefing_finish
from sightline.hub.tests.briefing_rows import OWNER_NAME, RESTRICTED_SUMMARY, reviewed_case
from sightline.hub.tests.factories import BriefingFactory, PublishedReviewFactory
from sightline.hub.vocabulary import BRIEFING_SECTIONS, State
from sightline.reviews.models import PracticeTheme

pytestmark = pytest.mark.django_db
HEADINGS = [heading for _, heading in BRIEFING_SECTIONS]


@pytest.fixture
def officer(make_user):
    return make_user(Role.REVIEW_OFFICER)


@pytest.fixture
def public_briefing(officer):
    """A briefing drafted from a review with restricted details and named action owners,
    finished and approved."""
    review = reviewed_case(title="Child T: a review").review
    briefing = briefing_draft(actor=officer, review=review)
    briefing_finish(actor=officer, briefing=briefing)
    Briefing.objects.filter(pk=briefing.pk).update(
        state=State.APPROVED,
        approved_by=officer,
        approved_at=timezone.now(),
        live_on=datetime.date(2024, 6, 1),
    )
    briefing.refresh_from_db()
    return briefing


def assert_nothing_restricted(text: str) -> None:
    assert RESTRICTED_SUMMARY not in text
    assert OWNER_NAME not in text
    assert "owner@example.test" not in text


# The public page.


def test_the_public_page_numbers_the_seven_sections_as_headings(client, public_briefing):
    response = client.get(public_briefing.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    for number, heading in enumerate(HEADINGS, start=1):
        assert f'<h2 class="govuk-heading-m">{number}. {heading}</h2>' in html
    assert reverse("hub:review", kwargs={"slug": public_briefing.review.slug}) in html
    assert "Safer sleep" in html
    assert '<ul class="govuk-list govuk-list--bullet"><li>Ask about men.</li>' in html
    assert_nothing_restricted(html)
    assert response["Cache-Control"] == "public, max-age=300"


def test_signed_in_people_get_the_page_uncached(client, public_briefing, officer):
    client.force_login(officer)
    response = client.get(public_briefing.get_absolute_url())
    assert "no-store" in response["Cache-Control"]


def test_the_review_is_linked_only_while_it_is_public(client, public_briefing):
    review = public_briefing.review
    review.live_on = timezone.localdate() + datetime.timedelta(days=3)
    review.save()
    html = client.get(public_briefing.get_absolute_url()).content.decode()
    assert f'href="{review.get_absolute_url()}"' not in html
    assert "Review</dt>" not in html


@pytest.mark.parametrize(
    "fields",
    [
        {"published": False},
        {"live_on": datetime.date(2099, 1, 1)},
        {"remove_on": datetime.date(2024, 7, 1)},
        {
            "state": State.WITHDRAWN,
            "withdrawn_at": datetime.datetime(2024, 7, 1, tzinfo=datetime.UTC),
            "withdrawal_reason": "Asked.",
        },
    ],
    ids=["draft", "not-yet-live", "removed", "withdrawn"],
)
def test_anything_not_public_is_not_found(client, fields, make_user):
    briefing = BriefingFactory.create(**fields)
    for name in ("hub:briefing", "hub:briefing_docx", "hub:briefing_pptx"):
        assert client.get(reverse(name, kwargs={"slug": briefing.slug})).status_code == 404
    # Signed in without a hub role: still nothing.
    client.force_login(make_user(Role.PRACTITIONER))
    assert (
        client.get(reverse("hub:briefing_docx", kwargs={"slug": briefing.slug})).status_code == 404
    )
    assert client.get(briefing.get_absolute_url()).status_code == 404


# The list.


def test_the_list_shows_public_briefings_filtered_by_theme_and_workforce(client):
    sleep = PracticeTheme.objects.get(name="Safer sleep")
    children = BriefingFactory.create(title="For children", audience="children")
    children.themes.add(sleep)
    BriefingFactory.create(title="For adults", audience="adults")
    BriefingFactory.create(title="For both", audience="both")
    BriefingFactory.create(title="A draft", published=False)
    html = client.get(reverse("hub:briefings")).content.decode()
    assert "For children" in html
    assert "For adults" in html
    assert "For both" in html
    assert "A draft" not in html
    html = client.get(reverse("hub:briefings"), {"theme": sleep.pk}).content.decode()
    assert "For children" in html
    assert "For adults" not in html
    html = client.get(reverse("hub:briefings"), {"audience": "adults"}).content.decode()
    assert "For adults" in html
    assert "For both" in html
    assert "For children" not in html


def test_the_theme_filter_offers_only_themes_of_public_briefings(client):
    draft = BriefingFactory.create(published=False)
    draft.themes.add(PracticeTheme.objects.get(name="Self-neglect"))
    live = BriefingFactory.create()
    live.themes.add(PracticeTheme.objects.get(name="Escalation"))
    html = client.get(reverse("hub:briefings")).content.decode()
    assert "Escalation" in html
    assert "Self-neglect" not in html


@pytest.mark.parametrize("query", [{"theme": "999999"}, {"theme": "x"}, {"audience": "cats"}])
def test_a_bad_filter_is_a_clear_400(client, query):
    response = client.get(reverse("hub:briefings"), query)
    assert response.status_code == 400
    assert "from the list" in response.content.decode()


def test_the_list_is_paginated(client):
    for n in range(30):
        BriefingFactory.create(title=f"Briefing number {n:02d}")
    first = client.get(reverse("hub:briefings")).content.decode()
    second = client.get(reverse("hub:briefings"), {"page": 2}).content.decode()
    assert first.count("Briefing number") == 25
    assert second.count("Briefing number") == 5


def _grow(times: int) -> None:
    themes = list(PracticeTheme.objects.order_by("pk")[:3])
    for _ in range(times):
        briefing = BriefingFactory.create()
        briefing.themes.set(themes)


def _pinned(client, address, django_assert_num_queries) -> int:
    _grow(2)
    with CaptureQueriesContext(connection) as first:
        assert client.get(address).status_code == 200
    _grow(20)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(address).status_code == 200
    return len(first.captured_queries)


# Signed out: the themes for the filter, the count, the page, the page's themes.
def test_the_public_list_queries_do_not_grow(client, django_assert_num_queries):
    assert _pinned(client, reverse("hub:briefings"), django_assert_num_queries) == 5


def test_the_public_page_queries_are_pinned(client, public_briefing, django_assert_num_queries):
    # The briefing, its review (if public), its themes, and the page's view counted.
    with django_assert_num_queries(4):
        client.get(public_briefing.get_absolute_url())


# Signed in: the session, the user and memberships; the count, the reviews to draft from and
# the page (the session is written back at most once a minute).
def test_the_staff_list_queries_do_not_grow(client, officer, django_assert_num_queries):
    client.force_login(officer)
    assert _pinned(client, reverse("hub:briefing_manage"), django_assert_num_queries) == 6


# Downloads.


def _style(paragraph) -> str:
    return paragraph.style.name if paragraph.style is not None else ""


def test_the_word_document_has_real_headings_lists_and_the_partnership_as_author(
    client, public_briefing, settings
):
    response = client.get(reverse("hub:briefing_docx", kwargs={"slug": public_briefing.slug}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="child-t-a-review.docx"'
    assert response["Cache-Control"] == "public, max-age=300"
    document = Document(io.BytesIO(response.content))
    properties = document.core_properties
    assert properties.title == public_briefing.title
    assert properties.author == settings.SIGHTLINE_PARTNERSHIP_NAME
    assert properties.last_modified_by == settings.SIGHTLINE_PARTNERSHIP_NAME
    assert properties.language == "en-GB"
    headings = [(_style(p), p.text) for p in document.paragraphs if _style(p).startswith("Heading")]
    assert headings == [("Heading 1", public_briefing.title)] + [
        ("Heading 2", f"{n}. {heading}") for n, heading in enumerate(HEADINGS, start=1)
    ]
    bullets = [p.text for p in document.paragraphs if _style(p) == "List Bullet"]
    assert "Ask about men." in bullets
    assert "Northshire Police: 3 actions, 2 complete" in bullets
    styles_xml = document.styles.element.xml
    assert 'w:val="en-GB"' in styles_xml
    assert_nothing_restricted("\n".join(p.text for p in document.paragraphs))
    assert_nothing_restricted(response.content.decode("latin-1"))


def test_the_slides_have_a_title_on_every_slide_in_the_briefings_order(
    client, public_briefing, settings
):
    response = client.get(reverse("hub:briefing_pptx", kwargs={"slug": public_briefing.slug}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="child-t-a-review-slides.pptx"'
    deck = Presentation(io.BytesIO(response.content))
    assert deck.core_properties.title == public_briefing.title
    assert deck.core_properties.author == settings.SIGHTLINE_PARTNERSHIP_NAME
    assert deck.core_properties.language == "en-GB"
    slides = list(deck.slides)
    titles = [slide.shapes.title.text for slide in slides]
    assert titles[0] == public_briefing.title
    assert titles[1:] == [
        "1. Background",
        "2. Why it matters",
        "3. What happened",
        "4. What we learned",
        "5. What to do differently",
        "6. Questions for reflection",
        "7. Further information",
    ]
    for slide in slides:
        assert slide.shapes.title.is_placeholder
        assert not [shape for shape in slide.shapes if shape.shape_type == 13]  # no pictures
    body = slides[5].placeholders[1].text_frame.text
    assert "Ask about men." in body
    questions = slides[6].placeholders[1].text_frame.text
    assert "safer sleep" in questions
    everything = "\n".join(
        shape.text_frame.text
        for slide in slides
        for shape in [*slide.shapes, *slide.notes_slide.shapes]
        if shape.has_text_frame
    )
    assert_nothing_restricted(everything)


def test_long_sections_are_cut_on_the_slide_and_kept_in_the_notes(client):
    briefing = BriefingFactory.create(
        slug="long", what_we_learned="\n".join(f"- Point {n} " + "word " * 60 for n in range(12))
    )
    response = client.get(reverse("hub:briefing_pptx", kwargs={"slug": briefing.slug}))
    slide = Presentation(io.BytesIO(response.content)).slides[4]
    lines = [p.text for p in slide.placeholders[1].text_frame.paragraphs]
    assert len(lines) == 8
    assert lines[-1] == "More in the briefing."
    assert all(len(line) <= 220 for line in lines)
    assert "Point 11" in slide.notes_slide.notes_text_frame.text


def test_the_business_unit_downloads_a_draft_to_check_it(client, officer):
    draft = BriefingFactory.create(published=False, slug="a-draft")
    client.force_login(officer)
    response = client.get(reverse("hub:briefing_docx", kwargs={"slug": "a-draft"}))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert client.get(reverse("hub:briefing_pptx", kwargs={"slug": draft.slug})).status_code == 200
    # The page itself stays public-only: a draft has no public address yet.
    assert client.get(draft.get_absolute_url()).status_code == 404


# The business unit's pages.


def test_drafting_from_a_review_opens_the_edit_page(client, officer):
    review = reviewed_case(title="Adult K").review
    client.force_login(officer)
    response = client.post(reverse("hub:briefing_from_review"), {"review": review.pk})
    briefing = Briefing.objects.get()
    assert response["Location"] == reverse("hub:briefing_edit", kwargs={"pk": briefing.pk})
    html = client.get(response["Location"]).content.decode()
    assert "govuk-character-count" in html
    assert 'data-maxlength="4000"' in html
    assert 'maxlength="4000"' not in html.replace('data-maxlength="4000"', "")
    assert "Mark as finished" in html
    again = client.post(reverse("hub:briefing_from_review"), {"review": review.pk}, follow=True)
    assert "A draft briefing on this review exists already" in again.content.decode()
    assert Briefing.objects.count() == 1


@pytest.mark.parametrize("review", ["", "999999", "x"])
def test_drafting_from_no_review_says_what_to_do(client, officer, review):
    client.force_login(officer)
    response = client.post(reverse("hub:briefing_from_review"), {"review": review}, follow=True)
    assert "Choose" in response.content.decode()
    assert not Briefing.objects.exists()


def test_a_briefing_from_scratch(client, officer):
    client.force_login(officer)
    theme = PracticeTheme.objects.get(name="Self-neglect")
    response = client.post(
        reverse("hub:briefing_new"),
        {"title": "Self-neglect", "audience": "adults", "themes": [theme.pk]},
    )
    briefing = Briefing.objects.get()
    assert response["Location"] == reverse("hub:briefing_edit", kwargs={"pk": briefing.pk})
    response = client.post(reverse("hub:briefing_new"), {"title": "", "audience": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a title" in html
    assert "Choose who the briefing is for" in html


def _form(briefing, **changes):
    data = {
        "title": briefing.title,
        "audience": briefing.audience,
        **{name: getattr(briefing, name) for name, _ in BRIEFING_SECTIONS},
    }
    return data | changes


def test_editing_saves_and_a_too_long_section_is_a_clear_400(client, officer):
    briefing = BriefingFactory.create(published=False)
    client.force_login(officer)
    address = reverse("hub:briefing_edit", kwargs={"pk": briefing.pk})
    response = client.post(address, _form(briefing, background="Changed."))
    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.background == "Changed."
    assert briefing.finished_at is None
    response = client.post(address, _form(briefing, what_happened="x" * 4001))
    assert response.status_code == 400
    assert "What happened must be 4,000 characters or fewer" in response.content.decode()


def test_finishing_then_approving_then_withdrawing(client, officer, make_user):
    briefing = BriefingFactory.create(
        published=False,
        finished_at=None,
        finished_by=None,
        **{name: "Words." for name, _ in BRIEFING_SECTIONS},
    )
    client.force_login(officer)
    client.post(reverse("hub:briefing_finish", kwargs={"pk": briefing.pk}))
    briefing.refresh_from_db()
    assert briefing.finished_by == officer
    # A review officer does not publish.
    assert (
        client.get(reverse("hub:briefing_approve", kwargs={"pk": briefing.pk})).status_code == 403
    )

    client.force_login(make_user(Role.EXECUTIVE))
    page = client.get(reverse("hub:briefing_edit", kwargs={"pk": briefing.pk})).content.decode()
    assert "Approve for the hub" in page
    assert "Save the briefing" not in page
    address = reverse("hub:briefing_approve", kwargs={"pk": briefing.pk})
    response = client.post(
        address, {"live_on_day": "1", "live_on_month": "13", "live_on_year": "2025"}
    )
    assert response.status_code == 400
    today = timezone.localdate()
    response = client.post(
        address,
        {"live_on_day": today.day, "live_on_month": today.month, "live_on_year": today.year},
    )
    assert response.status_code == 302
    assert client.get(briefing.get_absolute_url()).status_code == 200

    address = reverse("hub:briefing_withdraw", kwargs={"pk": briefing.pk})
    response = client.post(address, {"reason": ""})
    assert response.status_code == 400
    assert "Enter why the briefing is being withdrawn" in response.content.decode()
    assert client.post(address, {"reason": "A family asked."}).status_code == 302
    client.logout()
    assert client.get(briefing.get_absolute_url()).status_code == 404


def test_finishing_an_incomplete_briefing_says_what_is_missing(client, officer):
    briefing = BriefingFactory.create(published=False, finished_at=None, finished_by=None)
    client.force_login(officer)
    response = client.post(reverse("hub:briefing_finish", kwargs={"pk": briefing.pk}), follow=True)
    assert (
        "Write every section before marking the briefing as finished" in response.content.decode()
    )


def test_an_approved_briefing_is_shown_not_edited(client, officer):
    briefing = BriefingFactory.create()
    client.force_login(officer)
    html = client.get(reverse("hub:briefing_edit", kwargs={"pk": briefing.pk})).content.decode()
    assert "Save the briefing" not in html
    assert "1. Background" in html
    response = client.post(
        reverse("hub:briefing_edit", kwargs={"pk": briefing.pk}), _form(briefing)
    )
    assert response.status_code == 400


def test_an_unknown_briefing_is_not_found(client, officer):
    client.force_login(officer)
    assert client.get(reverse("hub:briefing_edit", kwargs={"pk": 999999})).status_code == 404


def test_a_thematic_briefing_has_no_review_link(client):
    briefing = BriefingFactory.create(review=None)
    html = client.get(briefing.get_absolute_url()).content.decode()
    assert "/hub/reviews/review-" not in html
    assert "Review</dt>" not in html


def test_a_briefing_of_a_review_with_no_case_reads_fine(client, officer):
    review = PublishedReviewFactory.create(case=None)
    briefing = briefing_draft(actor=officer, review=review)
    client.force_login(officer)
    assert client.get(reverse("hub:briefing_edit", kwargs={"pk": briefing.pk})).status_code == 200
