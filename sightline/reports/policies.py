"""Who may see and write the reports.

Everyone signed in has a dashboard: the business unit's for administrators and review
officers, an agency's scorecard for its leads, and one each for the practice review group,
trainers and practitioners.

The yearly report's drafts are seen by administrators, executive members and review
officers, and a chapter by its owner. A chapter is written by its owner or an
administrator, and approved by an administrator or executive member who did not write the
text. Administrators run the report: they start it, name the owners, record why a
statutory content is missing, mark it ready, publish it and record where it was sent.

The Executive pack and the executive member's dashboard are for administrators and
executive members, as the risk register is.
"""

from typing import Any

import rules

from sightline.accounts.policies import leads_agency
from sightline.core.policies import has_role, is_administrator, is_signed_in
from sightline.core.roles import Role

from .models import ReportChapter

sees_drafts = has_role(Role.ADMINISTRATOR, Role.EXECUTIVE, Role.REVIEW_OFFICER)
approves = has_role(Role.ADMINISTRATOR, Role.EXECUTIVE)
steers = has_role(Role.ADMINISTRATOR, Role.EXECUTIVE)
# Who may be named a chapter's owner: partnership staff, not practitioners alone.
OWNER_ROLES = (
    Role.ADMINISTRATOR,
    Role.EXECUTIVE,
    Role.REVIEW_OFFICER,
    Role.REVIEW_GROUP_MEMBER,
    Role.AGENCY_LEAD,
    Role.TRAINER,
)
may_own = has_role(*OWNER_ROLES)


@rules.predicate
def owns_chapter(user: Any, chapter: Any) -> bool:
    return chapter is not None and chapter.owner_id is not None and chapter.owner_id == user.pk


@rules.predicate
def owns_a_chapter(user: Any) -> bool:
    return ReportChapter.objects.filter(owner_id=user.pk).exists()


@rules.predicate
def wrote_latest_text(user: Any, chapter: Any) -> bool:
    """The author of the chapter's latest text (read from ``latest_version`` when the
    selector has set it)."""
    if chapter is None:
        return False
    latest = getattr(chapter, "latest_version", None)
    if latest is None:
        latest = chapter.versions.order_by("-number").first()
    return latest is not None and latest.written_by_id == user.pk


rules.add_perm("reports.view_yearly_list", is_signed_in & (sees_drafts | owns_a_chapter))
rules.add_perm("reports.view_yearly_drafts", sees_drafts)
rules.add_perm("reports.view_chapter", is_signed_in & (sees_drafts | owns_chapter))
rules.add_perm("reports.write_chapter", is_signed_in & (is_administrator | owns_chapter))
rules.add_perm("reports.approve_chapter", approves & ~wrote_latest_text)
rules.add_perm("reports.withdraw_approval", approves)
rules.add_perm("reports.own_chapter", may_own)
rules.add_perm("reports.manage_yearly", is_administrator)
rules.add_perm("reports.publish_yearly", is_administrator)
rules.add_perm("reports.record_circulation", is_administrator)
rules.add_perm("reports.manage_settings", is_administrator)
# The generated yearly report (its page and downloads) holds case review figures as at the
# year's end: for those who run and steer the partnership, not every practitioner.
rules.add_perm("reports.view_yearly_report", sees_drafts)

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

rules.add_perm("reports.view_pack", steers)
rules.add_perm("reports.view_executive_dashboard", steers)
