"""Encrypted backup files: AES-256-GCM over a stream, in chunks of 1 MiB. Pure, no database.

A file is a header, then chunks::

    header  = MAGIC | version (1) | salt (16) | key id (8) | chunk size (4) | length (4) | manifest
    chunk   = final flag (1) | nonce (12) | length (4) | ciphertext with its 16-byte tag

Each file has its own key, derived with HKDF from the key in the environment and the file's
random salt, so no two files share a key, and each chunk has a random nonce as well. Every
chunk is authenticated together with the whole header (so the manifest cannot be changed),
its index (so chunks cannot be reordered, dropped or repeated) and whether it is the last
(so a file cut short, even at a chunk boundary, is detected, as is anything after the last).
The key id (an HMAC of the key, not the key) tells a wrong key apart from a damaged file.
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import struct
from collections.abc import Iterator
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"SLBACKUP"
VERSION = 1
CHUNK_SIZE = 1024 * 1024
KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID_BYTES = 8
MAX_MANIFEST_BYTES = 1024 * 1024
_FIXED = struct.Struct(">B16s8sII")  # version, salt, key id, chunk size, manifest length
_CHUNK = struct.Struct(">B12sI")  # final flag, nonce, ciphertext length
KEY_ENV = "SIGHTLINE_BACKUP_KEY"


class BackupFileError(Exception):
    """The file cannot be read as a backup: its message says why and what to do."""


class BackupKeyError(Exception):
    """The key is missing or not a key: its message says how to make one."""


def new_key() -> str:
    """A fresh key, as it goes in the environment: 32 random bytes in base64."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def parse_key(text: str | None) -> bytes:
    if not text or not text.strip():
        raise BackupKeyError(
            f"{KEY_ENV} is not set. Set it to the partnership's backup key (32 bytes in "
            "base64); make a new one with `sightline backup --new-key` and keep a copy "
            "away from the backups."
        )
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise BackupKeyError(
            f"{KEY_ENV} is not a backup key: it must be 32 bytes in base64 (44 characters "
            "ending in '='). Make one with `sightline backup --new-key`."
        )
    return key


def key_from_environment() -> bytes:
    return parse_key(os.environ.get(KEY_ENV))


def key_id(key: bytes) -> bytes:
    return hmac.new(key, b"sightline backup key id", hashlib.sha256).digest()[:KEY_ID_BYTES]


def _file_key(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=b"sightline backup v1"
    ).derive(key)
    return AESGCM(derived)


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack(">QB", index, int(final))


def _header(key: bytes, salt: bytes, manifest: dict[str, Any]) -> bytes:
    body = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    if len(body) > MAX_MANIFEST_BYTES:
        raise ValueError("The manifest is too long for a backup header.")
    return MAGIC + _FIXED.pack(VERSION, salt, key_id(key), CHUNK_SIZE, len(body)) + body


def _chunks(source: IO[bytes], size: int) -> Iterator[tuple[bytes, bool]]:
    """The source in pieces of ``size``, each with whether it is the last (the last may be
    empty: a source of no bytes, or of a whole number of pieces, still ends with one)."""
    current = source.read(size)
    while True:
        following = source.read(size) if len(current) == size else b""
        if not following:
            yield current, True
            return
        yield current, False
        current = following


def encrypt_stream(
    source: IO[bytes], target: IO[bytes], *, key: bytes, manifest: dict[str, Any]
) -> int:
    """Encrypt everything ``source`` holds into ``target``. Returns the plain bytes read."""
    salt = secrets.token_bytes(SALT_BYTES)
    header = _header(key, salt, manifest)
    cipher = _file_key(key, salt)
    target.write(header)
    total = 0
    for index, (piece, final) in enumerate(_chunks(source, CHUNK_SIZE)):
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = cipher.encrypt(nonce, piece, _aad(header, index, final))
        target.write(_CHUNK.pack(int(final), nonce, len(sealed)) + sealed)
        total += len(piece)
    return total


