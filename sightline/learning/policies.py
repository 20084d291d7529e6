"""Who may see and do what in the learning tracker.

Administrators, review officers, executive members and practice review group members see
every recommendation and action; agency leads see them too, and update their own agencies'
actions. An action's owner sees and updates that action whatever their role. Closing an
action needs a sign-off by someone other than its owner: a partnership administrator or the
recommendation's lead.

Learning from a case review follows the case (docs/decisions/0013-what-an-agency-sees-of-a-case.md):
those who do not see every case see a recommendation from a case they may not see only when
one of their agencies has an action on it (or they own one), and then without the case's
reference: as "a case review not shared with your agency", with their own agencies' actions
and nothing else of it. Learning from a case they may see, or from no case (national reviews,
inspections, audits), is theirs to read as before. ``shares_source`` decides it for one
recommendation; the selectors' ``visible_recommendation_filter`` and
``visible_action_filter`` apply the same rule to every list.
"""

from typing import Any

import rules
from django.db import models

from sightline.core.policies import has_role, is_administrator
from sightline.core.roles import Role
from sightline.reviews.policies import shares_case

from .models import Action, Recommendation

runs_learning = has_role(Role.ADMINISTRATOR, Role.REVIEW_OFFICER)
sees_learning = has_role(
    Role.ADMINISTRATOR,
    Role.REVIEW_OFFICER,
    Role.EXECUTIVE,
    Role.REVIEW_GROUP_MEMBER,
    Role.AGENCY_LEAD,
)


@rules.predicate
def shares_source(user: Any, recommendation: Recommendation | None) -> bool:
    """Whether ``user`` may see where ``recommendation`` came from: no case, or a case they
    may see (``reviews.policies.shares_case``)."""
    if recommendation is None:
        return False
    return recommendation.source_case_id is None or shares_case(user, recommendation.source_case)


@rules.predicate
def acts_on(user: Any, recommendation: Recommendation | None) -> bool:
    """Whether one of ``user``'s agencies has an action on ``recommendation``, or they own
    one: the learning they must be able to act on, whatever its source."""
    if recommendation is None:
        return False
    return recommendation.actions.filter(
        models.Q(agency_id__in=user.agency_ids) | models.Q(owner_id=user.pk)
    ).exists()


@rules.predicate
def leads_owning_agency(user: Any, action: Action | None) -> bool:
    return action is not None and action.agency_id in user.agency_ids_with_role(Role.AGENCY_LEAD)


@rules.predicate
def owns_action(user: Any, action: Action | None) -> bool:
    return action is not None and action.owner_id is not None and action.owner_id == user.pk


@rules.predicate
def leads_recommendation(user: Any, action: Action | None) -> bool:
    return action is not None and action.recommendation.lead_id == user.pk


rules.add_perm(
    "learning.view_report",
    has_role(Role.ADMINISTRATOR, Role.REVIEW_OFFICER, Role.EXECUTIVE, Role.REVIEW_GROUP_MEMBER),
)
rules.add_perm("learning.import", runs_learning)
rules.add_perm("learning.view_tracker", sees_learning)
rules.add_perm("learning.manage_recommendations", runs_learning)
# An action's owner, whatever their role (a trainer, a practitioner), may open the action
# they own and record progress and evidence on it: the reminders they are sent link there.
# They never sign it off (``learning.sign_off``), and see nothing else in the tracker.
rules.add_perm("learning.view_action", sees_learning | owns_action)
rules.add_perm(
    "learning.update_action",
    (sees_learning & (runs_learning | leads_owning_agency)) | owns_action,
)
rules.add_perm("learning.sign_off", (is_administrator | leads_recommendation) & ~owns_action)
# Closing is offered only to those who may sign the closure off: anyone else who works on
# the action is told who can (the action's page names them).
rules.add_perm(
    "learning.close_action",
    sees_learning & (is_administrator | leads_recommendation) & ~owns_action,
)


@rules.predicate
def leads_return_agency(user: Any, item: Any) -> bool:
    return item is not None and item.agency_id in user.agency_ids_with_role(Role.AGENCY_LEAD)


rules.add_perm("learning.submit_return", runs_learning | leads_return_agency)
