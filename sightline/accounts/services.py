"""Every write to users, memberships and agencies: atomic, and audited in the same transaction."""

import datetime
import os
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
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

from .access_sources import grant_remove, grants_for
from .models import (
    AccessDecision,
    AccessReview,
    AccessReviewItem,
    AccessReviewStatus,
    Agency,
    Membership,
    SignInMethod,
    SignInRecord,
    SuspensionReason,
    User,
    UserSession,
)
from .selectors import suspension_contacts

USER_FIELDS = ("email", "full_name", "job_title", "is_active")
AGENCY_FIELDS = ("name", "sector", "is_active", "workforce", "single_sign_on_only")


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
        # Nobody in a single-sign-on-only agency gets a reset link (the page says the same).
        for user in User.objects.filter(email__iexact=email.strip(), is_active=True).exclude(
            memberships__agency__single_sign_on_only=True
        )
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
    *,
    actor: Any,
    name: str,
    sector: str,
    is_active: bool = True,
    workforce: int | None = None,
    single_sign_on_only: bool = False,
) -> Agency:
    if _agency_name_taken(name):
        raise ValidationError({"name": "An agency with this name already exists"})
    agency = Agency.objects.create(
        name=name.strip(),
        sector=sector,
        is_active=is_active,
        workforce=workforce,
        single_sign_on_only=single_sign_on_only,
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
    single_sign_on_only: bool | None = None,
) -> Agency:
    if _agency_name_taken(name, exclude=agency):
        raise ValidationError({"name": "Another agency already has this name"})
    before = snapshot(agency, AGENCY_FIELDS)
    agency.name, agency.sector, agency.is_active = name.strip(), sector, is_active
    agency.workforce = workforce
    if single_sign_on_only is not None:
        agency.single_sign_on_only = single_sign_on_only
    changes = changes_between(before, snapshot(agency, AGENCY_FIELDS))
    if changes:
        agency.updated_by = actor
        agency.updated_at = timezone.now()
        agency.save(update_fields=[*changes, "updated_by", "updated_at"])
        audit_record(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=agency, changes=changes)
    return agency


@transaction.atomic
def session_start(*, user: User, session_key: str) -> None:
    """A sign-in: the session is tied to its person (so it can be ended with the others) and
    a lasting record of the sign-in is kept for the account page's recent sign-ins."""
    address = client_ip.get()
    UserSession.objects.update_or_create(
        session_key=session_key, defaults={"user": user, "ip_address": address}
    )
    SignInRecord.objects.create(user=user, ip_address=address, session_key=session_key)
    audit_record(actor=user, kind=AuditEvent.Kind.SIGN_IN, obj=user)


def session_method_set(*, session_key: str, method: str, detail: str = "") -> None:
    """Records how a session's sign-in was completed (a second factor, single sign-on): the
    sign-in itself is recorded by ``session_start`` with the password as its method."""
    values = {"method": SignInMethod(method), "method_detail": detail[:100]}
    UserSession.objects.filter(session_key=session_key).update(**values)
    SignInRecord.objects.filter(session_key=session_key).update(**values)


@transaction.atomic
def sessions_end_all(*, user: User, actor: Any) -> int:
    """Sign out everywhere: every session of ``user`` ends, the current one included."""
    ended = _end_sessions(user)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.SESSION_ENDED,
        obj=user,
        detail=f"Signed out everywhere: {ended} open session{'s' if ended != 1 else ''} ended.",
    )
    return ended


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


# --- Suspension of accounts not used for a long time -------------------------------------

DEMO_DOMAIN = "@demo.sightline.test"


def _demo_mode() -> bool:
    """``make run`` marks itself a demo (SIGHTLINE_DEMO): its fictional accounts are never
    suspended, so the demo still works months after it was seeded."""
    return bool(getattr(settings, "SIGHTLINE_DEMO", False) or os.environ.get("SIGHTLINE_DEMO"))


def _suspension_emails(*, user: User, days: int) -> None:
    leads = suspension_contacts(user=user)
    stamp = user.suspended_at.isoformat() if user.suspended_at else ""
    context = {
        "person": user,
        "days": days,
        "leads": leads,
        "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME,
        "base_url": settings.SIGHTLINE_BASE_URL,
    }
    outbox_add(
        key=message_key("accounts.suspended", user.pk, stamp, user.email),
        kind="accounts.suspended",
        to=user.email,
        subject="Your Sightline account has been suspended",
        body=render_to_string("accounts/email/suspended.txt", context),
    )
    for lead in leads:
        outbox_add(
            key=message_key("accounts.suspended", user.pk, stamp, lead.email),
            kind="accounts.suspended",
            to=lead.email,
            subject=f"{user.full_name or user.email}'s Sightline account has been suspended",
            body=render_to_string("accounts/email/suspended_lead.txt", {**context, "lead": lead}),
        )


