"""The counting rules for sign-in and email throttling, with no ORM: which limits apply, and
whether the attempts already counted put a request over one, and until when.

A limit allows ``limit`` counted events in any ``window``. A request is refused when
``limit`` events fall inside the window ending now; it may try again once the oldest of the
``limit`` most recent events leaves the window, so the answer needs only those events.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: datetime.timedelta
    # What the audit trail says when this limit refuses a request.
    reason: str = ""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    # When a refused request may be tried again (None when allowed).
    retry_at: datetime.datetime | None = None
    limit: Limit | None = None

    def retry_after_seconds(self, *, now: datetime.datetime) -> int:
        """Whole seconds until ``retry_at``, at least 1: the ``Retry-After`` header."""
        if self.retry_at is None:
            return 0
        return max(1, int((self.retry_at - now).total_seconds() + 0.999))


ALLOWED = Verdict(allowed=True)


def verdict(
    *, limit: Limit, recent: Sequence[datetime.datetime], now: datetime.datetime
) -> Verdict:
    """Whether one more event is allowed given ``recent``, the newest events counted for the
    limit's key (at most ``limit.limit`` of them are needed, in any order)."""
    if limit.limit <= 0:
        return Verdict(allowed=False, retry_at=now + limit.window, limit=limit)
    inside = sorted((at for at in recent if at > now - limit.window), reverse=True)
    if len(inside) < limit.limit:
        return ALLOWED
    return Verdict(allowed=False, retry_at=inside[limit.limit - 1] + limit.window, limit=limit)


def strictest(verdicts: Sequence[Verdict]) -> Verdict:
    """The refusal that lasts longest, or ``ALLOWED`` when nothing refuses."""
    refused = [v for v in verdicts if not v.allowed and v.retry_at is not None]
    if not refused:
        return ALLOWED
    return max(refused, key=lambda v: v.retry_at or datetime.datetime.min)


def longest_window(limits: Sequence[Limit]) -> datetime.timedelta:
    return max((limit.window for limit in limits), default=datetime.timedelta(0))
