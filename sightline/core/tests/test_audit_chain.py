"""The audit trail's hash chain: pure hashing, sealing, verifying, anchoring and archiving."""

import datetime
import io
import itertools
import json

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from sightline.core import audit_chain, audit_seals
from sightline.core.models import AccessLogEntry, AuditCheckpoint, AuditEvent, AuditSeal
from sightline.core.outbox import outbox_deliver_all
from sightline.core.schedules import schedule_named
from sightline.core.services import access_log_record, audit_record

UTC = datetime.UTC
ON_SQLITE = pytest.mark.skipif(connection.vendor != "sqlite", reason="tampering by SQLite SQL")


# --- pure hashing ---------------------------------------------------------------------


def test_canonical_form_sorts_keys_and_fixes_the_time_format():
    when = datetime.datetime(2026, 3, 1, 9, 30, 5, 120, tzinfo=UTC)
    assert (
        audit_chain.canonical({"b": 1, "a": when}) == b'{"a":"2026-03-01T09:30:05.000120Z","b":1}'
    )


def test_the_same_moment_in_another_zone_hashes_the_same():
    utc = datetime.datetime(2026, 6, 1, 12, tzinfo=UTC)
    london = utc.astimezone(audit_seals.LONDON)
    assert audit_chain.row_hash({"id": 1, "occurred_at": utc}) == audit_chain.row_hash(
        {"id": 1, "occurred_at": london}
    )


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        audit_chain.row_hash({"id": 1, "occurred_at": datetime.datetime(2026, 1, 1)})


def test_empty_values_are_left_out_so_a_new_empty_column_keeps_old_hashes():
    old = {"id": 7, "detail": "x"}
    assert audit_chain.row_hash(old) == audit_chain.row_hash(
        {**old, "shown": False, "ip_address": None, "changes": {}, "note": ""}
    )
    assert audit_chain.row_hash(old) != audit_chain.row_hash({**old, "shown": True})
    # Zero is a value, not an empty one.
    assert audit_chain.row_hash(old) != audit_chain.row_hash({**old, "count": 0})


def test_any_change_to_a_field_changes_the_row_hash():
    row = {"id": 3, "detail": "Viewed", "changes": {"name": {"from": "A", "to": "B"}}}
    changed = {**row, "changes": {"name": {"from": "A", "to": "C"}}}
    assert audit_chain.row_hash(row) != audit_chain.row_hash(changed)
    assert audit_chain.row_hash(row) != audit_chain.row_hash({**row, "id": 4})


def test_block_records_range_count_and_digests():
    rows = [{"id": 2, "detail": "a"}, {"id": 5, "detail": "b"}]
    block = audit_chain.block_of(rows)
    assert (block.first_id, block.last_id, block.count) == (2, 5, 2)
    assert [row_id for row_id, _ in audit_chain.unpack_digests(block.digests)] == [2, 5]
    with pytest.raises(ValueError, match="increasing"):
        audit_chain.block_of(list(reversed(rows)))


def test_seal_hash_depends_on_every_part():
    block = audit_chain.block_of([{"id": 1, "detail": "a"}])
    base = audit_chain.seal_hash(
        previous_hash=audit_chain.GENESIS, table="audit_event", block=block
    )
    assert base != audit_chain.seal_hash(previous_hash="1" * 64, table="audit_event", block=block)
    assert base != audit_chain.seal_hash(
        previous_hash=audit_chain.GENESIS, table="access_log", block=block
    )
    wider = audit_chain.Block(1, 2, 1, block.rows_hash, block.digests)
    assert base != audit_chain.seal_hash(
        previous_hash=audit_chain.GENESIS, table="audit_event", block=wider
    )


