"""What else an agency's people hold that its access review asks about, beyond their roles.

Accounts may import only core, so an app that keeps a need-to-know list (reviews: who is on
each case) registers a source here from its AppConfig.ready; the access review lists each
source's grants for the agency's people and removes a grant through the source's own service.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AccessGrant:
    user_id: int
    ref: str  # the grant's identity in its source, such as the list entry's primary key
    label: str  # "On the need-to-know list of CR-2024-03"


@dataclass(frozen=True)
class AccessSource:
    key: str
    label: str
    # Every grant held by any of ``user_ids``: one query, however many people.
    grants_for: Callable[..., Iterable[AccessGrant]]
    # Remove one grant (``ref``), audited by the source's service; gone already is not an error.
    remove: Callable[..., None]


_sources: dict[str, AccessSource] = {}


def access_source_register(source: AccessSource) -> None:
    _sources[source.key] = source


def access_sources() -> list[AccessSource]:
    return sorted(_sources.values(), key=lambda source: source.key)


def access_source(key: str) -> AccessSource | None:
    return _sources.get(key)


def grants_for(*, user_ids: list[int]) -> list[tuple[AccessSource, AccessGrant]]:
    found: list[tuple[AccessSource, AccessGrant]] = []
    for source in access_sources():
        found += [(source, grant) for grant in source.grants_for(user_ids=user_ids)]
    return found


def grant_remove(*, source: str, ref: str, actor: Any) -> None:
    found = _sources.get(source)
    if found is not None:
        found.remove(ref=ref, actor=actor)
