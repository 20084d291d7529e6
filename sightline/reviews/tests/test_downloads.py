"""The case tracker and timeliness downloads: files people can open in a spreadsheet."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sightline.reviews import services
from sightline.reviews.tests.factories import CaseFactory
from sightline.reviews.views import TIMELINESS_HEADINGS, TRACKER_HEADER

BOM = b"\xef\xbb\xbf"
D = datetime.date


@pytest.fixture
def case(db):
    case = CaseFactory.create(
        reference="CR-ZOË", pseudonym="Child Zoë", incident_aware_date=D(2024, 3, 1)
    )
    services.deadlines_refresh(case_ids=[case.pk])
    return case


@pytest.mark.parametrize("name", ["reviews:case_export", "reviews:timeliness_export"])
def test_csv_downloads_start_with_a_byte_order_mark(admin_client, case, name):
    body = admin_client.get(reverse(name, args=["csv"])).content
    assert body.startswith(BOM)
    assert "CR-ZOË" in body.decode("utf-8-sig")


def test_the_case_tracker_workbook_has_real_dates_under_a_frozen_filtered_header(
    admin_client, case
):
    body = admin_client.get(reverse("reviews:case_export", args=["xlsx"])).content
    sheet = load_workbook(io.BytesIO(body)).active
    # Its columns can be imported again (after removing the extra ones): the import's names.
    assert [cell.value for cell in sheet[1]] == TRACKER_HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:S2"
    aware = sheet.cell(row=2, column=TRACKER_HEADER.index("incident_aware_date") + 1)
    assert aware.is_date
    assert aware.value.date() == D(2024, 3, 1)
    assert aware.number_format == "DD/MM/YYYY"
    assert sheet.cell(row=2, column=TRACKER_HEADER.index("next_due") + 1).is_date


def test_the_timeliness_workbook_has_readable_headings_and_real_dates(admin_client, case):
    body = admin_client.get(
        reverse("reviews:timeliness_export", args=["xlsx"]), {"as_at": "2024-06-30"}
    ).content
    sheet = load_workbook(io.BytesIO(body)).active
    headings = [cell.value for cell in sheet[1]]
    assert headings[:3] == ["Standard", "What the standard asks", "Cases it applies to"]
    assert set(headings) == set(TIMELINESS_HEADINGS.values())
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:N")
    rows = [dict(zip(headings, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    ours = [row for row in rows if row["Case reference"].value == "CR-ZOË"]
    assert ours
    for row in ours:
        assert row["Counted from"].is_date
        assert row["Due"].is_date
        assert row["Counted from"].number_format == "DD/MM/YYYY"
