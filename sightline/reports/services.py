"""Writes to the yearly report's drafts. Each checks the report's state, saves, and writes
its audit event in the same transaction; doing the same thing twice (a double submit)
changes nothing the second time.

A report is a draft until an administrator marks it ready, which needs every chapter
approved and every statutory content covered or its absence explained. Anything that
undoes that (new text, a withdrawn approval or exception) returns it to draft. Publishing
checks it all again, and also that the author has confirmed every small figure about
people is safe to publish, then freezes the figures and the text: the published report
never changes, and the year cannot be published twice.

The only other write is the worker's: the quarter snapshots the trends and the pack read
(``quarter_snapshots_refresh``, decision 0012).
"""

import dataclasses
import datetime
from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.assurance.quarters import Quarter
from sightline.assurance.selectors.risks import risk_appetite
from sightline.core.models import AuditEvent
from sightline.core.services import audit_record, changes_between, snapshot
from sightline.learning.selectors import overdue_actions_by_agency_on
from sightline.reviews.selectors import timeliness_counts

from .models import (
    CHAPTER_TEXT_MAX,
    PANEL_DAYS_MAX,
    PANEL_DAYS_MIN,
    REASON_MAX,
    THRESHOLD_MAX,
    THRESHOLD_MIN,
    ChapterVersion,
    Circulation,
    ContentException,
    QuarterSnapshot,
    Recipient,
    ReportChapter,
    ReportSettings,
    ReportStatus,
    SmallNumberAcknowledgement,
    YearlyReport,
)
from .selectors import drafts as selectors
from .selectors import trends as trend_selectors
from .trends import quarters_to
from .yearly import frozen, render_html
from .yearly.contents import CHAPTER_IDS, CONTENT_IDS
from .yearly.years import FinancialYear

PUBLISHED_MESSAGE = "This report has been published: it cannot be changed"
SETTINGS_FIELDS = ("position_since", "small_number_threshold", "panel_days")


def _name(user: Any) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "email", "")) if user else ""


def _refuse_if_published(report: YearlyReport) -> None:
    if report.is_published:
        raise ValidationError(PUBLISHED_MESSAGE)


def _locked_report(report: YearlyReport) -> YearlyReport:
    return YearlyReport.objects.select_for_update().get(pk=report.pk)


def _locked_chapter(chapter: ReportChapter) -> ReportChapter:
    return ReportChapter.objects.select_for_update().select_related("report").get(pk=chapter.pk)


