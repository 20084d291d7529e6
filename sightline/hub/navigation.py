"""The hub's own navigation: the same for everyone, since its pages know no one."""

from django.urls import reverse

SECTIONS = (
    ("Reviews", "hub:reviews"),
    ("Briefings", "hub:briefings"),
    ("Resources", "hub:resources"),
    ("News", "hub:news"),
    ("Search", "hub:search"),
    ("Newsletter", "hub:subscribe"),
)


def hub_navigation(path: str) -> list[dict[str, object]]:
    """GOV.UK service navigation items, the section holding ``path`` marked as current."""
    items: list[dict[str, object]] = []
    for text, name in SECTIONS:
        href = reverse(name)
        current = path == href or path.startswith(href)
        items.append({"text": text, "href": href, "active": current, "current": path == href})
    return items
