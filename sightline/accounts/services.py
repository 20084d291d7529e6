"""Every write to users, memberships and agencies: atomic, and audited in the same transaction."""

import uuid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sightline.core.models import AuditEvent
from sightline.core.outbox import message_key, outbox_add
from sightline.core.request_context import client_ip
from sightline.core.roles import Role
from sightline.core.services import audit_record, changes_between, snapshot

from .models import Agency, Membership, SignInMethod, User, UserSession

USER_FIELDS = ("email", "full_name", "job_title", "is_active")
AGENCY_FIELDS = ("name", "sector", "is_active", "workforce")


def _email_taken(email: str, *, exclude: User | None = None) -> bool:
    users = User.objects.filter(email__iexact=email)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users.exists()


def _agency_name_taken(name: str, *, exclude: Agency | None = None) -> bool:
    agencies = Agency.objects.filter(name__iexact=name.strip())
    if exclude is not None:
        agencies = agencies.exclude(pk=exclude.pk)
    return agencies.exists()


def password_link_send(*, user: User) -> None:
    """Email the user a link to set their password (valid for PASSWORD_RESET_TIMEOUT)."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "link": f"{settings.SIGHTLINE_BASE_URL}{path}",
        "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME,
    }
    outbox_add(
        key=message_key("accounts.set_password", user.pk, uuid.uuid4().hex),
        kind="accounts.set_password",
        to=user.email,
        subject="Set your password for Sightline",
        body=render_to_string("accounts/email/set_password.txt", context),
        forget_body_when_sent=True,
    )


@transaction.atomic
def password_reset_send(*, email: str) -> int:
    """The worker's half of a password reset: find the active accounts with ``email`` (none,
    as often as not) and write each a link to the outbox; the email's link lets its holder
    in, so the outbox forgets the body once it is sent. The request only counted, so its
    time does not tell registered addresses from others. Returns how many were written."""
    users = [
        user
        for user in User.objects.filter(email__iexact=email.strip(), is_active=True)
        if user.has_usable_password() or not user.last_login
    ]
    base = urlsplit(settings.SIGHTLINE_BASE_URL)
    for user in users:
        context = {
            "user": user,
            "email": user.email,
            "domain": base.netloc,
            "site_name": base.netloc,
            "protocol": base.scheme or "https",
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }
        outbox_add(
            key=message_key("accounts.password_reset", uuid.uuid4().hex),
            kind="accounts.password_reset",
            to=user.email,
            subject="".join(
                render_to_string("accounts/email/password_reset_subject.txt", context).splitlines()
            ),
            body=render_to_string("accounts/email/password_reset.txt", context),
            forget_body_when_sent=True,
        )
    return len(users)


@transaction.atomic
def user_create(
    *,
    actor: Any,
    email: str,
    full_name: str,
    job_title: str = "",
    agency: Agency | None = None,
    role: Role | str | None = None,
    password: str | None = None,
    send_password_link: bool = True,
) -> User:
    email = email.strip().lower()
    if _email_taken(email):
        raise ValidationError({"email": "A user with this email address already exists"})
    user = User.objects.create_user(
        email, password, full_name=full_name.strip(), job_title=job_title
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=user,
        changes=changes_between({}, snapshot(user, USER_FIELDS)),
    )
    if agency is not None and role:
        membership_add(actor=actor, user=user, agency=agency, role=role)
    if send_password_link and password is None:
        password_link_send(user=user)
    return user


@transaction.atomic
def user_update(*, actor: Any, user: User, email: str, full_name: str, job_title: str) -> User:
    email = email.strip().lower()
    if _email_taken(email, exclude=user):
        raise ValidationError({"email": "Another user already has this email address"})
    before = snapshot(user, USER_FIELDS)
    user.email, user.full_name, user.job_title = email, full_name.strip(), job_title.strip()
    changes = changes_between(before, snapshot(user, USER_FIELDS))
    if changes:
        user.save(update_fields=list(changes))
        audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=user, changes=changes)
    return user


def _end_sessions(user: User) -> int:
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        SessionStore(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def _administrators_left(
    *, excluding_user: User | None = None, excluding: Membership | None = None
) -> int:
    admins = Membership.objects.filter(role=Role.ADMINISTRATOR, user__is_active=True)
    if excluding_user is not None:
        admins = admins.exclude(user=excluding_user)
    if excluding is not None:
        admins = admins.exclude(pk=excluding.pk)
    return admins.values("user").distinct().count()


@transaction.atomic
def user_deactivate(*, actor: Any, user: User) -> User:
    """Stop the user signing in, and end every session they have open now."""
    if user.pk == getattr(actor, "pk", None):
        raise ValidationError("You cannot deactivate your own account. Ask another administrator.")
    if not user.is_active:
        raise ValidationError("This account is already deactivated.")
    if Role.ADMINISTRATOR in user.role_set and _administrators_left(excluding_user=user) == 0:
        raise ValidationError(
            "This is the last active partnership administrator. Make someone else an "
            "administrator first."
        )
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = _end_sessions(user)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=user,
        changes={"is_active": {"from": True, "to": False}},
        detail=f"Account deactivated; {ended} open session{'s' if ended != 1 else ''} ended.",
    )
    return user


@transaction.atomic
def user_reactivate(*, actor: Any, user: User) -> User:
    if user.is_active:
        raise ValidationError("This account is already active.")
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=user,
        changes={"is_active": {"from": False, "to": True}},
    )
    return user


def _role_list(user: User) -> list[str]:
    return sorted(
        f"{membership.get_role_display()}, {membership.agency.name}"
        for membership in user.memberships.select_related("agency")
    )


@transaction.atomic
def membership_add(*, actor: Any, user: User, agency: Agency, role: Role | str) -> Membership:
    """Give ``user`` a role in ``agency``; recorded as a change to the user's roles."""
    if Membership.objects.filter(user=user, agency=agency, role=role).exists():
        raise ValidationError(f"{user.full_name} already has this role in {agency.name}")
    before = _role_list(user)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, agency=agency, role=role)
    except IntegrityError as error:
        raise ValidationError(f"{user.full_name} already has this role in {agency.name}") from error
    user.forget_memberships()
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=user,
        changes={"roles": {"from": before, "to": _role_list(user)}},
        detail=f"Role added: {membership}.",
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, membership: Membership) -> None:
    if membership.role == Role.ADMINISTRATOR and _administrators_left(excluding=membership) == 0:
        raise ValidationError(
            "This is the last partnership administrator role. Make someone else an "
            "administrator first."
        )
    user = membership.user
    before = _role_list(user)
    membership.delete()
    user.forget_memberships()
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=user,
        changes={"roles": {"from": before, "to": _role_list(user)}},
        detail=f"Role removed: {membership}.",
    )


