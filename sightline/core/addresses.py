"""Addresses of pages by name (``reverse``), remembered: a page asks for the same few dozen
(the navigation, a dashboard's links to its filtered lists) on every request, and Django
works each one out afresh, a tenth of a millisecond apiece."""

import functools
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse


@functools.lru_cache(maxsize=8192)
def _reversed(
    name: str, args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...], prefix: str, conf: Any
) -> str:
    return reverse(name, urlconf=conf, args=args or None, kwargs=dict(kwargs) or None)


def address(name: str, *, args: Any = (), kwargs: dict[str, Any] | None = None) -> str:
    """``reverse(name, args=args, kwargs=kwargs)``, worked out once for each name, arguments,
    script prefix and URL configuration. Raises ``NoReverseMatch`` as ``reverse`` does."""
    key = tuple(sorted((kwargs or {}).items()))
    try:
        return _reversed(name, tuple(args), key, get_script_prefix(), get_urlconf())
    except TypeError:  # an argument that cannot be a key: worked out each time
        return reverse(name, args=args or None, kwargs=kwargs or None)


@receiver(setting_changed)
def _forget(*, setting: str, **_kwargs: Any) -> None:
    """A test that changes the URL configuration gets addresses from the new one."""
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()
