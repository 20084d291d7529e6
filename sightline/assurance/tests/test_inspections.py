"""Inspections: recording them, their recommendations in the learning tracker, and the
quarterly inspection update for the Executive; the services, then the pages (who may use
them, what they say, and query counts that stay the same when the rows grow tenfold)."""

import csv
import datetime
import io
from collections.abc import Callable

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.tests.factories import AgencyFactory, UserFactory
from sightline.assurance.models import Inspection
from sightline.assurance.quarters import Quarter
from sightline.assurance.selectors.inspections import (
    inspection_actions_for_quarter,
    inspection_update_for_quarter,
)
from sightline.assurance.services.inspections import (
    inspection_create,
    inspection_edit,
    inspection_recommendation_add,
)
from sightline.assurance.views import inspections as views
from sightline.assurance.vocabulary import InspectionType, Inspectorate
from sightline.core.models import AccessLogEntry, AuditEvent
from sightline.core.roles import Role
from sightline.core.tests.pages import client_for, page_html
from sightline.learning.models import Recommendation
from sightline.learning.tests.factories import ActionFactory, RecommendationFactory
from sightline.learning.vocabulary import ActionStatus, SourceType

from .factories import InspectionFactory

text = page_html

pytestmark = pytest.mark.django_db

VIEWERS = {
    Role.ADMINISTRATOR,
    Role.EXECUTIVE,
    Role.REVIEW_OFFICER,
    Role.REVIEW_GROUP_MEMBER,
    Role.AGENCY_LEAD,
}
# 12 November 2025 is in 2025-26 Q3 (October to December 2025).
NOVEMBER_2025 = datetime.datetime(2025, 11, 12, 12, tzinfo=datetime.UTC)


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def inspection_data(**changes) -> dict:
    return {
        "inspectorate": Inspectorate.OFSTED,
        "kind": InspectionType.ILACS,
        "title": "Northshire ILACS 2025",
        "started_on": days(-40),
        "published_on": days(-10),
        "judgement": "Good",
        "report_url": "https://reports.ofsted.gov.uk/provider/44/80449",
        "summary": "Children are seen and heard.",
    } | changes


def recommendation_data(**changes) -> dict:
    return {
        "reference": "ILACS25/R1",
        "text": "Improve the timeliness of strategy discussions.",
        "made_date": days(-5),
        "lead": None,
        "agencies": [],
    } | changes


@pytest.fixture
def in_november_2025():
    with time_machine.travel(NOVEMBER_2025, tick=False):
        yield


# --- Recording inspections ------------------------------------------------------------


def test_an_inspection_is_recorded_with_its_audit_event(admin_user):
    inspection = inspection_create(
        actor=admin_user, data=inspection_data(title="  Northshire  ILACS 2025 ")
    )

    assert inspection.title == "Northshire ILACS 2025"
    assert inspection.created_by == admin_user
    event = AuditEvent.objects.get(object_type="assurance.inspection")
    assert event.kind == AuditEvent.Kind.CREATE
    assert event.actor == admin_user
    assert event.changes["judgement"] == {"from": None, "to": "Good"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"started_on": days(-10), "published_on": days(-20)},
            "published_on",
            "The report must be published on or after the day the inspection started",
        ),
        (
            {"started_on": days(366), "published_on": None},
            "started_on",
            "The start date cannot be more than a year from today: check the year",
        ),
        (
            {"published_on": days(1)},
            "published_on",
            "The date the report was published must be today or earlier",
        ),
        (
            {"report_url": "javascript:alert(1)"},
            "report_url",
            "Enter the link to the report as a full web address, starting https://",
        ),
        (
            {"inspectorate": Inspectorate.OFSTED, "kind": InspectionType.PEEL},
            "inspectorate",
            "PEEL inspection is carried out by HMICFRS: change the inspectorate or the type "
            "of inspection",
        ),
    ],
)
def test_an_inspection_that_does_not_add_up_is_refused_and_nothing_is_saved(
    admin_user, changes, field, message
):
    with pytest.raises(ValidationError) as refused:
        inspection_create(actor=admin_user, data=inspection_data(**changes))

    assert refused.value.message_dict[field] == [message]
    assert not Inspection.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_inspection_may_start_up_to_a_year_ahead_and_be_unpublished(admin_user):
    inspection = inspection_create(
        actor=admin_user, data=inspection_data(started_on=days(365), published_on=None)
    )
    assert inspection.published_on is None


