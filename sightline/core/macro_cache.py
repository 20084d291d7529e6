"""GOV.UK components with many items, rendered once for each set of parameters.

A GOV.UK macro's output depends on its parameters alone, but rendering it is slow where it
has many items: the select macro calls ``govukAttributes`` for every option, so the
tracker's filter form (61 agencies, 23 themes and four shorter lists) took about 4 ms of
each request. ``remembered`` wraps such a macro: the parameters are frozen into a hashable
key (keeping each value's type, so ``Markup`` and ``str`` of the same text differ), and the
output for each key is kept in a bounded least-recently-used cache of the process, so a
form shown again with the same choices and values costs a dictionary lookup. Parameters
holding anything but dictionaries, lists, tuples, text, numbers, booleans and None are
rendered afresh every time.

Only components whose values are among a field's choices are remembered (select, radios,
checkboxes): an input's or a text area's value is whatever someone typed, which the cache
would keep in the process's memory after the request that showed it.
"""

import functools
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

REMEMBERED = 512  # outputs kept per component; a select's is a few kilobytes
_SCALARS = (str, int, bool, type(None))


class Unfreezable(Exception):
    """A parameter that cannot serve as part of a key."""


def freeze(value: Any) -> Any:
    """A hashable copy of ``value`` from which ``thaw`` gives back an equal value."""
    # Exact types: a subclass (a named tuple, an ordered dictionary) would not come back.
    if type(value) is dict:
        return ("dict", tuple((key, freeze(item)) for key, item in value.items()))
    if type(value) in (list, tuple):
        return (type(value).__name__, tuple(freeze(item) for item in value))
    if type(value) is float:  # by its exact value: 0.0 and -0.0 are equal but print apart
        return ("float", value.hex())
    if type(value) in _SCALARS or isinstance(value, Markup):
        return (type(value).__name__, value)
    raise Unfreezable(type(value).__name__)


def thaw(frozen: Any) -> Any:
    kind, value = frozen
    if kind == "dict":
        return {key: thaw(item) for key, item in value}
    if kind in ("list", "tuple"):
        items = [thaw(item) for item in value]
        return items if kind == "list" else tuple(items)
    return float.fromhex(value) if kind == "float" else value


def remembered(macro: Callable[[], Callable[[Any], str]], size: int = REMEMBERED) -> Any:
    """``macro`` (a function giving the macro, looked up when first needed) called with one
    parameter dictionary, its output remembered for each distinct one."""

    @functools.lru_cache(maxsize=size)
    def render(key: Any) -> Markup:
        return Markup(macro()(thaw(key)))  # noqa: S704 (the macro's own, escaped, output)

    def component(params: Any) -> Markup:
        try:
            key = freeze(params)
        except Unfreezable:
            return Markup(macro()(params))  # noqa: S704 (as above)
        return render(key)

    component.cache_info = render.cache_info  # type: ignore[attr-defined]
    component.cache_clear = render.cache_clear  # type: ignore[attr-defined]
    return component
