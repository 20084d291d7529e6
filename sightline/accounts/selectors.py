"""Reads of users and agencies, with visibility decided by the accounts policies."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from sightline.core.exceptions import NotVisibleError
from sightline.core.models import AuditEvent

from .models import Agency, Membership, User
from .policies import may_know_agency


@dataclass(frozen=True)
class UserFilters:
    search: str = ""
    agency: Agency | None = None
    role: str = ""
    status: str = ""


def user_list(*, filters: UserFilters) -> QuerySet[User]:
    users = User.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("agency"))
    )
    if filters.search:
        term = filters.search.strip()
        users = users.filter(Q(full_name__icontains=term) | Q(email__icontains=term))
    if filters.agency:
        users = users.filter(memberships__agency=filters.agency)
    if filters.role:
        users = users.filter(memberships__role=filters.role)
    if filters.status == "active":
        users = users.filter(is_active=True)
    elif filters.status == "inactive":
        users = users.filter(is_active=False)
    return users.distinct().order_by("full_name", "email")


def user_get(*, pk: int) -> User:
    user = (
        User.objects.prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("agency"))
        )
        .filter(pk=pk)
        .first()
    )
    if user is None:
        raise NotVisibleError("No such user.")
    return user


def _member_count() -> Any:
    counts = (
        Membership.objects.filter(agency=OuterRef("pk"), user__is_active=True)
        .order_by()
        .values("agency")
        .annotate(total=Count("user", distinct=True))
        .values("total")
    )
    return Coalesce(Subquery(counts), 0)


def agency_list(*, include_inactive: bool = True) -> QuerySet[Agency]:
    agencies = Agency.objects.annotate(member_count=_member_count())
    if not include_inactive:
        agencies = agencies.filter(is_active=True)
    return agencies.order_by("name")


def agency_get_for(*, user: Any, pk: int) -> Agency:
    """The agency, or not found when it does not exist or the user may not know of it."""
    agency = Agency.objects.filter(pk=pk).first()
    if agency is None or not may_know_agency(user, agency):
        raise NotVisibleError("No such agency.")
    return agency


def agency_members(*, agency: Agency) -> list[Membership]:
    return list(
        Membership.objects.filter(agency=agency)
        .select_related("user")
        .order_by("user__full_name", "role")
    )


@dataclass(frozen=True)
class AdministratorSummary:
    failed_sign_ins_today: int
    users_without_role: int
    active_users: int
    active_agencies: int


def administrator_summary() -> AdministratorSummary:
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    users = User.objects.filter(is_active=True).aggregate(
        active=Count("pk"),
        without_role=Count("pk", filter=~Q(pk__in=Membership.objects.values("user"))),
    )
    return AdministratorSummary(
        failed_sign_ins_today=AuditEvent.objects.filter(
            kind=AuditEvent.Kind.SIGN_IN_FAILED, occurred_at__gte=start_of_day
        ).count(),
        users_without_role=users["without_role"],
        active_users=users["active"],
        active_agencies=Agency.objects.filter(is_active=True).count(),
    )


def user_memberships(*, user: User) -> list[Membership]:
    return list(user.memberships.select_related("agency").order_by("agency__name", "role"))


def membership_get(*, user: User, pk: int) -> Membership:
    membership = (
        Membership.objects.select_related("agency", "user").filter(user=user, pk=pk).first()
    )
    if membership is None:
        raise Http404("No such role for this user.")
    return membership


def users_with_roles(*, roles: Collection[str]) -> list[User]:
    """Active users holding any of ``roles`` in any agency, by name (for choosing people
    who may be given a task, such as a chapter of the yearly report to write)."""
    return list(
        User.objects.filter(
            Exists(Membership.objects.filter(user=OuterRef("pk"), role__in=list(roles))),
            is_active=True,
        ).order_by("full_name", "email")
    )


def agencies_for_scorecards() -> list[Agency]:
    """The active partner agencies by name, each with its workforce if recorded."""
    return list(Agency.objects.filter(is_active=True).only("pk", "name", "sector", "workforce"))
