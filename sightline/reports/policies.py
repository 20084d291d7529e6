"""Who may see and write the reports.

The Executive pack and the executive member's dashboard are for administrators and
executive members, as the risk register is."""

import rules

from sightline.core.policies import has_role
from sightline.core.roles import Role

steers = has_role(Role.ADMINISTRATOR, Role.EXECUTIVE)

rules.add_perm("reports.view_pack", steers)
rules.add_perm("reports.view_executive_dashboard", steers)
