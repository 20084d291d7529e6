"""Encrypted backups of the database, restores, and the restore drill.

SQLite is copied with its online backup API (safe while the service runs); PostgreSQL with
``pg_dump --format=custom`` inside an exported snapshot, so the row counts in the manifest are
those of the dump itself. The copy is encrypted as it is written (``backup_crypto``) with the
key in ``SIGHTLINE_BACKUP_KEY`` and its manifest (when, which database, the rows in every
table, the audit trail's head) travels in the file's authenticated header, with a readable
copy beside it. ``backup_verify_restore`` restores a backup into a scratch database and
compares it with its manifest and with the live database (docs/operations.md, "Backup and
restore").
"""

import datetime
import glob
import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.utils import timezone

from . import backup_crypto as crypto
from .scheduling import Cadence, Schedule

logger = logging.getLogger(__name__)

SUFFIX = ".slbackup"
MANIFEST_SUFFIX = ".json"
FORMAT = 1
# Rows are only ever added to these, so a live copy with fewer than its backup lost some.
APPEND_ONLY_TABLES = ("core_auditevent", "core_accesslogentry")
_NAME = re.compile(r"^sightline-\d{8}T\d{6}\.\d{6}Z-(sqlite|postgresql)\.slbackup$")


class BackupError(Exception):
    """Backup or restore cannot go on: the message says why and what to do."""


def _audit_head(connection: BaseDatabaseWrapper) -> str:
    """The audit chain's head (its latest seal and that seal's hash), as the manifest keeps
    it; ``unsealed`` when nothing has been sealed yet (docs/operations.md)."""
    from .audit_seals import head_from_connection  # the models: not while apps load

    head = head_from_connection(connection)
    return "unsealed" if head is None else f"seal {head.seal_id}: {head.hash}"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    size: int
    seconds: float
    removed: list[Path]


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    seconds: float
    mismatches: list[str]


@dataclass
class VerifyReport:
    path: Path
    manifest: dict[str, Any]
    restored: dict[str, int] = field(default_factory=dict)
    live: dict[str, int] = field(default_factory=dict)
    restored_head: str = ""
    live_head: str = ""
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.problems


# --- Settings and files ------------------------------------------------------------------
def backup_directory() -> Path:
    configured = getattr(settings, "SIGHTLINE_BACKUP_DIR", "")
    if not configured:
        raise BackupError(
            "SIGHTLINE_BACKUP_DIR is not set. Set it to the folder the backups go in "
            "(kept off this server's disk, or copied off it)."
        )
    return Path(configured)


def _key() -> bytes:
    try:
        return crypto.key_from_environment()
    except crypto.BackupKeyError as error:
        raise BackupError(str(error)) from None


def _live() -> BaseDatabaseWrapper:
    return connections[DEFAULT_DB_ALIAS]


