"""The audit trail's hash chain on PostgreSQL, the production database: tampering by a
superuser behind the service's back is named, TRUNCATE is refused, events in flight are never
sealed past, and the least-privilege role of docs/operations.md cannot alter the trail."""

import datetime
import io
import re
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils.crypto import get_random_string

from sightline.core import audit_seals
from sightline.core.models import AccessLogEntry, AuditEvent, AuditSeal
from sightline.core.services import access_log_record, audit_record

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's triggers, roles and locks"
)
TRAIL = ("core_auditevent", "core_accesslogentry", "core_auditseal", "core_auditcheckpoint")
DOCS = Path(settings.BASE_DIR) / "docs" / "operations.md"
INSUFFICIENT_PRIVILEGE = "42501"


def _verify(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _behind_the_service(sql: str, params: list[int]) -> None:
    """What a superuser can do: skip every trigger for this transaction and write."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.fixture
def events(admin_user, agency):
    made = [
        audit_record(actor=admin_user, kind=AuditEvent.Kind.UPDATE, obj=agency, detail=f"n{n}")
        for n in range(6)
    ]
    access_log_record(user=admin_user, action=AccessLogEntry.Action.EXPORT, obj=agency)
    audit_seals.seal(block_size=3)
    return made


def test_untouched_trail_verifies(events):
    code, out, _ = _verify()
    assert code == 0
    assert "7 events verified in 3 seals" in out


def test_a_superusers_update_of_one_row_is_named(events):
    target = events[4]
    _behind_the_service(
        "UPDATE core_auditevent SET detail = 'nothing to see' WHERE id = %s", [target.pk]
    )
    code, _, err = _verify()
    assert code == 1
    assert f"Audit trail event {target.pk} (seal" in err
    assert "changed after it was sealed" in err


def test_a_superusers_delete_of_one_row_is_named(events):
    target = events[1]
    _behind_the_service("DELETE FROM core_auditevent WHERE id = %s", [target.pk])
    code, _, err = _verify()
    assert code == 1
    assert f"Audit trail event {target.pk}" in err
    assert "deleted" in err


def test_a_truncated_tail_is_found_by_the_anchor(events, tmp_path, monkeypatch):
    anchors = str(tmp_path / "anchors.jsonl")
    monkeypatch.setattr(settings, "SIGHTLINE_AUDIT_ANCHOR_FILE", anchors)
    anchored = audit_seals.anchor()
    assert anchored is not None
    last = AuditSeal.objects.get(pk=anchored.seal_id)
    _behind_the_service("DELETE FROM core_auditseal WHERE id = %s", [last.pk])
    _behind_the_service("DELETE FROM core_accesslogentry WHERE id >= %s", [last.first_id])
    # The chain that is left is whole in itself: only the anchor shows what went.
    monkeypatch.setattr(settings, "SIGHTLINE_AUDIT_ANCHOR_FILE", "")
    assert audit_seals.verify().ok
    monkeypatch.setattr(settings, "SIGHTLINE_AUDIT_ANCHOR_FILE", anchors)
    code, _, err = _verify()
    assert code == 1
    assert f"Seal {anchored.seal_id}: was anchored and is missing" in err


def _refusal(*statements: str) -> DatabaseError:
    """The error that stopped ``statements``, run in a savepoint of their own."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    except DatabaseError as error:
        return error
    raise AssertionError(f"Not refused: {statements}")


@pytest.mark.parametrize("table", TRAIL)
def test_truncate_is_refused(events, table):
    refused = _refusal(
        # The test settings allow TRUNCATE so the test database can be emptied.
        "SET LOCAL sightline.allow_truncate = 'off'",
        # The events' foreign keys are checked at commit: check them now, or PostgreSQL
        # refuses TRUNCATE for those pending checks before the trigger is asked.
        "SET CONSTRAINTS ALL IMMEDIATE",
        f"TRUNCATE {table} CASCADE",
    )
    assert "cannot be truncated" in str(refused)
    assert AuditEvent.objects.count() == len(events)


def test_update_and_delete_are_refused_outside_archiving(events):
    assert "append-only" in str(_refusal("DELETE FROM core_auditseal"))
    assert "append-only" in str(_refusal("DELETE FROM core_auditevent"))
    assert "append-only" in str(_refusal("UPDATE core_auditevent SET detail = 'x'"))


# --- Events still being written are never sealed past ----------------------------------


def _raw_connection() -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
    )