def test_changing_an_inspection_records_the_changes_and_renames_its_recommendations_source(
    admin_user,
):
    inspection = inspection_create(actor=admin_user, data=inspection_data())
    rec = inspection_recommendation_add(
        actor=admin_user, inspection=inspection, data=recommendation_data()
    )

    inspection_edit(
        actor=admin_user,
        inspection=inspection,
        data=inspection_data(title="Northshire ILACS (November 2025)", judgement="Outstanding"),
    )

    event = AuditEvent.objects.filter(
        object_type="assurance.inspection", kind=AuditEvent.Kind.UPDATE
    ).latest("id")
    assert event.changes == {
        "title": {"from": "Northshire ILACS 2025", "to": "Northshire ILACS (November 2025)"},
        "judgement": {"from": "Good", "to": "Outstanding"},
    }
    rec.refresh_from_db()
    assert rec.source_title == "Northshire ILACS (November 2025)"
    assert AuditEvent.objects.filter(
        object_type="learning.recommendation", kind=AuditEvent.Kind.UPDATE
    ).exists()


def test_saving_an_unchanged_inspection_records_nothing(admin_user):
    inspection = inspection_create(actor=admin_user, data=inspection_data())
    inspection_edit(actor=admin_user, inspection=inspection, data=inspection_data())
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.UPDATE).count() == 0


def test_an_inspection_cannot_start_after_a_recommendation_it_made(admin_user):
    inspection = inspection_create(actor=admin_user, data=inspection_data())
    inspection_recommendation_add(
        actor=admin_user, inspection=inspection, data=recommendation_data(made_date=days(-30))
    )
    with pytest.raises(ValidationError) as refused:
        inspection_edit(
            actor=admin_user, inspection=inspection, data=inspection_data(started_on=days(-20))
        )
    assert "check the dates" in refused.value.message_dict["started_on"][0]


# --- Recommendations in the learning tracker ------------------------------------------


def test_a_recommendation_is_made_in_the_learning_tracker_and_linked_in_one_go(admin_user):
    inspection = inspection_create(actor=admin_user, data=inspection_data())
    police = AgencyFactory.create(name="Northshire Police")

    rec = inspection_recommendation_add(
        actor=admin_user,
        inspection=inspection,
        data=recommendation_data(lead=admin_user, agencies=[police]),
    )

    assert rec.source_type == SourceType.INSPECTION
    assert rec.source_title == "Northshire ILACS 2025"
    assert rec.lead == admin_user
    assert list(rec.agencies.all()) == [police]
    assert list(inspection.recommendations.all()) == [rec]
    assert AuditEvent.objects.filter(
        object_type="learning.recommendation", kind=AuditEvent.Kind.CREATE
    ).exists()
    linked = AuditEvent.objects.get(object_type="assurance.inspection", kind=AuditEvent.Kind.UPDATE)
    assert linked.changes == {"recommendations": {"from": None, "to": "ILACS25/R1"}}


def test_a_recommendation_with_a_reference_in_use_is_refused_and_nothing_is_saved(admin_user):
    inspection = InspectionFactory.create()
    RecommendationFactory.create(reference="ILACS25/R1")

    with pytest.raises(ValidationError) as refused:
        inspection_recommendation_add(
            actor=admin_user,
            inspection=inspection,
            data=recommendation_data(reference="ilacs25/r1"),
        )

    assert "already exists" in refused.value.message_dict["reference"][0]
    assert Recommendation.objects.count() == 1
    assert not inspection.recommendations.exists()
    assert not AuditEvent.objects.exists()


