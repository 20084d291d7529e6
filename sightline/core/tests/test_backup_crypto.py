"""The backup file format: what goes in comes out, and any change to the file is refused."""

import io
import secrets
import struct

import pytest

from sightline.core import backup_crypto as crypto

MANIFEST = {"vendor": "sqlite", "tables": {"core_auditevent": 3}}


def _key() -> bytes:
    return secrets.token_bytes(crypto.KEY_BYTES)


def _encrypt(plain: bytes, key: bytes, manifest: dict | None = None) -> bytes:
    target = io.BytesIO()
    crypto.encrypt_stream(io.BytesIO(plain), target, key=key, manifest=manifest or MANIFEST)
    return target.getvalue()


def _decrypt(sealed: bytes, key: bytes) -> bytes:
    target = io.BytesIO()
    crypto.decrypt_to(io.BytesIO(sealed), target, key=key)
    return target.getvalue()


def _chunk_offsets(sealed: bytes) -> list[int]:
    """Where each chunk's framing starts."""
    stream = io.BytesIO(sealed)
    crypto.read_header(stream)
    offsets: list[int] = []
    while True:
        offset = stream.tell()
        framing = stream.read(crypto._CHUNK.size)
        if not framing:
            return offsets
        offsets.append(offset)
        _final, _nonce, length = crypto._CHUNK.unpack(framing)
        stream.seek(length, io.SEEK_CUR)


@pytest.mark.parametrize(
    "size",
    [0, 1, crypto.CHUNK_SIZE - 1, crypto.CHUNK_SIZE, crypto.CHUNK_SIZE + 1, 3 * crypto.CHUNK_SIZE],
)
def test_round_trip_at_every_chunk_boundary(size: int) -> None:
    key, plain = _key(), secrets.token_bytes(size)
    sealed = _encrypt(plain, key)
    assert _decrypt(sealed, key) == plain
    assert size < 64 or plain[:64] not in sealed
    expected_chunks = max(1, -(-size // crypto.CHUNK_SIZE))
    assert len(_chunk_offsets(sealed)) == expected_chunks


def test_the_manifest_is_readable_without_the_key() -> None:
    sealed = _encrypt(b"data", _key(), {"vendor": "postgresql", "tables": {"a": 1}})
    assert crypto.read_manifest(io.BytesIO(sealed)) == {"vendor": "postgresql", "tables": {"a": 1}}


def test_two_files_of_the_same_data_differ() -> None:
    key = _key()
    assert _encrypt(b"same", key) != _encrypt(b"same", key)


def test_a_wrong_key_is_named_as_such() -> None:
    sealed = _encrypt(b"secret rows", _key())
    with pytest.raises(crypto.BackupFileError, match="different key"):
        _decrypt(sealed, _key())


def test_a_changed_byte_anywhere_in_the_data_is_refused() -> None:
    key = _key()
    sealed = bytearray(_encrypt(secrets.token_bytes(2 * crypto.CHUNK_SIZE + 10), key))
    start = _chunk_offsets(bytes(sealed))[0]
    for position in (start + crypto._CHUNK.size + 5, len(sealed) - 1, start + 3):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        with pytest.raises(crypto.BackupFileError):
            _decrypt(bytes(tampered), key)


def test_a_changed_manifest_is_refused() -> None:
    key = _key()
    sealed = _encrypt(b"rows", key, {"vendor": "sqlite", "tables": {"core_auditevent": 3}})
    tampered = sealed.replace(b'"core_auditevent":3', b'"core_auditevent":4')
    assert tampered != sealed
    with pytest.raises(crypto.BackupFileError, match="does not match"):
        _decrypt(tampered, key)


@pytest.mark.parametrize("cut", ["inside_a_chunk", "at_a_chunk_boundary", "last_chunk_dropped"])
def test_a_file_cut_short_is_refused(cut: str) -> None:
    key = _key()
    sealed = _encrypt(secrets.token_bytes(2 * crypto.CHUNK_SIZE + 10), key)
    offsets = _chunk_offsets(sealed)
    end = {
        "inside_a_chunk": len(sealed) - 100,
        "at_a_chunk_boundary": offsets[1],
        "last_chunk_dropped": offsets[2],
    }[cut]
    with pytest.raises(crypto.BackupFileError, match=r"cut short|ends"):
        _decrypt(sealed[:end], key)


def test_a_file_cut_short_and_its_last_flag_forged_is_refused() -> None:
    key = _key()
    sealed = bytearray(_encrypt(secrets.token_bytes(2 * crypto.CHUNK_SIZE), key))
    offsets = _chunk_offsets(bytes(sealed))
    cut = sealed[: offsets[1]]
    cut[offsets[0]] = 1  # claim the first chunk was the last
    with pytest.raises(crypto.BackupFileError, match="does not match"):
        _decrypt(bytes(cut), key)


def test_reordered_chunks_are_refused() -> None:
    key = _key()
    sealed = _encrypt(secrets.token_bytes(3 * crypto.CHUNK_SIZE + 1), key)
    a, b, c, _d = _chunk_offsets(sealed)
    swapped = sealed[:a] + sealed[b:c] + sealed[a:b] + sealed[c:]
    with pytest.raises(crypto.BackupFileError, match="reordered"):
        _decrypt(swapped, key)


def test_a_chunk_from_another_file_is_refused() -> None:
    key = _key()
    one = _encrypt(secrets.token_bytes(crypto.CHUNK_SIZE + 1), key)
    other = _encrypt(secrets.token_bytes(crypto.CHUNK_SIZE + 1), key)
    one_offsets, other_offsets = _chunk_offsets(one), _chunk_offsets(other)
    spliced = one[: one_offsets[1]] + other[other_offsets[1] :]
    with pytest.raises(crypto.BackupFileError):
        _decrypt(spliced, key)


def test_data_after_the_end_is_refused() -> None:
    key = _key()
    sealed = _encrypt(b"rows", key)
    with pytest.raises(crypto.BackupFileError, match="after its end"):
        _decrypt(sealed + b"x", key)


@pytest.mark.parametrize(
    "data",
    [b"", b"SQLite format 3\x00", b"SLBACKUP", b"SLBACKUP" + struct.pack(">B", 9) + bytes(40)],
)
def test_a_file_that_is_not_a_backup_is_refused(data: bytes) -> None:
    with pytest.raises(crypto.BackupFileError):
        _decrypt(data, _key())


def test_new_keys_parse_and_differ() -> None:
    first, second = crypto.new_key(), crypto.new_key()
    assert first != second
    assert len(crypto.parse_key(first)) == crypto.KEY_BYTES


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "is not set"),
        ("", "is not set"),
        ("   ", "is not set"),
        ("not base64!", "must be 32 bytes"),
        ("c2hvcnQ=", "must be 32 bytes"),
    ],
)
def test_a_missing_or_malformed_key_says_what_to_do(text: str | None, message: str) -> None:
    with pytest.raises(crypto.BackupKeyError, match=message) as caught:
        crypto.parse_key(text)
    assert "sightline backup --new-key" in str(caught.value)
