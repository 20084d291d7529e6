"""The service navigation: each app declares its items, each user sees what they may use."""

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str
    order: int = 100


def navigation_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    """The items ``user`` may follow, with the one matching ``current_path`` marked active."""
    declared: list[NavItem] = []
    for config in apps.get_app_configs():
        declared.extend(getattr(config, "navigation", ()))
    items = []
    for item in sorted(declared, key=lambda nav: nav.order):
        if not user.has_perm(item.permission):
            continue
        href = reverse(item.url_name)
        active = current_path == href if href == "/" else current_path.startswith(href)
        items.append({"text": item.label, "href": href, "active": active})
    return items
