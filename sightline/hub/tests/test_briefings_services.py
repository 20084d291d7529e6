"""Drafting, editing, finishing, approving and withdrawing seven-minute briefings."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sightline.accounts.tests.factories import UserFactory
from sightline.core.models import AuditEvent
from sightline.hub.models import Briefing
from sightline.hub.services.briefings import (
    briefing_approve,
    briefing_create,
    briefing_draft,
    briefing_finish,
    briefing_update,
    briefing_withdraw,
)
from sightline.hub.tests.briefing_rows import (
    NOT_ACCEPTED_ACTION,
    OWNER_NAME,
    RESTRICTED_SUMMARY,
    reviewed_case,
)
from sightline.hub.tests.factories import BriefingFactory
from sightline.hub.vocabulary import BRIEFING_SECTIONS, State
from sightline.reviews.models import Case, PracticeTheme

pytestmark = pytest.mark.django_db
SECTIONS = [name for name, _ in BRIEFING_SECTIONS]


@pytest.fixture
def officer():
    return UserFactory.create()


def events(briefing):
    return list(
        AuditEvent.objects.filter(object_id=str(briefing.pk)).values_list("kind", flat=True)
    )


def test_a_draft_from_a_review_fills_the_seven_sections(officer):
    reviewed = reviewed_case(title="Child T: a review")
    briefing = briefing_draft(actor=officer, review=reviewed.review)
    assert briefing.state == State.DRAFT
    assert briefing.review == reviewed.review
    assert briefing.title == "Seven-minute briefing: Child T: a review"
    assert briefing.slug == "child-t-a-review"
    assert all(getattr(briefing, name).strip() for name in SECTIONS)
    assert set(briefing.themes.all()) == set(reviewed.themes)
    assert "- Ask about men." in briefing.what_to_do
    assert "- Northshire Police: 3 actions, 2 complete" in briefing.what_we_learned
    assert "- Northshire Health: 1 action, 0 complete" in briefing.what_we_learned
    assert "How and when do you talk with parents about safer sleep" in briefing.questions
    assert briefing.further_information.endswith(f"/hub/reviews/{reviewed.review.slug}/")
    assert events(briefing) == [AuditEvent.Kind.CREATE]


def test_a_draft_carries_nothing_restricted_nor_anyone_s_name(officer):
    reviewed = reviewed_case()
    briefing = briefing_draft(actor=officer, review=reviewed.review)
    text = " ".join(str(getattr(briefing, name)) for name in ["title", *SECTIONS])
    case = reviewed.review.case
    for field in Case.RESTRICTED_FIELDS:
        value = str(getattr(case, field) or "")
        if len(value) > 3:
            assert value not in text
    assert RESTRICTED_SUMMARY not in text
    assert OWNER_NAME not in text
    assert "owner@example.test" not in text
    assert NOT_ACCEPTED_ACTION not in text


def test_drafting_twice_finds_the_draft_and_an_update_gets_its_own_address(officer):
    review = reviewed_case(title="Same").review
    first = briefing_draft(actor=officer, review=review)
    assert briefing_draft(actor=officer, review=review) == first
    assert Briefing.objects.count() == 1
    briefing_finish(actor=officer, briefing=first)
    briefing_approve(actor=officer, briefing=first, live_on=timezone.localdate())
    update = briefing_draft(actor=officer, review=review)
    assert (first.slug, update.slug) == ("same", "same-2")


def test_a_review_without_a_case_drafts_without_actions(officer):
    from sightline.hub.tests.factories import PublishedReviewFactory

    review = PublishedReviewFactory.create(title="Thematic", case=None)
    briefing = briefing_draft(actor=officer, review=review)
    assert "actions" not in briefing.what_we_learned


def test_a_withdrawn_review_is_not_drafted_from(officer):
    review = reviewed_case().review
    review.state = State.WITHDRAWN
    review.withdrawn_at = timezone.now()
    review.withdrawal_reason = "Gone."
    review.save()
    with pytest.raises(ValidationError):
        briefing_draft(actor=officer, review=review)


def test_a_briefing_from_scratch_proposes_only_questions(officer):
    theme = PracticeTheme.objects.get(name="Self-neglect")
    briefing = briefing_create(
        actor=officer, title="  Self-neglect   across reviews ", audience="adults", themes=[theme]
    )
    assert briefing.title == "Self-neglect across reviews"
    assert briefing.review is None
    assert "refuses help" in briefing.questions
    assert briefing.background == ""
    assert list(briefing.themes.all()) == [theme]


@pytest.mark.parametrize(
    ("title", "audience", "field"),
    [("", "both", "title"), ("x" * 201, "both", "title"), ("Fine", "everyone", "audience")],
)
def test_a_briefing_from_scratch_is_checked(officer, title, audience, field):
    with pytest.raises(ValidationError) as caught:
        briefing_create(actor=officer, title=title, audience=audience, themes=[])
    assert field in caught.value.error_dict


def finished(**fields):
    return BriefingFactory.create(
        published=False,
        **({name: f"{name} text" for name in SECTIONS} | fields),
    )


def test_an_edit_saves_and_takes_off_the_finished_mark(officer):
    briefing = finished()
    assert briefing.finished_at is not None
    theme = PracticeTheme.objects.get(name="Escalation")
    assert briefing_update(
        actor=officer, briefing=briefing, values={"background": "New."}, themes=[theme]
    )
    briefing.refresh_from_db()
    assert briefing.background == "New."
    assert briefing.finished_at is None
    assert list(briefing.themes.all()) == [theme]
    event = AuditEvent.objects.filter(object_id=str(briefing.pk)).latest("pk")
    assert event.changes["background"] == {"from": "background text", "to": "New."}
    assert "themes" in event.changes


def test_saving_the_same_text_twice_changes_nothing(officer):
    briefing = finished()
    assert not briefing_update(
        actor=officer, briefing=briefing, values={"background": "background text"}, themes=[]
    )
    briefing.refresh_from_db()
    assert briefing.finished_at is not None
    assert events(briefing) == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"background": "x" * 4001}, "background"),
        ({"title": "x" * 201}, "title"),
        ({"title": "  "}, "title"),
        ({"audience": "nobody"}, "audience"),
    ],
)
def test_edits_are_bounded(officer, values, field):
    with pytest.raises(ValidationError) as caught:
        briefing_update(actor=officer, briefing=finished(), values=values, themes=[])
    assert field in caught.value.error_dict


def test_only_a_draft_is_edited(officer):
    briefing = BriefingFactory.create()
    with pytest.raises(ValidationError):
        briefing_update(actor=officer, briefing=briefing, values={"background": "x"}, themes=[])


def test_finishing_needs_every_section(officer):
    briefing = finished(finished_at=None, finished_by=None, questions="", what_happened=" ")
    with pytest.raises(ValidationError) as caught:
        briefing_finish(actor=officer, briefing=briefing)
    assert "what happened, questions for reflection are empty" in caught.value.messages[0]


def test_finishing_records_who_and_when_once(officer):
    briefing = finished(finished_at=None, finished_by=None)
    briefing_finish(actor=officer, briefing=briefing)
    briefing.refresh_from_db()
    assert briefing.finished_by == officer
    first = briefing.finished_at
    briefing_finish(actor=UserFactory.create(), briefing=briefing)
    briefing.refresh_from_db()
    assert (briefing.finished_by, briefing.finished_at) == (officer, first)


def test_approval_needs_a_finished_draft(officer):
    briefing = finished(finished_at=None, finished_by=None)
    with pytest.raises(ValidationError):
        briefing_approve(actor=officer, briefing=briefing, live_on=timezone.localdate())


def test_approval_sets_the_live_and_removal_dates(officer):
    briefing = finished()
    today = timezone.localdate()
    briefing_approve(
        actor=officer,
        briefing=briefing,
        live_on=today + datetime.timedelta(days=7),
        remove_on=today + datetime.timedelta(days=400),
    )
    briefing.refresh_from_db()
    assert briefing.state == State.APPROVED
    assert briefing.approved_by == officer
    assert not briefing.is_public(on=today)
    assert briefing.is_public(on=today + datetime.timedelta(days=7))
    assert Briefing.objects.public(on=today + datetime.timedelta(days=8)).get() == briefing


def test_approving_twice_with_the_same_dates_is_a_double_submit(officer):
    briefing = finished()
    today = timezone.localdate()
    briefing_approve(actor=officer, briefing=briefing, live_on=today)
    briefing_approve(actor=officer, briefing=briefing, live_on=today)
    with pytest.raises(ValidationError):
        briefing_approve(
            actor=officer,
            briefing=briefing,
            live_on=today,
            remove_on=today.replace(year=today.year + 1),
        )


@pytest.mark.parametrize(
    ("live_days", "remove_days", "field"),
    [(0, 0, "remove_on"), (5, 2, "remove_on"), (2000, None, "live_on"), (0, 2000, "remove_on")],
)
def test_approval_dates_are_checked(officer, live_days, remove_days, field):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        briefing_approve(
            actor=officer,
            briefing=finished(),
            live_on=today + datetime.timedelta(days=live_days),
            remove_on=None if remove_days is None else today + datetime.timedelta(days=remove_days),
        )
    assert field in caught.value.error_dict


def test_withdrawal_needs_a_reason_and_is_for_good(officer):
    briefing = BriefingFactory.create()
    with pytest.raises(ValidationError):
        briefing_withdraw(actor=officer, briefing=briefing, reason="  ")
    with pytest.raises(ValidationError):
        briefing_withdraw(actor=officer, briefing=briefing, reason="x" * 2001)
    briefing_withdraw(actor=officer, briefing=briefing, reason="A family asked.")
    briefing_withdraw(actor=officer, briefing=briefing, reason="Again.")
    briefing.refresh_from_db()
    assert briefing.state == State.WITHDRAWN
    assert briefing.withdrawal_reason == "A family asked."
    assert not Briefing.objects.public(on=timezone.localdate()).exists()
    with pytest.raises(ValidationError):
        briefing_approve(actor=officer, briefing=briefing, live_on=timezone.localdate())
