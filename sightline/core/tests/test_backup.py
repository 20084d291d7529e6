"""The backup and restore drill, on whichever database DATABASE_URL names (SQLite by default,
PostgreSQL in CI): back up, verify by restoring into a scratch database, restore."""

import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from sightline.core import audit_seals, backup
from sightline.core import backup_crypto as crypto
from sightline.core.models import AuditEvent
from sightline.core.services import audit_record

pytestmark = pytest.mark.django_db(transaction=True)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"
)


@pytest.fixture
def key(monkeypatch) -> str:
    value = crypto.new_key()
    monkeypatch.setenv(crypto.KEY_ENV, value)
    return value


@pytest.fixture
def backup_dir(tmp_path, settings) -> Path:
    settings.SIGHTLINE_BACKUP_DIR = str(tmp_path / "backups")
    settings.SIGHTLINE_BACKUP_KEEP = 5
    return tmp_path / "backups"


@pytest.fixture
def some_data(make_user):
    user = make_user()
    for number in range(3):
        audit_record(actor=user, kind=AuditEvent.Kind.UPDATE, detail=f"Change {number}")
    return user


def _run(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=out)
    return out.getvalue()


def _only_backup(directory: Path) -> Path:
    (path,) = backup.backup_files(directory)
    return path


def test_the_drill_backs_up_verifies_and_restores(key, backup_dir, some_data) -> None:
    output = _run("backup")
    path = _only_backup(backup_dir)
    assert str(path) in output
    assert path.stat().st_mode & 0o777 == 0o600
    manifest = crypto.read_manifest(path.open("rb"))
    assert manifest == json.loads(path.with_suffix(".json").read_text())
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"] == backup.table_counts(connection)
    assert manifest["tables"]["core_auditevent"] == AuditEvent.objects.count() >= 3
    head = audit_seals.head()  # the backup sealed the trail first: its head covers every event
    assert head is not None
    assert manifest["audit_head"] == f"seal {head.seal_id}: {head.hash}"
    assert not audit_seals.verify().mismatch
    assert b"Change 1" not in path.read_bytes()

    assert "The restore drill passed." in _run("verify_restore", "--strict")

    later = audit_record(actor=some_data, kind=AuditEvent.Kind.UPDATE, detail="After the backup")
    audit_seals.seal()  # the worker seals within a minute: the live head moves on
    relaxed = _run("verify_restore")
    assert "The restore drill passed." in relaxed
    assert "core_auditevent: " in relaxed
    assert "Changed since the backup" in relaxed
    with pytest.raises(CommandError, match=r"failed: 3 problem"):
        _run("verify_restore", "--strict")

    output = _run("restore", str(path), "--yes", "--force")
    assert "every table matches the backup's manifest" in output
    assert not AuditEvent.objects.filter(pk=later.pk).exists()
    assert backup.table_counts(connection) == manifest["tables"]
    assert "The restore drill passed." in _run("verify_restore", "--strict")


def test_restore_asks_for_confirmation_and_refuses_a_database_holding_data(
    key, backup_dir, some_data
) -> None:
    path = backup.backup_create().path
    later = audit_record(actor=some_data, kind=AuditEvent.Kind.UPDATE, detail="Kept")
    with pytest.raises(CommandError, match="run again with --yes"):
        _run("restore", str(path))
    with pytest.raises(CommandError, match=r"already holds data.*add --force"):
        _run("restore", str(path), "--yes")
    assert AuditEvent.objects.filter(pk=later.pk).exists()


def test_only_the_newest_backups_are_kept(key, backup_dir, some_data, settings) -> None:
    settings.SIGHTLINE_BACKUP_KEEP = 2
    start = datetime.datetime(2026, 1, 1, 2, 0, tzinfo=datetime.UTC)
    made = [backup.backup_create(now=start + datetime.timedelta(days=day)).path for day in range(3)]
    assert backup.backup_files(backup_dir) == made[1:]
    assert not made[0].with_suffix(".json").exists()
    assert backup.backup_latest() == made[2]


def test_backup_without_a_key_says_how_to_make_one(backup_dir, monkeypatch) -> None:
    monkeypatch.delenv(crypto.KEY_ENV, raising=False)
    with pytest.raises(CommandError, match=r"SIGHTLINE_BACKUP_KEY is not set.*--new-key"):
        _run("backup")
    monkeypatch.setenv(crypto.KEY_ENV, "too-short")
    with pytest.raises(CommandError, match="must be 32 bytes"):
        _run("backup")
    assert backup.backup_files(backup_dir) == []


def test_backup_without_a_folder_says_so(key, settings) -> None:
    settings.SIGHTLINE_BACKUP_DIR = ""
    with pytest.raises(CommandError, match="SIGHTLINE_BACKUP_DIR is not set"):
        _run("backup")
    with pytest.raises(CommandError, match="SIGHTLINE_BACKUP_DIR is not set"):
        _run("verify_restore")


def test_the_new_key_option_prints_a_usable_key() -> None:
    assert len(crypto.parse_key(_run("backup", "--new-key").strip())) == crypto.KEY_BYTES