def test_first_difference_names_changed_deleted_and_inserted_rows():
    rows = [{"id": n, "detail": str(n)} for n in (1, 2, 3)]
    sealed = audit_chain.block_of(rows).digests
    changed = audit_chain.block_of([rows[0], {"id": 2, "detail": "forged"}, rows[2]]).digests
    deleted = audit_chain.block_of([rows[0], rows[2]]).digests
    inserted = audit_chain.block_of([rows[0], {"id": 2, "detail": "2"}, rows[2], {"id": 4}])
    assert audit_chain.first_difference(sealed, sealed) is None
    assert audit_chain.first_difference(sealed, changed) == audit_chain.Difference(
        2, "was changed after it was sealed"
    )
    found = audit_chain.first_difference(sealed, deleted)
    assert found is not None
    assert found.event_id == 2
    assert "deleted" in found.reason
    found = audit_chain.first_difference(sealed, inserted.digests)
    assert found is not None
    assert found.event_id == 4
    assert "inserted" in found.reason


# --- sealing and verifying ------------------------------------------------------------


@pytest.fixture
def events(admin_user, agency):
    made = [
        audit_record(actor=admin_user, kind=AuditEvent.Kind.UPDATE, obj=agency, detail=f"n{n}")
        for n in range(5)
    ]
    access_log_record(user=admin_user, action=AccessLogEntry.Action.VIEW, obj=agency)
    return made


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_seal_covers_both_tables_in_blocks_chained_in_order(events):
    made = audit_seals.seal(block_size=2)
    assert (made.seals, made.events) == (4, 6)  # 5 audit events in 3 blocks, 1 access entry
    seals = list(AuditSeal.objects.order_by("id"))
    assert seals[0].previous_hash == audit_chain.GENESIS
    assert all(seal.previous_hash == before.hash for before, seal in itertools.pairwise(seals))
    assert [seal.count for seal in seals] == [2, 2, 1, 1]
    assert audit_seals.seal().seals == 0  # nothing new, nothing sealed
    result = audit_seals.verify()
    assert (result.ok, result.events, result.seals, result.unsealed) == (True, 6, 4, 0)


def test_block_size_is_bounded():
    with pytest.raises(ValueError, match="2000"):
        audit_seals.seal(block_size=2001)


def test_new_events_are_counted_as_unsealed_until_the_next_seal(events, admin_user):
    audit_seals.seal()
    audit_record(actor=admin_user, kind=AuditEvent.Kind.SIGN_IN)
    assert audit_seals.verify().unsealed == 1
    audit_seals.seal()
    assert audit_seals.verify().unsealed == 0


def test_audit_verify_reports_the_count_and_exits_0(events):
    audit_seals.seal()
    code, out, _ = _run()
    assert code == 0
    assert "6 events verified in 2 seals" in out


def test_head_and_head_from_connection_agree(events):
    assert audit_seals.head() is None
    audit_seals.seal()
    current = audit_seals.head()
    assert current is not None
    assert current == audit_seals.head_from_connection(connection.connection)


@ON_SQLITE
def test_changed_row_is_named(events):
    audit_seals.seal()
    target = events[2]
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER core_auditevent_no_update")
        cursor.execute("UPDATE core_auditevent SET detail = 'forged' WHERE id = %s", [target.pk])
    code, _, err = _run()
    assert code == 1
    assert f"Audit trail event {target.pk}" in err
    assert "changed after it was sealed" in err


def test_deleted_row_is_named(events):
    audit_seals.seal()
    target = events[3]
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL tests delete behind the triggers")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [target.pk])
    result = audit_seals.verify()
    assert result.mismatch is not None
    assert (result.mismatch.table, result.mismatch.event_id) == ("audit_event", target.pk)
    assert "deleted" in result.mismatch.reason


@ON_SQLITE
def test_back_dated_insert_into_a_sealed_range_is_named(events, admin_user):
    audit_seals.seal()
    forged_id = events[1].pk
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [forged_id])
    # Now a forged row goes in at the free id, inside the sealed block.
    AuditEvent.objects.create(
        id=forged_id,
        kind=AuditEvent.Kind.SIGN_IN,
        occurred_at=datetime.datetime(2020, 1, 1, tzinfo=UTC),
    )
    result = audit_seals.verify()
    assert result.mismatch is not None
    assert result.mismatch.event_id == forged_id


