"""System check: every URL's view declares a permission or that it is public."""

from typing import Any

from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver

from .middleware import view_policy


def iter_patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Any:
    """Every URL pattern below ``resolver`` as ``(route, qualified name, pattern)``."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_patterns(entry, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield prefix + str(entry.pattern), name, entry


@checks.register(checks.Tags.security)
def check_views_declare_policy(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for route, name, pattern in iter_patterns(get_resolver()):
        if view_policy(pattern.callback) is None:
            errors.append(
                checks.Error(
                    f"The view for {route!r} ({name or 'unnamed'}) declares no permission.",
                    hint="Give it a permission from the app's policies, or mark it public.",
                    id="sightline.E001",
                )
            )
    return errors
