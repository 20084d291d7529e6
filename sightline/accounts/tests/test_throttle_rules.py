"""The throttle's counting rules, without the database."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from sightline.accounts.throttle_rules import (
    ALLOWED,
    Limit,
    Verdict,
    longest_window,
    strictest,
    verdict,
)

NOW = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=datetime.UTC)
FIVE_IN_15 = Limit(scope="s", limit=5, window=datetime.timedelta(minutes=15))


def minutes_ago(*minutes: float) -> list[datetime.datetime]:
    return [NOW - datetime.timedelta(minutes=m) for m in minutes]


def test_fewer_events_than_the_limit_are_allowed():
    assert verdict(limit=FIVE_IN_15, recent=minutes_ago(1, 2, 3, 4), now=NOW).allowed


def test_the_limit_reached_refuses_until_the_oldest_counted_event_leaves_the_window():
    result = verdict(limit=FIVE_IN_15, recent=minutes_ago(1, 2, 3, 4, 10), now=NOW)
    assert not result.allowed
    assert result.retry_at == NOW + datetime.timedelta(minutes=5)
    assert result.retry_after_seconds(now=NOW) == 300
    assert result.limit == FIVE_IN_15


def test_events_outside_the_window_do_not_count():
    assert verdict(limit=FIVE_IN_15, recent=minutes_ago(1, 2, 3, 4, 15, 20), now=NOW).allowed


def test_a_limit_of_nothing_refuses_everything():
    nothing = Limit(scope="s", limit=0, window=datetime.timedelta(minutes=1))
    assert not verdict(limit=nothing, recent=[], now=NOW).allowed


def test_retry_after_is_at_least_one_second():
    almost = Verdict(allowed=False, retry_at=NOW + datetime.timedelta(milliseconds=10))
    assert almost.retry_after_seconds(now=NOW) == 1
    assert ALLOWED.retry_after_seconds(now=NOW) == 0


def test_the_longest_refusal_wins():
    soon = Verdict(allowed=False, retry_at=NOW + datetime.timedelta(minutes=1))
    later = Verdict(allowed=False, retry_at=NOW + datetime.timedelta(minutes=30))
    assert strictest([soon, ALLOWED, later]) == later
    assert strictest([ALLOWED, ALLOWED]) == ALLOWED
    assert strictest([]) == ALLOWED


def test_longest_window():
    hour = Limit(scope="h", limit=1, window=datetime.timedelta(hours=1))
    assert longest_window([FIVE_IN_15, hour]) == datetime.timedelta(hours=1)
    assert longest_window([]) == datetime.timedelta(0)


@given(st.lists(st.floats(min_value=0, max_value=30), max_size=12))
def test_refused_exactly_when_the_window_holds_the_limit_and_retry_is_in_the_future(ages):
    recent = minutes_ago(*ages)
    result = verdict(limit=FIVE_IN_15, recent=recent, now=NOW)
    inside = [at for at in recent if at > NOW - FIVE_IN_15.window]
    assert result.allowed == (len(inside) < FIVE_IN_15.limit)
    if not result.allowed:
        assert result.retry_at is not None
        assert NOW < result.retry_at <= NOW + FIVE_IN_15.window
        # From that moment, fewer than the limit are inside the window.
        later = [at for at in inside if at > result.retry_at - FIVE_IN_15.window]
        assert len(later) <= FIVE_IN_15.limit - 1
    # The order the events are given in does not matter.
    assert verdict(limit=FIVE_IN_15, recent=list(reversed(recent)), now=NOW) == result