def test_a_backup_read_with_another_key_is_refused(key, backup_dir, some_data, monkeypatch):
    path = backup.backup_create().path
    monkeypatch.setenv(crypto.KEY_ENV, crypto.new_key())
    with pytest.raises(CommandError, match="made with a different key"):
        _run("verify_restore")
    with pytest.raises(CommandError, match="made with a different key"):
        _run("restore", str(path), "--yes", "--force")


@pytest.mark.parametrize("damage", ["flipped", "cut_short"])
def test_a_damaged_backup_is_refused_and_the_database_left_alone(
    key, backup_dir, some_data, damage
) -> None:
    path = backup.backup_create().path
    data = bytearray(path.read_bytes())
    if damage == "flipped":
        data[-20] ^= 0x01
    else:
        del data[-30:]
    path.write_bytes(bytes(data))
    later = audit_record(actor=some_data, kind=AuditEvent.Kind.UPDATE, detail="Kept")
    with pytest.raises(CommandError, match=r"Use another backup"):
        _run("verify_restore")
    with pytest.raises(CommandError, match=r"Use another backup"):
        _run("restore", str(path), "--yes", "--force")
    assert AuditEvent.objects.filter(pk=later.pk).exists()


def test_files_that_are_not_backups_are_named(key, backup_dir, tmp_path) -> None:
    with pytest.raises(CommandError, match="There is no backup in"):
        _run("verify_restore")
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(CommandError, match="not a Sightline backup"):
        _run("restore", str(other), "--yes")
    with pytest.raises(CommandError, match="There is no file"):
        _run("restore", str(tmp_path / "missing.slbackup"), "--yes")


def test_a_backup_of_the_other_kind_of_database_is_refused(key, tmp_path) -> None:
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    path = tmp_path / "other.slbackup"
    with path.open("wb") as target:
        crypto.encrypt_stream(
            io.BytesIO(b"dump"),
            target,
            key=crypto.parse_key(key),
            manifest={"format": 1, "vendor": other, "tables": {}, "audit_head": "empty"},
        )
    with pytest.raises(CommandError, match=f"backup of a {other} database"):
        _run("restore", str(path), "--yes", "--force")
    with pytest.raises(CommandError, match=f"backup of a {other} database"):
        _run("verify_restore", "--file", str(path))


def test_the_command_line_gives_a_message_not_a_traceback(tmp_path) -> None:
    environment = {key: value for key, value in os.environ.items() if key != crypto.KEY_ENV} | {
        "SIGHTLINE_BACKUP_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "sightline", "backup"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 1
    assert "SIGHTLINE_BACKUP_KEY is not set" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_the_nightly_schedule_exists_only_with_a_backup_folder(key, tmp_path, some_data) -> None:
    with override_settings(SIGHTLINE_BACKUP_DIR=""):
        assert backup.backup_schedules() == ()
    with override_settings(SIGHTLINE_BACKUP_DIR=str(tmp_path), SIGHTLINE_BACKUP_KEEP=3):
        (schedule,) = backup.backup_schedules()
        assert (schedule.name, schedule.default_time) == ("core.backup", datetime.time(2, 0))
        result = schedule.run(datetime.datetime(2026, 3, 1, 2, 0, tzinfo=datetime.UTC))
        assert result["backup"] == _only_backup(tmp_path).name
        assert result["rows"] == sum(backup.table_counts(connection).values())


def test_postgresql_programs_get_the_password_in_their_environment(monkeypatch) -> None:
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "pa55-word")
    monkeypatch.setitem(connection.settings_dict, "HOST", "db.example")
    monkeypatch.setenv("PGPASSWORD", "stale")
    seen: dict[str, Any] = {}

    def fake_run(argv, **kwargs):
        seen.update(argv=argv, env=kwargs["env"])
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(backup, "pg_program", lambda name: f"/bin/{name}")
    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    backup._run_pg("dropdb", "--if-exists", "scratch", database="live")
    assert not any("pa55-word" in part for part in seen["argv"])
    assert seen["env"]["PGPASSWORD"] == "pa55-word"
    assert (seen["env"]["PGHOST"], seen["env"]["PGDATABASE"]) == ("db.example", "live")


def test_a_chosen_folder_of_postgresql_programs_must_hold_them(settings, tmp_path) -> None:
    settings.SIGHTLINE_PG_BIN_DIR = str(tmp_path)
    with pytest.raises(backup.BackupError, match="holds no pg_dump"):
        backup.pg_program("pg_dump")
    program = tmp_path / "pg_dump"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    assert backup.pg_program("pg_dump") == str(program)


@postgresql_only
def test_the_drill_on_postgresql_drops_its_scratch_database(key, backup_dir, some_data) -> None:
    def scratch_databases() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", ["%_drill_%"])
            return [row[0] for row in cursor.fetchall()]

    before = scratch_databases()
    backup.backup_create()
    report = backup.backup_verify_restore(strict=True)
    assert report.passed, report.problems
    assert report.restored == report.live
    assert report.restored["core_auditevent"] >= 3
    assert scratch_databases() == before


def test_a_database_is_in_use_once_it_has_a_user_or_an_event() -> None:
    new = {"django_migrations": 90, "assurance_priority": 5, "accounts_user": 0}
    assert backup._holds_data(new) == {}
    assert backup._holds_data({**new, "core_auditevent": 2}) == {"core_auditevent": 2}
    assert backup._holds_data({**new, "accounts_user": 1}) == {"accounts_user": 1}
