"""What second factors a person has."""

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import Passkey, RecoveryCode


@dataclass(frozen=True)
class Factor:
    kind: str  # "app" or "passkey"
    pk: int
    name: str
    added: Any
    last_used: Any


def has_app(*, user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_second_factor(*, user: Any) -> bool:
    return has_app(user=user) or Passkey.objects.filter(user=user).exists()


def factors_for(*, user: Any) -> list[Factor]:
    """The person's authenticator apps and passkeys, oldest first."""
    apps = [
        Factor("app", device.pk, device.name, device.created_at, device.last_used_at)
        for device in TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")
    ]
    keys = [
        Factor("passkey", key.pk, key.name, key.created_at, key.last_used_at)
        for key in Passkey.objects.filter(user=user)
    ]
    return sorted(apps + keys, key=lambda factor: factor.added)


def recovery_codes_left(*, user: Any) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def factor_get(*, user: Any, kind: str, pk: int) -> Factor:
    """One of ``user``'s own factors; someone else's is not found."""
    for factor in factors_for(user=user):
        if factor.kind == kind and factor.pk == pk:
            return factor
    raise Http404
