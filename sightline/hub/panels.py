"""The hub's panel on the signed-in home page: the way in to publishing, for those who do it."""

from typing import Any

from sightline.core.home import Panel


def hub_panel(user: Any) -> Panel | None:
    """Administrators, review officers and executive members: the learning hub's pages. No
    query: the counts are on the hub's own list."""
    if not user.has_perm("hub.manage"):
        return None
    return Panel(
        title="Learning hub",
        template="hub/manage/panel.html",
        context={
            "sees_usage": user.has_perm("hub.view_usage"),
            "edits": user.has_perm("hub.edit"),
        },
        order=60,
    )