@transaction.atomic
def agency_create(
    *, actor: Any, name: str, sector: str, is_active: bool = True, workforce: int | None = None
) -> Agency:
    if _agency_name_taken(name):
        raise ValidationError({"name": "An agency with this name already exists"})
    agency = Agency.objects.create(
        name=name.strip(),
        sector=sector,
        is_active=is_active,
        workforce=workforce,
        created_by=actor if getattr(actor, "pk", None) else None,
        updated_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=agency,
        changes=changes_between({}, snapshot(agency, AGENCY_FIELDS)),
    )
    return agency


@transaction.atomic
def agency_update(
    *,
    actor: Any,
    agency: Agency,
    name: str,
    sector: str,
    is_active: bool,
    workforce: int | None = None,
) -> Agency:
    if _agency_name_taken(name, exclude=agency):
        raise ValidationError({"name": "Another agency already has this name"})
    before = snapshot(agency, AGENCY_FIELDS)
    agency.name, agency.sector, agency.is_active = name.strip(), sector, is_active
    agency.workforce = workforce
    changes = changes_between(before, snapshot(agency, AGENCY_FIELDS))
    if changes:
        agency.updated_by = actor
        agency.updated_at = timezone.now()
        agency.save(update_fields=[*changes, "updated_by", "updated_at"])
        audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=agency, changes=changes)
    return agency


@transaction.atomic
def session_start(*, user: User, session_key: str) -> None:
    UserSession.objects.update_or_create(
        session_key=session_key, defaults={"user": user, "ip_address": client_ip.get()}
    )
    audit_record(actor=user, kind=AuditEvent.Kind.SIGN_IN, obj=user)


def session_method_set(*, session_key: str, method: str, detail: str = "") -> None:
    """Records how a session's sign-in was completed (a second factor, single sign-on): the
    sign-in itself is recorded by ``session_start`` with the password as its method."""
    UserSession.objects.filter(session_key=session_key).update(
        method=SignInMethod(method), method_detail=detail[:100]
    )


@transaction.atomic
def session_finish(
    *, user: User | None, session_key: str | None, kind: str, detail: str = ""
) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()
    audit_record(actor=user, kind=kind, obj=user, detail=detail)


def sign_in_failed(*, email: str) -> None:
    audit_record(actor=None, actor_email=email.strip().lower(), kind=AuditEvent.Kind.SIGN_IN_FAILED)


def sign_in_refused(*, email: str, reason: str = "too many failed attempts") -> None:
    """A sign-in refused by the throttle before its password was checked (not counted as a
    failure); the password is not recorded."""
    audit_record(
        actor=None,
        actor_email=email.strip().lower(),
        kind=AuditEvent.Kind.ACCESS_DENIED,
        detail=f"Sign-in refused: {reason}.",
    )


def password_changed(*, user: User, actor: Any) -> None:
    audit_record(actor=actor, kind=AuditEvent.Kind.PASSWORD_CHANGED, obj=user)


def password_reset_requested(*, email: str, sent: bool = True) -> None:
    """Recorded by the request, the same for every address; ``sent`` False when the address
    has had as many reset emails as the limit allows (nothing is sent)."""
    audit_record(
        actor=None,
        actor_email=email.strip().lower(),
        kind=AuditEvent.Kind.PASSWORD_RESET_REQUESTED,
        detail="" if sent else "No email sent: too many asked for this address.",
    )