def _vendor(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Sightline cannot back up a {connection.vendor} database.")
    return connection.vendor


def backup_files(directory: Path) -> list[Path]:
    """The backups in ``directory``, oldest first (their names start with when)."""
    if not directory.is_dir():
        return []
    return sorted(path for path in directory.iterdir() if _NAME.match(path.name))


def backup_latest(directory: Path | None = None) -> Path:
    directory = directory or backup_directory()
    found = backup_files(directory)
    if not found:
        raise BackupError(f"There is no backup in {directory}. Make one with `sightline backup`.")
    return found[-1]


def backup_prune(*, directory: Path, keep: int) -> list[Path]:
    """Remove all but the ``keep`` newest backups (and their manifests)."""
    found = backup_files(directory)
    removed = found[: max(0, len(found) - keep)]
    for path in removed:
        path.unlink(missing_ok=True)
        path.with_suffix(MANIFEST_SUFFIX).unlink(missing_ok=True)
    return removed


@contextmanager
def _private_directory() -> Iterator[Path]:
    """A folder only this user can read (mkdtemp makes it 0700), removed afterwards: plain
    copies of the database pass through it."""
    with tempfile.TemporaryDirectory(prefix="sightline-backup-") as name:
        yield Path(name)


def _open_backup(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise BackupError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a folder: give the backup file inside it.") from None
    except PermissionError:
        raise BackupError(f"{path} cannot be read by this user.") from None


def _manifest_of(path: Path) -> dict[str, Any]:
    with _open_backup(path) as source:
        try:
            return crypto.read_manifest(source)
        except crypto.BackupFileError as error:
            raise BackupError(f"{path}: {error}") from None


def _decrypt_into(path: Path, key: bytes, plain: Path) -> Path:
    """Decrypt the backup at ``path`` into the file ``plain`` (in a private folder)."""
    with _open_backup(path) as source, plain.open("wb") as target:
        try:
            crypto.decrypt_to(source, target, key=key)
        except crypto.BackupFileError as error:
            raise BackupError(f"{path}: {error}") from None
    return plain


def _check_whole_file(path: Path, key: bytes) -> None:
    """Authenticate every chunk before anything is restored from the file."""
    with _open_backup(path) as source:
        try:
            crypto.check(source, key=key)
        except crypto.BackupFileError as error:
            raise BackupError(f"{path}: {error}") from None


# --- Reading a database ------------------------------------------------------------------
def _other_connection(name: str) -> BaseDatabaseWrapper:
    """A connection like the live one to database ``name`` (a file for SQLite), unknown to
    the rest of Django so it never becomes the live one by mistake."""
    settings_dict = {**_live().settings_dict, "NAME": name}
    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(settings_dict, alias=f"sightline_backup_{secrets.token_hex(4)}")


def table_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _holds_data(counts: dict[str, int]) -> dict[str, int]:
    """The tables showing that anyone has used this database. Migrations put starting data
    in some tables (priorities, groups) but make no user and record no event, so a database
    with neither is a new one, safe to restore into."""
    evidence = (get_user_model()._meta.db_table, *APPEND_ONLY_TABLES)
    return {table: counts[table] for table in evidence if counts.get(table)}


def _manifest(
    connection: BaseDatabaseWrapper, vendor: str, now: datetime.datetime
) -> dict[str, Any]:
    counts = table_counts(connection)
    return {
        "format": FORMAT,
        "created_at": now.astimezone(datetime.UTC).isoformat(),
        "vendor": vendor,
        "database": Path(str(_live().settings_dict["NAME"])).name,
        "tables": counts,
        "total_rows": sum(counts.values()),
        "audit_head": _audit_head(connection) if "core_auditevent" in counts else "none",
    }


# --- PostgreSQL's client programs --------------------------------------------------------
def pg_program(name: str) -> str:
    """The path of a PostgreSQL client program: from SIGHTLINE_PG_BIN_DIR, the PATH, or the
    newest under /usr/lib/postgresql (Debian's layout)."""
    chosen = getattr(settings, "SIGHTLINE_PG_BIN_DIR", "")
    if chosen:
        path = Path(chosen) / name
        if not os.access(path, os.X_OK):
            raise BackupError(
                f"SIGHTLINE_PG_BIN_DIR is {chosen} but it holds no {name} this user can run."
            )
        return str(path)
    found = shutil.which(name)
    if found:
        return found
    installed = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(re.sub(r"\D", "", path.split("/")[4]) or 0),
    )
    if installed:
        return installed[-1]
    raise BackupError(
        f"PostgreSQL's {name} was not found. Install the PostgreSQL client programs (the "
        "server's major version or newer) or set SIGHTLINE_PG_BIN_DIR to their folder."
    )


def _pg_environment(name: str) -> dict[str, str]:
    """The connection for the client programs, in their environment variables: the password
    never appears in a command line another user could read."""
    settings_dict = _live().settings_dict
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PG") or key in ("PGPASSFILE", "PGSERVICEFILE")
    }
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": name,
    }
    options = settings_dict.get("OPTIONS", {})
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        values[variable] = options.get(option)
    environment.update({key: str(value) for key, value in values.items() if value})
    return environment


