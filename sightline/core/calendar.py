"""Working days in England (pure: no ORM).

Monday to Friday, except England's bank holidays (with substitute and one-off days, from the
``holidays`` package) and any closure days the partnership adds. Counting follows the
national guidance: the day of the event is day 0, and if it is not a working day the first
working day after it is day 1.
"""

import calendar as _calendar
import datetime
from array import array
from collections.abc import Callable, Iterable
from functools import lru_cache

import holidays

FIRST_YEAR = 1990
LAST_YEAR = 2080


class OutsideCalendarError(ValueError):
    """A date outside the years the calendar covers."""


@lru_cache(maxsize=1)
def bank_holidays() -> frozenset[datetime.date]:
    """England's bank holidays over the calendar's whole range."""
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
    return frozenset(days)


def add_months(start: datetime.date, months: int) -> datetime.date:
    """``start`` plus ``months`` calendar months, kept to the month's last day where shorter
    (31 August + 6 months = 28 or 29 February)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


class WorkingCalendar:
    """Working-day arithmetic in constant time, from a table of running counts."""

    def __init__(self, closures: Iterable[datetime.date] = ()) -> None:
        self.closures = frozenset(closures)
        closed = bank_holidays() | self.closures
        self._base = datetime.date(FIRST_YEAR, 1, 1).toordinal()
        end = datetime.date(LAST_YEAR, 12, 31).toordinal()
        # _rank[i]: working days on or before day base + i; _by_rank[k]: the k-th working day.
        self._rank = array("l")
        self._by_rank = array("l", [0])
        count = 0
        for ordinal in range(self._base, end + 1):
            day = datetime.date.fromordinal(ordinal)
            if day.weekday() < 5 and day not in closed:
                count += 1
                self._by_rank.append(ordinal)
            self._rank.append(count)

    def _index(self, day: datetime.date) -> int:
        index = day.toordinal() - self._base
        if not 0 <= index < len(self._rank):
            raise OutsideCalendarError(
                f"{day:%d/%m/%Y} is outside the years Sightline counts "
                f"({FIRST_YEAR} to {LAST_YEAR})"
            )
        return index

    def rank(self, day: datetime.date) -> int:
        """How many working days fall on or before ``day`` (from the calendar's start)."""
        return self._rank[self._index(day)]

    def is_working_day(self, day: datetime.date) -> bool:
        index = self._index(day)
        return self._rank[index] != (self._rank[index - 1] if index else 0)

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """The ``days``-th working day after ``start`` (``start`` is day 0)."""
        return datetime.date.fromordinal(self._by_rank[self.rank(start) + days])

    def working_days_before(self, point: datetime.date, days: int) -> datetime.date:
        """The ``days``-th working day before ``point``, counting back (``point`` not counted)."""
        before = self.rank(point - datetime.timedelta(days=1))
        return datetime.date.fromordinal(self._by_rank[before - days + 1])

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        return self.rank(end) - self.rank(start)

    # Fast forms of the methods above, for counting many cases at once: the tables are bound
    # once and the date range is not checked (dates come from validated records).

    def adder(self, days: int) -> Callable[[datetime.date], datetime.date]:
        """A function giving the ``days``-th working day after a date."""
        rank, by_rank, base = self._rank, self._by_rank, self._base
        fromordinal = datetime.date.fromordinal
        return lambda start: fromordinal(by_rank[rank[start.toordinal() - base] + days])

    def backer(self, days: int) -> Callable[[datetime.date], datetime.date]:
        """A function giving the ``days``-th working day before a date (not counting it)."""
        rank, by_rank, base = self._rank, self._by_rank, self._base
        fromordinal = datetime.date.fromordinal
        return lambda point: fromordinal(by_rank[rank[point.toordinal() - base - 1] - days + 1])

    def counter(self) -> Callable[[datetime.date, datetime.date], int]:
        """A function giving the working days after a start up to and including an end."""
        rank, base = self._rank, self._base
        return lambda start, end: rank[end.toordinal() - base] - rank[start.toordinal() - base]