def _back_to_draft(report: YearlyReport, *, actor: Any, why: str) -> None:
    """A ready report whose chapters or exceptions change is a draft again: what was
    checked is no longer what will be published."""
    report = _locked_report(report)
    if report.status != ReportStatus.READY:
        return
    before = snapshot(report, ["status", "ready_at", "ready_by"])
    report.status, report.ready_at, report.ready_by = ReportStatus.DRAFT, None, None
    report.updated_at, report.updated_by = timezone.now(), actor
    report.save(update_fields=["status", "ready_at", "ready_by", "updated_at", "updated_by"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=report,
        changes=changes_between(before, snapshot(report, ["status", "ready_at", "ready_by"])),
        detail=f"No longer ready to publish: {why}",
    )


@transaction.atomic
def report_start(
    *, actor: Any, year: FinancialYear, today: datetime.date | None = None
) -> YearlyReport:
    """Start the report for ``year`` with a row for each chapter; starting it again gives
    the report already started."""
    today = today or timezone.localdate()
    if year.start > today:
        raise ValidationError(
            f"{year.label} has not started yet: start the report for this year or an earlier one"
        )
    report, created = YearlyReport.objects.get_or_create(
        start_year=year.start_year, defaults={"created_by": actor, "updated_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE,
            obj=report,
            changes=changes_between({}, snapshot(report, ["start_year", "status"])),
        )
    _chapters_of(report, actor=actor)
    return report


def _chapters_of(report: YearlyReport, *, actor: Any) -> None:
    """Every chapter's row, including any chapter added to the report since it started."""
    have = set(ReportChapter.objects.filter(report=report).values_list("chapter", flat=True))
    ReportChapter.objects.bulk_create(
        [
            ReportChapter(report=report, chapter=chapter, created_by=actor, updated_by=actor)
            for chapter in CHAPTER_IDS
            if chapter not in have
        ]
    )


@transaction.atomic
def chapter_owner_set(*, actor: Any, chapter: ReportChapter, owner: Any) -> ReportChapter:
    """Name who writes the chapter (None: nobody yet)."""
    chapter = _locked_chapter(chapter)
    _refuse_if_published(chapter.report)
    if owner is not None and not owner.has_perm("reports.own_chapter"):
        raise ValidationError(
            {
                "owner": f"{_name(owner)} holds no partnership role that writes the report: "
                "choose someone who does"
            }
        )
    if chapter.owner_id == (owner.pk if owner else None):
        return chapter
    before = snapshot(chapter, ["owner"])
    chapter.owner = owner
    chapter.updated_at, chapter.updated_by = timezone.now(), actor
    chapter.save(update_fields=["owner", "updated_at", "updated_by"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=chapter,
        changes=changes_between(before, snapshot(chapter, ["owner"])),
    )
    return chapter


def _clean_text(text: str) -> str:
    """Lines without trailing spaces and Windows line ends, so an unchanged text is equal."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()


class StaleChapterError(ValidationError):
    """The chapter's text changed after the form was opened, or the form did not say which
    version it started from; ``current`` is the latest text now (None if none)."""

    def __init__(self, current: ChapterVersion | None, *, missing: bool = False) -> None:
        super().__init__(
            "Your form did not say which version of the text you started from, so it was not "
            "saved. The text as it is saved now is shown below: check it, then save yours "
            "again."
            if missing
            else "Someone else saved this chapter after you opened it (it is now version "
            f"{current.number if current else 0}). Their text is shown below: check it, "
            "then save yours again."
        )
        self.current = current


# ``chapter_write``'s default for writers that are not a person's form (demo data, tests):
# they write the next version whatever the latest is.
UNCHECKED = -1


@transaction.atomic
def chapter_write(
    *, actor: Any, chapter: ReportChapter, text: str, based_on: int | None = UNCHECKED
) -> ChapterVersion | None:
    """Save ``text`` as the chapter's next version; None when it is the text already saved.
    A new version withdraws an approval of the one before, and says so. ``based_on`` is the
    number of the version the writer started from (0 when there was none): when another has
    been saved since, or it is None (the form did not say), nothing is saved
    (``StaleChapterError``): a text is never silently overwritten."""
    chapter = _locked_chapter(chapter)
    _refuse_if_published(chapter.report)
    if based_on != UNCHECKED:
        current = chapter.versions.order_by("-number").first()
        if based_on is None:
            raise StaleChapterError(current, missing=True)
        if based_on != (current.number if current else 0):
            raise StaleChapterError(current)
    text = _clean_text(text)
    if not text:
        raise ValidationError({"text": "Write the chapter's text"})
    if len(text) > CHAPTER_TEXT_MAX:
        raise ValidationError(
            {"text": f"The chapter must be {CHAPTER_TEXT_MAX:,} characters or fewer: shorten it"}
        )
    latest = chapter.versions.order_by("-number").first()
    if latest is not None and latest.text == text:
        return None
    version = ChapterVersion.objects.create(
        chapter=chapter,
        number=latest.number + 1 if latest else 1,
        text=text,
        written_by=actor,
    )
    withdrawn = chapter.approved_version_id is not None
    before = snapshot(chapter, ["approved_version", "approved_by", "approved_at"])
    if withdrawn:
        chapter.approved_version, chapter.approved_by, chapter.approved_at = None, None, None
    chapter.updated_at, chapter.updated_by = timezone.now(), actor
    chapter.save()
    changes = {
        "text": {
            "from": f"version {latest.number}" if latest else None,
            "to": f"version {version.number}",
        }
    }
    if withdrawn:
        changes |= changes_between(
            before, snapshot(chapter, ["approved_version", "approved_by", "approved_at"])
        )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=chapter,
        changes=changes,
        detail=(
            f"Version {version.number} written; the approval of version {version.number - 1} "
            "was withdrawn because the text changed"
            if withdrawn
            else f"Version {version.number} written"
        ),
    )
    if withdrawn:
        _back_to_draft(chapter.report, actor=actor, why=f"{chapter} changed after approval")
    return version


@transaction.atomic
def chapter_approve(*, actor: Any, chapter: ReportChapter, version: int) -> ReportChapter:
    """Approve version number ``version``, which must be the latest: the approver approves
    the text they read, not one saved while they read it. Not by the text's author."""
    chapter = _locked_chapter(chapter)
    _refuse_if_published(chapter.report)
    latest = chapter.versions.order_by("-number").first()
    if latest is None:
        raise ValidationError("The chapter has no text yet: it can be approved once written")
    if latest.number != version:
        raise ValidationError(
            f"The text has changed since you opened it (it is now version {latest.number}): "
            "read the new text, then approve it"
        )
    if latest.written_by_id == actor.pk:
        raise ValidationError(
            "You wrote this text, so someone else must approve it: ask another administrator "
            "or executive member"
        )
    if chapter.approved_version_id == latest.pk:
        return chapter
    before = snapshot(chapter, ["approved_version", "approved_by", "approved_at"])
    chapter.approved_version, chapter.approved_by = latest, actor
    chapter.approved_at = chapter.updated_at = timezone.now()
    chapter.updated_by = actor
    chapter.save()
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=chapter,
        changes=changes_between(
            before, snapshot(chapter, ["approved_version", "approved_by", "approved_at"])
        ),
        detail=f"Version {latest.number} approved",
    )
    return chapter


@transaction.atomic
def chapter_approval_withdraw(*, actor: Any, chapter: ReportChapter) -> ReportChapter:
    chapter = _locked_chapter(chapter)
    _refuse_if_published(chapter.report)
    if chapter.approved_version_id is None:
        return chapter
    before = snapshot(chapter, ["approved_version", "approved_by", "approved_at"])
    number = chapter.approved_version.number if chapter.approved_version else ""
    chapter.approved_version, chapter.approved_by, chapter.approved_at = None, None, None
    chapter.updated_at, chapter.updated_by = timezone.now(), actor
    chapter.save()
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=chapter,
        changes=changes_between(
            before, snapshot(chapter, ["approved_version", "approved_by", "approved_at"])
        ),
        detail=f"Approval of version {number} withdrawn",
    )
    _back_to_draft(chapter.report, actor=actor, why=f"the approval of {chapter} was withdrawn")
    return chapter


@transaction.atomic
def content_exception_record(
    *, actor: Any, report: YearlyReport, content: str, reason: str
) -> ContentException:
    """Record why the report does not cover ``content``. Recording the same reason again
    changes nothing; a different reason needs the standing one withdrawn first."""
    report = _locked_report(report)
    _refuse_if_published(report)
    reason = reason.strip()
    if content not in CONTENT_IDS:
        raise ValidationError({"content": "Choose a statutory content from the checklist"})
    if not reason:
        raise ValidationError({"reason": "Say why the report does not cover this content"})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": f"The reason must be {REASON_MAX:,} characters or fewer: shorten it"}
        )
    standing = ContentException.objects.filter(
        report=report, content=content, withdrawn_at__isnull=True
    ).first()
    if standing is not None:
        if standing.reason == reason:
            return standing
        raise ValidationError(
            {"reason": "A reason is already recorded for this content: withdraw it first"}
        )
    exception = ContentException.objects.create(
        report=report, content=content, reason=reason, created_by=actor, updated_by=actor
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=exception,
        changes=changes_between({}, snapshot(exception, ["content", "reason"])),
    )
    return exception


