"""The learning tracker's panel on the home page."""

from typing import Any

from sightline.core.home import Panel
from sightline.core.policies import has_role
from sightline.core.roles import Role

from . import selectors

leads_an_agency = has_role(Role.AGENCY_LEAD)


def actions_panel(user: Any) -> Panel | None:
    """Agency leads: their agencies' overdue actions and outstanding returns."""
    if not leads_an_agency(user):
        return None
    overdue = list(
        selectors.action_list_for(
            user=user, filters=selectors.ActionFilters(overdue=True, mine=True)
        )[:8]
    )
    returns = list(selectors.returns_for(user=user, outstanding_only=True)[:8])
    return Panel(
        title="Learning from reviews",
        template="learning/panels/actions.html",
        context={"overdue": overdue, "returns": returns},
        order=30,
    )
