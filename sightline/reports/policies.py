"""Who may see and write the reports."""

import rules

from sightline.accounts.policies import leads_agency
from sightline.core.policies import has_role, is_administrator, is_signed_in
from sightline.core.roles import Role

# --- Role dashboards ------------------------------------------------------------------

rules.add_perm("reports.view_dashboard", is_signed_in)
rules.add_perm(
    "reports.view_business_unit_dashboard",
    is_signed_in & has_role(Role.ADMINISTRATOR, Role.REVIEW_OFFICER),
)
rules.add_perm("reports.view_agency_dashboard", is_signed_in & (is_administrator | leads_agency))
rules.add_perm("reports.view_agency_comparison", is_signed_in & is_administrator)
rules.add_perm(
    "reports.view_review_group_dashboard",
    is_signed_in & has_role(Role.ADMINISTRATOR, Role.REVIEW_GROUP_MEMBER),
)
rules.add_perm(
    "reports.view_trainer_dashboard", is_signed_in & has_role(Role.ADMINISTRATOR, Role.TRAINER)
)
# Anyone signed in may book training, so anyone may see their own.
rules.add_perm("reports.view_practitioner_dashboard", is_signed_in)
