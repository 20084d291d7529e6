"""Financial quarters, as partnerships report them (pure: no ORM).

The financial year runs from 1 April to 31 March. "2025-26 Q1" is April to June 2025 and
"2025-26 Q4" is January to March 2026. A quarter is stored as the date of its first day.
"""

import datetime
import re
from dataclasses import dataclass

_LABEL = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*Q([1-4])\s*$", re.IGNORECASE)
_START_MONTHS = {1: 4, 2: 7, 3: 10, 4: 1}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the calendar year the financial year starts in: 2025 for 2025-26
    number: int  # 1 to 4

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"A quarter is numbered 1 to 4, not {self.number}")

    @classmethod
    def containing(cls, day: datetime.date) -> "Quarter":
        year = day.year if day.month >= 4 else day.year - 1
        return cls(year, (day.month - 4) % 12 // 3 + 1)

    @classmethod
    def starting(cls, day: datetime.date) -> "Quarter":
        """The quarter whose first day is ``day``; ValueError for any other date."""
        quarter = cls.containing(day)
        if quarter.start != day:
            raise ValueError(f"{day.isoformat()} is not the first day of a quarter")
        return quarter

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """``2025-26 Q1`` (or ``2025/26 Q1``, ``2025-2026 Q1``); ValueError saying what is
        expected otherwise."""
        match = _LABEL.match(text or "")
        if not match:
            raise ValueError(f"{text!r} is not a quarter: write it like 2025-26 Q1")
        year, end, number = int(match[1]), match[2], int(match[3])
        if int(end[-2:]) != (year + 1) % 100:
            raise ValueError(f"{text!r} is not a financial year: write it like 2025-26 Q1")
        return cls(year, number)

    @property
    def start(self) -> datetime.date:
        month = _START_MONTHS[self.number]
        return datetime.date(self.year + (1 if self.number == 4 else 0), month, 1)

    @property
    def end(self) -> datetime.date:
        return self.next().start - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d} Q{self.number}"

    @property
    def months(self) -> str:
        return f"{self.start:%B} to {self.end:%B %Y}"

    def next(self) -> "Quarter":
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> "Quarter":
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def __str__(self) -> str:
        return self.label


def recent(today: datetime.date, count: int) -> list[Quarter]:
    """The ``count`` quarters up to and including the one containing ``today``, oldest first."""
    quarters = [Quarter.containing(today)]
    while len(quarters) < count:
        quarters.insert(0, quarters[0].previous())
    return quarters
