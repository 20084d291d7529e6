"""The learning tracker download: people can open it, and it imports back unchanged."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sightline.learning import services
from sightline.learning.importing import COLUMNS
from sightline.learning.tests.test_tracking import agency, make_action, rec  # noqa: F401

BOM = b"\xef\xbb\xbf"


def download(client, fmt: str) -> bytes:
    response = client.get(reverse("learning:export", args=[fmt]))
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("with_bom", [True, False])
def test_the_csv_starts_with_a_bom_and_imports_back_with_or_without_it(
    admin_client,
    rec,  # noqa: F811
    agency,  # noqa: F811
    with_bom,
):
    make_action(rec, agency)
    body = download(admin_client, "csv")
    assert body.startswith(BOM)
    assert body[len(BOM) :].startswith(b"recommendation_ref,")
    content = body if with_bom else body[len(BOM) :]
    result = services.import_learning(actor=None, name="again.csv", content=content)
    assert result.actions == {"created": 0, "updated": 0, "unchanged": 1}


def test_the_workbook_has_real_dates_a_frozen_filtered_header_and_imports_back(
    admin_client,
    rec,  # noqa: F811
    agency,  # noqa: F811
):
    make_action(rec, agency)
    body = download(admin_client, "xlsx")
    sheet = load_workbook(io.BytesIO(body)).active
    # Meant to be imported back: the import format's column names, not readable headings.
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:Q{sheet.max_row}"
    made = sheet.cell(row=2, column=COLUMNS.index("made_date") + 1)
    due = sheet.cell(row=2, column=COLUMNS.index("due_date") + 1)
    assert made.is_date
    assert due.is_date
    assert (made.value.date(), due.value.date()) == (
        datetime.date(2024, 1, 10),
        datetime.date(2024, 6, 30),
    )
    assert made.number_format == "DD/MM/YYYY"
    result = services.import_learning(actor=None, name="again.xlsx", content=body)
    assert result.recommendations == {"created": 0, "updated": 0, "unchanged": 1}
    assert result.actions == {"created": 0, "updated": 0, "unchanged": 1}
