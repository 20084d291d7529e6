"""A chapter's written narrative as the yearly report shows it (pure: no ORM)."""

import datetime
from collections.abc import Mapping
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

    def paragraphs(self) -> list[str]:
        """The text's paragraphs (blank lines between them), each with its line breaks folded
        into spaces. The text is plain: every format escapes it, none reads it as markup."""
        blocks = self.text.replace("\r\n", "\n").split("\n\n")
        return [
            " ".join(line.strip() for line in block.splitlines()).strip()
            for block in blocks
            if block.strip()
        ]


Narratives = Mapping[str, ChapterNarrative]


def approved_chapters(narratives: Narratives) -> set[str]:
    """The chapters whose narrative has been written and approved."""
    return {
        chapter_id
        for chapter_id, narrative in narratives.items()
        if narrative.approved and narrative.text.strip()
    }