def _run_pg(program: str, *arguments: str, database: str) -> None:
    completed = subprocess.run(  # noqa: S603 (a fixed program, arguments of our own)
        [pg_program(program), "--no-password", *arguments],
        env=_pg_environment(database),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BackupError(f"{program} failed: {_last_lines(completed.stderr)}")


def _last_lines(text: str) -> str:
    return " / ".join(line.strip() for line in text.strip().splitlines()[-5:]) or "no message"


def _pg_restore(path: Path, key: bytes, *, database: str, into_scratch: bool) -> None:
    """Stream the decrypted dump into pg_restore, in one transaction: if any chunk fails its
    check, pg_restore is stopped before it commits and the database is as it was."""
    arguments = ["--single-transaction", "--exit-on-error", "--clean", "--if-exists"]
    if into_scratch:
        arguments += ["--no-owner", "--no-privileges"]
    with tempfile.TemporaryFile() as errors, _open_backup(path) as source:
        process = subprocess.Popen(  # noqa: S603 (a fixed program, arguments of our own)
            [pg_program("pg_restore"), "--no-password", *arguments, "--dbname", database],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=_pg_environment(database),
        )
        assert process.stdin is not None
        try:
            for plain in crypto.decrypt_stream(source, key=key):
                process.stdin.write(plain)
        except crypto.BackupFileError as error:
            process.kill()
            process.wait()
            raise BackupError(f"{path}: {error}") from None
        except BrokenPipeError:
            pass  # pg_restore stopped early: its own message says why, below
        finally:
            with suppress(BrokenPipeError):
                process.stdin.close()
        if process.wait() != 0:
            errors.seek(0)
            raise BackupError(f"pg_restore failed: {_last_lines(errors.read().decode())}")


# --- Backup ------------------------------------------------------------------------------
def _write_encrypted(
    directory: Path, name: str, source: IO[bytes], key: bytes, manifest: dict[str, Any]
) -> Path:
    """Write the backup under a temporary name and rename it once complete, so a backup in
    the folder is always whole."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = directory / name
    partial = directory / f".{name}.partial"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as target:
            crypto.encrypt_stream(source, target, key=key, manifest=manifest)
            target.flush()
            os.fsync(target.fileno())
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    descriptor = os.open(
        final.with_suffix(MANIFEST_SUFFIX), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600
    )
    with os.fdopen(descriptor, "w") as readable:
        readable.write(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return final


def _backup_sqlite(directory: Path, name: str, key: bytes, now: datetime.datetime) -> Path:
    live = _live()
    live.ensure_connection()
    with _private_directory() as private:
        copy_path = private / "copy.sqlite3"
        copy = sqlite3.connect(copy_path)
        try:
            # One step: a consistent copy, holding a read lock for the time it takes.
            live.connection.backup(copy)
        finally:
            copy.close()
        reader = _other_connection(str(copy_path))
        try:
            manifest = _manifest(reader, "sqlite", now)
        finally:
            reader.close()
        with copy_path.open("rb") as source:
            return _write_encrypted(directory, name, source, key, manifest)


def _backup_postgresql(directory: Path, name: str, key: bytes, now: datetime.datetime) -> Path:
    database = str(_live().settings_dict["NAME"])
    snapshot = _other_connection(database)
    try:
        snapshot.ensure_connection()
        snapshot.set_autocommit(False)
        with snapshot.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
        # Counted in the snapshot pg_dump dumps: the manifest is exactly what the file holds.
        manifest = _manifest(snapshot, "postgresql", now)
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(  # noqa: S603 (a fixed program, arguments of our own)
                [
                    pg_program("pg_dump"),
                    "--no-password",
                    "--format=custom",
                    f"--snapshot={snapshot_id}",
                ],
                stdout=subprocess.PIPE,
                stderr=errors,
                env=_pg_environment(database),
            )
            assert process.stdout is not None
            try:
                path = _write_encrypted(directory, name, process.stdout, key, manifest)
            finally:
                process.stdout.close()
                returncode = process.wait()
            if returncode != 0:
                path.unlink(missing_ok=True)
                path.with_suffix(MANIFEST_SUFFIX).unlink(missing_ok=True)
                errors.seek(0)
                raise BackupError(f"pg_dump failed: {_last_lines(errors.read().decode())}")
        return path
    finally:
        snapshot.close()


def backup_create(
    *, directory: Path | None = None, keep: int | None = None, now: datetime.datetime | None = None
) -> BackupResult:
    """Back up the live database into ``directory`` and keep the ``keep`` newest backups."""
    key = _key()
    directory = directory or backup_directory()
    keep = keep if keep is not None else int(settings.SIGHTLINE_BACKUP_KEEP)
    if keep < 1:
        raise BackupError("SIGHTLINE_BACKUP_KEEP must be 1 or more.")
    vendor = _vendor(_live())
    now = now or timezone.now()
    name = f"sightline-{now.astimezone(datetime.UTC):%Y%m%dT%H%M%S.%fZ}-{vendor}{SUFFIX}"
    started = time.monotonic()
    # Seal what the trail holds, so that the backup's head covers every event in it.
    from .audit_seals import seal

    seal()
    try:
        if vendor == "sqlite":
            path = _backup_sqlite(directory, name, key, now)
        else:
            path = _backup_postgresql(directory, name, key, now)
    except OSError as error:
        raise BackupError(f"The backup could not be written in {directory}: {error}") from None
    seconds = time.monotonic() - started
    removed = backup_prune(directory=directory, keep=keep)
    manifest = _manifest_of(path)
    logger.info(
        "Backup %s made in %.1f s: %d rows, audit head %s",
        path.name,
        seconds,
        manifest["total_rows"],
        manifest["audit_head"],
    )
    return BackupResult(path, manifest, path.stat().st_size, seconds, removed)


def backup_scheduled(*, now: datetime.datetime) -> dict[str, Any]:
    """The nightly schedule's run: what it made, for the Background work page."""
    result = backup_create(now=now)
    return {
        "backup": result.path.name,
        "bytes": result.size,
        "rows": result.manifest["total_rows"],
        "removed": len(result.removed),
    }


def backup_schedules() -> tuple[Schedule, ...]:
    """The nightly backup, when SIGHTLINE_BACKUP_DIR says where backups go."""
    if not getattr(settings, "SIGHTLINE_BACKUP_DIR", ""):
        return ()
    return (
        Schedule(
            name="core.backup",
            label="Backup",
            function="sightline.core.backup.backup_scheduled",
            cadence=Cadence.DAILY,
            default_time=datetime.time(2, 0),
            description="Every night: an encrypted backup of the database in the backup "
            "folder, keeping the newest ones.",
        ),
    )


# --- Restore -----------------------------------------------------------------------------
def _readable_manifest(path: Path, vendor: str) -> dict[str, Any]:
    manifest = _manifest_of(path)
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("tables"), dict):
        raise BackupError(f"{path}: the backup's manifest is not one this version can read.")
    if manifest.get("vendor") != vendor:
        raise BackupError(
            f"{path} is a backup of a {manifest.get('vendor')} database and this service uses "
            f"{vendor}. Set DATABASE_URL to a {manifest.get('vendor')} database to restore it."
        )
    return manifest


