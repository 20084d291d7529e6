"""Who may do what with accounts and partner agencies."""

from typing import Any

import rules

from sightline.core.policies import has_role, is_administrator, is_signed_in
from sightline.core.roles import Role

from .models import AccessReview, Agency, User


@rules.predicate
def leads_agency(user: Any, agency: Agency | None) -> bool:
    return agency is not None and agency.pk in user.agency_ids_with_role(Role.AGENCY_LEAD)


@rules.predicate
def leads_persons_agency(user: Any, person: User | None) -> bool:
    """The user leads one of the agencies ``person`` belongs to."""
    return person is not None and bool(
        person.agency_ids & user.agency_ids_with_role(Role.AGENCY_LEAD)
    )


@rules.predicate
def leads_reviewed_agency(user: Any, review: AccessReview | None) -> bool:
    return review is not None and review.agency_id in user.agency_ids_with_role(Role.AGENCY_LEAD)


def may_know_agency(user: Any, agency: Agency) -> bool:
    """Whether the user may know this agency's page exists (else: not found)."""
    return bool(user.is_active and (is_administrator(user) or agency.pk in user.agency_ids))


rules.add_perm("accounts.view_home", is_signed_in)
rules.add_perm("accounts.sign_out", is_signed_in)
rules.add_perm("accounts.view_account", is_signed_in)
rules.add_perm("accounts.change_own_password", is_signed_in)
rules.add_perm("accounts.manage_users", is_administrator)
rules.add_perm("accounts.view_agency_list", is_administrator)
rules.add_perm("accounts.manage_agencies", is_administrator)
rules.add_perm("accounts.view_agency", is_signed_in & (is_administrator | leads_agency))
rules.add_perm("accounts.sign_out_everywhere", is_signed_in)
# A suspended person is let back in by an administrator or a lead of one of their agencies.
rules.add_perm("accounts.lift_suspension", is_signed_in & (is_administrator | leads_persons_agency))
rules.add_perm(
    "accounts.view_access_reviews", is_signed_in & has_role(Role.ADMINISTRATOR, Role.AGENCY_LEAD)
)
rules.add_perm(
    "accounts.view_access_review", is_signed_in & (is_administrator | leads_reviewed_agency)
)
rules.add_perm(
    "accounts.decide_access_review", is_signed_in & (is_administrator | leads_reviewed_agency)
)
rules.add_perm("accounts.view_all_access_reviews", is_administrator)
rules.add_perm("accounts.manage_sso_links", is_administrator)
rules.add_perm("accounts.manage_own_factors", is_signed_in)
