"""The executive member's panel on the home page: the headline figures, and the way to the
dashboard that has the rest."""

from typing import Any

from django.utils import timezone

from sightline.core.home import Panel
from sightline.core.policies import has_role
from sightline.core.roles import Role

from ..selectors.executive import executive_headlines

is_executive = has_role(Role.EXECUTIVE)


def executive_panel(user: Any) -> Panel | None:
    """Executive members: the quarter's figures and the risks they own, each a link to its
    list, and the link to their dashboard. Administrators have their own dashboard."""
    if not is_executive(user) or not user.has_perm("reports.view_executive_dashboard"):
        return None
    glance, owned = executive_headlines(user=user, today=timezone.localdate())
    return Panel(
        title="The partnership this quarter",
        template="reports/executive/panel.html",
        context={"glance": glance, "owned": owned},
        order=15,
    )
