"""Who may see and do what in system assurance.

Partnership staff who steer the system (administrators, executive members, review officers,
practice review group members and agency leads) see the assurance pages: inspections, the
groups and their returns, data, audits and the strategic plan. The risk register is for
administrators and executive members (as the Executive pack is, in ``reports``).
Administrators keep the records. A group's chair and members make its assurance returns and
enter its data; an agency's leads make its audit returns; a risk's owner reviews it;
executive members (and administrators) accept a risk above appetite.

A group's members' area (its papers, members and induction pack) is for the people who sit
on it (its chair and members) and for administrators, who keep it: nobody else, whatever
their role, knows its papers exist (an executive member sees only the groups they sit on).
The chair and administrators add, replace and remove the papers.
"""

from typing import Any

import rules

from sightline.core.policies import has_role, is_administrator, is_signed_in
from sightline.core.roles import Role

sees_assurance = has_role(
    Role.ADMINISTRATOR,
    Role.EXECUTIVE,
    Role.REVIEW_OFFICER,
    Role.REVIEW_GROUP_MEMBER,
    Role.AGENCY_LEAD,
)
steers = has_role(Role.ADMINISTRATOR, Role.EXECUTIVE)


@rules.predicate
def owns_risk(user: Any, risk: Any) -> bool:
    return risk is not None and risk.owner_id == user.pk


@rules.predicate
def sits_on_group(user: Any, group: Any) -> bool:
    """The group's chair or one of its members (for a measure, the measure's group)."""
    group = getattr(group, "group", group)
    if group is None:
        return False
    if group.chair_id == user.pk:
        return True
    return group.members.filter(user=user).exists()


@rules.predicate
def chairs_group(user: Any, group: Any) -> bool:
    group = getattr(group, "group", group)
    return group is not None and group.chair_id == user.pk


@rules.predicate
def leads_return_agency(user: Any, item: Any) -> bool:
    return item is not None and item.agency_id in user.agency_ids_with_role(Role.AGENCY_LEAD)


rules.add_perm("assurance.view", sees_assurance)
rules.add_perm("assurance.view_risks", steers)
rules.add_perm("assurance.manage_risks", is_administrator)
# Who may be named a risk's owner: the people who answer to the Executive for it.
rules.add_perm("assurance.own_risk", steers)
rules.add_perm("assurance.review_risk", is_administrator | (steers & owns_risk))
rules.add_perm("assurance.accept_risk", steers)
rules.add_perm("assurance.manage_settings", is_administrator)
rules.add_perm("assurance.manage_inspections", is_administrator)
rules.add_perm("assurance.manage_groups", is_administrator)
rules.add_perm(
    "assurance.submit_assurance_return", is_administrator | (sees_assurance & sits_on_group)
)
# The members' area: a paper stands for its group.
rules.add_perm("assurance.view_group_papers", is_signed_in & (is_administrator | sits_on_group))
rules.add_perm("assurance.manage_group_papers", is_signed_in & (is_administrator | chairs_group))
# Anyone signed in may ask which groups they sit on (the answer may be none).
rules.add_perm("assurance.view_own_groups", is_signed_in)
rules.add_perm("assurance.manage_data", is_administrator)
rules.add_perm("assurance.enter_data", is_administrator | (sees_assurance & sits_on_group))
rules.add_perm("assurance.manage_audits", is_administrator)
rules.add_perm("assurance.submit_audit_return", is_administrator | leads_return_agency)
rules.add_perm("assurance.manage_plan", is_administrator)
# The Executive owns the plan: its members say how each priority is going.
rules.add_perm("assurance.record_priority_status", steers)