def test_a_recommendation_made_before_the_inspection_started_is_refused(admin_user):
    inspection = InspectionFactory.create(started_on=days(-10))
    with pytest.raises(ValidationError) as refused:
        inspection_recommendation_add(
            actor=admin_user, inspection=inspection, data=recommendation_data(made_date=days(-11))
        )
    assert (
        "on or after the day the inspection started" in refused.value.message_dict["made_date"][0]
    )
    assert not Recommendation.objects.exists()


# --- The quarterly update (selectors) ----------------------------------------------------


def _linked_action(inspection: Inspection, **fields):
    action = ActionFactory.create(recommendation__made_date=inspection.started_on, **fields)
    inspection.recommendations.add(action.recommendation)
    return action


def test_the_update_counts_each_inspections_actions_due_overdue_and_completed(in_november_2025):
    q3 = Quarter.parse("2025-26 Q3")
    ilacs = InspectionFactory.create(
        title="Northshire ILACS",
        started_on=datetime.date(2025, 6, 2),
        published_on=datetime.date(2025, 10, 20),
    )
    peel = InspectionFactory.create(
        title="Northshire Police PEEL",
        inspectorate=Inspectorate.HMICFRS,
        kind=InspectionType.PEEL,
        started_on=datetime.date(2025, 12, 1),
    )
    InspectionFactory.create(title="Last year's visit", started_on=datetime.date(2024, 5, 1))
    due = _linked_action(
        ilacs,
        reference="A-DUE",
        recommendation__reference="ILACS/R2",
        due_date=datetime.date(2025, 12, 15),
    )
    overdue = _linked_action(
        ilacs,
        reference="A-LATE",
        recommendation__reference="ILACS/R1",
        due_date=datetime.date(2025, 8, 1),
    )
    done = _linked_action(
        peel,
        reference="A-DONE",
        due_date=datetime.date(2026, 3, 1),
        status=ActionStatus.COMPLETE,
        completed_date=datetime.date(2025, 10, 3),
    )
    _linked_action(peel, reference="A-LATER", due_date=datetime.date(2026, 5, 1))
    _linked_action(
        ilacs,
        reference="A-CLOSED",
        due_date=datetime.date(2025, 7, 1),
        status=ActionStatus.CLOSED_INCOMPLETE,
        closed_reason="Superseded",
    )
    ActionFactory.create(reference="A-NOT-INSPECTION", due_date=datetime.date(2025, 12, 1))

    update = inspection_update_for_quarter(quarter=q3)

    assert [row["inspection"].title for row in update["inspections"]] == [
        "Northshire ILACS",
        "Northshire Police PEEL",
    ]
    assert update["inspections"][0]["published_in_quarter"]
    assert not update["inspections"][0]["started_in_quarter"]
    assert update["inspections"][1]["started_in_quarter"]
    assert {row["inspection"]: row for row in update["counts"]} == {
        "Northshire ILACS": {
            "inspection_id": ilacs.pk,
            "inspection": "Northshire ILACS",
            "due_in_quarter": 1,
            "overdue": 1,
            "completed_in_quarter": 0,
        },
        "Northshire Police PEEL": {
            "inspection_id": peel.pk,
            "inspection": "Northshire Police PEEL",
            "due_in_quarter": 0,
            "overdue": 0,
            "completed_in_quarter": 1,
        },
    }
    assert update["totals"] == {"due_in_quarter": 1, "overdue": 1, "completed_in_quarter": 1}
    assert [row["action_id"] for row in update["actions"]] == [overdue.pk, due.pk, done.pk]


