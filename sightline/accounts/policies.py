"""Who may do what with accounts and partner agencies."""

from typing import Any

import rules

from sightline.core.policies import is_administrator, is_signed_in
from sightline.core.roles import Role

from .models import Agency


@rules.predicate
def leads_agency(user: Any, agency: Agency | None) -> bool:
    return agency is not None and agency.pk in user.agency_ids_with_role(Role.AGENCY_LEAD)


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
rules.add_perm("accounts.manage_own_factors", is_signed_in)
