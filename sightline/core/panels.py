"""The home page panel about background work, for administrators."""

from typing import Any

from .home import Panel
from .selectors import background_health


def background_panel(user: Any) -> Panel | None:
    """Emails not sent and a worker that is not keeping up: administrators must know."""
    if not user.has_perm("core.manage_background_work"):
        return None
    return Panel(
        title="Emails and background work",
        template="core/panels/background.html",
        context={"health": background_health()},
        order=95,
    )
