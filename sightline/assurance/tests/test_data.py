"""Data scrutiny: measures by dataset with their latest figure and exceptions, a measure's
chart and table over quarters, entering a figure, uploading a dataset file all or nothing,
the upload template; who may do what, and query counts that do not grow."""

import datetime
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory
from sightline.assurance.models import DataPoint, Measure
from sightline.assurance.quarters import Quarter
from sightline.assurance.services import data as services
from sightline.core.models import AccessLogEntry, AuditEvent
from sightline.core.roles import Role
from sightline.core.tests.pages import client_for, page_text

from .factories import DataPointFactory, GroupFactory, GroupMemberFactory, MeasureFactory

text = page_text

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# 15 November 2025: this quarter is 2025-26 Q3, the last one 2025-26 Q2.
NOW = datetime.datetime(2025, 11, 15, 12, 0, tzinfo=LONDON)
Q1, Q2, Q3 = Quarter(2025, 1), Quarter(2025, 2), Quarter(2025, 3)
MEASURES = reverse("assurance:measure_list")
UPLOAD = reverse("assurance:data_import")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def as_admin(admin_user):
    return client_for(admin_user)


@pytest.fixture
def as_executive(make_user):
    return client_for(make_user(Role.EXECUTIVE))


@pytest.fixture
def neglect():
    """Section 42 enquiries about neglect, an exception above 40 a quarter."""
    return MeasureFactory.create(
        code="SAC-S42-NEGLECT",
        name="Section 42 enquiries: neglect and acts of omission",
        dataset="Safeguarding Adults Collection",
        breakdown="Type of abuse: neglect and acts of omission",
        group=GroupFactory.create(name="Adults' assurance subgroup"),
        threshold=Decimal(40),
        direction="above",
    )


def enter_url(measure: Measure) -> str:
    return reverse("assurance:data_point_enter", kwargs={"pk": measure.pk})


def token_of(preview) -> str:
    """The token the preview page carries to the import."""
    found = re.search(r'name="token" value="([^"]+)"', preview.content.decode())
    assert found is not None, "the preview offers no import"
    return found[1]


