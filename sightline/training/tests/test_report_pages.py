"""The training report's pages: who may see them, the exports and the access log, wrong dates,
the workforce figures, and a query count that does not grow with the data."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from sightline.accounts.models import Sector
from sightline.accounts.tests.factories import AgencyFactory, UserFactory
from sightline.core.models import AccessLogEntry, AuditEvent
from sightline.core.roles import Role
from sightline.reviews.models import PracticeTheme
from sightline.reviews.tests.factories import CaseFactory
from sightline.training import services
from sightline.training.models import SectorWorkforce
from sightline.training.vocabulary import Attendance, Rating

from .factories import (
    BookingFactory,
    CourseFactory,
    EvaluationFactory,
    SectorWorkforceFactory,
    SessionFactory,
)
from .test_reporting import hand_counted

D = datetime.date
LONDON = ZoneInfo("Europe/London")
# 15 April 2026: the default period is the financial year 1 April 2026 to 31 March 2027.
NOW = datetime.datetime(2026, 4, 15, 12, 0, tzinfo=LONDON)
PERIOD = {
    "date_from_day": "1",
    "date_from_month": "4",
    "date_from_year": "2025",
    "date_to_day": "31",
    "date_to_month": "3",
    "date_to_year": "2026",
}
REPORT = reverse("training:report")
LOOP = reverse("training:learning_loop")
WORKFORCE = reverse("training:workforce")


def export(fmt: str) -> str:
    return reverse("training:report_export", kwargs={"fmt": fmt})


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def signed_in(client, make_user):
    def sign_in(role):
        client.force_login(make_user(role))
        return client

    return sign_in


# --- Who may see what -------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.TRAINER, Role.EXECUTIVE])
@pytest.mark.parametrize("url", [REPORT, LOOP, export("csv"), export("xlsx")])
def test_report_pages_are_for_administrators_trainers_and_executives(signed_in, role, url):
    assert signed_in(role).get(url).status_code == 200


def test_trainers_are_not_sent_to_the_yearly_report_they_may_not_see(signed_in):
    page = signed_in(Role.TRAINER).get(REPORT).content.decode()
    assert "/reports/yearly/" not in page


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.AGENCY_LEAD, Role.REVIEW_OFFICER, None])
@pytest.mark.parametrize("url", [REPORT, LOOP, export("csv"), WORKFORCE])
def test_everyone_else_is_refused(signed_in, role, url):
    assert signed_in(role).get(url).status_code == 403
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("role", [Role.TRAINER, Role.EXECUTIVE])
def test_only_administrators_change_the_workforce_figures(signed_in, role):
    client = signed_in(role)
    assert client.get(WORKFORCE).status_code == 403
    assert client.post(WORKFORCE, {"police_headcount": "10"}).status_code == 403
    assert not SectorWorkforce.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client, db):
    response = client.get(REPORT)
    assert response.status_code == 302
    assert "sign-in" in response["Location"]


# --- The report page ----------------------------------------------------------------------


def test_report_page_shows_the_hand_counted_figures(admin_client):
    hand_counted()
    page = admin_client.get(REPORT, PERIOD).content.decode()
    assert "5 people, 6 attendances at 2 sessions" in page
    # The yearly report gives these figures for the financial year, in words.
    assert 'href="/reports/yearly/2025-26/report/"' in page
    assert "71.4% (5 of 7 evaluations)" in page
    assert "33.3% (3 of 9 bookings with attendance marked)" in page
    assert page.count("Under-represented") == 2
    assert "overall reach is 0.7%" in page
    assert "Working with families" in page
    assert "1 June 2025" in page
    assert f"{export('csv')}?date_from_day=1&amp;date_from_month=4&amp;date_from_year=2025" in page
    assert "Change the workforce figures" in page


def test_report_page_defaults_to_the_current_financial_year(signed_in):
    page = signed_in(Role.EXECUTIVE).get(REPORT).content.decode()
    assert "the current financial year, 1 April 2026 to 31 March 2027" in page
    assert "Sessions starting from 1 April 2026 to 31 March 2027" in page
    assert 'name="date_from_year" type="text" value="2026"' in page
    assert "Change the workforce figures" not in page
    assert "No evaluations" in page
    assert 'href="/reports/yearly/2026-27/report/"' in page  # an executive member sees it


@pytest.mark.parametrize("url", [REPORT, LOOP])
@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2025"},
            "From must be a real date",
        ),
        (
            {"date_from_day": "x", "date_from_month": "4", "date_from_year": "2025"},
            "From must be a real date, in numbers",
        ),
        ({"date_to_day": "1", "date_to_month": "4"}, "To must include a year"),
        (
            {**PERIOD, "date_from_year": "2027"},
            "The ‘to’ date must be the same as or after the ‘from’ date",
        ),
        (
            {**PERIOD, "date_to_day": "31", "date_to_month": "12", "date_to_year": "9999"},
            "To: the year must be between 1900 and 2100",
        ),
    ],
)
def test_wrong_dates_get_a_400_and_say_what_to_fix(admin_client, url, query, message):
    response = admin_client.get(url, query)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message.replace("‘", "&lsquo;").replace("’", "&rsquo;") in page or message in page


def test_wrong_dates_in_an_export_get_a_400_and_no_file(admin_client):
    response = admin_client.get(export("csv"), {**PERIOD, "date_to_year": "2024"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The dates of the report are not valid" in page
    assert "must be the same as or after" in page
    assert not AccessLogEntry.objects.exists()


def test_only_csv_and_xlsx_exports(admin_client):
    assert admin_client.get(export("pdf")).status_code == 404


# --- Exports ------------------------------------------------------------------------------


def test_csv_export_is_logged_and_readable(admin_client, admin_user):
    hand_counted()
    response = admin_client.get(export("csv"), PERIOD)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="sightline-training-report-2025-04-01-to-2026-03-31.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")  # a byte-order mark, for Excel
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Training report, 1 April 2025 to 31 March 2026"]
    assert ["Practitioners attended", "5"] in rows
    assert ["Attendances", "6"] in rows
    assert ["Rated good or excellent (%)", "71.4"] in rows
    assert ["Education", "1", "1", "400", "Census 2025", "0.3", "Yes"] in rows
    assert ["Northshire Police", "Police", "2", "3", "1", "4", "25.0"] in rows
    assert [
        "Loop theme: exploitation",
        "2",
        "",
        "0",
        "No course covers this theme: raise with the practice development group",
    ] in rows
    entry = AccessLogEntry.objects.get()
    assert entry.user == admin_user
    assert entry.action == AccessLogEntry.Action.EXPORT
    assert entry.object_repr == "Training report (CSV)"
    assert entry.detail == "From 2025-04-01 to 2026-03-31"


def test_xlsx_export_has_a_sheet_for_each_table_and_is_logged(admin_client):
    hand_counted()
    response = admin_client.get(export("xlsx"), PERIOD)
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == [
        "Summary",
        "Reach by sector",
        "By agency",
        "Courses past review",
        "Learning loop",
    ]
    agencies = [list(row) for row in book["By agency"].iter_rows(values_only=True)]
    assert agencies[1][0] == "Agency"
    assert ["Northshire Police", "Police", 2, 3, 1, 4, 25] in agencies
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["By agency"]
    assert sheet.freeze_panes == "A3"  # under the title and the header row
    assert sheet.auto_filter.ref.startswith("A2:")
    assert sheet["A2"].font.b
    assert AccessLogEntry.objects.get().object_repr == "Training report (XLSX)"


# --- The learning loop page ---------------------------------------------------------------


def test_learning_loop_page_flags_themes_with_no_course(signed_in):
    hand_counted()
    page = signed_in(Role.TRAINER).get(LOOP, PERIOD).content.decode()
    assert "4 cases opened from 1 April 2025 to 31 March 2026" in page
    assert "1 theme has no course that covers it" in page
    assert "No course covers this theme: raise with the practice development group" in page
    assert "Loop theme: neglect" in page
    assert "Loop theme: online harm" not in page


# --- Workforce figures --------------------------------------------------------------------


def test_workforce_figures_are_saved_together(admin_client, admin_user):
    SectorWorkforceFactory.create(sector=Sector.HOUSING, headcount=75)
    page = admin_client.get(WORKFORCE).content.decode()
    assert 'name="housing_headcount" type="text" value="75"' in page
    response = admin_client.post(
        WORKFORCE,
        {
            "police_headcount": "1,200",
            "police_source": "Force return 2025",
            "health_headcount": " 3400 ",
            "housing_headcount": "",
        },
    )
    assert response.status_code == 302
    assert dict(SectorWorkforce.objects.values_list("sector", "headcount")) == {
        "police": 1200,
        "health": 3400,
    }
    assert SectorWorkforce.objects.get(sector="police").source == "Force return 2025"
    assert AuditEvent.objects.filter(object_type="training.sectorworkforce").count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"education_headcount": "lots"},
            "Enter the Education headcount as a whole number, like 1200",
        ),
        (
            {"education_headcount": "0"},
            "The Education headcount must be 1 or more, or leave it blank",
        ),
        ({"education_headcount": "2.5"}, "Enter the Education headcount as a whole number"),
        (
            {"education_source": "Guess"},
            "Enter the Education headcount, or clear where the figure comes from",
        ),
        ({"education_headcount": "5", "education_source": "x" * 201}, "200 characters or fewer"),
    ],
)
def test_bad_workforce_figures_are_refused_and_nothing_is_saved(admin_client, data, message):
    response = admin_client.post(WORKFORCE, {"police_headcount": "900", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SectorWorkforce.objects.exists()


def test_a_failure_part_way_saves_none_of_the_figures(admin_client, monkeypatch):
    saved = []
    real = services.workforce_save

    def fail_on_health(**kwargs):
        if kwargs["sector"] == Sector.HEALTH:
            from django.core.exceptions import ValidationError

            raise ValidationError({"headcount": "The health figure could not be saved"})
        saved.append(kwargs["sector"])
        return real(**kwargs)

    monkeypatch.setattr(services, "workforce_save", fail_on_health)
    response = admin_client.post(WORKFORCE, {"police_headcount": "900", "health_headcount": "40"})
    assert response.status_code == 400
    assert "The health figure could not be saved" in response.content.decode()
    assert "police" in saved
    assert not SectorWorkforce.objects.exists()


# --- Query counts -------------------------------------------------------------------------


def grow(times: int) -> None:
    """Per unit: a course on a theme, past its review date; a session in the period with
    six bookings from three sectors; three evaluations; a case raising the theme."""
    for _ in range(times):
        theme = PracticeTheme.objects.create(name=f"Growth theme {PracticeTheme.objects.count()}")
        course = CourseFactory.create(review_date=D(2025, 1, 1), themes=[theme])
        session = SessionFactory.create(
            course=course,
            starts_at=datetime.datetime(2025, 6, 2, 10, tzinfo=LONDON),
            ends_at=datetime.datetime(2025, 6, 2, 12, tzinfo=LONDON),
        )
        for sector in (Sector.POLICE, Sector.HEALTH, Sector.VOLUNTARY):
            agency = AgencyFactory.create(sector=sector)
            for attendance in (Attendance.ATTENDED, Attendance.DID_NOT_ATTEND):
                BookingFactory.create(
                    session=session,
                    agency=agency,
                    delegate=UserFactory.create(),
                    attendance=attendance,
                )
        for rating in (Rating.GOOD, Rating.POOR, Rating.EXCELLENT):
            EvaluationFactory.create(session=session, rating=rating)
        CaseFactory.create(opened_on=D(2025, 7, 1)).themes.add(theme)


@pytest.mark.parametrize(
    ("url", "role", "expected"),
    [
        # Session, user and memberships; the report's seven queries (the session is written
        # back at most once a minute, and not within the minute after signing in).
        (REPORT, Role.EXECUTIVE, 10),
        # The same around the learning loop's four queries.
        (LOOP, Role.TRAINER, 7),
        # The report's seven, the learning loop's four and the access log entry.
        (export("csv"), Role.ADMINISTRATOR, 15),
        (export("xlsx"), Role.ADMINISTRATOR, 15),
    ],
)
def test_query_count_stays_the_same_at_ten_times_the_rows(
    signed_in, django_assert_num_queries, url, role, expected
):
    SectorWorkforceFactory.create(sector=Sector.POLICE, headcount=500)
    client = signed_in(role)
    grow(1)
    with django_assert_num_queries(expected):
        assert client.get(url, PERIOD).status_code == 200
    grow(9)
    with django_assert_num_queries(expected):
        response = client.get(url, PERIOD)
    assert response.status_code == 200
    if url == REPORT:
        assert "30 people, " in response.content.decode()
