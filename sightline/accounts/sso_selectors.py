"""What single sign-on reads: linked identities, waiting link requests, and who may use a
provider."""

from django.db.models import QuerySet
from django.db.models.functions import Lower

from sightline.core.roles import Role

from .models import Agency, ExternalIdentity, LinkRequest, Membership, User
from .sso import provider_get
from .sso_config import OidcProvider


def provider_for(*, key: str) -> OidcProvider | None:
    return provider_get(key=key)


def external_identity_find(*, provider_key: str, subject: str) -> ExternalIdentity | None:
    """The link for this provider's stable subject: the only way single sign-on finds a
    person (never by email)."""
    return (
        ExternalIdentity.objects.select_related("user")
        .filter(provider_key=provider_key, subject=subject)
        .first()
    )


def external_identities_for(*, user: User) -> list[ExternalIdentity]:
    return list(ExternalIdentity.objects.filter(user=user))


def external_identity_get(*, user: User, pk: int) -> ExternalIdentity:
    return ExternalIdentity.objects.select_related("user").get(user=user, pk=pk)


def link_request_pending(*, provider_key: str, subject: str) -> LinkRequest | None:
    return LinkRequest.objects.filter(
        provider_key=provider_key, subject=subject, status=LinkRequest.Status.PENDING
    ).first()


def link_requests_pending() -> QuerySet[LinkRequest]:
    return LinkRequest.objects.filter(status=LinkRequest.Status.PENDING).select_related(
        "suggested_user"
    )


def link_request_get(*, pk: int) -> LinkRequest:
    return LinkRequest.objects.select_related("suggested_user").get(pk=pk)


def provider_memberships(*, provider: OidcProvider) -> QuerySet[Membership]:
    """Roles held in the agencies whose staff sign in through ``provider`` (named in its
    configuration exactly as Sightline names them, case aside)."""
    names = [name.lower() for name in provider.agencies]
    return Membership.objects.annotate(agency_lower=Lower("agency__name")).filter(
        agency_lower__in=names
    )


def user_in_provider_agencies(*, user: User, provider: OidcProvider) -> bool:
    return provider_memberships(provider=provider).filter(user=user).exists()


def users_for_provider(*, provider: OidcProvider) -> QuerySet[User]:
    """The active people an administrator may link a sign-in through ``provider`` to."""
    return User.objects.filter(
        is_active=True,
        pk__in=provider_memberships(provider=provider).values("user"),
    ).order_by("full_name", "email")


def user_suggested_for(*, provider: OidcProvider, email: str) -> User | None:
    """An existing account whose email matches what the provider claimed: a suggestion for
    the administrator only, never a link by itself."""
    if not email:
        return None
    return users_for_provider(provider=provider).filter(email__iexact=email).first()


def administrator_emails() -> list[str]:
    return sorted(
        set(
            Membership.objects.filter(role=Role.ADMINISTRATOR, user__is_active=True).values_list(
                "user__email", flat=True
            )
        )
    )


def unknown_provider_agencies(*, provider: OidcProvider) -> list[str]:
    """The agency names ``provider`` is configured with that no agency has."""
    known = {name.lower() for name in Agency.objects.values_list("name", flat=True)}
    return [name for name in provider.agencies if name.lower() not in known]


def user_single_sign_on_only(*, user: User) -> bool:
    """Whether the person has a role in an agency whose staff sign in only through single
    sign-on (then no password sign-in and no password reset)."""
    return Membership.objects.filter(user=user, agency__single_sign_on_only=True).exists()
