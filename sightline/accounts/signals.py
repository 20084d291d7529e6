"""Sign-in, failed sign-in and sign-out go to the audit trail."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from sightline.core.models import AuditEvent

from . import services

SIGNED_IN_AT = "sightline_signed_in_at"
# When the session was last written to the store (``middleware.SessionLifetimeMiddleware``).
RENEWED_AT = "sightline_renewed_at"


@receiver(user_logged_in)
def on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT] = now
    request.session[RENEWED_AT] = int(now)
    request.session.save()
    services.session_start(user=user, session_key=request.session.session_key)


@receiver(user_login_failed)
def on_sign_in_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    services.sign_in_failed(email=str(credentials.get("username", "")))


@receiver(user_logged_out)
def on_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    reason = getattr(request, "sightline_sign_out_reason", "")
    services.session_finish(
        user=user,
        session_key=request.session.session_key if request is not None else None,
        kind=AuditEvent.Kind.SESSION_ENDED if reason else AuditEvent.Kind.SIGN_OUT,
        detail=reason,
    )
