"""Every write single sign-on makes: links asked for, confirmed, refused and removed, and
sign-ins refused. Atomic, audited in the same transaction; emails through the outbox."""

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sightline.core.models import AuditEvent
from sightline.core.outbox import message_key, outbox_add
from sightline.core.services import audit_record

from . import sso_selectors
from .models import ExternalIdentity, LinkRequest, User
from .sso import ProviderIdentity
from .sso_config import OidcProvider


def _email(*, kind: str, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    context = {**context, "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME}
    outbox_add(
        key=message_key(kind, uuid.uuid4().hex),
        kind=kind,
        to=to,
        subject=subject,
        body=render_to_string(template, context),
    )


@transaction.atomic
def link_request_open(*, provider: OidcProvider, identity: ProviderIdentity) -> LinkRequest:
    """A first sign-in through ``provider``: ask the administrators which account it is.
    Reuses the waiting request for the same subject, so signing in again emails nobody."""
    existing = sso_selectors.link_request_pending(
        provider_key=provider.key, subject=identity.subject
    )
    if existing is not None:
        return existing
    suggested = sso_selectors.user_suggested_for(provider=provider, email=identity.email)
    try:
        with transaction.atomic():
            link = LinkRequest.objects.create(
                provider_key=provider.key,
                issuer=identity.issuer,
                subject=identity.subject,
                claimed_email=identity.email,
                claimed_name=identity.name,
                suggested_user=suggested,
            )
    except IntegrityError:  # the same person's other tab got there first
        found = sso_selectors.link_request_pending(
            provider_key=provider.key, subject=identity.subject
        )
        if found is None:
            raise
        return found
    audit_record(
        actor=None,
        actor_email=identity.email,
        kind=AuditEvent.Kind.CREATE,
        obj=link,
        detail=f"First single sign-on through {provider.name}: waiting for an administrator "
        "to confirm which account it is.",
    )
    link_url = f"{settings.SIGHTLINE_BASE_URL}{reverse('accounts:sso_link_list')}"
    for email in sso_selectors.administrator_emails():
        _email(
            kind="accounts.sso_link_requested",
            to=email,
            subject="Confirm a single sign-on to Sightline",
            template="accounts/email/sso_link_requested.txt",
            context={"link": link, "provider": provider, "url": link_url},
        )
    return link


def _check_user_for(provider: OidcProvider, user: User) -> None:
    if not user.is_active:
        raise ValidationError({"user": "This account is deactivated. Reactivate it first."})
    if not sso_selectors.user_in_provider_agencies(user=user, provider=provider):
        raise ValidationError(
            {
                "user": f"This person has no role in an agency that signs in with "
                f"{provider.name}. Choose someone in {', '.join(provider.agencies)}."
            }
        )


@transaction.atomic
def link_request_confirm(*, actor: Any, link: LinkRequest, user: User) -> ExternalIdentity:
    """The administrator says who it is: from now on the provider's subject signs ``user``
    in."""
    link = LinkRequest.objects.select_for_update().get(pk=link.pk)
    if link.status != LinkRequest.Status.PENDING:
        raise ValidationError("This request has already been decided.")
    provider = sso_selectors.provider_for(key=link.provider_key)
    if provider is None:
        raise ValidationError(
            "This provider is no longer configured, so the request can only be refused."
        )
    _check_user_for(provider, user)
    if ExternalIdentity.objects.filter(
        provider_key=link.provider_key, subject=link.subject
    ).exists():
        raise ValidationError("This sign-in is already linked to an account.")
    identity = ExternalIdentity.objects.create(
        provider_key=link.provider_key, issuer=link.issuer, subject=link.subject, user=user
    )
    link.status = LinkRequest.Status.CONFIRMED
    link.decided_by, link.decided_at = actor, timezone.now()
    link.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=user,
        changes={"single_sign_on": {"from": None, "to": provider.name}},
        detail=f"Single sign-on through {provider.name} linked to this account "
        f"(request {link.pk}).",
    )
    _email(
        kind="accounts.sso_link_confirmed",
        to=user.email,
        subject="You can now sign in to Sightline with your work account",
        template="accounts/email/sso_link_confirmed.txt",
        context={
            "user": user,
            "provider": provider,
            "url": f"{settings.SIGHTLINE_BASE_URL}{reverse('accounts:sign_in')}",
        },
    )
    return identity


@transaction.atomic
def link_request_refuse(*, actor: Any, link: LinkRequest) -> LinkRequest:
    link = LinkRequest.objects.select_for_update().get(pk=link.pk)
    if link.status != LinkRequest.Status.PENDING:
        raise ValidationError("This request has already been decided.")
    link.status = LinkRequest.Status.REFUSED
    link.decided_by, link.decided_at = actor, timezone.now()
    link.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=link,
        changes={"status": {"from": "pending", "to": "refused"}},
        detail=f"Single sign-on request from {link.claimed_email or 'an unnamed person'} refused.",
    )
    return link


@transaction.atomic
def external_identity_remove(*, actor: Any, identity: ExternalIdentity) -> None:
    """Unlink: the provider's subject no longer signs the person in."""
    provider = sso_selectors.provider_for(key=identity.provider_key)
    name = provider.name if provider else identity.provider_key
    user = identity.user
    identity.delete()
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=user,
        changes={"single_sign_on": {"from": name, "to": None}},
        detail=f"Single sign-on through {name} unlinked from this account.",
    )


@transaction.atomic
def external_identity_used(*, identity: ExternalIdentity) -> None:
    ExternalIdentity.objects.filter(pk=identity.pk).update(last_used_at=timezone.now())


def sso_sign_in_refused(
    *, provider: OidcProvider, user: User | None, email: str, reason: str
) -> None:
    audit_record(
        actor=None,
        actor_email=(user.email if user is not None else email),
        kind=AuditEvent.Kind.ACCESS_DENIED,
        obj=user,
        detail=f"Single sign-on through {provider.name} refused: {reason}",
    )


def password_sign_in_refused(*, user: User) -> None:
    audit_record(
        actor=None,
        actor_email=user.email,
        kind=AuditEvent.Kind.ACCESS_DENIED,
        obj=user,
        detail="Password sign-in refused: the person's agency signs in with single sign-on only.",
    )
