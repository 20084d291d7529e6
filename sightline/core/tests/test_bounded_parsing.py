"""Bounded parsing (issue 13): spreadsheet bombs, built here, are refused with a message naming
the limit, quickly and in bounded memory, on the upload pages and the command line; ordinary
files still import."""

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from sightline.core import bounded
from sightline.core.tabular import FileProblem, check_bounds, read_table
from sightline.learning.models import Recommendation
from sightline.reviews.models import Case

MB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[3]
# A generous guard, not a speed test: the machine may be loaded.
GUARD_SECONDS = 60
MEMORY_LIMIT_MB = 300

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{dimension}"/><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"
STRINGS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    'uniqueCount="1"><si><t>'
)
STRINGS_TAIL = "</t></si></sst>"


def _write_streamed(archive: zipfile.ZipFile, name: str, pieces: Iterator[str]) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as handle:
        buffer: list[str] = []
        size = 0
        for piece in pieces:
            buffer.append(piece)
            size += len(piece)
            if size > MB:
                handle.write("".join(buffer).encode())
                buffer, size = [], 0
        handle.write("".join(buffer).encode())


def workbook_bytes(
    rows: Iterator[str], *, shared: Iterator[str] | None = None, dimension: str = "A1"
) -> bytes:
    """A minimal .xlsx, its sheet's rows and its one shared string streamed into the zip
    (deflated), so a bomb never exists unpacked in the test's memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        _write_streamed(
            archive,
            "xl/worksheets/sheet1.xml",
            _chain([SHEET_HEAD.format(dimension=dimension)], rows, [SHEET_TAIL]),
        )
        _write_streamed(
            archive,
            "xl/sharedStrings.xml",
            _chain([STRINGS_HEAD], shared or ["Name"], [STRINGS_TAIL]),
        )
    return out.getvalue()


def _chain(*parts: Iterator[str] | list[str]) -> Iterator[str]:
    for part in parts:
        yield from part


def text_row(number: int, *values: str) -> str:
    cells = "".join(
        f'<c r="{bounded.column_letters(i + 1)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def rows_bomb(count: int) -> bytes:
    """A sheet of ``count`` rows of one short cell each, row numbers implied."""
    row = '<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    return workbook_bytes(row for _ in range(count))


def cell_bomb(megabytes: int) -> bytes:
    """One cell, the first row's, holding the shared string of ``megabytes`` MB."""
    chunk = "a" * MB
    return workbook_bytes(
        iter(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>']),
        shared=(chunk for _ in range(megabytes)),
    )


def refusal(name: str, content: bytes, **limits: object) -> str:
    bound = bounded.Limits(**limits)  # type: ignore[arg-type]
    with pytest.raises(FileProblem) as raised:
        for _row in read_table(name, content, bound=bound):
            pass
    return str(raised.value)


# --- The bombs of the issue -----------------------------------------------------------


def test_a_small_workbook_unpacking_to_two_million_rows_is_refused_unread():
    content = rows_bomb(2_000_000)
    assert len(content) < 2 * MB
    started = time.monotonic()
    message = refusal("cases.xlsx", content)
    assert time.monotonic() - started < GUARD_SECONDS
    assert "unpacks to more than 50 MB" in message
    assert "split it into files of at most 20,000 rows" in message


@pytest.mark.parametrize("megabytes", [100, 300])
def test_a_small_workbook_holding_one_huge_cell_is_refused_unread(megabytes):
    content = cell_bomb(megabytes)
    assert len(content) < megabytes * 1100  # about 1 KB for each MB unpacked
    message = refusal("cases.xlsx", content)
    assert "unpacks to more than 50 MB" in message


def test_a_workbook_of_too_many_parts_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for number in range(1001):
            archive.writestr(f"xl/media/image{number}.png", b"")
    message = refusal("cases.xlsx", out.getvalue())
    assert "more than 1,000 parts" in message


def test_a_part_compressed_beyond_the_ratio_is_refused():
    content = rows_bomb(100_000)  # about 5 MB of one row repeated: far beyond 250 to 1
    message = refusal("cases.xlsx", content)
    assert "compressed more than 250 to 1" in message
    assert "xl/worksheets/sheet1.xml" in message


def test_the_shared_strings_table_is_bounded_on_its_own():
    content = cell_bomb(2)
    message = refusal("cases.xlsx", content, shared_strings_bytes=1 * MB, ratio=10_000)
    assert "table of text (its shared strings) unpacks to more than 1 MB" in message


def test_a_member_that_unpacks_to_more_than_it_declares_is_refused():
    content = bytearray(workbook_bytes(iter([text_row(1, "Name")])))
    # Forge the central directory's record of the sheet: it now declares 10 bytes.
    record = content.index(b"PK\x01\x02")
    while True:
        name_length = int.from_bytes(content[record + 28 : record + 30], "little")
        if content[record + 46 : record + 46 + name_length] == b"xl/worksheets/sheet1.xml":
            break
        record = content.index(b"PK\x01\x02", record + 4)
    content[record + 24 : record + 28] = (10).to_bytes(4, "little")
    assert "it is damaged" in refusal("cases.xlsx", bytes(content))


def test_a_csv_with_a_100_mb_field_is_refused_by_its_size():
    content = b'reference,route\n"' + b"x" * (100 * MB) + b'",child\n'
    message = refusal("cases.csv", content)
    assert "larger than 10 MB, the limit for an import" in message


def test_a_csv_field_longer_than_a_cell_may_be_is_refused_as_read():
    content = b'reference,route\nCR-1,child\n"' + b"x" * 200_000 + b'",child\n'
    message = refusal("cases.csv", content)
    assert "line 3: a cell has more than 32,767 characters (Excel's own limit" in message


def test_a_cell_longer_than_excel_allows_is_refused_naming_its_place():
    long = "y" * 32_768
    content = f"reference,route\nCR-1,child\nCR-2,{long}\n".encode()
    message = refusal("cases.csv", content, cell_chars=32_767)
    assert message.startswith("line 3, column B: the cell has more than 32,767 characters")
    xlsx = workbook_bytes(iter([text_row(1, "reference", "route"), text_row(2, "CR-1", long)]))
    assert refusal("cases.xlsx", xlsx).startswith("line 2, column B: the cell has more than")


def test_rows_beyond_the_limit_are_refused_with_what_to_do():
    rows = "\n".join(f"CR-{n},child" for n in range(25_000))
    message = refusal("cases.csv", f"reference,route\n{rows}\n".encode())
    assert "more than 20,000 rows under its header" in message
    assert "split the file into parts of at most 20,000 rows" in message
    xlsx = workbook_bytes(text_row(n, f"CR-{n}", "child") for n in range(1, 20_003))
    assert "more than 20,000 rows" in refusal("cases.xlsx", xlsx, ratio=10_000)


def test_the_row_limit_counts_rows_with_values_only_and_can_be_raised():
    # Formatted empty rows after the data, as Excel leaves them, are not refused.
    xlsx = workbook_bytes(
        iter([text_row(1, "reference", "route"), text_row(2, "CR-1", "child"), '<row r="900000"/>'])
    )
    assert [row for row in read_table("cases.xlsx", xlsx) if row] == [
        ["reference", "route"],
        ["CR-1", "child"],
    ]
    rows = "\n".join(f"CR-{n},child" for n in range(30))
    content = f"reference,route\n{rows}\n".encode()
    assert "more than 20 rows" in refusal("cases.csv", content, rows=20)
    assert len(list(read_table("cases.csv", content, bound=bounded.Limits(rows=30)))) == 31


def test_a_value_beyond_the_column_limit_is_refused_even_far_out():
    xlsx = workbook_bytes(
        iter(
            [
                '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c>'
                '<c r="ZZ1" t="inlineStr"><is><t>b</t></is></c></row>'
            ]
        )
    )
    message = refusal("cases.xlsx", xlsx)
    assert message.startswith("line 1, column ZZ: the file has a value beyond column CV (100")
    wide = ",".join(["h"] * 101)
    assert "line 1, column CW" in refusal("cases.csv", f"{wide}\n".encode())


def test_a_declared_sheet_size_is_not_trusted_to_pad_rows():
    xlsx = workbook_bytes(
        iter([text_row(1, "reference", "route"), text_row(2, "CR-1", "child")]),
        dimension="A1:XFD1048576",
    )
    assert list(read_table("cases.xlsx", xlsx)) == [["reference", "route"], ["CR-1", "child"]]


def test_the_text_held_in_all_is_bounded():
    rows = "\n".join(f"CR-{n},{'z' * 1000}" for n in range(100))
    content = f"reference,route\n{rows}\n".encode()
    message = refusal("cases.csv", content, unpacked_bytes=50_000)
    assert "hold more than 50,000 bytes of text" in message


def test_reading_is_stopped_at_the_time_limit(monkeypatch):
    clock = iter(range(0, 10_000, 10))
    monkeypatch.setattr(bounded.time, "monotonic", lambda: float(next(clock)))
    content = b"reference,route\nCR-1,child\nCR-2,child\n"
    message = refusal("cases.csv", content, seconds=15)
    assert "took longer than 15 seconds, the limit for an import" in message


def test_settings_set_the_limits(settings):
    settings.SIGHTLINE_IMPORT_MAX_ROWS = 3
    settings.SIGHTLINE_IMPORT_MAX_CELL_CHARS = 5
    assert bounded.limits().rows == 3
    with pytest.raises(FileProblem, match="more than 5 characters"):
        check_bounds("cases.csv", b"reference,route\nCR-123456,child\n")


# --- Bounded memory, measured in a process of its own -----------------------------------

MEASURE = """
import json, os, sys, time
import django
django.setup()
from sightline.core.tabular import FileProblem
from sightline.{app}.importing import parse
import datetime
path = sys.argv[1]
content = open(path, "rb").read()
started = time.monotonic()
try:
    if "{app}" == "learning":
        parse(os.path.basename(path), content, today=datetime.date(2026, 1, 1))
    else:
        parse(os.path.basename(path), content)
    message = ""
except FileProblem as error:
    message = str(error)
# The peak resident size of this process since it began (VmHWM starts afresh at exec,
# unlike ru_maxrss, which keeps the parent's from before the fork).
status = open("/proc/self/status").read().split("VmHWM:")[1]
peak = int(status.split()[0]) / 1024
print(json.dumps({{"message": message, "peak_mb": peak, "seconds": time.monotonic() - started}}))
"""


def measured(path: Path, app: str = "reviews") -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(  # noqa: S603  (our own interpreter and script)
        [sys.executable, "-c", MEASURE.format(app=app), str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=GUARD_SECONDS * 5,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("rows.xlsx", lambda: rows_bomb(2_000_000), "unpacks to more than 50 MB"),
        ("cell.xlsx", lambda: cell_bomb(300), "unpacks to more than 50 MB"),
    ],
)
def test_the_bombs_are_refused_in_bounded_memory(tmp_path, name, make, expected):
    path = tmp_path / name
    path.write_bytes(make())
    outcome = measured(path)
    assert expected in outcome["message"]
    assert outcome["peak_mb"] < MEMORY_LIMIT_MB


def learning_csv(rows: int) -> bytes:
    header = "recommendation_ref,source_type,source,recommendation,made_date"
    lines = (
        f"R-{n},other,Audit {n},Recommendation number {n} in the tracker,2025-01-01"
        for n in range(rows)
    )
    return ("\n".join([header, *lines]) + "\n").encode()


def test_a_100000_row_learning_file_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_bytes(learning_csv(100_000))
    outcome = measured(path, app="learning")
    assert "more than 20,000 rows" in outcome["message"]
    assert outcome["peak_mb"] < MEMORY_LIMIT_MB


# --- Command line and upload pages: refused, nothing written ---------------------------


def test_the_commands_refuse_the_bombs_and_write_nothing(db, tmp_path):
    bomb = tmp_path / "cases.xlsx"
    bomb.write_bytes(rows_bomb(2_000_000))
    with pytest.raises(CommandError, match="unpacks to more than 50 MB") as raised:
        call_command("import_reviews", str(bomb))
    assert raised.value.returncode == 1
    tracker = tmp_path / "tracker.csv"
    tracker.write_bytes(learning_csv(100_000))
    with pytest.raises(CommandError, match="more than 20,000 rows") as raised:
        call_command("import_learning", str(tracker))
    assert raised.value.returncode == 1
    assert not Case.objects.exists()
    assert not Recommendation.objects.exists()


def test_the_commands_refuse_a_file_over_the_upload_limit_unread(db, tmp_path, settings):
    settings.SIGHTLINE_IMPORT_MAX_UPLOAD_BYTES = MB
    big = tmp_path / "cases.csv"
    big.write_bytes(b"reference,route\n" + b"x" * MB)
    with pytest.raises(CommandError, match="larger than 1 MB, the limit for an import"):
        call_command("import_reviews", str(big))
    with pytest.raises(CommandError, match="larger than 1 MB"):
        call_command("import_learning", str(big))


def test_the_upload_pages_refuse_the_bombs_as_form_errors(admin_client, tmp_path):
    cases = admin_client.post(
        reverse("reviews:import"),
        {"file": SimpleUploadedFile("cases.xlsx", cell_bomb(300))},
    )
    assert cases.status_code == 400
    assert "unpacks to more than 50 MB" in cases.content.decode()
    learning = admin_client.post(
        reverse("learning:import"),
        {"file": SimpleUploadedFile("tracker.csv", learning_csv(100_000))},
    )
    assert learning.status_code == 400
    assert "split the file into parts of at most 20,000 rows" in learning.content.decode()
    assert not Case.objects.exists()
    assert not Recommendation.objects.exists()


def test_an_oversized_upload_answers_413_saying_the_limit(admin_client, settings):
    settings.SIGHTLINE_IMPORT_MAX_UPLOAD_BYTES = MB
    response = admin_client.post(
        reverse("learning:import"),
        {"file": SimpleUploadedFile("tracker.csv", b"x" * (MB + 1))},
    )
    assert response.status_code == 413
    assert "must be no larger than 1 MB" in response.content.decode()


def test_an_ordinary_workbook_still_imports(db, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["reference", "route", "pseudonym"])
    for number in range(50):
        sheet.append([f"CR-{number}", "child", f"Child {number}"])
    path = tmp_path / "cases.xlsx"
    book.save(path)
    call_command("import_reviews", str(path), stdout=io.StringIO())
    assert Case.objects.count() == 50


def test_a_request_too_large_for_any_upload_answers_413_unread(admin_client, settings):
    settings.SIGHTLINE_MAX_REQUEST_BYTES = 4096
    response = admin_client.post(
        reverse("reviews:import"),
        {"file": SimpleUploadedFile("cases.csv", b"reference,route\n" + b"x" * 8192)},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "The file is too large" in page
    assert "uploads of up to 4,096 bytes" in page
    assert "a spreadsheet to import can be at most 10 MB" in page
    assert not Case.objects.exists()


def test_the_request_limit_leaves_room_for_the_largest_upload(settings):
    from sightline.core.cleaning import MAX_DOCUMENT_BYTES
    from sightline.core.upload_limits import request_limit

    settings.SIGHTLINE_MAX_REQUEST_BYTES = 0
    assert request_limit() > MAX_DOCUMENT_BYTES
    settings.SIGHTLINE_IMPORT_MAX_UPLOAD_BYTES = 64 * MB
    assert request_limit() > 64 * MB


def test_a_damaged_sheet_is_refused_as_damaged():
    broken = workbook_bytes(iter([text_row(1, "reference"), '<row r="2"><c r="A2" t="inl']))
    assert "it is damaged" in refusal("cases.xlsx", broken)


def test_a_long_cell_written_in_the_sheet_itself_is_refused_by_its_length():
    huge = workbook_bytes(iter([text_row(1, "reference"), text_row(2, "x" * (11 * MB))]))
    message = refusal("cases.xlsx", huge, ratio=100_000)
    assert message.startswith("line 2, column A: the cell has more than 32,767 characters")


# --- Documents for the hub and for papers: the Word, PowerPoint and Excel reader ----------


def word_document(paragraphs: Iterator[str]) -> bytes:
    import docx

    source = io.BytesIO()
    docx.Document().save(source)
    original = zipfile.ZipFile(io.BytesIO(source.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "word/document.xml":
                body = "".join(paragraphs)
                data = data.decode().replace("<w:body>", f"<w:body>{body}", 1).encode()
            archive.writestr(info.filename, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "paragraphs",
    [
        # 6 MB of text in distinct paragraphs: more XML than is parsed whole.
        lambda: (
            f"<w:p><w:r><w:t>{n * 7919 % 1_000_003}</w:t></w:r></w:p>" for n in range(170_000)
        ),
        # 20 MB of one empty paragraph repeated: beyond the compression ratio.
        lambda: ("<w:p/>" for _ in range(3_500_000)),
    ],
)
def test_a_word_document_bomb_is_refused_before_it_is_parsed(paragraphs):
    from sightline.core.cleaning import DocumentRefused, document_clean

    content = word_document(paragraphs())
    assert len(content) < 2 * MB
    with pytest.raises(DocumentRefused, match="too large when unpacked"):
        document_clean(name="paper.docx", content=content)