def upload(client: Client, content: str | bytes, name: str = "figures.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data)})


# --- The list of measures ------------------------------------------------------------------


def test_measures_are_grouped_by_dataset_with_their_latest_figure_and_exception(
    as_executive, neglect
):
    DataPointFactory.create(measure=neglect, quarter_start=Q1.start, value=Decimal(30))
    DataPointFactory.create(measure=neglect, quarter_start=Q2.start, value=Decimal(45))
    gps = MeasureFactory.create(
        name="GPs at child protection conferences",
        dataset="Attendance at safeguarding meetings",
        unit="%",
        threshold=Decimal(60),
        direction="below",
    )
    DataPointFactory.create(measure=gps, quarter_start=Q2.start, value=Decimal("72.5"))
    MeasureFactory.create(name="Not collected yet", dataset="Attendance at safeguarding meetings")
    MeasureFactory.create(name="Retired measure", is_active=False)

    page = text(as_executive.get(MEASURES))

    assert "Safeguarding Adults Collection" in page
    assert "Attendance at safeguarding meetings" in page
    assert "Section 42 enquiries: neglect and acts of omission" in page
    assert "45 Exception 2025-26 Q2" in page
    assert "72.5% 2025-26 Q2 An exception when below 60%" in page
    assert "Not collected yet" in page
    assert "Retired measure" not in page
    assert "1 measure raises an exception" in page
    assert "Upload a dataset" not in page


def test_administrators_also_see_measures_no_longer_collected(as_admin):
    MeasureFactory.create(name="Retired measure", is_active=False)
    page = text(as_admin.get(MEASURES))
    assert "Retired measure No longer collected" in page
    assert "Upload a dataset" in page


def test_measures_filter_by_dataset_group_and_exceptions(as_executive, neglect):
    DataPointFactory.create(measure=neglect, quarter_start=Q2.start, value=Decimal(45))
    MeasureFactory.create(name="Calm measure", dataset="Safeguarding Adults Collection")
    MeasureFactory.create(name="Other dataset measure", dataset="Children's notifications")

    page = text(as_executive.get(MEASURES, {"exceptions_only": "on"}))
    assert "Section 42 enquiries" in page
    assert "Calm measure" not in page

    page = text(as_executive.get(MEASURES, {"dataset": "Children's notifications"}))
    assert "Other dataset measure" in page
    assert "Calm measure" not in page

    page = text(as_executive.get(MEASURES, {"group": neglect.group.pk}))
    assert "Section 42 enquiries" in page
    assert "Other dataset measure" not in page

    refused = as_executive.get(MEASURES, {"dataset": "No such dataset"})
    assert refused.status_code == 400
    assert "There is a problem" in text(refused)


def test_data_pages_are_for_those_who_see_system_assurance(make_user, neglect):
    client = client_for(make_user(Role.TRAINER))
    assert client.get(MEASURES).status_code == 403
    assert client.get(neglect.get_absolute_url()).status_code == 403


# --- A measure's chart and table --------------------------------------------------------


def test_measure_page_draws_the_chart_and_gives_the_same_figures_in_a_table(as_executive, neglect):
    DataPointFactory.create(measure=neglect, quarter_start=Q3.previous().previous().start, value=30)
    DataPointFactory.create(
        measure=neglect, quarter_start=Q3.start, value=Decimal(52), note="Spike"
    )

    response = as_executive.get(neglect.get_absolute_url())
    body = response.content.decode()
    page = text(response)

    assert response.status_code == 200
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="measure-chart-title measure-chart-desc"' in svg
    assert "style=" not in svg
    assert "<script" not in body.split("<main", 1)[1].split("</main>")[0]
    assert ">Threshold<" in svg  # the threshold line's label
    assert ">40<" in svg
    assert svg.count("<rect") == 1  # one figure beyond the threshold, marked
    assert "<polyline" in svg
    assert (
        "Section 42 enquiries: neglect and acts of omission by quarter, 2025-26 Q1 to 2025-26 Q3."
        in page
    )
    assert "An exception when above 40: 1 quarter (2025-26 Q3)." in page
    # The table: newest first, the quarter with no figure shown as such.
    assert "2025-26 Q3 52 Exception Spike" in page
    assert "2025-26 Q2 Not recorded" in page
    assert "2025-26 Q1 30" in page
    assert page.index("2025-26 Q3 52") < page.index("2025-26 Q1 30")
    assert "1 quarter beyond the threshold: 2025-26 Q3 (52)." in page


def test_a_measure_with_no_figures_says_so_and_draws_no_chart(as_executive):
    measure = MeasureFactory.create()
    response = as_executive.get(measure.get_absolute_url())
    assert "<svg" not in response.content.decode()
    assert "No figures recorded yet." in text(response)
    assert "This measure has no threshold, so it raises no exceptions." in text(response)


def test_a_measure_unknown_is_not_found(as_executive):
    url = reverse("assurance:measure_detail", kwargs={"pk": 999})
    assert as_executive.get(url).status_code == 404


# --- Adding and changing measures ---------------------------------------------------------


def test_administrator_adds_a_measure_with_a_threshold(as_admin):
    group = GroupFactory.create(name="Children's assurance subgroup")
    response = as_admin.post(
        reverse("assurance:measure_create"),
        {
            "code": "CSPR-NOTIFICATIONS",
            "name": "Serious incident notifications",
            "dataset": "Children's serious incident notifications",
            "unit": "number",
            "group": group.pk,
            "threshold": "3",
            "direction": "above",
        },
    )
    measure = Measure.objects.get(code="CSPR-NOTIFICATIONS")
    assert response.status_code == 302
    assert response["Location"] == measure.get_absolute_url()
    assert (measure.threshold, measure.direction, measure.group) == (Decimal(3), "above", group)
    assert AuditEvent.objects.filter(
        object_type="assurance.measure", object_id=str(measure.pk), kind="create"
    ).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "sac-s42-neglect"}, "Another measure already has the code sac-s42-neglect"),
        ({"code": "SAC S42"}, "Use only letters, numbers, hyphens, full stops and underscores"),
        ({"threshold": "5"}, "Choose whether a figure above or below the threshold"),
        ({"threshold": "five"}, "Enter the threshold as a number"),
        ({"group": ""}, "Choose the group the measure's exceptions go to"),
    ],
)
def test_a_measure_with_bad_details_is_refused(as_admin, neglect, fields, message):
    data = {
        "code": "NEW-1",
        "name": "New",
        "dataset": "D",
        "unit": "number",
        "group": neglect.group.pk,
        "threshold": "",
        "direction": "",
        **fields,
    }
    response = as_admin.post(reverse("assurance:measure_create"), data)
    assert response.status_code == 400
    assert message in text(response)
    assert Measure.objects.count() == 1


