"""Writing, approving, checking and publishing the yearly report: the services' rules."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from sightline.core.models import AppendOnlyError, AuditEvent
from sightline.core.roles import Role
from sightline.reviews.tests.factories import CaseFactory

from .. import services
from ..models import (
    ChapterVersion,
    Circulation,
    ContentException,
    Recipient,
    ReportSettings,
    ReportStatus,
    SmallNumberAcknowledgement,
    YearlyReport,
)
from ..selectors import drafts as selectors
from ..yearly.changes import figure_changes
from ..yearly.contents import CHAPTER_IDS
from ..yearly.years import FinancialYear
from .drafting_helpers import YEAR, all_approved, chapter_of, person, started

pytestmark = pytest.mark.django_db


def events(obj, kind=None):
    found = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return list(found.filter(kind=kind) if kind else found)


def test_starting_a_report_makes_every_chapter_once_and_is_audited():
    admin = person(Role.ADMINISTRATOR)
    report = started(admin)
    again = started(admin)
    assert again.pk == report.pk
    assert YearlyReport.objects.count() == 1
    assert sorted(report.chapters.values_list("chapter", flat=True)) == sorted(CHAPTER_IDS)
    assert report.status == ReportStatus.DRAFT
    assert len(events(report, AuditEvent.Kind.CREATE)) == 1


def test_a_year_that_has_not_started_cannot_be_reported_on():
    admin = person(Role.ADMINISTRATOR)
    with pytest.raises(ValidationError, match="has not started yet"):
        services.report_start(
            actor=admin, year=FinancialYear(2025), today=datetime.date(2025, 3, 31)
        )


def test_writing_keeps_every_version_and_unchanged_text_saves_nothing():
    admin = person(Role.ADMINISTRATOR)
    chapter = chapter_of(started(admin), "introduction")
    first = services.chapter_write(actor=admin, chapter=chapter, text="First words.\r\n")
    assert first is not None
    assert first.number == 1
    assert first.text == "First words."
    assert services.chapter_write(actor=admin, chapter=chapter, text="First words.  ") is None
    second = services.chapter_write(actor=admin, chapter=chapter, text="Better words.")
    assert second is not None
    assert second.number == 2
    assert list(chapter.versions.values_list("text", flat=True)) == [
        "First words.",
        "Better words.",
    ]
    assert len(events(chapter)) == 2
    with pytest.raises(AppendOnlyError):
        first.save()


def test_empty_or_overlong_text_is_refused():
    admin = person(Role.ADMINISTRATOR)
    chapter = chapter_of(started(admin), "introduction")
    with pytest.raises(ValidationError, match="Write the chapter's text"):
        services.chapter_write(actor=admin, chapter=chapter, text="  \n ")
    with pytest.raises(ValidationError, match="characters or fewer"):
        services.chapter_write(actor=admin, chapter=chapter, text="x" * 20_001)
    assert not ChapterVersion.objects.exists()


def test_the_author_may_not_approve_their_own_text():
    admin = person(Role.ADMINISTRATOR)
    chapter = chapter_of(started(admin), "introduction")
    services.chapter_write(actor=admin, chapter=chapter, text="Ours.")
    with pytest.raises(ValidationError, match="someone else must approve it"):
        services.chapter_approve(actor=admin, chapter=chapter, version=1)
    chapter.refresh_from_db()
    assert chapter.approved_version is None


def test_approval_names_who_when_and_which_version_and_is_audited():
    admin, executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE, "Eve Exec")
    chapter = chapter_of(started(admin), "introduction")
    version = services.chapter_write(actor=admin, chapter=chapter, text="Ours.")
    services.chapter_approve(actor=executive, chapter=chapter, version=1)
    services.chapter_approve(actor=executive, chapter=chapter, version=1)  # a double submit
    chapter.refresh_from_db()
    assert chapter.approved_version == version
    assert chapter.approved_by == executive
    assert chapter.approved_at is not None
    approvals = [e for e in events(chapter) if e.detail == "Version 1 approved"]
    assert len(approvals) == 1
    narrative = selectors.chapter_narratives(year=YEAR)["introduction"]
    assert narrative.approved
    assert narrative.approved_by == "Eve Exec"


def test_approving_a_version_other_than_the_latest_is_refused():
    admin, executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE)
    chapter = chapter_of(started(admin), "introduction")
    services.chapter_write(actor=admin, chapter=chapter, text="One.")
    services.chapter_write(actor=admin, chapter=chapter, text="Two.")
    with pytest.raises(ValidationError, match="has changed since you opened it"):
        services.chapter_approve(actor=executive, chapter=chapter, version=1)


def test_new_text_withdraws_the_approval_and_says_so():
    admin, executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE)
    chapter = chapter_of(started(admin), "introduction")
    services.chapter_write(actor=admin, chapter=chapter, text="One.")
    services.chapter_approve(actor=executive, chapter=chapter, version=1)
    services.chapter_write(actor=admin, chapter=chapter, text="Two.")
    chapter.refresh_from_db()
    assert chapter.approved_version is None
    assert chapter.approved_by is None
    latest = events(chapter)[0]
    assert "approval of version 1 was withdrawn because the text changed" in latest.detail
    narrative = selectors.chapter_narratives(year=YEAR)["introduction"]
    assert narrative.text == "Two."
    assert not narrative.approved


def test_withdrawing_an_approval_is_audited_and_harmless_twice():
    admin, executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE)
    chapter = chapter_of(started(admin), "introduction")
    services.chapter_write(actor=admin, chapter=chapter, text="One.")
    services.chapter_approve(actor=executive, chapter=chapter, version=1)
    services.chapter_approval_withdraw(actor=executive, chapter=chapter)
    services.chapter_approval_withdraw(actor=executive, chapter=chapter)
    chapter.refresh_from_db()
    assert chapter.approved_version is None
    assert [e.detail for e in events(chapter)].count("Approval of version 1 withdrawn") == 1


def test_an_owner_must_hold_a_partnership_role():
    admin = person(Role.ADMINISTRATOR)
    chapter = chapter_of(started(admin), "training_impact")
    trainer, practitioner = person(Role.TRAINER), person(Role.PRACTITIONER)
    services.chapter_owner_set(actor=admin, chapter=chapter, owner=trainer)
    chapter.refresh_from_db()
    assert chapter.owner == trainer
    with pytest.raises(ValidationError, match="holds no partnership role"):
        services.chapter_owner_set(actor=admin, chapter=chapter, owner=practitioner)
    services.chapter_owner_set(actor=admin, chapter=chapter, owner=trainer)
    assert len(events(chapter)) == 1


def test_ready_is_refused_while_text_awaits_approval():
    admin, executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE)
    report = all_approved(started(admin), writer=admin, approver=executive)
    services.chapter_write(
        actor=admin, chapter=chapter_of(report, "next_steps"), text="Changed late."
    )
    with pytest.raises(ValidationError) as refused:
        services.report_mark_ready(actor=admin, report=report)
    assert any("Next steps and priorities" in message for message in refused.value.messages)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_ready_is_refused_while_a_content_is_missing_unless_a_reason_is_recorded():
    admin, executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE)
    report = started(admin)
    # Every chapter approved but the one that alone covers the voice of children.
    for chapter_id in CHAPTER_IDS:
        if chapter_id == "development_impact":
            continue
        chapter = chapter_of(report, chapter_id)
        services.chapter_write(actor=admin, chapter=chapter, text="Done.")
        services.chapter_approve(actor=executive, chapter=chapter, version=1)
    with pytest.raises(ValidationError) as refused:
        services.report_mark_ready(actor=admin, report=report)
    missing = {m.split(" ")[1] for m in refused.value.messages}
    assert {"wt.voice", "ca.members"} <= missing
    for content in sorted(missing):
        services.content_exception_record(
            actor=admin, report=report, content=content, reason="Covered in the board's plan."
        )
    services.report_mark_ready(actor=admin, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    assert report.ready_by == admin
    # Withdrawing a reason makes the content missing again: the report is a draft again.
    exception = ContentException.objects.get(report=report, content="wt.voice")
    services.content_exception_withdraw(actor=admin, exception=exception)
    services.content_exception_withdraw(actor=admin, exception=exception)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.ready_at is None
    assert "No longer ready to publish" in events(report)[0].detail


def test_an_exception_needs_a_reason_and_a_known_content_and_stands_once():
    admin = person(Role.ADMINISTRATOR)
    report = started(admin)
    with pytest.raises(ValidationError, match="Say why"):
        services.content_exception_record(actor=admin, report=report, content="wt.voice", reason="")
    with pytest.raises(ValidationError, match="Choose a statutory content"):
        services.content_exception_record(actor=admin, report=report, content="wt.nope", reason="x")
    first = services.content_exception_record(
        actor=admin, report=report, content="wt.voice", reason="Because."
    )
    again = services.content_exception_record(
        actor=admin, report=report, content="wt.voice", reason="Because."
    )
    assert again.pk == first.pk
    with pytest.raises(ValidationError, match="withdraw it first"):
        services.content_exception_record(
            actor=admin, report=report, content="wt.voice", reason="Another."
        )
    assert len(events(first, AuditEvent.Kind.CREATE)) == 1


def test_new_text_after_ready_returns_the_report_to_draft():
    admin, executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE)
    report = all_approved(started(admin), writer=admin, approver=executive)
    services.report_mark_ready(actor=admin, report=report)
    services.chapter_write(actor=admin, chapter=chapter_of(report, "introduction"), text="New.")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def _ready_with_a_small_figure():
    admin, executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE)
    CaseFactory.create()  # one child case received in 2023-24: below the threshold of 5
    report = all_approved(started(admin), writer=admin, approver=executive)
    services.report_mark_ready(actor=admin, report=report)
    return admin, executive, report


def test_publishing_needs_every_small_figure_confirmed():
    admin, _, report = _ready_with_a_small_figure()
    flagged = selectors.report_checklist(report=report).small_numbers
    assert flagged
    assert all(not item.acknowledged for item in flagged)
    with pytest.raises(ValidationError, match="is safe to publish"):
        services.report_publish(actor=admin, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    services.report_publish(
        actor=admin, report=report, acknowledged=[(item.label, item.value) for item in flagged]
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    assert SmallNumberAcknowledgement.objects.filter(report=report).count() == len(flagged)


def test_publishing_needs_a_ready_report():
    admin = person(Role.ADMINISTRATOR)
    report = started(admin)
    with pytest.raises(ValidationError, match="Mark the report ready"):
        services.report_publish(actor=admin, report=report)


@time_machine.travel(datetime.datetime(2024, 7, 1, 10, tzinfo=datetime.UTC), tick=False)
def test_publication_freezes_figures_and_text_and_cannot_happen_twice():
    admin, _executive, report = _ready_with_a_small_figure()
    ReportSettings.objects.filter(pk=ReportSettings.current().pk).update(panel_days=10)
    flagged = selectors.report_checklist(report=report).small_numbers
    acknowledged = [(item.label, item.value) for item in flagged]
    services.report_publish(actor=admin, report=report, acknowledged=acknowledged)
    report.refresh_from_db()
    frozen_figures, frozen_text = report.published_figures, report.published_narratives
    assert frozen_figures["case_reviews"]["received"]["child"] == 1
    assert next(c["id"] for c in frozen_figures["statutory_contents"]) == "wt.what_done"
    assert frozen_text["introduction"]["text"] == "What we did: introduction."
    assert "What we did: introduction." in report.published_html
    assert report.panel_due_on == datetime.date(2024, 7, 11)

    # The records change afterwards: the published report does not.
    CaseFactory.create(incident_aware_date=datetime.date(2023, 9, 1))
    with pytest.raises(ValidationError, match="has been published"):
        services.chapter_write(
            actor=admin, chapter=chapter_of(report, "introduction"), text="Rewritten."
        )
    services.report_publish(actor=admin, report=report, acknowledged=acknowledged)
    report.refresh_from_db()
    assert report.published_figures == frozen_figures
    assert report.published_narratives == frozen_text
    assert selectors.chapter_narratives(year=YEAR)["introduction"].text == (
        "What we did: introduction."
    )
    assert [e.detail for e in events(report)].count(
        "Published: figures and approved text frozen"
    ) == 1

    # And the year's page says which figures have changed since.
    overview = selectors.report_overview(report=report)
    changed = {change.label: (change.before, change.after) for change in overview.changes}
    assert changed["Case reviews \u203a Received \u203a Child"] == ("1", "2")
    assert overview.compared_with == "2023-24"


def test_a_later_draft_lists_what_changed_since_the_last_published_report():
    admin, _executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE)
    earlier = started(admin)
    YearlyReport.objects.filter(pk=earlier.pk).update(
        status=ReportStatus.PUBLISHED,
        published_at=datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC),
        published_figures={"case_reviews": {"received": {"child": 0, "adult": 0}}},
        published_narratives={},
        panel_due_on=datetime.date(2024, 6, 8),
    )
    CaseFactory.create(incident_aware_date=datetime.date(2024, 5, 1))
    later = services.report_start(
        actor=admin, year=FinancialYear(2024), today=datetime.date(2025, 5, 1)
    )
    overview = selectors.report_overview(report=later)
    assert overview.compared_with == "2023-24"
    changed = {change.label: (change.before, change.after) for change in overview.changes}
    assert changed["Case reviews \u203a Received \u203a Child"] == ("0", "1")
    assert "Case reviews \u203a Received \u203a Adult" not in changed


def test_figure_changes_name_list_items_and_report_figures_gone():
    before = {"year": "2022-23", "list": [{"reference": "A", "n": 1}], "gone": 3}
    after = {"year": "2023-24", "list": [{"reference": "B", "n": 1}, {"reference": "A", "n": 2}]}
    changes = {c.label: (c.before, c.after) for c in figure_changes(before, after)}
    assert changes == {
        "List \u203a B \u203a Reference": ("none", "B"),
        "List \u203a B \u203a N": ("none", "1"),
        "List \u203a A \u203a N": ("1", "2"),
        "Gone": ("3", "none"),
    }


@time_machine.travel(datetime.datetime(2024, 7, 20, 10, tzinfo=datetime.UTC), tick=False)
def test_panel_and_circulation_are_recorded_after_publication_once():
    admin, _, report = _ready_with_a_small_figure()
    with pytest.raises(ValidationError, match="Publish the report"):
        services.panel_sent_record(actor=admin, report=report, sent_on=datetime.date(2024, 7, 1))
    flagged = selectors.report_checklist(report=report).small_numbers
    services.report_publish(
        actor=admin, report=report, acknowledged=[(i.label, i.value) for i in flagged]
    )
    with pytest.raises(ValidationError, match="today or in the past"):
        services.panel_sent_record(actor=admin, report=report, sent_on=datetime.date(2024, 8, 1))
    with pytest.raises(ValidationError, match="enter that date or a later one"):
        services.panel_sent_record(actor=admin, report=report, sent_on=datetime.date(2024, 7, 1))
    services.panel_sent_record(actor=admin, report=report, sent_on=datetime.date(2024, 7, 20))
    services.panel_sent_record(actor=admin, report=report, sent_on=datetime.date(2024, 7, 20))
    report.refresh_from_db()
    assert report.panel_sent_on == datetime.date(2024, 7, 20)
    assert report.panel_sent_by == admin
    for _ in range(2):
        services.circulation_record(
            actor=admin,
            report=report,
            recipient=Recipient.PCC,
            organisation="Office of the PCC",
            sent_on=datetime.date(2024, 7, 20),
        )
    assert Circulation.objects.filter(report=report).count() == 1
    with pytest.raises(ValidationError, match="name or role"):
        services.circulation_record(
            actor=admin,
            report=report,
            recipient=Recipient.OTHER,
            sent_on=datetime.date(2024, 7, 20),
        )


def test_settings_are_range_checked_and_audited():
    admin = person(Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as refused:
        services.report_settings_update(
            actor=admin, position_since=None, small_number_threshold=0, panel_days=91
        )
    assert set(refused.value.error_dict) == {"small_number_threshold", "panel_days"}
    row = services.report_settings_update(
        actor=admin,
        position_since=datetime.date(2018, 6, 1),
        small_number_threshold=3,
        panel_days=7,
    )
    services.report_settings_update(
        actor=admin,
        position_since=datetime.date(2018, 6, 1),
        small_number_threshold=3,
        panel_days=7,
    )
    assert selectors.report_settings().small_number_threshold == 3
    assert len(events(row)) == 1
