"""Reads of the yearly report's drafts: the settings, each year's report, its chapters and
their text, the statutory contents checklist and the history."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from sightline.accounts.selectors import users_with_roles
from sightline.core.history import HistoryEntry
from sightline.core.selectors import history_for_object

from ..models import (
    ChapterVersion,
    Circulation,
    ContentException,
    ReportChapter,
    ReportSettings,
    ReportStatus,
    SmallNumberAcknowledgement,
    YearlyReport,
)
from ..policies import OWNER_ROLES
from ..yearly import contents, document, frozen
from ..yearly.changes import FigureChange, figure_changes
from ..yearly.coverage import small_numbers, statutory_contents
from ..yearly.document import GENERATED, Section
from ..yearly.figures import YearlyFigures
from ..yearly.narrative import ChapterNarrative
from ..yearly.years import FinancialYear

# The module, not its function: it reads this one's narratives, so each imports the other.
from . import yearly as yearly_selectors


def report_settings() -> ReportSettings:
    return ReportSettings.current()


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _narrative_from_json(chapter: str, data: dict) -> ChapterNarrative:
    approved_on = data.get("approved_on")
    return ChapterNarrative(
        chapter=chapter,
        text=data.get("text", ""),
        approved=bool(data.get("approved")),
        approved_by=data.get("approved_by", ""),
        approved_on=datetime.date.fromisoformat(approved_on) if approved_on else None,
    )


def narrative_as_json(narrative: ChapterNarrative) -> dict:
    """How a narrative is frozen in a published report."""
    return {
        "text": narrative.text,
        "approved": narrative.approved,
        "approved_by": narrative.approved_by,
        "approved_on": narrative.approved_on.isoformat() if narrative.approved_on else None,
    }


def _latest_versions() -> Prefetch:
    return Prefetch(
        "versions",
        queryset=ChapterVersion.objects.order_by("-number").select_related("written_by"),
        to_attr="versions_newest_first",
    )


def chapter_narratives(*, year: FinancialYear) -> dict[str, ChapterNarrative]:
    """Each written chapter's text by chapter id: the approved version where there is one,
    else the latest, with ``approved`` saying which. Chapters with no text are left out. A
    published report gives what was published, whatever has changed since."""
    report = YearlyReport.objects.filter(start_year=year.start_year).first()
    if report is None:
        return {}
    if report.is_published and report.published_narratives is not None:
        return {
            chapter: _narrative_from_json(chapter, data)
            for chapter, data in report.published_narratives.items()
        }
    chapters = (
        ReportChapter.objects.filter(report=report)
        .select_related("approved_version", "approved_by")
        .prefetch_related(_latest_versions())
    )
    return {
        row.chapter: narrative
        for row in chapters
        if (narrative := chapter_narrative(row)) is not None
    }


def chapter_narrative(row: ReportChapter) -> ChapterNarrative | None:
    """``row``'s narrative (its versions prefetched newest first), or None with no text."""
    if row.approved_version is not None:
        return ChapterNarrative(
            chapter=row.chapter,
            text=row.approved_version.text,
            approved=True,
            approved_by=row.approved_by.full_name if row.approved_by else "",
            approved_on=_local_date(row.approved_at),
        )
    versions = getattr(row, "versions_newest_first", None)
    latest = versions[0] if versions else row.versions.order_by("-number").first()
    if latest is None:
        return None
    return ChapterNarrative(chapter=row.chapter, text=latest.text, approved=False)


# Reports, chapters and the checklist --------------------------------------------------


@dataclass(frozen=True)
class ChapterRow:
    """A chapter of a year's report as the pages list it."""

    chapter: contents.Chapter
    row: ReportChapter
    latest: ChapterVersion | None

    @property
    def approved(self) -> bool:
        return self.row.approved_version_id is not None

    @property
    def status(self) -> str:
        if self.latest is None:
            return "Not written"
        if self.approved:
            return "Approved"
        return "Awaiting approval"

    @property
    def status_colour(self) -> str:
        return {"Approved": "green", "Awaiting approval": "yellow"}.get(self.status, "grey")


@dataclass(frozen=True)
class ContentRow:
    content: contents.Content
    covered: bool
    where: str | None
    exception: ContentException | None

    @property
    def missing(self) -> bool:
        return not self.covered and self.exception is None


@dataclass(frozen=True)
class SmallNumberRow:
    label: str
    value: int
    where: str
    acknowledgement: SmallNumberAcknowledgement | None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledgement is not None

    @property
    def key(self) -> str:
        """How the publish form names it: its position is not stable, its label is."""
        return f"{self.value}:{self.label}"


