"""Importing a case file: section 1 of the contract."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from sightline.core.models import AuditEvent
from sightline.core.tabular import ImportRejected
from sightline.reviews import services
from sightline.reviews.models import Case, CaseDeadline

HEADER = "reference,route,pseudonym,outcome,incident_aware_date,panel_notified_date,rapid_review_sent_date"


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\n".join([header, *rows]) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def run(content: bytes, name: str = "cases.csv", dry_run: bool = False):
    return services.import_cases(actor=None, name=name, content=content, dry_run=dry_run)


def problems_of(content: bytes, name: str = "cases.csv") -> list[str]:
    with pytest.raises(ImportRejected) as raised:
        run(content, name)
    return raised.value.problems


def test_import_creates_cases_with_uk_and_iso_dates_and_a_bom(db):
    result = run(csv_bytes("CR-1,child,Child P,,03/04/2021,2021-04-08,", bom=True))
    assert result.created == ["CR-1"]
    case = Case.objects.get(reference="CR-1")
    assert case.incident_aware_date == datetime.date(2021, 4, 3)  # 3 April, never 4 March
    assert case.stage == "rapid_review"
    assert CaseDeadline.objects.filter(case=case, standard__code="child.rapid_review").exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert "cases.csv" in event.detail
    assert "1 cases were created" in event.detail


def test_importing_twice_changes_nothing(db):
    content = csv_bytes("CR-1,child,Child P,,2021-04-03,,")
    run(content)
    again = run(content)
    assert (again.created, again.updated, again.unchanged) == ([], {}, ["CR-1"])
    assert Case.objects.count() == 1


def test_present_columns_overwrite_blank_cells_clear_absent_columns_stay(db):
    run(csv_bytes("CR-1,child,Child P,,2021-04-03,2021-04-08,2021-04-20"))
    result = run(
        csv_bytes(
            "CR-1,child,,2021-04-03,",
            header="reference,route,pseudonym,incident_aware_date,panel_notified_date",
        )
    )
    case = Case.objects.get()
    assert case.pseudonym == ""
    assert case.panel_notified_date is None
    assert case.rapid_review_sent_date == datetime.date(2021, 4, 20)
    assert set(result.updated["CR-1"]) == {"pseudonym", "panel_notified_date"}


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        ("reference,pseudonym", "CR-1,P", "line 1, column route: required column is missing"),
        (HEADER + ",colour", "CR-1,child,P,,,,,blue", "line 1, column colour: unknown column"),
        (HEADER, "CR-1,children,P,,,,", "line 2, column route: 'children' is not a route"),
        (
            HEADER,
            "CR-1,child,P,sar_mandatory,,,",
            "line 2, column outcome: Safeguarding adult review (mandatory) is not an outcome of a child serious incident",
        ),
        (
            HEADER,
            "CR-1,child,P,,31/02/2021,,",
            "line 2, column incident_aware_date: '31/02/2021' is not a date",
        ),
        (
            HEADER,
            "CR-1,child,P,,2021-13-01,,",
            "line 2, column incident_aware_date: '2021-13-01' is not a date",
        ),
        (
            HEADER,
            "CR-1,child,P,,next week,,",
            "line 2, column incident_aware_date: 'next week' is not a date",
        ),
        (
            HEADER,
            "CR-1,child,P,,2999-01-01,,",
            "line 2, column incident_aware_date: Local authority aware of the serious incident must be today or in the past",
        ),
        (
            HEADER,
            "CR-1,child,P,,2021-04-10,,2021-04-01",
            "line 2, column rapid_review_sent_date: Rapid review sent to the Panel (1 April 2021) must be the same as or after",
        ),
        (
            "reference,route,referral_date",
            "CR-1,child,2021-01-01",
            "line 2, column referral_date: Referral received is not a milestone of a child serious incident",
        ),
        (HEADER, ",child,P,,,,", "line 2, column reference: every case needs a reference"),
    ],
)
def test_each_problem_is_named_by_line_and_column(db, header, row, expected):
    problems = problems_of(csv_bytes(row, header=header))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_all_or_nothing(db):
    problems = problems_of(
        csv_bytes("CR-1,child,P,,2021-04-03,,", "CR-2,child,Q,,bad,,", "CR-1,child,R,,,,")
    )
    assert problems == [
        "line 3, column incident_aware_date: 'bad' is not a date: use YYYY-MM-DD or DD/MM/YYYY",
        "line 4, column reference: CR-1 is already on line 2",
    ]
    assert Case.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_order_is_checked_against_stored_dates(db):
    run(csv_bytes("CR-1,child,P,,2021-04-10,,"))
    problems = problems_of(csv_bytes("CR-1,2021-04-01", header="reference,panel_notified_date"))
    assert problems[0].startswith("line 1, column route")  # route is required
    problems = problems_of(
        csv_bytes("CR-1,child,2021-04-01", header="reference,route,panel_notified_date")
    )
    assert problems == [
        "line 2, column panel_notified_date: Panel notified (1 April 2021) must be the same as or after local authority aware of the serious incident (10 April 2021)"
    ]


def test_dry_run_writes_nothing(db):
    result = run(csv_bytes("CR-1,child,P,,2021-04-03,,"), dry_run=True)
    assert result.created == ["CR-1"]
    assert Case.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_xlsx_with_real_dates_and_text_dates(db):
    book = Workbook()
    sheet = book.active
    sheet.append(["reference", "route", "incident_aware_date", "panel_notified_date"])
    sheet.append(["CR-9", "child", datetime.datetime(2022, 6, 1), "08/06/2022"])
    buffer = io.BytesIO()
    book.save(buffer)
    run(buffer.getvalue(), name="tracker.xlsx")
    case = Case.objects.get(reference="CR-9")
    assert (case.incident_aware_date, case.panel_notified_date) == (
        datetime.date(2022, 6, 1),
        datetime.date(2022, 6, 8),
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cases.txt", b"reference,route\n", "must be a .csv or .xlsx file"),
        ("cases.xlsx", b"reference,route\n", "not an Excel workbook"),
        ("cases.csv", "reference,route\nCR-1,child\n".encode("utf-16"), "not UTF-8"),
        ("cases.csv", b"", "The file is empty"),
    ],
)
def test_unreadable_files_are_refused_clearly(db, name, content, message):
    from sightline.core.tabular import FileProblem

    with pytest.raises(FileProblem, match=message):
        run(content, name)


def test_command_exit_statuses(db, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes("CR-1,child,P,,2021-04-03,,"))
    call_command("import_reviews", str(good))
    assert "1 created, 0 updated, 0 unchanged." in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("CR-2,nope,P,,,,"))
    with pytest.raises(CommandError) as raised:
        call_command("import_reviews", str(bad))
    assert raised.value.returncode == 1
    assert "line 2, column route" in capsys.readouterr().err
    with pytest.raises(CommandError) as missing:
        call_command("import_reviews", str(tmp_path / "nowhere.csv"))
    assert missing.value.returncode == 2


def test_upload_page_previews_then_imports(admin_client):
    content = csv_bytes("CR-7,child,Child Q,,2021-04-03,,")
    preview = admin_client.post(
        reverse("reviews:import"), {"file": SimpleUploadedFile("cases.csv", content)}
    )
    page = preview.content.decode()
    assert "1 cases would be created" in page
    assert Case.objects.count() == 0
    token = page.split('name="token" value="')[1].split('"')[0]
    done = admin_client.post(reverse("reviews:import"), {"token": token})
    assert done["Location"] == reverse("reviews:case_list")
    assert Case.objects.filter(reference="CR-7").exists()
    replay = admin_client.post(reverse("reviews:import"), {"token": token})
    assert replay["Location"] == reverse("reviews:import")


def test_upload_page_lists_problems_with_a_4xx(admin_client):
    response = admin_client.post(
        reverse("reviews:import"),
        {"file": SimpleUploadedFile("cases.csv", csv_bytes("CR-1,child,P,,2999-01-01,,"))},
    )
    assert response.status_code == 400
    assert "line 2, column incident_aware_date" in response.content.decode()
    wrong = admin_client.post(
        reverse("reviews:import"), {"file": SimpleUploadedFile("cases.pdf", b"%PDF")}
    )
    assert wrong.status_code == 400
    assert "must be a .csv or .xlsx file" in wrong.content.decode()


def test_oversized_upload_is_refused_before_reading(admin_client, settings):
    settings.SIGHTLINE_IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    big = SimpleUploadedFile("cases.csv", b"x" * (1024 * 1024 + 1))
    response = admin_client.post(reverse("reviews:import"), {"file": big})
    assert response.status_code == 413
    assert "must be no larger than 1 MB" in response.content.decode()


def test_held_uploads_belong_to_their_uploader_and_go_stale(db, settings):
    from sightline.core import uploads

    token = uploads.hold(user_id=1, content=b"x")
    assert uploads.take(user_id=2, token=token) is None
    assert uploads.take(user_id=1, token="1-../../etc") is None
    assert uploads.take(user_id=1, token=token) == b"x"
    assert uploads.take(user_id=1, token=token) is None
