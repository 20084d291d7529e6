"""The learning tracker's panel on the home page."""

from typing import Any

from sightline.core.home import Panel
from sightline.core.policies import has_role
from sightline.core.roles import Role

from . import selectors

leads_an_agency = has_role(Role.AGENCY_LEAD)


def actions_panel(user: Any) -> Panel | None:
    """Agency leads: their agencies' overdue actions and outstanding returns. Anyone who owns
    an open action, whatever their role: the actions they own."""
    owned = list(selectors.actions_owned_by(user=user)[:8])
    if not leads_an_agency(user):
        if not owned:
            return None
        return Panel(
            title="Learning from reviews",
            template="learning/panels/actions.html",
            context={"owned": owned, "leads": False},
            order=30,
        )
    overdue = list(
        selectors.action_list_for(
            user=user, filters=selectors.ActionFilters(overdue=True, mine=True)
        )[:8]
    )
    returns = list(selectors.returns_for(user=user, outstanding_only=True)[:8])
    return Panel(
        title="Learning from reviews",
        template="learning/panels/actions.html",
        context={"overdue": overdue, "returns": returns, "owned": owned, "leads": True},
        order=30,
    )