def test_the_service_refuses_a_code_taken_in_another_case(admin_user, neglect):
    with pytest.raises(ValidationError, match="already has the code"):
        services.measure_create(
            actor=admin_user, code="Sac-S42-Neglect", name="N", dataset="D", group=neglect.group
        )


def test_changing_a_measure_audits_the_change(as_admin, neglect):
    edit = reverse("assurance:measure_edit", kwargs={"pk": neglect.pk})
    assert "SAC-S42-NEGLECT" in text(as_admin.get(edit))
    response = as_admin.post(
        edit,
        {
            "code": "SAC-S42-NEGLECT",
            "name": neglect.name,
            "dataset": neglect.dataset,
            "breakdown": neglect.breakdown,
            "unit": "number",
            "group": neglect.group.pk,
            "threshold": "50",
            "direction": "above",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    neglect.refresh_from_db()
    assert neglect.threshold == Decimal(50)
    event = AuditEvent.objects.get(object_type="assurance.measure", kind="update")
    assert event.changes == {"threshold": {"from": "40.00", "to": "50.00"}}


def test_clearing_the_threshold_stops_the_exceptions(as_admin, neglect):
    DataPointFactory.create(measure=neglect, quarter_start=Q2.start, value=Decimal(45))
    response = as_admin.post(
        reverse("assurance:measure_edit", kwargs={"pk": neglect.pk}),
        {
            "code": neglect.code,
            "name": neglect.name,
            "dataset": neglect.dataset,
            "unit": "number",
            "group": neglect.group.pk,
            "threshold": "",
            "direction": "above",  # a radio button cannot be unticked: it is ignored
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    neglect.refresh_from_db()
    assert (neglect.threshold, neglect.direction) == (None, "")
    assert "0 measures raise an exception" in text(as_admin.get(MEASURES))


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.AGENCY_LEAD])
def test_only_administrators_manage_measures_and_upload(make_user, neglect, role):
    client = client_for(make_user(role))
    assert client.get(reverse("assurance:measure_create")).status_code == 403
    edit = reverse("assurance:measure_edit", kwargs={"pk": neglect.pk})
    assert client.get(edit).status_code == 403
    assert client.get(UPLOAD).status_code == 403
    assert client.get(reverse("assurance:data_template")).status_code == 403


# --- Entering a figure ------------------------------------------------------------------


@pytest.fixture
def member(make_user, neglect):
    """An agency lead who sits on the measure's group."""
    lead = make_user(Role.AGENCY_LEAD, full_name="Lee Lead")
    GroupMemberFactory.create(group=neglect.group, user=lead, agency=AgencyFactory.create())
    return lead


def test_a_group_member_enters_a_figure_and_it_is_audited(member, neglect):
    client = client_for(member)
    form = client.get(enter_url(neglect))
    assert form.status_code == 200
    assert "An exception when above 40." in text(form)

    response = client.post(
        enter_url(neglect), {"quarter": "2025-26 Q2", "value": "1,234", "note": "From the SAC"}
    )

    assert response.status_code == 302
    point = DataPoint.objects.get(measure=neglect)
    assert (point.quarter_start, point.value, point.note) == (
        Q2.start,
        Decimal(1234),
        "From the SAC",
    )
    assert point.recorded_by == member
    event = AuditEvent.objects.get(object_type="assurance.datapoint")
    assert event.kind == AuditEvent.Kind.CREATE
    assert event.changes["value"] == {"from": None, "to": "1234.00"}


def test_entering_a_figure_again_replaces_it_and_audits_the_old_value(as_admin, neglect):
    DataPointFactory.create(measure=neglect, quarter_start=Q2.start, value=Decimal(12))
    form = text(as_admin.get(enter_url(neglect), {"quarter": "2025-26 Q2"}))
    assert "The figure recorded for 2025-26 Q2 is 12." in form

    as_admin.post(enter_url(neglect), {"quarter": "2025-26 Q2", "value": "14.5"})

    assert DataPoint.objects.get(measure=neglect).value == Decimal("14.5")
    event = AuditEvent.objects.get(object_type="assurance.datapoint", kind="update")
    assert event.changes["value"] == {"from": "12.00", "to": "14.50"}


def test_entering_the_same_figure_again_changes_nothing(admin_user, neglect):
    services.data_point_enter(actor=admin_user, measure=neglect, quarter=Q2, value=Decimal(5))
    services.data_point_enter(actor=admin_user, measure=neglect, quarter=Q2, value=Decimal(5))
    assert AuditEvent.objects.filter(object_type="assurance.datapoint").count() == 1


def test_an_older_quarter_can_be_entered_from_the_address(as_admin, neglect):
    page = as_admin.get(enter_url(neglect), {"quarter": "2019-20 Q4"}).content.decode()
    assert '<option value="2019-20 Q4" selected>' in page
    response = as_admin.post(enter_url(neglect), {"quarter": "2019-20 Q4", "value": "3"})
    assert response.status_code == 302
    assert DataPoint.objects.get(measure=neglect).quarter_start == datetime.date(2020, 1, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quarter": "2025-26 Q2", "value": "lots"}, "is not a number: write the figure in digits"),
        ({"quarter": "2025-26 Q2", "value": "1.234"}, "has more than 2 decimal places"),
        ({"quarter": "2025-26 Q2", "value": ""}, "Enter the figure, like 42 or 12.5"),
        ({"quarter": "2026-27 Q1", "value": "3"}, "2026-27 Q1 has not begun yet"),
        ({"quarter": "spring", "value": "3"}, "is not a quarter: write it like 2025-26 Q1"),
        ({"value": "3"}, "Choose the quarter"),
    ],
)
def test_a_bad_figure_is_refused_with_a_clear_message(as_admin, neglect, data, message):
    response = as_admin.post(enter_url(neglect), data)
    assert response.status_code == 400
    assert message in text(response)
    assert not DataPoint.objects.exists()


def test_only_the_groups_members_and_administrators_enter_figures(make_user, neglect):
    client = client_for(make_user(Role.AGENCY_LEAD))
    assert client.get(enter_url(neglect)).status_code == 403
    assert (
        client.post(enter_url(neglect), {"quarter": "2025-26 Q2", "value": "3"}).status_code == 403
    )
    assert not DataPoint.objects.exists()
    page = text(client.get(neglect.get_absolute_url()))
    assert "Enter a figure" not in page


# --- Uploading a dataset ---------------------------------------------------------------


def test_an_upload_is_previewed_then_saved_all_together(as_admin, admin_user, neglect):
    other = MeasureFactory.create(code="CSPR-NOTIFICATIONS", name="Serious incident notifications")
    DataPointFactory.create(measure=neglect, quarter_start=Q1.start, value=Decimal(20))
    DataPointFactory.create(measure=neglect, quarter_start=Q2.start, value=Decimal(30), note="Kept")
    csv = (
        "measure_code,quarter,value\n"
        "sac-s42-neglect,2025-26 Q1,25\n"  # changed
        "SAC-S42-NEGLECT,2025-26 Q2,30\n"  # unchanged (the note column is not in the file)
        "SAC-S42-NEGLECT,2025-26 Q3,41\n"  # new, beyond the threshold
        "CSPR-NOTIFICATIONS,2024/25 Q4,2\n"  # new
    )

    preview = upload(as_admin, csv)

    assert preview.status_code == 200
    page = text(preview)
    assert (
        "Nothing saved yet: 2 new figures, 1 changed, 1 unchanged; 1 new or changed figure "
        "beyond the threshold." in page
    )
    assert "2025-26 Q1 20 25" in page
    assert "2025-26 Q3 None 41 Exception" in page
    assert DataPoint.objects.count() == 2
    token = token_of(preview)

    done = as_admin.post(UPLOAD, {"token": token})

    assert done.status_code == 302
    assert done["Location"] == MEASURES
    values = {
        (point.measure.code, point.quarter_start): (point.value, point.note)
        for point in DataPoint.objects.select_related("measure")
    }
    assert values == {
        ("SAC-S42-NEGLECT", Q1.start): (Decimal(25), ""),
        ("SAC-S42-NEGLECT", Q2.start): (Decimal(30), "Kept"),
        ("SAC-S42-NEGLECT", Q3.start): (Decimal(41), ""),
        ("CSPR-NOTIFICATIONS", datetime.date(2025, 1, 1)): (Decimal(2), ""),
    }
    assert other.points.get().recorded_by == admin_user
    events = AuditEvent.objects.filter(object_type="assurance.datapoint")
    assert sorted(events.values_list("kind", flat=True)) == ["create", "create", "update"]
    summary = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert "Dataset figures.csv: 2 new figures, 1 changed, 1 unchanged" in summary.detail


def test_an_upload_with_unknown_measures_or_quarters_is_refused_and_nothing_saved(
    as_admin, neglect
):
    DataPointFactory.create(measure=neglect, quarter_start=Q1.start, value=Decimal(20))
    csv = (
        "measure_code,quarter,value,note\n"
        "SAC-S42-NEGLECT,2025-26 Q1,21,fine\n"
        "SAC-S42-MISSING,2025-26 Q1,5,\n"
        "SAC-S42-NEGLECT,Spring 2025,5,\n"
        "SAC-S42-NEGLECT,2025-26 Q2,about ten,\n"
    )

    response = upload(as_admin, csv)

    assert response.status_code == 400
    page = text(response)
    assert "The file was not uploaded" in page
    assert "Nothing was saved." in page
    assert "line 3, column measure_code: 'SAC-S42-MISSING' is not a measure in Sightline" in page
    assert (
        "line 4, column quarter: 'Spring 2025' is not a quarter: write it like 2025-26 Q1" in page
    )
    assert "line 5, column value: 'about ten' is not a number" in page
    assert DataPoint.objects.get().value == Decimal(20)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused(as_admin):
    response = upload(as_admin, "hello", name="figures.txt")
    assert response.status_code == 400
    assert "The file must be a .csv or .xlsx file" in text(response)


def test_an_xlsx_upload_is_read_too(as_admin, neglect):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Measure code", "Quarter", "Value", "Note"])
    sheet.append(["SAC-S42-NEGLECT", "2025-26 Q2", 12.5, "From the workbook"])
    buffer = io.BytesIO()
    book.save(buffer)

    preview = upload(as_admin, buffer.getvalue(), name="figures.xlsx")
    token = token_of(preview)
    as_admin.post(UPLOAD, {"token": token})

    point = DataPoint.objects.get()
    assert (point.value, point.note) == (Decimal("12.5"), "From the workbook")


def test_a_changed_database_between_preview_and_import_is_checked_again(as_admin, neglect):
    preview = upload(as_admin, "measure_code,quarter,value\nSAC-S42-NEGLECT,2025-26 Q2,12\n")
    token = token_of(preview)
    neglect.code = "SAC-S42-RENAMED"
    neglect.save()

    response = as_admin.post(UPLOAD, {"token": token})

    assert response.status_code == 400
    assert "'SAC-S42-NEGLECT' is not a measure in Sightline" in text(response)
    assert not DataPoint.objects.exists()


def test_the_template_lists_every_measure_collected_now_for_last_quarter(as_admin, neglect):
    MeasureFactory.create(code="RETIRED", is_active=False)
    response = as_admin.get(reverse("assurance:data_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # a byte-order mark, for Excel
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "measure_code,measure_name,quarter,value,note"
    assert lines[1:] == [
        "SAC-S42-NEGLECT,Section 42 enquiries: neglect and acts of omission,2025-26 Q2,,"
    ]
    assert AccessLogEntry.objects.filter(action="export", object_type="assurance.measure").exists()


def test_the_template_comes_back_as_a_good_upload_once_filled_in(as_admin, neglect):
    template = as_admin.get(reverse("assurance:data_template")).content.decode()
    filled = template.replace("2025-26 Q2,,", "2025-26 Q2,17,")
    preview = upload(as_admin, filled)
    assert preview.status_code == 200
    assert "1 new figure" in text(preview)


# --- Query counts -------------------------------------------------------------------------


def assert_queries_flat(client, url, grow, expected, assert_num_queries) -> None:
    """The page takes ``expected`` queries with a few rows and with ten times as many."""
    grow(1)
    with assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow(9)
    with assert_num_queries(expected):
        assert client.get(url).status_code == 200


def _points(measure: Measure, count: int) -> None:
    existing = measure.points.count()
    quarter = Quarter(2000, 1)
    for _ in range(existing):
        quarter = quarter.next()
    for _ in range(count):
        DataPointFactory.create(measure=measure, quarter_start=quarter.start, value=Decimal(7))
        quarter = quarter.next()


def test_measure_list_queries_do_not_grow(as_executive, django_assert_num_queries):
    def grow(times: int) -> None:
        for index in range(times * 3):
            measure = MeasureFactory.create(
                dataset=f"Dataset {index % 2}", threshold=Decimal(5), direction="above"
            )
            _points(measure, 2)

    assert_queries_flat(as_executive, MEASURES, grow, 8, django_assert_num_queries)


def test_the_measure_list_comes_in_pages(as_executive):
    MeasureFactory.create_batch(55, dataset="Big dataset")
    first = text(as_executive.get(MEASURES))
    assert "Showing 1 to 50 of 55 measures." in first
    second = text(as_executive.get(MEASURES, {"page": "2"}))
    assert "Showing 51 to 55 of 55 measures." in second
    assert "Big dataset" in second


def test_measure_page_queries_do_not_grow(as_executive, neglect, django_assert_num_queries):
    assert_queries_flat(
        as_executive,
        neglect.get_absolute_url(),
        lambda times: _points(neglect, times * 3),
        6,
        django_assert_num_queries,
    )


def test_the_import_page_gives_this_years_quarter_as_its_example(as_admin):
    from sightline.assurance.forms.data import DatasetUploadForm

    page = as_admin.get(UPLOAD).content.decode()
    assert f"written like {DatasetUploadForm.quarter_example}" in page
    with time_machine.travel(datetime.datetime(2027, 5, 2, 12, tzinfo=datetime.UTC)):
        assert str(DatasetUploadForm.quarter_example) == "2027-28 Q1 (April to June 2027)"