def test_the_pack_gets_each_open_action_due_by_the_quarters_end_once(in_november_2025):
    q3 = Quarter.parse("2025-26 Q3")
    jtai = InspectionFactory.create(
        title="Northshire JTAI",
        kind=InspectionType.JTAI,
        inspectorate=Inspectorate.JOINT,
        started_on=datetime.date(2025, 9, 1),
    )
    older = InspectionFactory.create(title="Older visit", started_on=datetime.date(2025, 5, 1))
    police = AgencyFactory.create(name="Northshire Police")
    late = _linked_action(
        jtai,
        reference="JTAI/R1/A1",
        recommendation__reference="JTAI/R1",
        agency=police,
        due_date=datetime.date(2025, 11, 1),
        status=ActionStatus.AT_RISK,
    )
    older.recommendations.add(late.recommendation)  # answers both: listed once
    due = _linked_action(jtai, reference="JTAI/R1/A2", due_date=datetime.date(2025, 12, 20))
    _linked_action(jtai, reference="NEXT", due_date=datetime.date(2026, 1, 5))
    _linked_action(
        jtai,
        reference="DONE",
        due_date=datetime.date(2025, 11, 1),
        status=ActionStatus.COMPLETE,
        completed_date=datetime.date(2025, 11, 2),
    )
    _linked_action(
        jtai,
        reference="CLOSED",
        due_date=datetime.date(2025, 10, 1),
        status=ActionStatus.CLOSED_INCOMPLETE,
        closed_reason="Superseded",
    )

    rows = inspection_actions_for_quarter(quarter=q3)

    assert [row["reference"] for row in rows] == ["JTAI/R1/A1", "JTAI/R1/A2"]
    assert rows[0] == {
        "inspection_id": jtai.pk,
        "inspection": "Northshire JTAI",
        "recommendation_id": late.recommendation_id,
        "recommendation": "JTAI/R1",
        "action_id": late.pk,
        "reference": "JTAI/R1/A1",
        "description": late.description,
        "agency": "Northshire Police",
        "due_date": datetime.date(2025, 11, 1),
        "status": "At risk",
        "status_code": "at_risk",
        "completed_date": None,
        "closed_date": None,
        "due_in_quarter": True,
        "overdue": True,
        "completed_in_quarter": False,
    }
    assert (rows[1]["action_id"], rows[1]["overdue"]) == (due.pk, False)


def test_a_past_quarter_is_judged_at_its_end(in_november_2025):
    inspection = InspectionFactory.create(started_on=datetime.date(2025, 1, 6))
    # Due in Q1 and completed in Q3: overdue at the end of Q1 and of Q2.
    action = _linked_action(
        inspection,
        due_date=datetime.date(2025, 6, 1),
        status=ActionStatus.COMPLETE,
        completed_date=datetime.date(2025, 10, 10),
    )

    def flags(quarter: str) -> list[tuple[bool, bool, bool]]:
        update = inspection_update_for_quarter(quarter=Quarter.parse(quarter))
        return [
            (row["due_in_quarter"], row["overdue"], row["completed_in_quarter"])
            for row in update["actions"]
        ]

    assert flags("2025-26 Q1") == [(True, True, False)]
    assert flags("2025-26 Q2") == [(False, True, False)]
    assert flags("2025-26 Q3") == [(False, False, True)]
    assert flags("2025-26 Q4") == []
    pack_q2 = inspection_actions_for_quarter(quarter=Quarter.parse("2025-26 Q2"))
    assert [(row["action_id"], row["overdue"]) for row in pack_q2] == [(action.pk, True)]
    assert inspection_actions_for_quarter(quarter=Quarter.parse("2025-26 Q3")) == []


# --- Pages: who may use them ---------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_everyone_who_steers_the_system_sees_inspections_and_the_update(make_user, role):
    inspection = InspectionFactory.create()
    client = client_for(make_user(role))
    expected = 200 if role in VIEWERS else 403
    for url in (
        reverse("assurance:inspection_list"),
        inspection.get_absolute_url(),
        reverse("assurance:inspection_update"),
        reverse("assurance:inspection_update_export"),
    ):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("role", list(Role))
