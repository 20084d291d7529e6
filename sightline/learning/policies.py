"""Who may use the learning tracker's pages (so far: its import and its report)."""

import rules

from sightline.core.policies import has_role
from sightline.core.roles import Role

runs_learning = has_role(Role.ADMINISTRATOR, Role.REVIEW_OFFICER)

rules.add_perm(
    "learning.view_report",
    has_role(Role.ADMINISTRATOR, Role.REVIEW_OFFICER, Role.EXECUTIVE, Role.REVIEW_GROUP_MEMBER),
)
rules.add_perm("learning.import", runs_learning)