def inactive_accounts(*, now: datetime.datetime) -> list[User]:
    """Active, unsuspended accounts not signed in to for SIGHTLINE_INACTIVE_DAYS (counted
    from joining when never signed in, and from the last lifting of a suspension)."""
    cutoff = now - datetime.timedelta(days=settings.SIGHTLINE_INACTIVE_DAYS)
    users = (
        User.objects.filter(is_active=True, suspended_at__isnull=True)
        .alias(
            last_used=Greatest(
                Coalesce(F("last_login"), F("date_joined")),
                Coalesce(F("suspension_lifted_at"), F("date_joined")),
            )
        )
        .filter(last_used__lt=cutoff)
    )
    if _demo_mode():
        users = users.exclude(email__iendswith=DEMO_DOMAIN)
    return list(users.order_by("pk"))


@transaction.atomic
def user_suspend(
    *, user: User, reason: str = SuspensionReason.INACTIVE, now: datetime.datetime | None = None
) -> User:
    """Suspend the account: it cannot sign in, its sessions end, and the person and their
    agency leads are told by email."""
    if user.suspended_at is not None:
        raise ValidationError("This account is already suspended.")
    user.suspended_at = now or timezone.now()
    user.suspended_reason = SuspensionReason(reason)
    user.save(update_fields=["suspended_at", "suspended_reason"])
    ended = _end_sessions(user)
    days = settings.SIGHTLINE_INACTIVE_DAYS
    audit_record(
        actor=None,
        kind=AuditEvent.Kind.UPDATE,
        obj=user,
        changes={"suspended": {"from": False, "to": True}},
        detail=f"Account suspended: not used for {days} days; "
        f"{ended} open session{'s' if ended != 1 else ''} ended.",
    )
    _suspension_emails(user=user, days=days)
    return user


def inactive_suspensions_scheduled(*, now: datetime.datetime) -> dict[str, Any]:
    """The daily schedule: suspend every account unused for SIGHTLINE_INACTIVE_DAYS."""
    suspended = 0
    for user in inactive_accounts(now=now):
        if Role.ADMINISTRATOR in user.role_set and not _administrators_unsuspended(but=user):
            # Someone must be able to lift suspensions: the last administrator stays.
            continue
        user_suspend(user=user, now=now)
        suspended += 1
    return {"suspended": suspended}


def _administrators_unsuspended(*, but: User) -> bool:
    return (
        Membership.objects.filter(
            role=Role.ADMINISTRATOR, user__is_active=True, user__suspended_at__isnull=True
        )
        .exclude(user=but)
        .exists()
    )