@ON_SQLITE
def test_a_forged_seal_breaks_the_chain(events):
    audit_seals.seal(block_size=2)
    second = AuditSeal.objects.order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER core_auditseal_no_update")
        cursor.execute("UPDATE core_auditseal SET count = 1 WHERE id = %s", [second.pk])
    result = audit_seals.verify()
    assert result.mismatch is not None
    assert (result.mismatch.table, result.mismatch.seal_id) == ("seal", second.pk)
    code, _, err = _run()
    assert code == 1
    assert f"Seal {second.pk}" in err


def test_removing_the_tail_is_caught_by_the_anchor(events, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "SIGHTLINE_AUDIT_ANCHOR_FILE", str(tmp_path / "anchors.jsonl"))
    audit_seals.seal(block_size=2)
    anchored = audit_seals.anchor()
    assert anchored is not None
    assert audit_seals.last_anchor() == anchored
    assert audit_seals.verify().ok
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL tests delete behind the triggers")
    last = AuditSeal.objects.get(pk=anchored.seal_id)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditseal WHERE id = %s", [last.pk])
        cursor.execute("DELETE FROM core_accesslogentry WHERE id >= %s", [last.first_id])
    result = audit_seals.verify()
    assert result.mismatch is not None
    assert result.mismatch.seal_id == anchored.seal_id
    assert "end of the trail was removed" in result.mismatch.reason
    code, _, _err = _run()
    assert code == 1


def test_expect_takes_an_emailed_head(events):
    audit_seals.seal()
    current = audit_seals.head()
    assert current is not None
    assert _run("--expect", f"{current.seal_id}:{current.hash}")[0] == 0
    code, _, err = _run("--expect", f"{current.seal_id}:{'0' * 64}")
    assert code == 1
    assert "differs from the anchored hash" in err
    code, _, err = _run("--expect", "not-a-head")
    assert code == 2
    assert "N:HASH" in err


def test_anchor_logs_emails_and_appends(events, tmp_path, monkeypatch, caplog):
    path = tmp_path / "anchors.jsonl"
    monkeypatch.setattr(settings, "SIGHTLINE_AUDIT_ANCHOR_FILE", str(path))
    monkeypatch.setattr(settings, "SIGHTLINE_AUDIT_ANCHOR_EMAIL", "ig.lead@example.org")
    assert audit_seals.anchor() is None  # nothing sealed yet
    audit_seals.seal()
    with caplog.at_level("INFO", logger="sightline.audit"):
        code, out, _ = _run("--anchor")
    current = audit_seals.head()
    assert code == 0
    assert current is not None
    assert f"Anchored the head: seal {current.seal_id}" in out
    assert current.hash in caplog.text
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(line["seal_id"], line["hash"]) for line in lines] == [(current.seal_id, current.hash)]
    outbox_deliver_all(worker_id="test")
    assert [message.to for message in mail.outbox] == [["ig.lead@example.org"]]
    assert current.hash in mail.outbox[0].body


def test_daily_schedule_seals_then_anchors(events, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "SIGHTLINE_AUDIT_ANCHOR_FILE", str(tmp_path / "a.jsonl"))
    schedule = schedule_named("core.audit_anchor")
    assert schedule is not None
    assert schedule.default_time == datetime.time(6, 0)
    done = schedule.run(datetime.datetime(2026, 5, 1, 6, tzinfo=UTC))
    current = audit_seals.head()
    assert current is not None
    assert done["events"] == 6
    assert done["head"] == current.seal_id
    assert audit_seals.last_anchor() == current


def test_worker_seals_within_a_round(events):
    call_command("worker", "--once", stdout=io.StringIO())
    # Everything is sealed, the fixture's events and whatever the round's schedules wrote:
    # the seals of each table hold every row of it, each once.
    assert audit_seals.verify().unsealed == 0
    sealed = dict(AuditSeal.objects.order_by().values_list("table").annotate(rows=Sum("count")))
    assert sealed == {
        AuditSeal.Trail.AUDIT: AuditEvent.objects.count(),
        AuditSeal.Trail.ACCESS: AccessLogEntry.objects.count(),
    }


# --- archiving ------------------------------------------------------------------------


