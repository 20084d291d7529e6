"""Every write to a person's second factors: atomic, and audited in the same transaction."""

import hashlib
import secrets
import uuid
from binascii import unhexlify
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from sightline.core.models import AuditEvent
from sightline.core.outbox import message_key, outbox_add
from sightline.core.services import audit_record

from ..models import Passkey, RecoveryCode, SignInRecord, User, UserSession
from ..services import _end_sessions

RECOVERY_CODE_COUNT = 10
# Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L): 50 bits each.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_CODE_LENGTH = 10


def _hash_code(code: str) -> str:
    return hashlib.sha256(recovery_code_normalise(code).encode()).hexdigest()


def recovery_code_normalise(code: str) -> str:
    return "".join(char for char in code.upper() if char.isalnum())


def recovery_code_format(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def totp_secret_new() -> str:
    """A new key for an authenticator app being set up (20 random bytes, as hex): kept in the
    session until a code from the app confirms it, so nothing is saved before then."""
    return random_hex(20)


@transaction.atomic
def totp_device_confirm(*, user: User, key: str, token: str) -> TOTPDevice | None:
    """Save the app being set up if ``token`` is its current code; None if it is not."""
    totp = TOTP(unhexlify(key.encode()))
    if not totp.verify(int(token), tolerance=1):
        return None
    device = TOTPDevice.objects.create(
        user=user, name="Authenticator app", key=key, confirmed=True, last_t=totp.t()
    )
    device.set_last_used_timestamp(commit=True)
    audit_record(
        actor=user,
        kind=AuditEvent.Kind.CREATE,
        obj=user,
        detail="Second factor added: an authenticator app.",
    )
    return device


def totp_verify(*, user: User, token: str) -> TOTPDevice | None:
    """The confirmed app whose code this is (each code is accepted once), or None."""
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


def totp_throttled(*, user: User) -> bool:
    """Whether every app of the user is waiting out django-otp's delay after wrong codes."""
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    return bool(devices) and not any(device.verify_is_allowed()[0] for device in devices)


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """Ten new single-use codes, replacing any the person had: returned once to be shown,
    only their hashes kept."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_hash_code(code)) for code in codes
    )
    audit_record(
        actor=user,
        kind=AuditEvent.Kind.UPDATE,
        obj=user,
        detail=f"{RECOVERY_CODE_COUNT} new recovery codes made; any earlier ones no longer work.",
    )
    return [recovery_code_format(code) for code in codes]


@transaction.atomic
def recovery_code_use(*, user: User, code: str) -> bool:
    """Spend one of the person's unused recovery codes; False if it is not one."""
    if not recovery_code_normalise(code):
        return False
    spent = RecoveryCode.objects.filter(
        user=user, code_hash=_hash_code(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    if spent:
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        audit_record(
            actor=user,
            kind=AuditEvent.Kind.UPDATE,
            obj=user,
            detail=f"Signed in with a recovery code; {left} left.",
        )
    return bool(spent)


def second_factor_failed(*, user: User, method: str, count: int) -> None:
    """A wrong code or key at the second step of signing in, to the audit trail."""
    audit_record(
        actor=None,
        actor_email=user.email,
        kind=AuditEvent.Kind.SIGN_IN_FAILED,
        obj=user,
        detail=f"Wrong second factor ({method}), attempt {count} in this session.",
    )


@transaction.atomic
def passkey_add(
    *,
    user: User,
    name: str,
    credential_id: bytes,
    credential_key: str,
    public_key: bytes,
    sign_count: int,
) -> Passkey:
    passkey = Passkey.objects.create(
        user=user,
        name=name,
        credential_id=credential_id,
        credential_key=credential_key,
        public_key=public_key,
        sign_count=sign_count,
    )
    audit_record(
        actor=user,
        kind=AuditEvent.Kind.CREATE,
        obj=user,
        detail=f"Second factor added: a passkey or security key ({name}).",
    )
    return passkey


def passkey_used(*, passkey: Passkey, sign_count: int) -> None:
    passkey.sign_count = sign_count
    passkey.last_used_at = timezone.now()
    passkey.save(update_fields=["sign_count", "last_used_at"])


@transaction.atomic
def factor_remove(*, user: User, kind: str, pk: int) -> None:
    """Remove one of the person's own factors; with the last one go the recovery codes."""
    if kind == "app":
        name = "an authenticator app"
        TOTPDevice.objects.filter(user=user, pk=pk).delete()
    else:
        passkey = Passkey.objects.get(user=user, pk=pk)
        name = f"a passkey or security key ({passkey.name})"
        passkey.delete()
    if not (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or Passkey.objects.filter(user=user).exists()
    ):
        RecoveryCode.objects.filter(user=user).delete()
    audit_record(
        actor=user, kind=AuditEvent.Kind.DELETE, obj=user, detail=f"Second factor removed: {name}."
    )


@transaction.atomic
def second_factor_reset(*, actor: Any, user: User) -> None:
    """An administrator's reset of a lost factor: every factor and recovery code of the
    person goes, their sessions end, and they are told by email who did it."""
    apps = TOTPDevice.objects.filter(user=user).delete()[0]
    keys = Passkey.objects.filter(user=user).delete()[0]
    RecoveryCode.objects.filter(user=user).delete()
    ended = _end_sessions(user)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=user,
        detail=(
            f"Second factor reset: {apps} authenticator app{'s' if apps != 1 else ''} and "
            f"{keys} passkey{'s' if keys != 1 else ''} removed, recovery codes withdrawn, "
            f"{ended} open session{'s' if ended != 1 else ''} ended."
        ),
    )
    context = {
        "user": user,
        "actor": actor,
        "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME,
        "base_url": settings.SIGHTLINE_BASE_URL,
    }
    outbox_add(
        key=message_key("accounts.second_factor_reset", user.pk, uuid.uuid4().hex),
        kind="accounts.second_factor_reset",
        to=user.email,
        subject="Your second factor for Sightline has been reset",
        body=render_to_string("accounts/email/second_factor_reset.txt", context),
    )


def session_key_changed(*, old_key: str, new_key: str) -> None:
    """The session's key was cycled after its second factor: keep its record."""
    UserSession.objects.filter(session_key=old_key).update(session_key=new_key)
    SignInRecord.objects.filter(session_key=old_key).update(session_key=new_key)