@transaction.atomic
def content_exception_withdraw(*, actor: Any, exception: ContentException) -> ContentException:
    exception = (
        ContentException.objects.select_for_update().select_related("report").get(pk=exception.pk)
    )
    _refuse_if_published(exception.report)
    if exception.withdrawn_at is not None:
        return exception
    exception.withdrawn_at = exception.updated_at = timezone.now()
    exception.withdrawn_by = exception.updated_by = actor
    exception.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at", "updated_by"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=exception,
        changes={"withdrawn_at": {"from": None, "to": exception.withdrawn_at.isoformat()}},
        detail=f"Reason for missing {exception.content} withdrawn",
    )
    _back_to_draft(
        exception.report,
        actor=actor,
        why=f"the reason for missing {exception.content} was withdrawn",
    )
    return exception


def _refuse_problems(problems: list[str]) -> None:
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def report_mark_ready(*, actor: Any, report: YearlyReport) -> YearlyReport:
    """Mark the report ready to publish: refused while any chapter is not approved, or any
    statutory content is neither covered nor explained. Small figures are confirmed at
    publication, because the figures can still change until then."""
    report = _locked_report(report)
    _refuse_if_published(report)
    if report.status == ReportStatus.READY:
        return report
    checklist = selectors.report_checklist(report=report)
    _refuse_problems(checklist.problems)
    before = snapshot(report, ["status", "ready_at", "ready_by"])
    report.status, report.ready_by = ReportStatus.READY, actor
    report.ready_at = report.updated_at = timezone.now()
    report.updated_by = actor
    report.save()
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=report,
        changes=changes_between(before, snapshot(report, ["status", "ready_at", "ready_by"])),
    )
    return report


