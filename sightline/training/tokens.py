"""Signed links for managers, who approve places without signing in to Sightline."""

from django.core import signing
from django.core.exceptions import ValidationError

APPROVAL_SALT = "sightline.training.approval"
APPROVAL_MAX_AGE = 14 * 24 * 60 * 60


def approval_token(booking_id: int) -> str:
    """A link token for one booking, good for 14 days."""
    return signing.dumps({"booking": booking_id}, salt=APPROVAL_SALT)


def approval_booking_id(token: str) -> int:
    """The booking a token is about, or a ValidationError saying what to do."""
    try:
        data = signing.loads(token, salt=APPROVAL_SALT, max_age=APPROVAL_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ValidationError(
            "This link has expired, and the place it was for has been released. The delegate "
            "can book again if places are left."
        ) from error
    except signing.BadSignature as error:
        raise ValidationError(
            "This link is not valid. Use the link in the email exactly as it was sent."
        ) from error
    if not isinstance(data, dict) or not isinstance(data.get("booking"), int):
        raise ValidationError("This link is not valid. Use the link in the email as sent.")
    return data["booking"]