@pytest.mark.django_db(transaction=True)
def test_an_event_in_flight_holds_back_its_table_until_it_commits(admin_user):
    with _raw_connection() as other:
        in_flight = other.execute(
            "INSERT INTO core_auditevent (occurred_at, actor_email, kind, object_type, "
            "object_id, object_repr, changes, detail) "
            "VALUES (now(), '', 'sign_in', '', '', '', '{}', 'slow') RETURNING id"
        ).fetchone()
        assert in_flight is not None
        later = audit_record(actor=admin_user, kind=AuditEvent.Kind.SIGN_OUT)
        assert later.pk > in_flight[0]
        held = audit_seals.seal()
        # Sealing past the event in flight would leave it outside every seal once it commits.
        assert held.deferred == ["audit_event"]
        assert not AuditSeal.objects.filter(table="audit_event").exists()
        other.commit()
    sealed = audit_seals.seal()
    assert sealed.deferred == []
    result = audit_seals.verify()
    assert result.ok
    assert result.unsealed == 0
    seal = AuditSeal.objects.get(table="audit_event")
    assert seal.first_id <= in_flight[0] < later.pk == seal.last_id


# --- The least-privilege application role of docs/operations.md ------------------------


def _grants_from_docs() -> str:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", text, flags=re.DOTALL)
    found = [block for block in blocks if "Grants for the application role" in block]
    assert len(found) == 1, "docs/operations.md lost its grants block"
    return found[0]


@pytest.fixture
def app_role(db):
    role = f"sightline_app_test_{get_random_string(10).lower()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(_grants_from_docs().replace("sightline_app", role))
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def test_the_application_role_cannot_alter_the_trail(events, app_role):
    for sql in (
        "UPDATE core_auditevent SET detail = 'x'",
        "DELETE FROM core_auditevent",
        "DELETE FROM core_accesslogentry",
        "UPDATE core_auditseal SET count = 1",
        "DELETE FROM core_auditseal",
        "DELETE FROM core_auditcheckpoint",
        *(f"TRUNCATE {table}" for table in TRAIL),
        "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
        "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only",
        "ALTER TABLE core_auditseal DISABLE TRIGGER core_auditseal_no_truncate",
        "DROP TRIGGER core_auditevent_append_only ON core_auditevent",
        "SET session_replication_role = replica",
    ):
        refused = _refusal(f"SET LOCAL ROLE {app_role}", sql)
        assert getattr(refused.__cause__, "sqlstate", "") == INSUFFICIENT_PRIVILEGE, sql
    assert AuditEvent.objects.count() == len(events)
    assert audit_seals.verify().ok


def test_the_application_role_can_add_read_and_seal(events, admin_user, app_role):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {app_role}")
        added = audit_record(actor=admin_user, kind=AuditEvent.Kind.SIGN_IN)
        access_log_record(user=admin_user, action=AccessLogEntry.Action.VIEW, object_type="x")
        assert AuditEvent.objects.filter(pk=added.pk).exists()
        sealed = audit_seals.seal()
        assert (sealed.seals, sealed.events) == (2, 2)
        assert audit_seals.verify().ok
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == app_role
        cursor.execute("RESET ROLE")


def test_head_from_a_raw_connection_matches(events):
    assert audit_seals.head_from_connection(connection.connection) == audit_seals.head()
    head = audit_seals.head()
    assert head is not None
    assert head.sealed_at.tzinfo is not None
    assert head.sealed_at <= datetime.datetime.now(datetime.UTC)


def test_the_application_role_archives_whole_blocks_only_through_the_owners_function(
    admin_user, app_role, tmp_path
):
    with time_machine.travel(datetime.datetime(2024, 2, 1, tzinfo=datetime.UTC), tick=False):
        old = audit_record(actor=admin_user, kind=AuditEvent.Kind.SIGN_IN)
        audit_seals.seal()
    kept = audit_record(actor=admin_user, kind=AuditEvent.Kind.SIGN_OUT)
    audit_seals.seal()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {app_role}")
        made = audit_seals.archive_before(
            before=datetime.date(2025, 1, 1), to=tmp_path, actor=admin_user
        )
        cursor.execute("RESET ROLE")
    assert (made.seals, made.events) == (1, 1)
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    audit_seals.seal()
    assert audit_seals.verify().ok
    # Its own DELETE, even with the archiving flag set, is still refused.
    refused = _refusal(
        f"SET LOCAL ROLE {app_role}",
        "SET LOCAL sightline.audit_archive = 'on'",
        "DELETE FROM core_auditevent",
    )
    assert getattr(refused.__cause__, "sqlstate", "") == INSUFFICIENT_PRIVILEGE