def test_only_administrators_record_inspections_and_their_recommendations(make_user, role):
    inspection = InspectionFactory.create()
    client = client_for(make_user(role))
    expected = 200 if role == Role.ADMINISTRATOR else 403
    for url in (
        reverse("assurance:inspection_create"),
        reverse("assurance:inspection_edit", kwargs={"pk": inspection.pk}),
        reverse("assurance:inspection_recommendation_create", kwargs={"pk": inspection.pk}),
    ):
        assert client.get(url).status_code == expected, url
    page = text(client.get(inspection.get_absolute_url()))
    assert ("Add a recommendation" in page) is (role == Role.ADMINISTRATOR)


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("assurance:inspection_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_an_inspection_that_does_not_exist_is_not_found(admin_client):
    assert (
        admin_client.get(reverse("assurance:inspection_detail", kwargs={"pk": 999})).status_code
        == 404
    )


# --- Pages: what they do and say -----------------------------------------------------------


def _form(**changes) -> dict:
    started = days(-40)
    published = days(-10)
    data = {
        "inspectorate": "ofsted",
        "kind": "ilacs",
        "title": "Northshire ILACS 2025",
        "started_on_day": started.day,
        "started_on_month": started.month,
        "started_on_year": started.year,
        "published_on_day": published.day,
        "published_on_month": published.month,
        "published_on_year": published.year,
        "judgement": "Requires improvement to be good",
        "report_url": "https://reports.ofsted.gov.uk/provider/44/80449",
        "summary": "",
    }
    return data | changes


def test_recording_an_inspection_on_its_page(admin_client):
    page = text(admin_client.get(reverse("assurance:inspection_create")))
    assert '<datalist id="judgement-suggestions">' in page
    assert 'list="judgement-suggestions"' in page

    response = admin_client.post(reverse("assurance:inspection_create"), _form())

    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == inspection.get_absolute_url()
    page = text(admin_client.get(response["Location"]))
    assert "Northshire ILACS 2025 has been saved." in page
    assert "Requires improvement to be good" in page
    assert 'href="https://reports.ofsted.gov.uk/provider/44/80449"' in page


def test_the_inspection_form_says_what_to_fix_and_saves_nothing(admin_client):
    response = admin_client.post(
        reverse("assurance:inspection_create"),
        _form(title="", report_url="not a link", kind="", published_on_year="20"),
    )
    page = text(response)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Enter the inspection's title" in page
    assert "Enter the link to the report as a full web address, starting https://" in page
    assert "Choose the type of inspection" in page
    assert "the year must include 4 numbers" in page
    assert not Inspection.objects.exists()


def test_the_services_checks_show_on_the_form(admin_client):
    later = days(-5)
    response = admin_client.post(
        reverse("assurance:inspection_create"),
        _form(started_on_day=later.day, started_on_month=later.month, started_on_year=later.year),
    )
    assert response.status_code == 400
    assert "The report must be published on or after the day the inspection started" in text(
        response
    )
    assert not Inspection.objects.exists()


def test_changing_an_inspection_on_its_page(admin_client):
    inspection = InspectionFactory.create(title="Old title")
    page = text(
        admin_client.get(reverse("assurance:inspection_edit", kwargs={"pk": inspection.pk}))
    )
    assert 'value="Old title"' in page

    response = admin_client.post(
        reverse("assurance:inspection_edit", kwargs={"pk": inspection.pk}), _form(title="New title")
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.title == "New title"


def test_adding_a_recommendation_goes_on_to_its_actions_in_the_learning_tracker(admin_client):
    inspection = InspectionFactory.create(title="Northshire ILACS", started_on=days(-30))
    url = reverse("assurance:inspection_recommendation_create", kwargs={"pk": inspection.pk})
    page = text(admin_client.get(url))
    assert f'value="INS{inspection.pk}/R1"' in page

    made = days(-1)
    response = admin_client.post(
        url,
        {
            "reference": f"INS{inspection.pk}/R1",
            "text": "Strengthen management oversight of casework.",
            "made_date_day": made.day,
            "made_date_month": made.month,
            "made_date_year": made.year,
            "lead": "",
        },
    )

    rec = Recommendation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:recommendation_detail", kwargs={"pk": rec.pk})
    page = text(admin_client.get(response["Location"]))
    assert "has been added to the learning tracker" in page
    assert "Inspection: Northshire ILACS" in page
    assert "Add an action" in page
    assert f'value="INS{inspection.pk}/R2"' in text(admin_client.get(url))


def test_adding_a_recommendation_says_what_to_fix(admin_client):
    inspection = InspectionFactory.create()
    response = admin_client.post(
        reverse("assurance:inspection_recommendation_create", kwargs={"pk": inspection.pk}),
        {"reference": "", "text": ""},
    )
    page = text(response)
    assert response.status_code == 400
    assert "Enter the reference" in page
    assert "Enter the recommendation" in page
    assert "Enter the date it was made" in page
    assert not Recommendation.objects.exists()


def test_an_inspections_page_shows_its_recommendations_and_their_actions(make_user):
    inspection = InspectionFactory.create(judgement="Good")
    late = _linked_action(
        inspection, reference="ILACS/R1/A1", due_date=days(-3), recommendation__reference="ILACS/R1"
    )
    client = client_for(make_user(Role.EXECUTIVE))

    page = text(client.get(inspection.get_absolute_url()))

    assert "ILACS/R1" in page
    assert reverse("learning:action_detail", kwargs={"pk": late.pk}) in page
    assert "Overdue" in page
    assert "Change the inspection" not in page
    assert "Add an action" not in page


def test_the_list_shows_counts_and_filters_by_inspectorate(make_user):
    ilacs = InspectionFactory.create(title="Northshire ILACS")
    _linked_action(ilacs, due_date=days(-1))
    _linked_action(ilacs, due_date=days(10))
    InspectionFactory.create(
        title="Northshire PEEL", inspectorate=Inspectorate.HMICFRS, kind=InspectionType.PEEL
    )
    client = client_for(make_user(Role.AGENCY_LEAD))

    page = text(client.get(reverse("assurance:inspection_list")))
    assert "2 inspections" in page
    row = page.split("Northshire ILACS</a>")[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>") if "numeric" in cell][:2] == [
        "2",
        "2",
    ]

    page = text(client.get(reverse("assurance:inspection_list"), {"inspectorate": "hmicfrs"}))
    assert "1 inspection" in page
    assert "Northshire ILACS" not in page

    refused = client.get(reverse("assurance:inspection_list"), {"inspectorate": "ofsted2"})
    assert refused.status_code == 400
    assert "Choose an inspectorate from the list" in text(refused)


# --- The quarterly update's page and download -----------------------------------------------


def test_the_update_page_shows_the_quarter_asked_for(admin_client, in_november_2025):
    inspection = InspectionFactory.create(
        title="Northshire ILACS", started_on=datetime.date(2025, 10, 6), judgement="Good"
    )
    _linked_action(inspection, reference="ILACS/A1", due_date=datetime.date(2025, 12, 1))

    page = text(admin_client.get(reverse("assurance:inspection_update"), {"quarter": "2025-26 Q3"}))

    assert "Inspection update: 2025-26 Q3" in page
    assert "October to December 2025" in page
    assert "Northshire ILACS" in page
    assert "ILACS/A1" in page
    assert "?quarter=2025-26%20Q2" in page
    assert "?quarter=2025-26%20Q4" in page


def test_the_update_shows_the_current_quarter_by_default(admin_client, in_november_2025):
    page = text(admin_client.get(reverse("assurance:inspection_update")))
    assert "Inspection update: 2025-26 Q3" in page
    assert "No inspection started or was published in 2025-26 Q3." in page


@pytest.mark.parametrize(
    "name", ["assurance:inspection_update", "assurance:inspection_update_export"]
)
def test_a_quarter_that_is_not_one_is_refused_with_how_to_write_it(admin_client, name):
    response = admin_client.get(reverse(name), {"quarter": "autumn 2025"})
    assert response.status_code == 400
    assert "write it like 2025-26 Q1" in text(response)
    assert not AccessLogEntry.objects.exists()


def test_the_update_downloads_as_csv_and_the_export_is_logged(
    admin_client, admin_user, in_november_2025
):
    inspection = InspectionFactory.create(
        title="=HYPERLINK(evil)", started_on=datetime.date(2025, 4, 1)
    )
    _linked_action(
        inspection,
        reference="A1",
        recommendation__reference="R1",
        agency=AgencyFactory.create(name="Northshire Police"),
        due_date=datetime.date(2025, 11, 30),
        status=ActionStatus.ON_TRACK,
    )

    response = admin_client.get(
        reverse("assurance:inspection_update_export"), {"quarter": "2025-26 Q3"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="sightline-inspection-update-2025-26-Q3.csv"' in response["Content-Disposition"]
    )
    assert response.content.startswith(b"\xef\xbb\xbf")  # a byte-order mark, for Excel
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["inspection", "recommendation", "action"]
    assert rows[1] == [
        "'=HYPERLINK(evil)",
        "R1",
        "A1",
        "Northshire Police",
        "2025-11-30",
        "On track",
        "",
        "yes",
        "no",
        "no",
    ]
    entry = AccessLogEntry.objects.get()
    assert entry.user == admin_user
    assert entry.action == AccessLogEntry.Action.EXPORT
    assert entry.object_repr == "Inspection update 2025-26 Q3 (CSV)"


# --- Query counts ---------------------------------------------------------------------------


def assert_queries_flat(
    client: Client, url: str, grow: Callable[[int], object], expected: int, assert_num_queries
) -> None:
    """The page takes ``expected`` queries with a few rows and with ten times as many."""
    grow(1)
    with assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow(9)
    with assert_num_queries(expected):
        assert client.get(url).status_code == 200


def _inspections_with_actions(times: int, **fields) -> list[Inspection]:
    made = []
    for _ in range(times * 2):
        inspection = InspectionFactory.create(**fields)
        for due in (days(-5), days(20)):
            _linked_action(inspection, due_date=due)
        made.append(inspection)
    return made


def test_drawing_the_pages_runs_no_query(
    admin_client, monkeypatch, django_assert_num_queries, in_november_2025
):
    """Every query is made before the template is drawn (by the selectors)."""
    inspection = InspectionFactory.create(started_on=datetime.date(2025, 10, 1))
    action = _linked_action(inspection, due_date=datetime.date(2025, 11, 1))
    action.recommendation.lead = UserFactory.create()
    action.recommendation.save()
    draw = views.render

    def guarded(*args, **kwargs):
        with django_assert_num_queries(0):
            return draw(*args, **kwargs)

    monkeypatch.setattr(views, "render", guarded)
    for url in (
        reverse("assurance:inspection_list"),
        inspection.get_absolute_url(),
        reverse("assurance:inspection_edit", kwargs={"pk": inspection.pk}),
        reverse("assurance:inspection_recommendation_create", kwargs={"pk": inspection.pk}),
        reverse("assurance:inspection_update"),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_inspection_list_queries_do_not_grow(admin_client, django_assert_num_queries):
    assert_queries_flat(
        admin_client,
        reverse("assurance:inspection_list"),
        _inspections_with_actions,
        5,
        django_assert_num_queries,
    )


def test_inspection_page_queries_do_not_grow(admin_client, django_assert_num_queries):
    inspection = InspectionFactory.create()

    def grow(times: int) -> None:
        for _ in range(times * 2):
            rec = RecommendationFactory.create(
                made_date=inspection.started_on, lead=UserFactory.create()
            )
            inspection.recommendations.add(rec)
            ActionFactory.create(recommendation=rec, due_date=days(-1))
            ActionFactory.create(recommendation=rec)

    assert_queries_flat(
        admin_client, inspection.get_absolute_url(), grow, 6, django_assert_num_queries
    )


def test_update_page_and_export_queries_do_not_grow(admin_client, django_assert_num_queries):
    quarter = Quarter.containing(timezone.localdate())

    def grow(times: int) -> None:
        for inspection in _inspections_with_actions(times, started_on=quarter.start):
            _linked_action(inspection, due_date=quarter.end)

    assert_queries_flat(
        admin_client, reverse("assurance:inspection_update"), grow, 5, django_assert_num_queries
    )
    with django_assert_num_queries(6):
        assert admin_client.get(reverse("assurance:inspection_update_export")).status_code == 200
