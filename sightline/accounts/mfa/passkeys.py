"""Passkeys and security keys through WebAuthn (py_webauthn does the cryptography): the
options a browser is given, and the checks on what it sends back. The challenge lives in the
session between the two."""

import base64
import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..models import Passkey, User

REGISTER_CHALLENGE = "sightline_webauthn_register"
SIGN_IN_CHALLENGE = "sightline_webauthn_sign_in"
# The largest credential a browser sends back (the form field's limit).
MAX_CREDENTIAL_CHARS = 20_000


class PasskeyRefused(Exception):
    """The browser's answer did not check out: the message says what to do."""


# Browsers refuse WebAuthn on an address: on the loopback interface (make run serves
# http://127.0.0.1:8000) passkeys work at http://localhost with the same port instead.
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "::1"})


def _base() -> tuple[str, str, int | None]:
    parts = urlsplit(settings.SIGHTLINE_BASE_URL)
    host = parts.hostname or "localhost"
    return parts.scheme, "localhost" if host in LOOPBACK_ADDRESSES else host, parts.port


def rp_id() -> str:
    """The relying party's id: SIGHTLINE_WEBAUTHN_RP_ID, else SIGHTLINE_BASE_URL's host."""
    return settings.SIGHTLINE_WEBAUTHN_RP_ID or _base()[1]


def expected_origin() -> str:
    scheme, host, port = _base()
    return f"{scheme}://{host}{f':{port}' if port else ''}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def registration_options(*, user: User, session: Any) -> str:
    """The JSON the browser passes to navigator.credentials.create()."""
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=f"Sightline, {settings.SIGHTLINE_PARTNERSHIP_NAME}",
        user_id=str(user.pk).encode(),
        user_name=user.email,
        user_display_name=user.full_name or user.email,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(key.credential_id))
            for key in Passkey.objects.filter(user=user)
        ],
    )
    session[REGISTER_CHALLENGE] = _b64(options.challenge)
    return options_to_json(options)


def registration_verify(*, session: Any, credential: str) -> tuple[bytes, bytes, int]:
    """The new credential's id, public key and counter, if the browser's answer checks out."""
    challenge = session.pop(REGISTER_CHALLENGE, None)
    if not challenge:
        raise PasskeyRefused("The set-up had expired. Try again.")
    try:
        data = json.loads(credential)
        if not isinstance(data, dict):
            raise ValueError("not a credential")
        verified = verify_registration_response(
            credential=data,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise PasskeyRefused(
            "Your passkey or security key could not be added. Try again, or set up an "
            "authenticator app instead."
        ) from error
    return verified.credential_id, verified.credential_public_key, verified.sign_count


def authentication_options(*, user: User, session: Any) -> str | None:
    """The JSON the browser passes to navigator.credentials.get(); None if the person has no
    passkey."""
    keys = list(Passkey.objects.filter(user=user))
    if not keys:
        return None
    options = generate_authentication_options(
        rp_id=rp_id(),
        allow_credentials=[PublicKeyCredentialDescriptor(id=bytes(k.credential_id)) for k in keys],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    session[SIGN_IN_CHALLENGE] = _b64(options.challenge)
    return options_to_json(options)


def authentication_verify(*, user: User, session: Any, credential: str) -> Passkey:
    """The person's passkey that signed this challenge, its counter updated by the caller."""
    challenge = session.pop(SIGN_IN_CHALLENGE, None)
    try:
        data = json.loads(credential)
        if not isinstance(data, dict):
            raise ValueError("not a credential")
        passkey = Passkey.objects.get(user=user, credential_key=str(data["id"])[:1400])
        if not challenge:
            raise PasskeyRefused("The sign-in had expired. Try again.")
        verified = verify_authentication_response(
            credential=data,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except PasskeyRefused:
        raise
    except (Passkey.DoesNotExist, WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise PasskeyRefused(
            "Your passkey or security key was not recognised. Try again, or use another way "
            "to confirm it is you."
        ) from error
    passkey.sign_count = verified.new_sign_count
    return passkey


def credential_key(credential_id: bytes) -> str:
    return _b64(credential_id)
