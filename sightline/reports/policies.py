"""Who may see and write the reports."""

import rules

from sightline.core.policies import has_role
from sightline.core.roles import Role

# The generated yearly report (its page and downloads) holds case review figures as at the
# year's end: for those who run and steer the partnership, not every practitioner.
rules.add_perm(
    "reports.view_yearly_report",
    has_role(Role.ADMINISTRATOR, Role.EXECUTIVE, Role.REVIEW_OFFICER),
)
