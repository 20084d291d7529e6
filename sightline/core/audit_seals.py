"""Sealing, verifying, anchoring and archiving the audit trail's hash chain.

Events are sealed in blocks (at most ``BLOCK_SIZE`` rows of one table a seal) by the worker at
least every minute, rather than each row chained to the one before as it is written: a
per-row chain would make every audit write read the last row's hash under a lock, so every
write in the service would queue behind every other. Here a write stays one INSERT, and an
event is unsealed for at most a minute or so. The hashing itself is in ``audit_chain`` (pure).

On PostgreSQL a transaction takes its id when it inserts and may commit later, after a larger
id has committed: a seal must never cover an id still to appear. ``_committed_bound`` asks
``sightline_audit_committed_id`` (core migration 0008), which takes a SHARE lock on the table
for an instant (waiting at most 500 ms for transactions in flight to finish), so every id up to
the bound it returns is committed or will never exist. On SQLite writers take turns, so the
rows a transaction sees are every row up to the largest id.
"""

import datetime
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, OperationalError, connections, models, transaction
from django.db.models import Max
from django.utils import timezone

from . import audit_chain
from .models import AccessLogEntry, AuditCheckpoint, AuditEvent, AuditSeal

logger = logging.getLogger("sightline.audit")

BLOCK_SIZE = 2000
SEAL_EVERY = 60.0  # seconds, in the worker
LONDON = ZoneInfo("Europe/London")
Trail = AuditSeal.Trail
MODELS: dict[str, type[models.Model]] = {Trail.AUDIT: AuditEvent, Trail.ACCESS: AccessLogEntry}
TABLE_NAMES: dict[str, str] = {Trail.AUDIT: "core_auditevent", Trail.ACCESS: "core_accesslogentry"}
LOCK_NOT_AVAILABLE = "55P03"


@dataclass(frozen=True)
class Head:
    seal_id: int
    hash: str
    sealed_at: datetime.datetime

    def as_line(self) -> str:
        return f"seal {self.seal_id} hash {self.hash} sealed at {self.sealed_at.isoformat()}"


@dataclass
class SealResult:
    seals: int = 0
    events: int = 0
    # Tables left for the next round: a transaction held the table past the lock timeout.
    deferred: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"seals": self.seals, "events": self.events, "deferred": self.deferred}


@dataclass(frozen=True)
class Mismatch:
    table: str  # a Trail value, or "seal" when the chain itself or an anchor does not match
    event_id: int | None
    seal_id: int | None
    reason: str

    def describe(self) -> str:
        if self.table in MODELS:
            where = f"{Trail(self.table).label} event {self.event_id}"
            return f"{where} (seal {self.seal_id}) {self.reason}"
        return f"Seal {self.seal_id}: {self.reason}"


@dataclass
class Verification:
    events: int = 0
    seals: int = 0
    unsealed: int = 0
    mismatch: Mismatch | None = None
    checkpoint_seal_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.mismatch is None