def _read_exact(source: IO[bytes], size: int, what: str) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise BackupFileError(
            f"The backup file ends too soon (in its {what}): it was cut short or damaged. "
            "Use another backup."
        )
    return data


def read_header(source: IO[bytes]) -> tuple[bytes, int, bytes, bytes, dict[str, Any]]:
    """The header's bytes, chunk size, salt, key id and manifest; no key needed."""
    magic = source.read(len(MAGIC))
    if magic != MAGIC:
        raise BackupFileError(
            "This is not a Sightline backup file (it does not start as one). Check the name: "
            "backups end in .slbackup."
        )
    fixed = _read_exact(source, _FIXED.size, "header")
    version, salt, file_key_id, chunk_size, manifest_length = _FIXED.unpack(fixed)
    if version != VERSION:
        raise BackupFileError(
            f"This backup is in format {version}, which this version of Sightline cannot "
            "read. Restore it with the version that made it."
        )
    if manifest_length > MAX_MANIFEST_BYTES or not 0 < chunk_size <= 64 * CHUNK_SIZE:
        raise BackupFileError("The backup file's header is damaged. Use another backup.")
    body = _read_exact(source, manifest_length, "manifest")
    try:
        manifest = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise BackupFileError("The backup's manifest is damaged. Use another backup.") from error
    if not isinstance(manifest, dict):
        raise BackupFileError("The backup's manifest is damaged. Use another backup.")
    return MAGIC + fixed + body, chunk_size, salt, file_key_id, manifest


def read_manifest(source: IO[bytes]) -> dict[str, Any]:
    """The manifest as written in the header (authenticated only once the file decrypts)."""
    return read_header(source)[4]


def decrypt_stream(source: IO[bytes], *, key: bytes) -> Iterator[bytes]:
    """The plain bytes, chunk by chunk, each checked before it is given. Raises
    ``BackupFileError`` on a wrong key, a changed, reordered or missing chunk, a file cut
    short or anything after its end: a caller that acts on the chunks as they come must be
    able to undo what it did when that happens."""
    header, chunk_size, salt, file_key_id, _manifest = read_header(source)
    if not hmac.compare_digest(file_key_id, key_id(key)):
        raise BackupFileError(
            "This backup was made with a different key from the one in "
            f"{KEY_ENV}. Set the key that was in use when the backup was made."
        )
    cipher = _file_key(key, salt)
    index = 0
    while True:
        framing = source.read(_CHUNK.size)
        if not framing:
            raise BackupFileError(
                "The backup file ends before its last part: it was cut short. Use another backup."
            )
        if len(framing) != _CHUNK.size:
            _read_exact(source, _CHUNK.size - len(framing), "chunk")
        final, nonce, length = _CHUNK.unpack(framing)
        if final not in (0, 1) or not TAG_BYTES <= length <= chunk_size + TAG_BYTES:
            raise BackupFileError(f"Part {index + 1} of the backup is damaged. Use another backup.")
        sealed = _read_exact(source, length, "data")
        try:
            plain = cipher.decrypt(nonce, sealed, _aad(header, index, bool(final)))
        except InvalidTag as error:
            raise BackupFileError(
                f"Part {index + 1} of the backup does not match its checksum: the file was "
                "changed, damaged or its parts reordered. Use another backup."
            ) from error
        yield plain
        if final:
            break
        index += 1
    if source.read(1):
        raise BackupFileError(
            "The backup file has data after its end: it was changed. Use another backup."
        )


def decrypt_to(source: IO[bytes], target: IO[bytes], *, key: bytes) -> int:
    total = 0
    for plain in decrypt_stream(source, key=key):
        target.write(plain)
        total += len(plain)
    return total


def check(source: IO[bytes], *, key: bytes) -> int:
    """Read the whole file and check every chunk, keeping nothing. Returns the plain size."""
    return sum(len(plain) for plain in decrypt_stream(source, key=key))