@transaction.atomic
def report_ready_withdraw(*, actor: Any, report: YearlyReport) -> YearlyReport:
    """Return a ready report to draft (someone needs to change it before publication)."""
    report = _locked_report(report)
    _refuse_if_published(report)
    _back_to_draft(report, actor=actor, why="returned to draft")
    return report


@transaction.atomic
def small_number_acknowledge(
    *, actor: Any, report: YearlyReport, label: str, value: int
) -> SmallNumberAcknowledgement:
    """The author confirms the small figure ``label`` with ``value`` is safe to publish."""
    _refuse_if_published(report)
    existing = SmallNumberAcknowledgement.objects.filter(
        report=report, label=label[:300], value=value
    ).first()
    if existing is not None:
        return existing
    acknowledgement = SmallNumberAcknowledgement.objects.create(
        report=report, label=label[:300], value=value, acknowledged_by=actor
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=acknowledgement,
        changes=changes_between({}, snapshot(acknowledgement, ["label", "value"])),
        detail="Small figure confirmed safe to publish",
    )
    return acknowledgement


@transaction.atomic
def report_publish(
    *,
    actor: Any,
    report: YearlyReport,
    acknowledged: Collection[tuple[str, int]] = (),
) -> YearlyReport:
    """Publish a ready report: freeze its figures and approved text. ``acknowledged`` are
    the small figures (label, value) the publisher confirms now as safe to publish; every
    small figure must be confirmed, now or before. Publishing a year twice is refused; a
    second request for the same publication changes nothing."""
    report = _locked_report(report)
    if report.is_published:
        return report
    if report.status != ReportStatus.READY:
        raise ValidationError("Mark the report ready to publish first")
    checklist = selectors.report_checklist(report=report)
    _refuse_problems(checklist.problems)
    confirmed = set(acknowledged)
    for item in checklist.small_numbers:
        if not item.acknowledged and (item.label, item.value) in confirmed:
            small_number_acknowledge(actor=actor, report=report, label=item.label, value=item.value)
    missing = [
        item
        for item in checklist.small_numbers
        if not item.acknowledged and (item.label, item.value) not in confirmed
    ]
    if missing:
        raise ValidationError(
            [
                f"Confirm that {item.label} ({item.value}) is safe to publish, or do not "
                "publish the report"
                for item in missing
            ]
        )
    now = timezone.now()
    settings_row = selectors.report_settings()
    report.status = ReportStatus.PUBLISHED
    report.published_at = report.updated_at = now
    report.published_by = report.updated_by = actor
    report.published_figures = checklist.figures_json
    report.published_narratives = {
        chapter: selectors.narrative_as_json(narrative)
        for chapter, narrative in selectors.chapter_narratives(year=report.year).items()
    }
    laid_out = selectors.report_document(figures=checklist.figures, year=report.year)
    report.published_document = frozen.document_as_json(laid_out)
    report.published_html = render_html.standalone_html(laid_out)
    report.panel_due_on = timezone.localdate(now) + datetime.timedelta(days=settings_row.panel_days)
    report.save()
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=report,
        changes={
            "status": {"from": ReportStatus.READY.value, "to": ReportStatus.PUBLISHED.value},
            "published_at": {"from": None, "to": now.isoformat()},
            "panel_due_on": {"from": None, "to": report.panel_due_on.isoformat()},
        },
        detail="Published: figures and approved text frozen",
    )
    return report


def _check_sent_on(report: YearlyReport, sent_on: datetime.date, *, field: str) -> None:
    published_on = timezone.localdate(report.published_at) if report.published_at else None
    if sent_on > timezone.localdate():
        raise ValidationError({field: "The date it was sent must be today or in the past"})
    if published_on is not None and sent_on < published_on:
        raise ValidationError(
            {
                field: f"The report was published on {published_on:%d %B %Y}: enter that date "
                "or a later one"
            }
        )