def _compare_with_manifest(manifest: dict[str, Any], counts: dict[str, int]) -> list[str]:
    expected: dict[str, int] = manifest["tables"]
    problems = [
        f"{table}: {counts.get(table, 'no table')} rows restored, the backup holds {rows}"
        for table, rows in sorted(expected.items())
        if counts.get(table) != rows
    ]
    problems += [
        f"{table}: in the restored database but not in the backup"
        for table in sorted(set(counts) - set(expected))
    ]
    return problems


def backup_restore(*, path: Path, force: bool = False) -> RestoreResult:
    """Replace the live database with the backup in ``path``. Refuses a database holding
    data unless ``force``; the file is checked whole before anything is changed."""
    key = _key()
    live = _live()
    vendor = _vendor(live)
    manifest = _readable_manifest(path, vendor)
    _check_whole_file(path, key)
    holding = _holds_data(table_counts(live))
    if holding and not force:
        examples = ", ".join(f"{table} {rows}" for table, rows in holding.items())
        raise BackupError(
            f"The database already holds data: {examples} rows. Restore into an empty "
            "database, or add --force to replace everything in this one with the backup."
        )
    started = time.monotonic()
    if vendor == "sqlite":
        live.ensure_connection()
        with _private_directory() as private:
            plain = _decrypt_into(path, key, private / "restore.sqlite3")
            restored = sqlite3.connect(plain)
            try:
                restored.backup(live.connection)
            finally:
                restored.close()
    else:
        database = str(live.settings_dict["NAME"])
        live.close()
        _pg_restore(path, key, database=database, into_scratch=False)
    seconds = time.monotonic() - started
    mismatches = _compare_with_manifest(manifest, table_counts(live))
    if _audit_head(live) != manifest["audit_head"] and "core_auditevent" in manifest["tables"]:
        mismatches.append("the audit trail's head is not the one in the backup")
    logger.warning("Database restored from %s (made %s)", path.name, manifest["created_at"])
    return RestoreResult(manifest, seconds, mismatches)