def test_archive_exports_removes_and_restarts_the_chain(
    admin_user, agency, tmp_path, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime.datetime(2024, 1, 10, tzinfo=UTC), tick=False):
        old = [audit_record(actor=admin_user, kind=AuditEvent.Kind.SIGN_IN) for _ in range(3)]
        audit_seals.seal(block_size=2)
    with time_machine.travel(datetime.datetime(2026, 1, 10, tzinfo=UTC), tick=False):
        kept = audit_record(actor=admin_user, kind=AuditEvent.Kind.SIGN_OUT)
        audit_seals.seal()
    made = audit_seals.archive_before(
        before=datetime.date(2025, 1, 1), to=tmp_path, actor=admin_user
    )
    assert (made.seals, made.events) == (2, 3)
    assert not AuditEvent.objects.filter(pk__in=[event.pk for event in old]).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.audit_last_id == old[-1].pk
    assert audit_seals.verify_export(made.path)[0] == checkpoint.hash
    # The archiving is itself in the trail, and the chain verifies from the checkpoint.
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DELETE, detail__contains="Archived")
    audit_seals.seal()
    result = audit_seals.verify()
    assert result.ok
    assert result.checkpoint_seal_id == checkpoint.seal_id
    assert result.events == 2  # the kept event and the archiving's own
    with pytest.raises(audit_seals.ArchiveError, match="No sealed blocks"):
        audit_seals.archive_before(before=datetime.date(2025, 1, 1), to=tmp_path, actor=None)


def test_a_tampered_archive_file_is_refused(admin_user, tmp_path):
    with time_machine.travel(datetime.datetime(2024, 1, 10, tzinfo=UTC), tick=False):
        audit_record(actor=admin_user, kind=AuditEvent.Kind.SIGN_IN, detail="real")
        audit_seals.seal()
    made = audit_seals.archive_before(before=datetime.date(2025, 1, 1), to=tmp_path, actor=None)
    made.path.write_text(made.path.read_text().replace("real", "fake"))
    with pytest.raises(audit_seals.ArchiveError, match="does not match seal"):
        audit_seals.verify_export(made.path)


def test_archive_command_checks_its_arguments(tmp_path):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("audit_archive", "--before", "2024-13-01", "--to", str(tmp_path), stderr=err)
    assert exit.value.code == 2
    assert "YYYY-MM-DD" in err.getvalue()
    with pytest.raises(SystemExit) as exit:
        call_command(
            "audit_archive", "--before", "2024-01-01", "--to", str(tmp_path / "no"), stderr=err
        )
    assert exit.value.code == 1
    assert "is not a folder" in err.getvalue()


def test_archive_command_reports_what_it_did(admin_user, tmp_path):
    with time_machine.travel(datetime.datetime(2024, 1, 10, tzinfo=UTC), tick=False):
        audit_record(actor=admin_user, kind=AuditEvent.Kind.SIGN_IN)
        audit_seals.seal()
    out = io.StringIO()
    call_command("audit_archive", "--before", "2025-01-01", "--to", str(tmp_path), stdout=out)
    assert "Archived 1 events in 1 seals" in out.getvalue()
    assert len(list(tmp_path.iterdir())) == 1


def test_two_seals_cannot_follow_the_same_one(events):
    audit_seals.seal()
    first = AuditSeal.objects.order_by("id").first()
    assert first is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditSeal.objects.create(
            table="audit_event",
            first_id=1,
            last_id=1,
            count=1,
            rows_hash="a" * 64,
            hash="b" * 64,
            previous_hash=first.previous_hash,
            digests=b"",
        )


def test_a_worker_that_lost_the_race_seals_nothing_and_the_chain_holds(
    events, admin_user, monkeypatch
):
    audit_seals.seal()
    audit_record(actor=admin_user, kind=AuditEvent.Kind.SIGN_OUT)
    # As if another worker's seal had not been visible yet: this one follows the same seal.
    monkeypatch.setattr(audit_seals, "head", lambda using="default": None)
    assert audit_seals.seal().seals == 0
    monkeypatch.undo()
    assert audit_seals.seal().seals == 1
    assert audit_seals.verify().ok
