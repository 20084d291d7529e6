import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from sightline.core.models import AccessLogEntry, AppendOnlyError, AuditEvent
from sightline.core.services import audit_record, changes_between, snapshot


def test_changes_between_lists_only_changed_fields():
    before = {"name": "Old", "sector": "police", "is_active": True}
    after = {"name": "New", "sector": "police", "is_active": False}
    assert changes_between(before, after) == {
        "name": {"from": "Old", "to": "New"},
        "is_active": {"from": True, "to": False},
    }


def test_changes_from_nothing_records_every_field():
    assert changes_between({}, {"name": "A"}) == {"name": {"from": None, "to": "A"}}


def test_snapshot_renders_dates_and_relations_as_text(agency):
    values = snapshot(agency, ["name", "created_at"])
    assert values["name"] == agency.name
    assert values["created_at"] == agency.created_at.isoformat()


@pytest.fixture
def event(admin_user, agency):
    return audit_record(actor=admin_user, kind=AuditEvent.Kind.UPDATE, obj=agency, changes={})


def test_audit_event_records_actor_and_object(event, admin_user, agency):
    assert event.actor_email == admin_user.email
    assert (event.object_type, event.object_id) == ("accounts.agency", str(agency.pk))


def test_audit_events_cannot_be_changed_through_the_orm(event):
    event.detail = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_database_refuses_raw_updates_of_audit_events(event):
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET detail = 'rewritten' WHERE id = %s", [event.pk])  # noqa: S608
    event.refresh_from_db()
    assert event.detail == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="delete trigger is PostgreSQL's")
def test_postgresql_refuses_raw_deletes_of_audit_events(event):
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_trail_filters_by_person_kind_and_date(admin_client, admin_user, make_user, agency):
    other = make_user(email="other.person@example.test")
    audit_record(actor=other, kind=AuditEvent.Kind.SIGN_IN, obj=other)
    audit_record(actor=admin_user, kind=AuditEvent.Kind.UPDATE, obj=agency)
    url = reverse("core:audit_trail")

    def shown(**query) -> str:
        response = admin_client.get(url, query)
        assert response.status_code == 200
        return response.content.decode().split("<tbody", 1)[-1].split("</tbody>")[0]

    by_person = shown(person="other.person")
    assert other.email in by_person
    assert admin_user.email not in by_person

    by_kind = shown(kind="update")
    assert "Changed" in by_kind
    assert "Signed in" not in by_kind

    by_object = shown(object_type="accounts.agency", object_id=agency.pk)
    assert agency.name in by_object
    assert other.email not in by_object

    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    future = admin_client.get(
        url,
        {
            "date_from_day": tomorrow.day,
            "date_from_month": tomorrow.month,
            "date_from_year": tomorrow.year,
        },
    )
    assert "No events match these filters" in future.content.decode()


def test_audit_trail_explains_a_bad_date(admin_client):
    response = admin_client.get(
        reverse("core:audit_trail"),
        {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2024"},
    )
    assert response.status_code == 200
    assert "From must be a real date" in response.content.decode()


def test_audit_trail_query_count_does_not_grow(
    admin_client, admin_user, django_assert_max_num_queries
):
    def count_for(rows: int) -> int:
        for _ in range(rows):
            audit_record(actor=admin_user, kind=AuditEvent.Kind.SIGN_IN, obj=admin_user)
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse("core:audit_trail")).status_code == 200
        return len(queries)

    assert count_for(3) == count_for(30)


def test_audit_export_is_logged_and_neutralises_formulas(admin_client, admin_user):
    audit_record(actor=admin_user, kind=AuditEvent.Kind.UPDATE, detail="=HYPERLINK(1)")
    response = admin_client.get(reverse("core:audit_trail_export"))
    assert response.content.startswith(b"\xef\xbb\xbf")  # a byte-order mark, for Excel
    body = response.content.decode("utf-8-sig")
    assert body.startswith("when,person,")
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in body
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action) == (admin_user, AccessLogEntry.Action.EXPORT)
