"""Panels on the signed-in home page ("what needs your attention").

Each app lists panel functions in its AppConfig (``home_panels``: dotted paths). A panel
function takes the user and returns a ``Panel``, or None when it has nothing for them.
"""

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


def panels_for(user: Any) -> list[Panel]:
    panels = []
    for config in apps.get_app_configs():
        for path in getattr(config, "home_panels", ()):
            panel = import_string(path)(user)
            if panel is not None:
                panels.append(panel)
    return sorted(panels, key=lambda panel: panel.order)
