"""The audit trail's hash chain, as pure functions: no database, no Django.

An event (an audit event or an access-log entry) is turned into canonical bytes: JSON with
sorted keys, no spaces, UTF-8, datetimes in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``. Fields
whose value is empty (None, "", False, {} or []) are left out, so a column added to the trail
later with an empty default leaves the hashes of the rows sealed before it unchanged.

A seal covers one block of one table's rows, in id order. Its hash is

    SHA-256(canonical [previous seal's hash, table, first id, last id, count, rows hash])

where the rows hash is SHA-256 over the rows' own hashes in id order. Each seal names the one
before it, so changing, removing or inserting a sealed row, or removing or replacing a seal,
breaks the chain from that point on. Each seal also keeps a short digest of every row (its id
and the first 8 bytes of its hash) so that a failed check can name the event that changed.
"""

import datetime
import hashlib
import json
import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
DIGEST_BYTES = 8
_DIGEST = struct.Struct(f">q{DIGEST_BYTES}s")


def plain(value: Any) -> Any:
    """``value`` as the JSON the hash is taken over: datetimes in UTC with microseconds, dates
    as ISO dates, everything else as JSON already has it."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError("Audit times must be timezone-aware")
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def _is_empty(value: Any) -> bool:
    if value is None or value is False:
        return True
    return isinstance(value, str | dict | list | tuple) and len(value) == 0


def plain_row(values: Mapping[str, Any]) -> dict[str, Any]:
    """A row's fields as stored in an archive and hashed: empty values left out."""
    return {key: plain(value) for key, value in values.items() if not _is_empty(value)}


def canonical(value: Any) -> bytes:
    return json.dumps(
        plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def row_hash(values: Mapping[str, Any]) -> bytes:
    """The SHA-256 of one event's fields (its id among them)."""
    return hashlib.sha256(canonical(plain_row(values))).digest()


@dataclass(frozen=True)
class Block:
    """What a seal says about its rows: recomputed from the rows, or read from the seal."""

    first_id: int
    last_id: int
    count: int
    rows_hash: str
    digests: bytes


def block_of(rows: Iterable[Mapping[str, Any]]) -> Block:
    """The block over ``rows`` (each with an ``id``), which must come in id order."""
    total = hashlib.sha256()
    digests = bytearray()
    first = last = 0
    count = 0
    for row in rows:
        row_id = int(row["id"])
        if count and row_id <= last:
            raise ValueError("Rows must come in increasing id order")
        digest = row_hash(row)
        total.update(digest)
        digests += _DIGEST.pack(row_id, digest[:DIGEST_BYTES])
        first = first if count else row_id
        last = row_id
        count += 1
    return Block(first, last, count, total.hexdigest(), bytes(digests))


def seal_hash(*, previous_hash: str, table: str, block: Block) -> str:
    return hashlib.sha256(
        canonical(
            [previous_hash, table, block.first_id, block.last_id, block.count, block.rows_hash]
        )
    ).hexdigest()


def unpack_digests(digests: bytes) -> Iterator[tuple[int, bytes]]:
    yield from _DIGEST.iter_unpack(digests)


@dataclass(frozen=True)
class Difference:
    event_id: int
    reason: str


def first_difference(sealed: bytes, found: bytes) -> Difference | None:
    """The first event at which the rows ``found`` now differ from those ``sealed``, by their
    digests: changed, missing (deleted) or not sealed (inserted later)."""
    was = dict(unpack_digests(sealed))
    now = dict(unpack_digests(found))
    for row_id in sorted(was.keys() | now.keys()):
        if row_id not in now:
            return Difference(row_id, "was sealed and is missing: it was deleted")
        if row_id not in was:
            return Difference(row_id, "is not in the seal: it was inserted after sealing")
        if was[row_id] != now[row_id]:
            return Difference(row_id, "was changed after it was sealed")
    return None