def _fields(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _rows(
    table: str, *, after: int, upto: int | None, using: str, limit: int | None = None
) -> "models.QuerySet[Any, dict[str, Any]]":
    model = MODELS[table]
    found = model._default_manager.using(using).filter(id__gt=after)
    if upto is not None:
        found = found.filter(id__lte=upto)
    rows = found.order_by("id").values(*_fields(model))
    return rows[:limit] if limit is not None else rows


def _checkpoint(using: str) -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.using(using).order_by("-seal_id").first()


def _last_ids_at(checkpoint: AuditCheckpoint | None) -> dict[str, int]:
    return {
        Trail.AUDIT: checkpoint.audit_last_id if checkpoint else 0,
        Trail.ACCESS: checkpoint.access_last_id if checkpoint else 0,
    }


def _last_ids(using: str, checkpoint: AuditCheckpoint | None) -> dict[str, int]:
    """The last id sealed (or archived) of each table."""
    start = _last_ids_at(checkpoint)
    for table in MODELS:
        sealed = AuditSeal.objects.using(using).filter(table=table).aggregate(last=Max("last_id"))
        start[table] = max(start[table], sealed["last"] or 0)
    return start


def head(using: str = "default") -> Head | None:
    """The chain's latest seal (or, with none since an archive, the checkpoint's)."""
    seal = AuditSeal.objects.using(using).order_by("-id").first()
    if seal is not None:
        return Head(seal.pk, seal.hash, seal.sealed_at)
    checkpoint = _checkpoint(using)
    if checkpoint is not None:
        return Head(checkpoint.seal_id, checkpoint.hash, checkpoint.created_at)
    return None


def head_from_connection(conn: Any) -> Head | None:
    """``head`` on a raw DB-API connection (sqlite3 or psycopg), for comparing a restored copy
    of the database with the live one. Archived-only chains are compared by the checkpoint."""
    cursor = conn.cursor()
    try:
        for query in (
            "SELECT id, hash, sealed_at FROM core_auditseal ORDER BY id DESC LIMIT 1",
            "SELECT seal_id, hash, created_at FROM core_auditcheckpoint "
            "ORDER BY seal_id DESC LIMIT 1",
        ):
            cursor.execute(query)
            row = cursor.fetchone()
            if row is not None:
                when = row[2]
                if isinstance(when, str):
                    when = datetime.datetime.fromisoformat(when)
                if when.tzinfo is None:
                    when = when.replace(tzinfo=datetime.UTC)
                return Head(int(row[0]), str(row[1]), when)
        return None
    finally:
        cursor.close()


def _committed_bound(table: str, using: str) -> int | None:
    """The largest id of ``table`` below which no transaction is still writing; None on
    SQLite, where the rows visible are all there will be up to the largest."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT sightline_audit_committed_id(%s)", [TABLE_NAMES[table]])
        return int(cursor.fetchone()[0])


def _lock_timed_out(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE


def seal(*, using: str = "default", block_size: int = BLOCK_SIZE) -> SealResult:
    """Seal every unsealed row of the audit trail and the access log, in blocks."""
    if not 0 < block_size <= BLOCK_SIZE:
        raise ValueError(f"A block holds 1 to {BLOCK_SIZE} rows")
    result = SealResult()
    for table in MODELS:
        try:
            bound = _committed_bound(table, using)
        except OperationalError as error:
            if not _lock_timed_out(error):
                raise
            logger.info("Sealing %s deferred: a transaction is still writing to it", table)
            result.deferred.append(table)
            continue
        while True:
            try:
                block = _seal_block(table, bound=bound, using=using, block_size=block_size)
            except IntegrityError:
                # Another worker sealed the same rows first (a seal's previous hash is
                # unique, so the chain cannot fork): what is left goes in the next round.
                logger.info("Sealing %s: another worker sealed these rows first", table)
                break
            if block is None:
                break
            result.seals += 1
            result.events += block.count
    return result


def _seal_block(
    table: str, *, bound: int | None, using: str, block_size: int
) -> audit_chain.Block | None:
    """Seal the next block of ``table``; None when nothing is left to seal."""
    with transaction.atomic(using=using):
        current = head(using)
        previous = current.hash if current else audit_chain.GENESIS
        after = _last_ids(using, _checkpoint(using))[table]
        rows = list(_rows(table, after=after, upto=bound, using=using, limit=block_size))
        if not rows:
            return None
        block = audit_chain.block_of(rows)
        AuditSeal.objects.using(using).create(
            table=table,
            first_id=block.first_id,
            last_id=block.last_id,
            count=block.count,
            rows_hash=block.rows_hash,
            hash=audit_chain.seal_hash(previous_hash=previous, table=table, block=block),
            previous_hash=previous,
            digests=block.digests,
        )
    return block


def _check_block(
    seal: AuditSeal, previous: str, rows: Iterable[dict[str, Any]]
) -> tuple[Mismatch | None, int]:
    """Whether ``seal`` follows ``previous`` and still matches ``rows``; and how many rows."""
    block = audit_chain.block_of(rows)
    stored = audit_chain.Block(
        seal.first_id, seal.last_id, seal.count, seal.rows_hash, bytes(seal.digests)
    )
    if (
        seal.previous_hash != previous
        or audit_chain.seal_hash(previous_hash=previous, table=seal.table, block=stored)
        != seal.hash
    ):
        return (
            Mismatch(
                "seal",
                None,
                seal.pk,
                "does not follow the seal before it: a seal was removed, changed or forged",
            ),
            block.count,
        )
    if block == stored:
        return None, block.count
    found = audit_chain.first_difference(stored.digests, block.digests)
    if found is None:
        return Mismatch(seal.table, seal.first_id, seal.pk, "is in a block that changed"), 0
    return Mismatch(seal.table, found.event_id, seal.pk, found.reason), block.count


def _anchor_mismatch(
    expected: Head, checkpoint: AuditCheckpoint | None, using: str
) -> Mismatch | None:
    if checkpoint is not None and expected.seal_id <= checkpoint.seal_id:
        if expected.seal_id == checkpoint.seal_id and expected.hash != checkpoint.hash:
            return Mismatch("seal", None, expected.seal_id, "differs from the anchored hash")
        return None  # archived: the archive's own check covered it
    seal = AuditSeal.objects.using(using).filter(pk=expected.seal_id).first()
    if seal is None:
        return Mismatch(
            "seal",
            None,
            expected.seal_id,
            "was anchored and is missing: the end of the trail was removed",
        )
    if seal.hash != expected.hash:
        return Mismatch("seal", None, expected.seal_id, "differs from the anchored hash")
    return None


def verify(*, using: str = "default", expected: Head | None = None) -> Verification:
    """Recompute every seal from its rows, in order, from the last checkpoint. Stops at the
    first mismatch. ``expected`` (an anchored head; by default the last line of the anchor
    file, when one is set) must still be in the chain with the same hash."""
    checkpoint = _checkpoint(using)
    result = Verification(checkpoint_seal_id=checkpoint.seal_id if checkpoint else None)
    previous = checkpoint.hash if checkpoint else audit_chain.GENESIS
    after = _last_ids_at(checkpoint)
    seals = AuditSeal.objects.using(using).order_by("id")
    if checkpoint is not None:
        seals = seals.filter(id__gt=checkpoint.seal_id)
    for seal in seals.iterator(chunk_size=100):
        rows = _rows(seal.table, after=after[seal.table], upto=seal.last_id, using=using)
        mismatch, count = _check_block(seal, previous, rows.iterator(chunk_size=BLOCK_SIZE))
        if mismatch is not None:
            result.mismatch = mismatch
            return result
        result.seals += 1
        result.events += count
        previous = seal.hash
        after[seal.table] = seal.last_id
    for table, last in after.items():
        result.unsealed += MODELS[table]._default_manager.using(using).filter(id__gt=last).count()
    if expected is None:
        expected = last_anchor()
    if expected is not None:
        result.mismatch = _anchor_mismatch(expected, checkpoint, using)
    return result


def anchor_file() -> Path | None:
    value = settings.SIGHTLINE_AUDIT_ANCHOR_FILE
    return Path(value) if value else None


def last_anchor() -> Head | None:
    """The head last written to the anchor file, if there is one."""
    path = anchor_file()
    if path is None or not path.exists():
        return None
    last = ""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            last = line.strip() or last
    if not last:
        return None
    data = json.loads(last)
    return Head(
        int(data["seal_id"]), str(data["hash"]), datetime.datetime.fromisoformat(data["sealed_at"])
    )


def anchor(*, using: str = "default", now: datetime.datetime | None = None) -> Head | None:
    """Write the chain's head outside the database: to the log, to the anchor file
    (``SIGHTLINE_AUDIT_ANCHOR_FILE``, appended) and by email to
    ``SIGHTLINE_AUDIT_ANCHOR_EMAIL`` through the outbox. Returns the head anchored."""
    from .outbox import message_key, outbox_add

    now = now or timezone.now()
    current = head(using)
    if current is None:
        logger.info("Audit chain: nothing sealed yet, nothing to anchor")
        return None
    logger.info("Audit chain head: %s", current.as_line())
    path = anchor_file()
    if path is not None:
        line = {
            "seal_id": current.seal_id,
            "hash": current.hash,
            "sealed_at": current.sealed_at.isoformat(),
            "anchored_at": now.isoformat(),
        }
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, sort_keys=True) + "\n")
            out.flush()
            os.fsync(out.fileno())
    to = settings.SIGHTLINE_AUDIT_ANCHOR_EMAIL
    if to:
        day = now.astimezone(LONDON).date()
        with transaction.atomic(using=using):
            outbox_add(
                key=message_key("core.audit_anchor", day.isoformat(), current.seal_id, to),
                kind="core.audit_anchor",
                to=to,
                subject=f"Sightline audit trail: the chain's head on {day:%d %B %Y}",
                body=(
                    "This is the head of Sightline's audit trail hash chain. Keep this email: "
                    "if the trail is ever cut short or rewritten, this hash will no longer be "
                    "found in it.\n\n"
                    f"Seal: {current.seal_id}\nHash: {current.hash}\n"
                    f"Sealed at: {current.sealed_at.astimezone(LONDON):%d %B %Y %H:%M:%S}\n\n"
                    "To check it: sightline audit_verify "
                    f"--expect {current.seal_id}:{current.hash}\n"
                ),
            )
    return current


def seal_and_anchor(*, now: datetime.datetime) -> dict[str, Any]:
    """The daily schedule: seal what is waiting, then anchor the head."""
    sealed = seal()
    current = anchor(now=now)
    return {**sealed.as_dict(), "head": current.seal_id if current else None}


# --- Archiving -------------------------------------------------------------------------


class ArchiveError(Exception):
    """Archiving cannot go ahead: the message says why and what to do."""


@dataclass(frozen=True)
class Archive:
    path: Path
    seals: int
    events: int
    checkpoint: AuditCheckpoint


def _export_lines(
    sealed: list[AuditSeal], checkpoint: AuditCheckpoint | None, using: str
) -> Iterator[str]:
    previous = checkpoint.hash if checkpoint else audit_chain.GENESIS
    after = _last_ids_at(checkpoint)
    yield json.dumps({"format": "sightline-audit-archive", "version": 1, "previous": previous})
    for seal in sealed:
        yield json.dumps(
            {
                "seal": {
                    "id": seal.pk,
                    "table": seal.table,
                    "first_id": seal.first_id,
                    "last_id": seal.last_id,
                    "count": seal.count,
                    "rows_hash": seal.rows_hash,
                    "hash": seal.hash,
                    "previous_hash": seal.previous_hash,
                    "sealed_at": seal.sealed_at.isoformat(),
                }
            }
        )
        rows = _rows(seal.table, after=after[seal.table], upto=seal.last_id, using=using)
        for row in rows.iterator(chunk_size=BLOCK_SIZE):
            yield json.dumps({"row": audit_chain.plain_row(row)}, sort_keys=True)
        after[seal.table] = seal.last_id


def verify_export(path: Path) -> tuple[str, int, int]:
    """Recompute an archive file's chain from its own rows. Returns its last hash and the
    numbers of seals and events; raises ArchiveError at the first thing that does not match."""
    seals = events = 0
    previous = ""
    pending: dict[str, Any] | None = None
    rows: list[dict[str, Any]] = []

    def close() -> None:
        nonlocal previous, seals, events
        if pending is None:
            return
        block = audit_chain.block_of(rows)
        if (
            pending["previous_hash"] != previous
            or block.rows_hash != pending["rows_hash"]
            or block.count != pending["count"]
            or audit_chain.seal_hash(previous_hash=previous, table=pending["table"], block=block)
            != pending["hash"]
        ):
            raise ArchiveError(f"The archive does not match seal {pending['id']}")
        previous = pending["hash"]
        seals += 1
        events += block.count

    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            data = json.loads(line)
            if number == 1:
                previous = data["previous"]
            elif "seal" in data:
                close()
                pending, rows = data["seal"], []
            else:
                rows.append(data["row"])
    close()
    return previous, seals, events


def archive_before(*, before: datetime.date, to: Path, actor: Any) -> Archive:
    """Export the whole sealed blocks sealed before ``before`` (midnight, UK time) to a file in
    ``to``, check the file, then remove those rows and seals and record a checkpoint so the
    chain verifies from there. One transaction: nothing is removed unless all of it worked."""
    from .services import audit_record

    if not to.is_dir():
        raise ArchiveError(f"{to} is not a folder: make it first, somewhere backed up")
    cutoff = datetime.datetime.combine(before, datetime.time(0), tzinfo=LONDON)
    with transaction.atomic():
        _one_archive_at_a_time()
        checkpoint = _checkpoint("default")
        candidates = AuditSeal.objects.order_by("id")
        if checkpoint is not None:
            candidates = candidates.filter(id__gt=checkpoint.seal_id)
        sealed: list[AuditSeal] = []
        for seal in candidates:
            if seal.sealed_at >= cutoff:
                break
            sealed.append(seal)
        if not sealed:
            raise ArchiveError(f"No sealed blocks from before {before:%d %B %Y} to archive")
        path = (
            to / f"sightline-audit-{before.isoformat()}-seals-{sealed[0].pk}-{sealed[-1].pk}.jsonl"
        )
        digest = hashlib.sha256()
        with path.open("w", encoding="utf-8") as out:
            for line in _export_lines(sealed, checkpoint, "default"):
                data = (line + "\n").encode()
                digest.update(data)
                out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())
        last_hash, seals, events = verify_export(path)
        if last_hash != sealed[-1].hash or seals != len(sealed):
            raise ArchiveError("The archive written does not end at the last seal archived")
        last = _last_ids_at(checkpoint)
        for seal in sealed:
            last[seal.table] = seal.last_id
        _remove(sealed[-1].pk, last)
        made = AuditCheckpoint.objects.create(
            seal_id=sealed[-1].pk,
            hash=sealed[-1].hash,
            audit_last_id=last[Trail.AUDIT],
            access_last_id=last[Trail.ACCESS],
            before=before,
            seals=seals,
            events=events,
            file_name=path.name,
            file_sha256=digest.hexdigest(),
            created_by_email=getattr(actor, "email", "") or "",
        )
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.DELETE,
            obj=made,
            detail=f"Archived {events} audit events and access-log entries in {seals} sealed "
            f"blocks from before {before:%d %B %Y} to {path.name} "
            f"(SHA-256 {made.file_sha256}); the chain now starts at seal {made.seal_id}.",
        )
    return Archive(path, seals, events, made)


def _one_archive_at_a_time() -> None:
    """Hold the archiving lock to the end of the transaction. Not ``SELECT ... FOR UPDATE``
    of the seals: that needs the UPDATE privilege, which the application's role has not.
    SQLite's writers take turns already."""
    connection = connections["default"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('sightline.audit_archive'))")


def _remove(upto_seal: int, last: dict[str, int]) -> None:
    connection = connections["default"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Owned by the tables' owner: the application's role has no DELETE of its own.
            cursor.execute(
                "SELECT sightline_audit_archive(%s, %s, %s)",
                [upto_seal, last[Trail.AUDIT], last[Trail.ACCESS]],
            )
            return
        cursor.execute("DELETE FROM core_auditevent WHERE id <= %s", [last[Trail.AUDIT]])
        cursor.execute("DELETE FROM core_accesslogentry WHERE id <= %s", [last[Trail.ACCESS]])
        cursor.execute("DELETE FROM core_auditseal WHERE id <= %s", [upto_seal])
