"""The service navigation: each app declares its items, each user sees what they may use.

Settings-like pages (people, agencies, the logs, what deadlines and reports are measured
against) are not in the navigation themselves: each app declares them as ``settings_pages``
and they are listed, with a sentence each, on one "Settings" page.
"""

from dataclasses import dataclass
from typing import Any

from django.apps import apps

from .addresses import address

SETTINGS_URL_NAME = "core:settings"


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str
    order: int = 100


@dataclass(frozen=True)
class SettingsPage:
    """A page listed on the Settings page: what it is called and what it is for."""

    label: str
    url_name: str
    permission: str
    description: str
    order: int = 100


def settings_pages_for(user: Any) -> list[dict[str, str]]:
    """The settings pages ``user`` may open, in order, each with its sentence."""
    declared: list[SettingsPage] = []
    for config in apps.get_app_configs():
        declared.extend(getattr(config, "settings_pages", ()))
    return [
        {"text": page.label, "href": address(page.url_name), "description": page.description}
        for page in sorted(declared, key=lambda page: page.order)
        if user.has_perm(page.permission)
    ]


def _settings_hrefs() -> list[str]:
    return [
        address(page.url_name)
        for config in apps.get_app_configs()
        for page in getattr(config, "settings_pages", ())
    ]


def navigation_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    """The items ``user`` may follow, with the one matching ``current_path`` marked active
    (Settings for every settings page)."""
    declared: list[NavItem] = []
    for config in apps.get_app_configs():
        declared.extend(getattr(config, "navigation", ()))
    in_settings = any(current_path.startswith(href) for href in _settings_hrefs())
    items = []
    for item in sorted(declared, key=lambda nav: nav.order):
        if not user.has_perm(item.permission):
            continue
        href = address(item.url_name)
        if item.url_name == SETTINGS_URL_NAME:
            active = in_settings or current_path.startswith(href)
        elif in_settings:
            active = False
        else:
            active = current_path == href if href == "/" else current_path.startswith(href)
        items.append({"text": item.label, "href": href, "active": active})
    return items