@transaction.atomic
def user_suspension_lift(*, actor: Any, user: User) -> User:
    if user.suspended_at is None:
        raise ValidationError("This account is not suspended.")
    user.suspended_at, user.suspended_reason = None, ""
    user.suspension_lifted_at = timezone.now()
    user.save(update_fields=["suspended_at", "suspended_reason", "suspension_lifted_at"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=user,
        changes={"suspended": {"from": True, "to": False}},
        detail="Suspension lifted.",
    )
    return user


# --- Access reviews ---------------------------------------------------------------------


def access_review_period(*, on: datetime.date) -> datetime.date:
    """The first day of the review period ``on`` falls in: the latest first of one of
    SIGHTLINE_ACCESS_REVIEW_MONTHS on or before it."""
    months = sorted(set(settings.SIGHTLINE_ACCESS_REVIEW_MONTHS)) or [4, 10]
    starts = [datetime.date(on.year, month, 1) for month in months if month <= on.month]
    return starts[-1] if starts else datetime.date(on.year - 1, months[-1], 1)


def _roles_label(memberships: list[Membership]) -> str:
    return ", ".join(sorted(m.get_role_display() for m in memberships))


@transaction.atomic
def access_review_open(
    *, agency: Agency, period_start: datetime.date, now: datetime.datetime | None = None
) -> AccessReview | None:
    """Open the agency's review for the period with an item for each person's roles and each
    of their places on a need-to-know list; None when it is open already."""
    if AccessReview.objects.filter(agency=agency, period_start=period_start).exists():
        return None
    now = now or timezone.now()
    review = AccessReview.objects.create(
        agency=agency,
        period_start=period_start,
        due_on=timezone.localdate(now)
        + datetime.timedelta(days=settings.SIGHTLINE_ACCESS_REVIEW_DUE_DAYS),
        opened_at=now,
    )
    by_person: dict[int, list[Membership]] = {}
    for membership in Membership.objects.filter(agency=agency, user__is_active=True):
        by_person.setdefault(membership.user_id, []).append(membership)
    items = [
        AccessReviewItem(review=review, member_id=user_id, label=_roles_label(held))
        for user_id, held in by_person.items()
    ]
    items += [
        AccessReviewItem(
            review=review,
            member_id=grant.user_id,
            source=source.key,
            ref=grant.ref,
            label=grant.label[:300],
        )
        for source, grant in grants_for(user_ids=list(by_person))
    ]
    AccessReviewItem.objects.bulk_create(items)
    audit_record(
        actor=None,
        kind=AuditEvent.Kind.CREATE,
        obj=review,
        detail=f"Access review opened: {len(by_person)} people, {len(items)} items to confirm.",
    )
    return review


def _access_review_email(*, review: AccessReview, interval: int) -> int:
    leads = User.objects.filter(
        memberships__agency=review.agency_id,
        memberships__role=Role.AGENCY_LEAD,
        is_active=True,
        suspended_at__isnull=True,
    ).distinct()
    sent = 0
    for lead in leads:
        context = {
            "lead": lead,
            "review": review,
            "reminder": interval > 0,
            "link": f"{settings.SIGHTLINE_BASE_URL}{review.get_absolute_url()}",
            "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME,
        }
        subject = (
            f"Reminder: confirm who in {review.agency.name} still needs Sightline"
            if interval
            else f"Confirm who in {review.agency.name} still needs Sightline"
        )
        sent += outbox_add(
            key=message_key("accounts.access_review", review.pk, lead.email, interval),
            kind="accounts.access_review",
            to=lead.email,
            subject=subject,
            body=render_to_string("accounts/email/access_review.txt", context),
        )
    return sent


def access_reviews_scheduled(*, now: datetime.datetime) -> dict[str, Any]:
    """The daily schedule: open each active agency's review when a period begins, then email
    the leads of every open review: once when it opens and once each reminder interval."""
    period_start = access_review_period(on=timezone.localdate(now))
    opened = 0
    for agency in (
        Agency.objects.filter(is_active=True)
        .filter(Q(memberships__isnull=False), ~Q(access_reviews__period_start=period_start))
        .distinct()
    ):
        opened += access_review_open(agency=agency, period_start=period_start, now=now) is not None
    every = datetime.timedelta(days=settings.SIGHTLINE_ACCESS_REVIEW_REMINDER_DAYS)
    emails = 0
    for review in AccessReview.objects.filter(status=AccessReviewStatus.OPEN).select_related(
        "agency"
    ):
        emails += _access_review_email(review=review, interval=(now - review.opened_at) // every)
    return {"opened": opened, "emails": emails}


@transaction.atomic
def access_review_decide(*, actor: Any, item: AccessReviewItem, decision: str) -> AccessReviewItem:
    """Keep or remove one item; removing takes the roles (or the place on the list) away at
    once through their own services, each audited."""
    review = item.review
    if review.status != AccessReviewStatus.OPEN:
        raise ValidationError("This access review is finished. Decisions can no longer change.")
    if item.decision == AccessDecision.REMOVE:
        raise ValidationError("This access has been removed already.")
    decision = AccessDecision(decision)
    if decision == AccessDecision.REMOVE:
        if item.source == AccessReviewItem.ROLES:
            for membership in Membership.objects.filter(
                user=item.member, agency=review.agency_id
            ).select_related("agency", "user"):
                membership_remove(actor=actor, membership=membership)
        else:
            grant_remove(source=item.source, ref=item.ref, actor=actor)
    before = item.decision
    item.decision, item.decided_by, item.decided_at = decision, actor, timezone.now()
    item.save(update_fields=["decision", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=review,
        changes={"decision": {"from": before or None, "to": decision.value}},
        detail=f"{item.member.email}: {item.label} ({decision.label.lower()}).",
    )
    return item


@transaction.atomic
def access_review_complete(*, actor: Any, review: AccessReview) -> AccessReview:
    if review.status != AccessReviewStatus.OPEN:
        raise ValidationError("This access review is finished already.")
    undecided = review.items.filter(decision="").count()
    if undecided:
        raise ValidationError(
            f"Choose keep or remove for every item first: {undecided} still "
            f"need{'s' if undecided == 1 else ''} a decision."
        )
    review.status = AccessReviewStatus.DONE
    review.completed_by, review.completed_at = actor, timezone.now()
    review.save(update_fields=["status", "completed_by", "completed_at"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=review,
        changes={"status": {"from": "Open", "to": "Done"}},
        detail="Access review completed.",
    )
    return review