@dataclass(frozen=True)
class Checklist:
    report: YearlyReport
    figures: YearlyFigures
    chapters: list[ChapterRow]
    contents: list[ContentRow]
    small_numbers: list[SmallNumberRow]

    @property
    def figures_json(self) -> dict[str, Any]:
        """The contract's JSON, statutory contents included, as publication freezes it."""
        return {
            **self.figures.as_json(),
            "statutory_contents": [
                {"id": row.content.id, "covered": row.covered, "where": row.where}
                for row in self.contents
            ],
        }

    @property
    def missing(self) -> list[ContentRow]:
        return [row for row in self.contents if row.missing]

    @property
    def unapproved(self) -> list[ChapterRow]:
        """Chapters with text that has not been approved."""
        return [row for row in self.chapters if row.latest is not None and not row.approved]

    @property
    def unwritten(self) -> list[ChapterRow]:
        return [row for row in self.chapters if row.latest is None]

    @property
    def unacknowledged(self) -> list[SmallNumberRow]:
        return [row for row in self.small_numbers if not row.acknowledged]

    @property
    def problems(self) -> list[str]:
        """Why the report may not be marked ready, each as what to do. A chapter with no
        text is no problem in itself (the report gives its figures alone), but the contents
        only its text would cover are then missing."""
        problems = [
            f"Approve the text of {row.chapter.title}, or change it until it can be"
            for row in self.unapproved
        ]
        problems += [
            f"Cover {row.content.id} ({row.content.text[:1].lower()}{row.content.text[1:]}), "
            "or record why the report does not"
            for row in self.missing
        ]
        return problems


def _chapter_rows(report: YearlyReport) -> list[ChapterRow]:
    by_id = {
        row.chapter: row
        for row in ReportChapter.objects.filter(report=report)
        .select_related("owner", "approved_version", "approved_by")
        .prefetch_related(_latest_versions())
    }
    rows = []
    for chapter in contents.CHAPTERS:
        row = by_id.get(chapter.id) or ReportChapter(report=report, chapter=chapter.id)
        versions = getattr(row, "versions_newest_first", [])
        rows.append(ChapterRow(chapter=chapter, row=row, latest=versions[0] if versions else None))
    return rows


def report_figures(*, report: YearlyReport) -> YearlyFigures:
    """The report's figures generated from the records now, from the partnership's
    position date."""
    return yearly_selectors.yearly_figures(year=report.year, since=report_settings().position_since)


def report_checklist(*, report: YearlyReport, figures: YearlyFigures | None = None) -> Checklist:
    """The chapters, statutory contents (covered, explained or missing) and small figures
    of ``report``, from figures generated now."""
    figures = figures or report_figures(report=report)
    chapters = _chapter_rows(report)
    approved = {row.chapter.id for row in chapters if row.approved}
    exceptions = {
        item.content: item
        for item in ContentException.objects.filter(
            report=report, withdrawn_at__isnull=True
        ).select_related("created_by")
    }
    by_id = {content.id: content for content in contents.STATUTORY_CONTENTS}
    coverage = statutory_contents(figures=figures, approved_chapters=approved)
    acknowledged = {
        (item.label, item.value): item
        for item in SmallNumberAcknowledgement.objects.filter(report=report).select_related(
            "acknowledged_by"
        )
    }
    threshold = report_settings().small_number_threshold
    return Checklist(
        report=report,
        figures=figures,
        chapters=chapters,
        contents=[
            ContentRow(
                content=by_id[item.id],
                covered=item.covered,
                where=item.where,
                # An exception matters only while the content is not covered.
                exception=exceptions.get(item.id),
            )
            for item in coverage
        ],
        small_numbers=[
            SmallNumberRow(
                label=item.label,
                value=item.value,
                where=item.where,
                acknowledgement=acknowledged.get((item.label, item.value)),
            )
            for item in small_numbers(figures=figures, threshold=threshold)
        ],
    )


def report_document(*, figures: YearlyFigures, year: FinancialYear) -> document.ReportDocument:
    """The report laid out from ``figures`` and the chapters' narrative, as it would be
    published today."""
    return document.build(
        figures=figures,
        narratives=chapter_narratives(year=year),
        partnership=settings.SIGHTLINE_PARTNERSHIP_NAME,
        produced=document.long_date(timezone.localdate()),
    )


def published_document(*, year: FinancialYear) -> document.ReportDocument | None:
    """The year's report laid out as it was published, or None when it has not been (or was
    published before the layout was kept)."""
    report = (
        YearlyReport.objects.filter(start_year=year.start_year, status=ReportStatus.PUBLISHED)
        .only("published_document")
        .first()
    )
    if report is None or report.published_document is None:
        return None
    return frozen.document_from_json(report.published_document)


# Pages --------------------------------------------------------------------------------

# How many years back a report may be started from the list.
YEARS_OFFERED = 6


@dataclass(frozen=True)
class YearRow:
    year: FinancialYear
    report: YearlyReport | None
    approved: int = 0


