"""The demo partnership's yearly report: its last full year, part way through."""

import datetime
import io

import pytest
import time_machine

from sightline.accounts import demo as accounts_demo

from .. import demo
from ..models import ReportChapter, YearlyReport
from ..selectors import drafts as selectors
from ..yearly.years import FinancialYear

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.datetime(2026, 5, 12, 9, tzinfo=datetime.UTC), tick=False)
def test_the_demo_report_is_part_way_through_and_seeding_twice_adds_nothing():
    accounts_demo.seed(password="x", stdout=io.StringIO())
    demo.seed(password="x", stdout=io.StringIO())
    report = YearlyReport.objects.get()
    assert report.year == FinancialYear(2025)
    chapters = {row.chapter: row for row in ReportChapter.objects.filter(report=report)}
    assert all(row.owner is not None for row in chapters.values())
    approved = {key for key, row in chapters.items() if row.approved_version_id}
    assert approved == set(demo.APPROVERS)
    for chapter_id in approved:
        assert chapters[chapter_id].approved_by != chapters[chapter_id].versions.get().written_by
    narratives = selectors.chapter_narratives(year=report.year)
    assert set(narratives) == set(demo.TEXTS)
    waiting = {key for key, narrative in narratives.items() if not narrative.approved}
    assert waiting == {"learning_embedded", "system_assurance"}
    said = io.StringIO()
    demo.seed(password="x", stdout=said)
    assert "exists already" in said.getvalue()
    assert YearlyReport.objects.count() == 1
