"""A chapter's written narrative as the yearly report shows it (pure: no ORM)."""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class ChapterNarrative:
    """The text of a chapter (``chapter`` is its id in ``contents.CHAPTERS``): the approved
    version when there is one, else the latest; ``approved`` says which. ``approved_by`` is
    the approver's name ("" when not approved)."""

    chapter: str
    text: str
    approved: bool
    approved_by: str = ""
    approved_on: datetime.date | None = None
