"""Histories people can read: audit events' changes as labels and values in words, a case's
viewers one row per person per day, and the access log's filters."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.tests.factories import UserFactory
from sightline.core.history import history_entries, readable_changes, record_kind
from sightline.core.models import AccessLogEntry, AuditEvent
from sightline.core.selectors import viewing_days_for_object
from sightline.core.services import access_log_record, audit_record
from sightline.reviews.tests.factories import CaseFactory


def _texts(object_type, changes, **options):
    return [row.text for row in readable_changes(object_type, changes, **options)]


def test_labels_and_choices_come_from_the_model():
    changes = {
        "harm_types": {"from": None, "to": ["physical", "self_neglect"]},
        "route": {"from": "child", "to": "adult"},
        "pseudonym": {"from": "", "to": "Adult N"},
        "published_date": {"from": "2026-01-15", "to": "2026-12-03"},
    }
    assert _texts("reviews.case", changes) == [
        "Harm types: none → Physical abuse, Self-neglect",
        "Route: Child serious incident → Safeguarding adult review",
        "Pseudonym: blank → Adult N",
        "Report published: 15 January 2026 → 3 December 2026",
    ]


def test_booleans_datetimes_and_names_the_service_chose():
    changes = {
        "is_active": {"from": True, "to": False},
        "date_joined": {"from": None, "to": "2026-07-01T08:05:00+00:00"},
        "roles": {"from": [], "to": ["Practitioner, Fenmoor College"]},
    }
    assert _texts("accounts.user", changes) == [
        "Can sign in: Yes → No",
        "Date joined: none → 1 July 2026 at 9:05am",  # British Summer Time
        "Roles: none → Practitioner, Fenmoor College",
    ]


def test_restricted_fields_say_only_that_they_changed():
    rows = readable_changes(
        "reviews.case",
        {
            "restricted_summary": {"from": "", "to": "Sensitive words"},
            "age_band": {"from": None, "to": "65_plus"},
        },
    )
    assert [row.text for row in rows] == [
        "Summary (restricted): restricted detail changed",
        "Age band: restricted detail changed",
    ]
    assert all(row.restricted and not row.before and not row.after for row in rows)


def test_a_created_record_lists_its_values_and_unknown_records_read_plainly():
    assert _texts("reviews.case", {"route": {"from": None, "to": "dhr"}}, created=True) == [
        "Route: Domestic homicide review"
    ]
    assert _texts("nowhere.thing", {"some_field": {"from": 1, "to": "x"}}) == ["Some field: 1 → x"]
    assert record_kind("reviews.case") == "Case"
    assert record_kind("assurance.pack") == "assurance.pack"


def test_long_text_is_cut_short_on_pages_and_kept_whole_for_exports():
    changes = {"summary": {"from": "", "to": "word " * 200}}
    short = readable_changes("learning.disseminationreturn", changes)[0]
    whole = readable_changes("learning.disseminationreturn", changes, limit=None)[0]
    assert len(short.after) <= 300
    assert short.after.endswith("…")
    assert whole.after == ("word " * 200)


def test_reading_many_events_runs_no_queries(db):
    for number in range(5):
        audit_record(
            actor=None,
            kind=AuditEvent.Kind.UPDATE,
            changes={"harm_types": {"from": [], "to": ["neglect"]}, "n": {"from": 0, "to": number}},
        )
    events = list(AuditEvent.objects.all())
    with CaptureQueriesContext(connection) as queries:
        entries = history_entries(events)
        texts = [row.text for entry in entries for row in entry.changes]
        kinds = [entry.get_kind_display() for entry in entries]
    assert len(queries) == 0
    assert len(texts) == 10
    assert kinds == ["Changed"] * 5


def test_viewers_are_one_row_per_person_per_day(db):
    anna, ben = UserFactory(full_name="Anna"), UserFactory(full_name="Ben")
    london = timezone.get_current_timezone()

    def view(user, when):
        with time_machine.travel(when, tick=False):
            access_log_record(
                user=user,
                action=AccessLogEntry.Action.VIEW,
                object_type="reviews.case",
                object_id="7",
            )

    for minute in (1, 2, 3):
        view(anna, datetime.datetime(2026, 6, 1, 9, minute, tzinfo=london))
    # 11:30pm in London on 1 June is 10:30pm UTC: still the first of June.
    view(anna, datetime.datetime(2026, 6, 1, 23, 30, tzinfo=london))
    view(anna, datetime.datetime(2026, 6, 2, 0, 30, tzinfo=london))
    view(ben, datetime.datetime(2026, 6, 1, 10, 0, tzinfo=london))
    access_log_record(
        user=ben, action=AccessLogEntry.Action.EXPORT, object_type="reviews.case", object_id="7"
    )
    rows = viewing_days_for_object(object_type="reviews.case", object_id="7")
    assert [(row.full_name, row.day, row.views) for row in rows] == [
        ("Anna", datetime.date(2026, 6, 2), 1),
        ("Anna", datetime.date(2026, 6, 1), 4),
        ("Ben", datetime.date(2026, 6, 1), 1),
    ]


@pytest.fixture
def access_log(db):
    anna = UserFactory(full_name="Anna Field", email="anna@example.test")
    ben = UserFactory(full_name="Ben Moss", email="ben@example.test")
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)):
        access_log_record(
            user=anna,
            action=AccessLogEntry.Action.VIEW,
            object_type="reviews.case",
            object_id="11",
            object_repr="CR-2026-01 Child A",
        )
    with time_machine.travel(datetime.datetime(2026, 4, 20, 12, tzinfo=datetime.UTC)):
        access_log_record(
            user=ben,
            action=AccessLogEntry.Action.EXPORT,
            object_type="learning.action",
            object_repr="Learning actions (XLSX)",
        )
    return anna, ben


def _rows(client, **query) -> str:
    response = client.get(reverse("core:access_log"), query)
    assert response.status_code == 200
    return response.content.decode().split("<tbody", 1)[-1].split("</tbody>")[0]


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"person": "anna"}, "CR-2026-01", "Learning actions"),
        ({"person": "Moss"}, "Learning actions", "CR-2026-01"),
        ({"action": "export"}, "Learning actions", "CR-2026-01"),
        ({"object_type": "reviews.case", "object_id": "11"}, "CR-2026-01", "Learning actions"),
        ({"record": "child a"}, "CR-2026-01", "Learning actions"),
        (
            {"date_from_day": "1", "date_from_month": "4", "date_from_year": "2026"},
            "Learning actions",
            "CR-2026-01",
        ),
        (
            {"date_to_day": "31", "date_to_month": "3", "date_to_year": "2026"},
            "CR-2026-01",
            "Learning actions",
        ),
    ],
)
def test_access_log_filters(admin_client, access_log, query, shown, hidden):
    rows = _rows(admin_client, **query)
    assert shown in rows
    assert hidden not in rows


def test_access_log_says_when_nothing_matches(admin_client, access_log):
    page = admin_client.get(reverse("core:access_log"), {"person": "nobody"}).content.decode()
    assert "No entries match these filters" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"action": "delete"}, "Choose viewed or exported from the list"),
        ({"object_type": "no.such"}, "Choose a kind of record from the list"),
        ({"object_id": "abc"}, "Record number must be a number, like 42"),
        (
            {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2026"},
            "From must be a real date",
        ),
        (
            {
                **{"date_from_day": "2", "date_from_month": "4", "date_from_year": "2026"},
                **{"date_to_day": "1", "date_to_month": "4", "date_to_year": "2026"},
            },
            "The ‘to’ date must be the same as or after the ‘from’ date",
        ),
    ],
)
def test_bad_access_log_filters_are_explained(admin_client, access_log, query, message):
    response = admin_client.get(reverse("core:access_log"), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page


def test_access_log_query_count_holds_at_ten_times_the_rows(admin_client):
    users = [UserFactory() for _ in range(3)]

    def count_for(rows: int) -> int:
        for number in range(rows):
            access_log_record(
                user=users[number % 3],
                action=AccessLogEntry.Action.VIEW,
                object_type="reviews.case",
                object_id=str(number),
                object_repr=f"Case {number}",
            )
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(reverse("core:access_log"), {"person": "@"})
            assert response.status_code == 200
        return len(queries)

    assert count_for(3) == count_for(30)


def test_audit_trail_reads_in_words(admin_client, admin_user):
    audit_record(
        actor=admin_user,
        kind=AuditEvent.Kind.UPDATE,
        changes={"roles": {"from": [], "to": ["Practitioner, Fenmoor College"]}},
        obj=admin_user,
    )
    page = admin_client.get(reverse("core:audit_trail")).content.decode()
    assert "Roles</strong>: none → Practitioner, Fenmoor College" in page
    assert "['Practitioner" not in page
    assert f"User {admin_user.pk}" in page


def test_audit_export_reads_in_words_keeps_machine_names_and_hides_restricted_values(
    admin_client, admin_user
):
    case = CaseFactory.create()
    audit_record(
        actor=admin_user,
        kind=AuditEvent.Kind.UPDATE,
        changes={
            "harm_types": {"from": None, "to": ["physical"]},
            "restricted_summary": {"from": "", "to": "Sensitive words"},
        },
        obj=case,
    )
    body = admin_client.get(reverse("core:audit_trail_export")).content.decode()
    assert "Harm types: none → Physical abuse; Summary (restricted): restricted detail" in body
    assert "Sensitive words" not in body
    assert "harm_types restricted_summary" in body
    assert ",update," in body
