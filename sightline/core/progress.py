"""How long work reports how far it has got (pure: no ORM). A background job passes its
``JobProgress``; work run in a request passes nothing and reports to ``NO_PROGRESS``."""

from typing import Protocol


class Progress(Protocol):
    def stage(self, message: str, *, total: int | None = None, done: int = 0) -> None:
        """A new step: what is happening now and, if known, how many rows it has."""

    def advance(self, done: int) -> None:
        """How many rows of this step are done."""


class _NoProgress:
    def stage(self, message: str, *, total: int | None = None, done: int = 0) -> None:
        pass

    def advance(self, done: int) -> None:
        pass


NO_PROGRESS: Progress = _NoProgress()
# Rows between reports: often enough for the page, rare enough to cost nothing.
EVERY = 250
