"""The demo groups' members' areas: papers for the Executive and the practice review group,
and the practice review group's induction pack. The files are made here (Word documents
with python-docx, PDFs with WeasyPrint), each with the kind of hidden detail real papers
carry (an author, a reviewer's comment), and go through the same cleaning as an upload, so
the business unit sees what was removed. All names and content are fictional."""

import io
from dataclasses import dataclass

import docx
from django.utils.html import escape

from sightline.core.cleaning import document_clean
from sightline.core.pdf import render_pdf

from .models import Group, Meeting
from .services import papers as paper_services
from .vocabulary import PaperKind

AUTHOR = "Morgan Fairweather"  # a fictional officer whose name the cleaning removes


@dataclass(frozen=True)
class PaperInfo:
    title: str
    kind: PaperKind
    fmt: str  # "docx" or "pdf"
    paragraphs: tuple[str, ...]
    meeting: int | None = None  # 0: the group's latest meeting, 1: the one before
    comment: str = ""  # a reviewer's comment left in a Word file


PRACTICE_REVIEW = (
    PaperInfo(
        "Terms of reference",
        PaperKind.TERMS,
        "pdf",
        (
            "The practice review group decides, for the partners, whether a serious incident "
            "meets the criteria for a local child safeguarding practice review.",
            "It meets monthly and is quorate with three of the partners present.",
            "It reports to the Executive each quarter through its assurance return.",
        ),
    ),
    PaperInfo(
        "Induction guide for new members",
        PaperKind.INDUCTION,
        "docx",
        (
            "Welcome to the practice review group. This guide explains what the group does, "
            "what is expected of members and how to prepare for a meeting.",
            "Before each meeting you receive the rapid reviews to be discussed. Read them and "
            "bring your agency's view of the learning.",
            "Case details are confidential: discuss them only in the meeting.",
        ),
        comment="Add the dates of next year's meetings.",
    ),
    PaperInfo(
        "Rapid reviews: how the group decides",
        PaperKind.INDUCTION,
        "docx",
        (
            "A rapid review gathers the facts within 15 working days of the notification.",
            "The group considers whether the case meets the criteria, whether a review would "
            "add learning, and sends its recommendation to the national panel.",
        ),
    ),
    PaperInfo(
        "Agenda",
        PaperKind.AGENDA,
        "docx",
        (
            "1. Welcome and apologies.",
            "2. Rapid review: Child P.",
            "3. Progress on the LCSPR for Family M.",
            "4. Any other business.",
        ),
        meeting=0,
    ),
    PaperInfo(
        "Minutes",
        PaperKind.MINUTES,
        "docx",
        (
            "Present: the chair and four partner representatives; the case review officer.",
            "The group agreed that the rapid review of Child K did not meet the criteria for "
            "an LCSPR and recommended a local learning review instead.",
        ),
        meeting=1,
        comment="Check the wording of the decision with the chair.",
    ),
)

EXECUTIVE = (
    PaperInfo(
        "Agenda",
        PaperKind.AGENDA,
        "docx",
        (
            "1. Minutes and actions of the last meeting.",
            "2. Risk register: risks above appetite.",
            "3. Quarterly assurance from the subgroups.",
            "4. Budget for next year.",
        ),
        meeting=0,
    ),
    PaperInfo(
        "Risks above appetite",
        PaperKind.PAPER,
        "pdf",
        (
            "Two risks remain above the partnership's appetite after their controls.",
            "The business unit asks the Executive to decide whether to accept one of them "
            "until the new case review officer is in post.",
        ),
        meeting=0,
    ),
    PaperInfo(
        "Minutes",
        PaperKind.MINUTES,
        "docx",
        (
            "The partners accepted the inspection findings and agreed the action plan.",
            "The Integrated Care Board will report on GP contribution to child protection "
            "conferences at every meeting until it improves.",
        ),
        meeting=1,
    ),
)

PAPERS = {"Practice review group": PRACTICE_REVIEW, "Executive": EXECUTIVE}


def _word(info: PaperInfo, group: Group) -> bytes:
    document = docx.Document()
    document.core_properties.author = AUTHOR
    document.core_properties.last_modified_by = AUTHOR
    document.core_properties.title = f"{group.name}: {info.title}"
    document.add_heading(info.title, level=1)
    paragraphs = [document.add_paragraph(text) for text in info.paragraphs]
    if info.comment:
        document.add_comment(paragraphs[0].runs, text=info.comment, author=AUTHOR)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf(info: PaperInfo, group: Group) -> bytes:
    title = escape(f"{group.name}: {info.title}")
    body = "".join(f"<p>{escape(text)}</p>" for text in info.paragraphs)
    return render_pdf(
        f'<html lang="en-GB"><head><title>{title}</title></head>'
        f"<body><h1>{title}</h1>{body}</body></html>"
    )


def seed_papers(*, actor: object, groups: dict[str, Group]) -> int:
    """Each group's papers, cleaned and kept as an upload would be; returns how many."""
    added = 0
    for name, papers in PAPERS.items():
        group = groups[name]
        meetings = list(Meeting.objects.filter(group=group).order_by("-held_on")[:2])
        for info in papers:
            content = _word(info, group) if info.fmt == "docx" else _pdf(info, group)
            file_name = f"{group.name} {info.title}.{info.fmt}"
            meeting = None
            if info.meeting is not None and info.meeting < len(meetings):
                meeting = meetings[info.meeting]
            paper_services.group_paper_add(
                actor=actor,
                group=group,
                title=info.title,
                kind=info.kind,
                meeting=meeting,
                cleaned=document_clean(name=file_name, content=content),
            )
            added += 1
    return added
