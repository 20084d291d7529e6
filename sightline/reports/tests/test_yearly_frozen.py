"""A published yearly report is drawn again as it was published, in every format, whatever
changes in the records afterwards."""

import datetime
import json

import pytest
import time_machine

from sightline.core.roles import Role
from sightline.reviews.tests.factories import CaseFactory

from .. import services
from ..selectors import drafts as selectors
from ..views import yearly as yearly_views
from ..yearly import frozen, render_docx, render_html
from ..yearly.document import BarChart, Table
from .drafting_helpers import YEAR, all_approved, person, started

pytestmark = pytest.mark.django_db


def received(document) -> dict[str, str]:
    for chapter in document.chapters:
        for section in chapter.sections:
            for block in section.blocks:
                table = block.table if isinstance(block, BarChart) else block
                if isinstance(table, Table) and table.id == "received-by-route":
                    return {row[0]: row[1] for row in table.rows}
    raise AssertionError("No table of cases received")


@time_machine.travel(datetime.datetime(2024, 7, 1, 10, tzinfo=datetime.UTC), tick=False)
def test_the_published_report_keeps_its_layout_in_every_format():
    admin, executive = person(Role.ADMINISTRATOR), person(Role.EXECUTIVE)
    CaseFactory.create(incident_aware_date=datetime.date(2023, 6, 1))
    report = all_approved(started(admin), writer=admin, approver=executive)
    services.report_mark_ready(actor=admin, report=report)
    flagged = selectors.report_checklist(report=report).small_numbers
    services.report_publish(
        actor=admin, report=report, acknowledged=[(item.label, item.value) for item in flagged]
    )
    report.refresh_from_db()
    json.dumps(report.published_document)  # kept as plain JSON
    published = selectors.published_document(year=YEAR)
    assert published is not None
    assert frozen.document_as_json(published) == report.published_document
    assert received(published)["Child serious incident"] == "1"

    # A case found later with its incident in the year does not change what was published.
    CaseFactory.create(incident_aware_date=datetime.date(2023, 9, 1))
    drawn = yearly_views._document(YEAR)
    assert drawn == published
    assert received(drawn)["Child serious incident"] == "1"
    assert render_html.standalone_html(drawn) == report.published_html
    assert render_docx.docx_bytes(drawn)


def test_a_draft_is_generated_from_the_records_now():
    admin = person(Role.ADMINISTRATOR)
    started(admin)
    CaseFactory.create(incident_aware_date=datetime.date(2023, 6, 1))
    assert selectors.published_document(year=YEAR) is None
    assert received(yearly_views._document(YEAR))["Child serious incident"] == "1"
    CaseFactory.create(incident_aware_date=datetime.date(2023, 9, 1))
    assert received(yearly_views._document(YEAR))["Child serious incident"] == "2"


def test_only_known_kinds_are_read_back():
    with pytest.raises(KeyError):
        frozen.document_from_json({"_kind": "Popen", "args": ["true"]})
    with pytest.raises(ValueError, match="not a laid-out yearly report"):
        frozen.document_from_json({"_kind": "Bar", "label": "x", "value": 1, "y": 0, "width": 1})
