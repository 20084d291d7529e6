"""Financial years as the yearly report names them (pure: no ORM): ``2023-24`` is
1 April 2023 to 31 March 2024."""

import datetime
import re
from dataclasses import dataclass

_LABEL = re.compile(r"^(\d{4})-(\d{2})$")
EARLIEST = 2000
LATEST = 2099


@dataclass(frozen=True, order=True)
class FinancialYear:
    start_year: int  # the calendar year it starts in: 2023 for 2023-24

    def __post_init__(self) -> None:
        if not EARLIEST <= self.start_year <= LATEST:
            raise ValueError(
                f"A financial year starts between {EARLIEST} and {LATEST}, not in {self.start_year}"
            )

    @classmethod
    def parse(cls, text: str) -> "FinancialYear":
        """``2023-24``; ValueError saying the form to use for anything else."""
        match = _LABEL.match((text or "").strip())
        if not match or int(match[2]) != (int(match[1]) + 1) % 100:
            raise ValueError(
                f"{text!r} is not a financial year: write it like 2023-24 "
                "(the year it starts, a hyphen, and the last two digits of the next)"
            )
        return cls(int(match[1]))

    @classmethod
    def containing(cls, day: datetime.date) -> "FinancialYear":
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def last_full(cls, today: datetime.date) -> "FinancialYear":
        """The latest year that has ended by ``today``."""
        return cls.containing(today).previous()

    @property
    def label(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.start_year, 4, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.start_year + 1, 3, 31)

    @property
    def words(self) -> str:
        """``April 2023 to March 2024``."""
        return f"April {self.start_year} to March {self.start_year + 1}"

    def previous(self) -> "FinancialYear":
        return FinancialYear(self.start_year - 1)

    def next(self) -> "FinancialYear":
        return FinancialYear(self.start_year + 1)

    def __str__(self) -> str:
        return self.label