def yearly_report_list_for(*, user: Any, today: datetime.date | None = None) -> list[YearRow]:
    """The financial years a report can be written for, newest first: each started report
    (with how many chapters are approved), and the recent years not started yet."""
    today = today or timezone.localdate()
    approved = (
        ReportChapter.objects.filter(report=OuterRef("pk"), approved_version__isnull=False)
        .order_by()
        .values("report")
        .annotate(count=Count("pk"))
        .values("count")
    )
    reports = {
        report.start_year: report
        for report in YearlyReport.objects.annotate(
            approved_count=Coalesce(Subquery(approved, output_field=IntegerField()), 0)
        ).order_by("-start_year")
    }
    current = FinancialYear.containing(today)
    years = {current.start_year - back for back in range(YEARS_OFFERED)} | set(reports)
    return [
        YearRow(
            year=FinancialYear(start),
            report=reports.get(start),
            approved=getattr(reports.get(start), "approved_count", 0),
        )
        for start in sorted(years, reverse=True)
    ]


def chapters_owned_by(*, user: Any) -> list[ReportChapter]:
    """The chapters ``user`` owns, newest year first, for owners who see no other drafts."""
    rows = (
        ReportChapter.objects.filter(owner_id=user.pk)
        .select_related("report")
        .order_by("-report__start_year", "pk")
    )
    order = {chapter_id: index for index, chapter_id in enumerate(contents.CHAPTER_IDS)}
    return sorted(rows, key=lambda row: (-row.report.start_year, order.get(row.chapter, 99)))


def parse_year(text: str) -> FinancialYear:
    """The year an address names; 404 for anything that is not a financial year."""
    try:
        return FinancialYear.parse(text)
    except ValueError:
        raise Http404("No such financial year.") from None


def yearly_report_get(*, year: FinancialYear) -> YearlyReport:
    report = (
        YearlyReport.objects.select_related("ready_by", "published_by", "panel_sent_by")
        .filter(start_year=year.start_year)
        .first()
    )
    if report is None:
        raise Http404("The report for this year has not been started.")
    return report


def report_chapter_get(*, year: FinancialYear, chapter_id: str) -> ReportChapter:
    """A chapter of the year's report, with its latest version as ``latest_version``;
    404 for a chapter that does not exist or a report not started."""
    if chapter_id not in contents.CHAPTER_IDS:
        raise Http404("No such chapter.")
    row = (
        ReportChapter.objects.select_related("report", "owner", "approved_version", "approved_by")
        .prefetch_related(_latest_versions())
        .filter(report__start_year=year.start_year, chapter=chapter_id)
        .first()
    )
    if row is None:
        raise Http404("The report for this year has not been started.")
    versions = row.versions_newest_first  # type: ignore[attr-defined]
    row.latest_version = versions[0] if versions else None  # type: ignore[attr-defined]
    return row


@dataclass(frozen=True)
class Overview:
    report: YearlyReport
    checklist: Checklist
    # The figures that differ from a published report's, and which report that is.
    changes: list[FigureChange]
    compared_with: str
    circulation: list[Circulation]
    settings: ReportSettings


def _last_published_before(report: YearlyReport) -> YearlyReport | None:
    return (
        YearlyReport.objects.filter(status=ReportStatus.PUBLISHED, start_year__lt=report.start_year)
        .order_by("-start_year")
        .first()
    )


def report_overview(*, report: YearlyReport) -> Overview:
    """Everything the year's page shows. What has changed: for a published report, the
    figures the records give now against those it froze (records corrected later); for a
    draft, its figures against the last published report's."""
    checklist = report_checklist(report=report)
    now = checklist.figures_json
    compared: YearlyReport | None = (
        report if report.is_published else _last_published_before(report)
    )
    changes = figure_changes(compared.published_figures or {}, now) if compared is not None else []
    return Overview(
        report=report,
        checklist=checklist,
        changes=changes,
        compared_with=compared.year.label if compared is not None else "",
        circulation=list(Circulation.objects.filter(report=report).select_related("created_by")),
        settings=report_settings(),
    )


def chapter_history(*, chapter: ReportChapter) -> list[HistoryEntry]:
    """The chapter's audit events (owner named, versions written, approvals given and
    withdrawn), newest first."""
    return history_for_object(object_type="reports.reportchapter", object_id=str(chapter.pk))


def chapter_versions(*, chapter: ReportChapter) -> list[ChapterVersion]:
    return list(
        ChapterVersion.objects.filter(chapter=chapter)
        .select_related("written_by")
        .order_by("-number")
    )


def chapter_sections(*, chapter: ReportChapter) -> tuple[Section, ...]:
    """The chapter's generated figures (sentences, tables and charts), shown beside the
    text as its owner writes."""
    make = GENERATED.get(chapter.chapter)
    return make(report_figures(report=chapter.report)) if make is not None else ()


def chapter_owner_candidates() -> list[Any]:
    """Who may be named a chapter's owner: active partnership staff."""
    return users_with_roles(roles=[role.value for role in OWNER_ROLES])


def content_exception_get(*, report: YearlyReport, content: str) -> ContentException:
    """The standing reason for missing ``content``, else the one last withdrawn (so that
    withdrawing twice is harmless); 404 when none was ever recorded."""
    exception = (
        ContentException.objects.select_related("report", "created_by")
        .filter(report=report, content=content)
        .order_by("withdrawn_at", "-created_at")
        .first()
    )
    if exception is None:
        raise Http404("No reason has been recorded for this content.")
    return exception