# --- The restore drill -------------------------------------------------------------------
@contextmanager
def _scratch_copy(path: Path, key: bytes, vendor: str) -> Iterator[BaseDatabaseWrapper]:
    """The backup restored into a scratch database, removed afterwards."""
    if vendor == "sqlite":
        with _private_directory() as private:
            plain = _decrypt_into(path, key, private / "scratch.sqlite3")
            scratch = _other_connection(str(plain))
            try:
                yield scratch
            finally:
                scratch.close()
        return
    live_name = str(_live().settings_dict["NAME"])
    name = f"{live_name[:40]}_drill_{secrets.token_hex(4)}"
    _run_pg("createdb", name, database=live_name)
    try:
        _pg_restore(path, key, database=name, into_scratch=True)
        scratch = _other_connection(name)
        try:
            yield scratch
        finally:
            scratch.close()
    finally:
        _run_pg("dropdb", "--if-exists", name, database=live_name)


def backup_verify_restore(*, path: Path | None = None, strict: bool = False) -> VerifyReport:
    """Restore a backup (the latest unless ``path``) into a scratch database and compare it
    with its manifest, then with the live database.

    The restored copy must match its manifest exactly. Against the live database: strict,
    every table's rows and the audit head must be the same (right after a backup, or with
    the service stopped); otherwise the live database may have moved on, but it must not
    hold fewer audit events or access-log entries than the backup did.
    """
    key = _key()
    live = _live()
    vendor = _vendor(live)
    path = path or backup_latest()
    manifest = _readable_manifest(path, vendor)
    report = VerifyReport(path=path, manifest=manifest)
    started = time.monotonic()
    with _scratch_copy(path, key, vendor) as scratch:
        report.restored = table_counts(scratch)
        report.restored_head = (
            _audit_head(scratch) if "core_auditevent" in report.restored else "none"
        )
    report.seconds = time.monotonic() - started
    report.live = table_counts(live)
    report.live_head = _audit_head(live) if "core_auditevent" in report.live else "none"

    report.problems += _compare_with_manifest(manifest, report.restored)
    if report.restored_head != manifest["audit_head"]:
        report.problems.append(
            f"The restored audit trail's head ({report.restored_head}) is not the backup's "
            f"({manifest['audit_head']})."
        )
    differences = _compare_with_live(report)
    (report.problems if strict else report.notes).extend(differences)
    for table in APPEND_ONLY_TABLES:
        live_rows, restored_rows = report.live.get(table, 0), report.restored.get(table, 0)
        if live_rows < restored_rows:
            report.problems.append(
                f"{table}: the live database holds {live_rows} rows, fewer than the backup's "
                f"{restored_rows}: rows were removed from it since the backup."
            )
    return report


def _compare_with_live(report: VerifyReport) -> list[str]:
    differences = [
        f"{table}: {report.restored.get(table, 'no table')} rows in the backup, "
        f"{report.live.get(table, 'no table')} live"
        for table in sorted(set(report.restored) | set(report.live))
        if report.restored.get(table) != report.live.get(table)
    ]
    if report.restored_head != report.live_head:
        differences.append(
            f"The audit trail's head is {report.live_head} live and {report.restored_head} "
            "in the backup."
        )
    return differences
