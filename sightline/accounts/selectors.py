"""Reads of users and agencies, with visibility decided by the accounts policies."""

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.models import Session
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from sightline.core.exceptions import NotVisibleError
from sightline.core.models import AuditEvent
from sightline.core.roles import Role

from .models import (
    AccessReview,
    AccessReviewItem,
    AccessReviewStatus,
    Agency,
    Membership,
    SignInRecord,
    User,
    UserSession,
)
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
    elif filters.status == "suspended":
        users = users.filter(is_active=True, suspended_at__isnull=False)
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
    """Every role ``user`` holds, with its agency, by agency and role. The user's roles are
    taken from them too (``User.remember_memberships``): a page that lists them and asks
    what the person may do reads them once."""
    memberships = list(user.memberships.select_related("agency").order_by("agency__name", "role"))
    user.remember_memberships(memberships)
    return memberships


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


def agencies_for_scorecards(*, among: Iterable[int] | None = None) -> list[Agency]:
    """The active partner agencies by name, each with its workforce if recorded; only those
    ``among`` these keys when given (none, and no query, when it is empty)."""
    agencies = Agency.objects.filter(is_active=True).only("pk", "name", "sector", "workforce")
    if among is not None:
        keys = list(among)
        if not keys:
            return []
        agencies = agencies.filter(pk__in=keys)
    return list(agencies)


RECENT_SIGN_INS = 10


@dataclass(frozen=True)
class SignInRow:
    at: datetime.datetime
    ip_address: str
    method: str
    is_open: bool


def recent_sign_ins(*, user: User, limit: int = RECENT_SIGN_INS) -> list[SignInRow]:
    """The person's latest sign-ins, newest first, each saying whether its session is still
    open: its session row is there and has not expired (one query)."""
    records = (
        SignInRecord.objects.filter(user=user)
        .annotate(
            is_open=Exists(
                UserSession.objects.filter(user=user, session_key=OuterRef("session_key"))
            )
            & Exists(
                Session.objects.filter(
                    session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
                )
            )
        )
        .order_by("-at", "-id")[:limit]
    )
    return [
        SignInRow(
            at=record.at,
            ip_address=record.ip_address or "Not known",
            method=record.method_label,
            is_open=bool(record.session_key) and record.is_open,
        )
        for record in records
    ]


def suspension_contacts(*, user: User) -> list[User]:
    """Who can lift the person's suspension besides the administrators: the agency leads of
    their agencies."""
    return list(
        User.objects.filter(
            memberships__role=Role.AGENCY_LEAD,
            memberships__agency__in=Membership.objects.filter(user=user).values("agency"),
            is_active=True,
            suspended_at__isnull=True,
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("full_name", "email")
    )


def person_get_for_lifting(*, user: Any, pk: int) -> User:
    """A person whose suspension ``user`` might lift: any for an administrator; for an agency
    lead, the people of the agencies they lead (anyone else: not found)."""
    people = User.objects.all()
    if Role.ADMINISTRATOR not in user.role_set:
        people = people.filter(memberships__agency__in=list(user.agency_ids))
    person = people.filter(pk=pk).distinct().first()
    if person is None:
        raise NotVisibleError("No such person.")
    return person


def _item_count(**conditions: Any) -> Any:
    counts = (
        AccessReviewItem.objects.filter(review=OuterRef("pk"), **conditions)
        .order_by()
        .values("review")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counts), 0)


def access_review_list_for(*, user: Any) -> QuerySet[AccessReview]:
    """Reviews the user may see: every agency's for administrators, their own agencies' for
    agency leads; open ones first, with how many items are decided."""
    reviews = AccessReview.objects.select_related("agency", "completed_by").annotate(
        item_count=_item_count(), undecided_count=_item_count(decision="")
    )
    if Role.ADMINISTRATOR not in user.role_set:
        reviews = reviews.filter(agency__in=list(user.agency_ids_with_role(Role.AGENCY_LEAD)))
    return reviews.order_by("status", "-period_start", "agency__name", "pk")


def access_review_get_for(*, user: Any, pk: int) -> AccessReview:
    review = AccessReview.objects.select_related("agency", "completed_by").filter(pk=pk).first()
    if review is None or not (
        Role.ADMINISTRATOR in user.role_set
        or review.agency_id in user.agency_ids_with_role(Role.AGENCY_LEAD)
    ):
        raise NotVisibleError("No such access review.")
    return review


@dataclass(frozen=True)
class AccessReviewPerson:
    member: User
    items: list[AccessReviewItem]


def access_review_people(*, review: AccessReview) -> list[AccessReviewPerson]:
    """The review's items grouped by person, by name (one query)."""
    people: dict[int, AccessReviewPerson] = {}
    for item in review.items.select_related("member", "decided_by").order_by(
        "member__full_name", "member__email", "source", "label", "pk"
    ):
        people.setdefault(item.member_id, AccessReviewPerson(item.member, [])).items.append(item)
    return list(people.values())


def access_review_item_get(*, review: AccessReview, pk: int) -> AccessReviewItem:
    item = review.items.select_related("member", "review").filter(pk=pk).first()
    if item is None:
        raise Http404("No such item in this access review.")
    return item


def access_reviews_open_for(*, user: Any) -> list[AccessReview]:
    """The open reviews of the agencies the user leads (for the home page and account)."""
    return list(
        AccessReview.objects.filter(
            status=AccessReviewStatus.OPEN,
            agency__in=list(user.agency_ids_with_role(Role.AGENCY_LEAD)),
        ).select_related("agency")
    )