@transaction.atomic
def panel_sent_record(*, actor: Any, report: YearlyReport, sent_on: datetime.date) -> YearlyReport:
    """Record when the published report was sent to the national panel (a later record
    corrects the date)."""
    report = _locked_report(report)
    if not report.is_published:
        raise ValidationError("Publish the report before recording that it was sent")
    _check_sent_on(report, sent_on, field="sent_on")
    if report.panel_sent_on == sent_on:
        return report
    before = snapshot(report, ["panel_sent_on", "panel_sent_by"])
    report.panel_sent_on, report.panel_sent_by = sent_on, actor
    report.updated_at, report.updated_by = timezone.now(), actor
    report.save(update_fields=["panel_sent_on", "panel_sent_by", "updated_at", "updated_by"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=report,
        changes=changes_between(before, snapshot(report, ["panel_sent_on", "panel_sent_by"])),
    )
    return report


@transaction.atomic
def circulation_record(
    *,
    actor: Any,
    report: YearlyReport,
    recipient: str,
    sent_on: datetime.date,
    name: str = "",
    organisation: str = "",
) -> Circulation:
    """Record that the published report was sent to someone; the same record twice is
    kept once."""
    report = _locked_report(report)
    if not report.is_published:
        raise ValidationError("Publish the report before recording who it was sent to")
    name, organisation = name.strip(), organisation.strip()
    if recipient not in Recipient.values:
        raise ValidationError({"recipient": "Choose who the report was sent to"})
    if recipient == Recipient.OTHER and not name:
        raise ValidationError({"name": "Enter the name or role of the person it was sent to"})
    if len(name) > 150 or len(organisation) > 150:
        raise ValidationError("Names and organisations must be 150 characters or fewer")
    _check_sent_on(report, sent_on, field="sent_on")
    circulation, created = Circulation.objects.get_or_create(
        report=report,
        recipient=recipient,
        name=name,
        organisation=organisation,
        sent_on=sent_on,
        defaults={"created_by": actor, "updated_by": actor},
    )
    if created:
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.CREATE,
            obj=circulation,
            changes=changes_between(
                {}, snapshot(circulation, ["recipient", "name", "organisation", "sent_on"])
            ),
        )
    return circulation


@transaction.atomic
def report_settings_update(
    *,
    actor: Any,
    position_since: datetime.date | None,
    small_number_threshold: int,
    panel_days: int,
) -> ReportSettings:
    errors = {}
    if not THRESHOLD_MIN <= small_number_threshold <= THRESHOLD_MAX:
        errors["small_number_threshold"] = (
            f"The threshold must be between {THRESHOLD_MIN} and {THRESHOLD_MAX}"
        )
    if not PANEL_DAYS_MIN <= panel_days <= PANEL_DAYS_MAX:
        errors["panel_days"] = f"The days must be between {PANEL_DAYS_MIN} and {PANEL_DAYS_MAX}"
    if position_since is not None and position_since > timezone.localdate():
        errors["position_since"] = "The first day of the position must be today or in the past"
    if errors:
        raise ValidationError(errors)
    row = ReportSettings.objects.select_for_update().get(pk=ReportSettings.current().pk)
    before = snapshot(row, SETTINGS_FIELDS)
    row.position_since = position_since
    row.small_number_threshold = small_number_threshold
    row.panel_days = panel_days
    changes = changes_between(before, snapshot(row, SETTINGS_FIELDS))
    if not changes:
        return row
    row.updated_at, row.updated_by = timezone.now(), actor
    row.save()
    audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=row, changes=changes)
    return row


# --- Quarter snapshots ---------------------------------------------------------------------

SNAPSHOT_QUARTERS = 12  # three years of closed quarters: the trends of any pack in that time


def quarter_snapshots_refresh(*, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Count again, as at its last day, each of the last ``SNAPSHOT_QUARTERS`` closed
    quarters' heavy figures, and keep them in place of the last count. Run by the worker
    each night, and safe to run at any time, even twice at once: each quarter's row is
    written or replaced in one statement keyed by the quarter. Not audited: a snapshot is a
    copy of figures the records give, not a record."""
    today = timezone.localdate(now)
    quarters = quarters_to(Quarter.containing(today).previous(), SNAPSHOT_QUARTERS)
    appetite = risk_appetite()
    figures = trend_selectors.heavy_figures(quarters=quarters, today=today, appetite=appetite)
    counted_at = timezone.now()
    rows = [
        QuarterSnapshot(
            quarter=item.label,
            as_at=heavy.as_at,
            appetite=appetite,
            deadlines_due=heavy.deadlines_due,
            deadlines_met=heavy.deadlines_met,
            overdue_actions=heavy.overdue_actions,
            risks_above_appetite=heavy.risks_above_appetite,
            overdue_by_agency=[
                [row.agency, row.overdue]
                for row in overdue_actions_by_agency_on(day=heavy.as_at, today=today)
            ],
            timeliness=[
                dataclasses.asdict(row)
                for row in timeliness_counts(as_at=heavy.as_at, since=item.start)
            ],
            counted_at=counted_at,
        )
        for item, heavy in zip(quarters, figures, strict=True)
    ]
    QuarterSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["quarter"],
        update_fields=[
            field.name
            for field in QuarterSnapshot._meta.concrete_fields
            if not field.primary_key and field.name != "quarter"
        ],
    )
    return {"quarters": len(rows)}
