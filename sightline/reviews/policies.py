"""Who may see and change case reviews.

Administrators, review officers and executive members see every case; practice review group
members and agency leads see the cases their agencies are involved in (the selectors apply
that scope), and anyone added to a case sees that case. Restricted details are for those on
the case, review officers and administrators.

What someone who does not see every case may see of a case they cannot open (its reference,
title or link appear nowhere to them; learning from it only where their agency must act) is
decided once, in ``shares_case`` and in the selectors' ``visible_case_filter``, and applied to
learning in ``sightline.learning.policies`` (docs/decisions/0013-what-an-agency-sees-of-a-case.md).

Anyone in a partner agency may refer a case for a review. Review officers and administrators
triage every referral; the referrer sees their own in full; an agency lead sees that their
agency's referrals were made and where they stand, but not what they say happened: the
narrative is as sensitive as a case's restricted summary, and the lead has not been added to
anything that would give them a need to know.
"""

from typing import Any

import rules

from sightline.core.policies import has_role, is_administrator, is_signed_in
from sightline.core.roles import Role

from .models import Case, Referral

sees_every_case = has_role(Role.ADMINISTRATOR, Role.REVIEW_OFFICER, Role.EXECUTIVE)
sees_agency_cases = has_role(Role.REVIEW_GROUP_MEMBER, Role.AGENCY_LEAD)
runs_reviews = has_role(Role.ADMINISTRATOR, Role.REVIEW_OFFICER)


@rules.predicate
def is_on_case(user: Any, case: Case | None) -> bool:
    if case is None:
        return False
    assigned = getattr(case, "assigned_user_ids", None)
    if assigned is None:
        assigned = set(case.assignments.values_list("user_id", flat=True))
    return user.pk in assigned


@rules.predicate
def shares_case(user: Any, case: Case | None) -> bool:
    """Whether ``user`` may know ``case`` exists: its reference, title and link. The same rule
    as ``selectors.visible_case_filter``, for one case: everyone who sees every case; anyone
    on the case; a review group member or agency lead whose agency is involved in it."""
    if case is None:
        return False
    if sees_every_case(user) or is_on_case(user, case):
        return True
    if not sees_agency_cases(user):
        return False
    return Case.agencies.through.objects.filter(
        case_id=case.pk, agency_id__in=user.agency_ids
    ).exists()


rules.add_perm("reviews.view_case_list", sees_every_case | sees_agency_cases)
rules.add_perm("reviews.view_case", sees_every_case | sees_agency_cases | is_on_case)
rules.add_perm("reviews.view_restricted", runs_reviews | is_on_case)
# The restricted details' own history: the same need to know as the details themselves.
rules.add_perm("reviews.view_restricted_history", runs_reviews | is_on_case)
rules.add_perm("reviews.manage_case", runs_reviews)
rules.add_perm("reviews.import_cases", runs_reviews)
rules.add_perm("reviews.export_cases", sees_every_case)
rules.add_perm("reviews.view_deadlines", runs_reviews | sees_agency_cases)
rules.add_perm("reviews.use_calendar_feed", runs_reviews | sees_agency_cases)
rules.add_perm("reviews.view_timeliness", sees_every_case | has_role(Role.REVIEW_GROUP_MEMBER))
rules.add_perm("reviews.manage_standards", is_administrator)
rules.add_perm("reviews.manage_themes", is_administrator)


@rules.predicate
def is_in_an_agency(user: Any) -> bool:
    return bool(user.agency_ids)


@rules.predicate
def is_referrer(user: Any, referral: Referral | None) -> bool:
    return referral is not None and referral.referrer_id == user.pk


@rules.predicate
def leads_referring_agency(user: Any, referral: Referral | None) -> bool:
    return referral is not None and referral.referring_agency_id in user.agency_ids_with_role(
        Role.AGENCY_LEAD
    )


may_refer = is_signed_in & is_in_an_agency

rules.add_perm("reviews.refer_case", may_refer)
rules.add_perm("reviews.view_own_referrals", may_refer)
rules.add_perm("reviews.triage_referrals", runs_reviews)
rules.add_perm("reviews.view_referral", runs_reviews | is_referrer | leads_referring_agency)
rules.add_perm("reviews.view_referral_narrative", runs_reviews | is_referrer)
rules.add_perm("reviews.decide_referral", runs_reviews)
