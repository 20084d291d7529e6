"""System assurance's panel on the home page: the groups the person sits on."""

from typing import Any

from sightline.core.home import Panel

from .selectors.papers import groups_for_member


def your_groups_panel(user: Any) -> Panel | None:
    rows = groups_for_member(user=user)
    if not rows:
        return None
    return Panel(
        title="Your groups",
        template="assurance/panels/your_groups.html",
        context={"rows": rows},
        order=40,
    )
