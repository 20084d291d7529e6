"""The case reviews' panels on the home page."""

import datetime
from typing import Any

from sightline.core.home import Panel
from sightline.core.policies import has_role, is_administrator
from sightline.core.roles import Role

from . import selectors
from .policies import runs_reviews

is_executive = has_role(Role.EXECUTIVE)


def deadlines_panel(user: Any) -> Panel | None:
    """Deadlines overdue or due in the next two weeks: the user's own for review officers,
    their agencies' for group members and agency leads."""
    if not user.has_perm("reviews.view_deadlines"):
        return None
    mine = bool(runs_reviews(user)) and not is_administrator(user)
    deadlines = list(selectors.deadline_list(user=user, mine=mine, within_days=14)[:8])
    return Panel(
        title="Case review deadlines",
        template="reviews/panels/deadlines.html",
        context={"deadlines": deadlines, "mine": mine, "today": selectors.today()},
        order=10,
    )


def timeliness_panel(user: Any) -> Panel | None:
    """This financial year's timeliness, for the Executive."""
    if not is_executive(user) or not user.has_perm("reviews.view_timeliness"):
        return None
    today = selectors.today()
    year_start = datetime.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    report = selectors.timeliness_report(as_at=today, since=year_start, with_cases=False)
    return Panel(
        title="Timeliness this financial year",
        template="reviews/panels/timeliness.html",
        context={"report": report, "since": year_start},
        order=20,
    )


def settings_panel(user: Any) -> Panel | None:
    """Where administrators set what the case reviews are measured against."""
    if not user.has_perm("reviews.manage_standards"):
        return None
    return Panel(title="Case review settings", template="reviews/panels/settings.html", order=90)


def referrals_panel(user: Any) -> Panel | None:
    """ "Refer a case for review" for everyone in a partner agency; for review officers and
    administrators, the new referrals waiting for triage too."""
    if not user.has_perm("reviews.refer_case"):
        return None
    triage = user.has_perm("reviews.triage_referrals")
    return Panel(
        title="Referrals for review",
        template="reviews/panels/referrals.html",
        context={"triage": triage, "new": selectors.new_referral_count() if triage else 0},
        order=15,
    )
