"""Reads of the yearly report's drafts: the settings, each year's report, its chapters and
their text, the statutory contents checklist and the history."""

import datetime

from django.db.models import Prefetch
from django.utils import timezone

from ..models import ChapterVersion, ReportChapter, ReportSettings, YearlyReport
from ..yearly.narrative import ChapterNarrative
from ..yearly.years import FinancialYear


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
