"""Case files held between the preview and the confirmation of an import.

Kept in the default storage (``var/uploads`` unless configured), named by an unguessable
token that starts with the uploader's id, and removed when taken or after a day.
"""

import datetime
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

FOLDER = "imports"
KEEP = datetime.timedelta(days=1)


def hold(*, user_id: int, content: bytes) -> str:
    """Keep the file until it is confirmed; returns its token. Stale files are cleared first."""
    prune()
    token = f"{user_id}-{secrets.token_hex(16)}"
    default_storage.save(f"{FOLDER}/{token}", ContentFile(content))
    return token


def _path(*, user_id: int, token: str) -> str | None:
    path = f"{FOLDER}/{token}"
    if not token.startswith(f"{user_id}-") or "/" in token or not default_storage.exists(path):
        return None
    return path


def peek(*, user_id: int, token: str) -> bytes | None:
    """The file held under ``token`` for this user, left in storage; None if gone. A
    background import reads it twice: to check it, then to import it."""
    path = _path(user_id=user_id, token=token)
    if path is None:
        return None
    with default_storage.open(path, "rb") as handle:
        return bytes(handle.read())


def discard(*, user_id: int, token: str) -> None:
    path = _path(user_id=user_id, token=token)
    if path is not None:
        default_storage.delete(path)


def take(*, user_id: int, token: str) -> bytes | None:
    """The file held under ``token`` for this user, removed from storage; None if gone."""
    content = peek(user_id=user_id, token=token)
    discard(user_id=user_id, token=token)
    return content


def prune() -> None:
    if not default_storage.exists(FOLDER):
        return
    cutoff = timezone.now() - KEEP
    for name in default_storage.listdir(FOLDER)[1]:
        path = f"{FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (NotImplementedError, FileNotFoundError):
            continue
