"""Reads of the groups' members' areas: the groups a person sits on, and one group's
members, meetings with their papers, and induction pack. Visibility is decided here: a
person who may not see a group's papers is told it does not exist."""

from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.db.models.functions import Lower

from sightline.core.exceptions import NotVisibleError

from ..models import Group, GroupMember, GroupPaper, Meeting
from ..vocabulary import INDUCTION_KINDS
from .groups import group_get, members_by_agency

MEETINGS_SHOWN = 12  # three years of quarterly meetings in the members' area


@dataclass(frozen=True)
class OwnGroup:
    """A group the person sits on, and how."""

    group: Group
    chairs: bool
    roles: tuple[str, ...]  # "Vice chair, Home Agency" for each of their seats
    paper_count: int


def groups_for_member(*, user: Any) -> list[OwnGroup]:
    """The active groups ``user`` chairs or has a seat on, by name, with their seats and
    number of papers. Three queries; one when they sit on none, which is most people: the
    home page asks everyone, so that one is kept plain."""
    groups = list(
        Group.objects.filter(
            # A subquery rather than a join: no row twice, so no DISTINCT over every column.
            Q(chair=user) | Q(pk__in=GroupMember.objects.filter(user=user).values("group_id")),
            is_active=True,
        ).order_by(Lower("name"), "pk")
    )
    if not groups:
        return []
    papers = dict(
        GroupPaper.objects.filter(group__in=[group.pk for group in groups])
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values_list("group", "n")
    )
    seats: dict[int, list[str]] = {}
    for seat in (
        GroupMember.objects.filter(user=user, group__in=[group.pk for group in groups])
        .select_related("agency")
        .order_by(Lower("agency__name"), "pk")
    ):
        seats.setdefault(seat.group_id, []).append(
            f"{seat.role}, {seat.agency.name}" if seat.role else seat.agency.name
        )
    return [
        OwnGroup(
            group=group,
            chairs=group.chair_id == user.pk,
            roles=tuple(seats.get(group.pk, [])),
            paper_count=papers.get(group.pk, 0),
        )
        for group in groups
    ]


def group_get_for_papers(*, user: Any, pk: int) -> Group:
    """The group, if ``user`` may see its members' area; not found otherwise."""
    group = group_get(pk=pk)
    if not user.has_perm("assurance.view_group_papers", group):
        raise NotVisibleError("No such group.")
    return group


def paper_get_for(*, user: Any, pk: int) -> GroupPaper:
    """The paper, if ``user`` may see its group's members' area; not found otherwise."""
    paper = (
        GroupPaper.objects.select_related("group", "group__chair", "meeting", "uploaded_by")
        .filter(pk=pk)
        .first()
    )
    if paper is None or not user.has_perm("assurance.view_group_papers", paper.group):
        raise NotVisibleError("No such paper.")
    return paper


@dataclass(frozen=True)
class MeetingPapers:
    meeting: Meeting
    papers: list[GroupPaper]


def members_area(*, group: Group) -> dict[str, Any]:
    """What the members' area shows: the induction pack (terms of reference and induction
    papers), the members under their agencies, the latest meetings with their papers, and
    the papers of no meeting. Four queries, however many papers."""
    papers = list(
        GroupPaper.objects.filter(group=group)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-pk")
    )
    meetings = list(Meeting.objects.filter(group=group).order_by("-held_on")[:MEETINGS_SHOWN])
    by_meeting: dict[int, list[GroupPaper]] = {}
    for paper in papers:
        if paper.meeting_id is not None:
            by_meeting.setdefault(paper.meeting_id, []).append(paper)
    return {
        "induction": [paper for paper in papers if paper.kind in INDUCTION_KINDS],
        "agencies": members_by_agency(group=group),
        "meetings": [
            MeetingPapers(meeting=meeting, papers=by_meeting.get(meeting.pk, []))
            for meeting in meetings
        ],
        "other_papers": [
            paper
            for paper in papers
            if paper.meeting_id is None and paper.kind not in INDUCTION_KINDS
        ],
    }


def meetings_for_papers(*, group: Group) -> list[Meeting]:
    """The meetings a paper may belong to: the group's, latest first."""
    return list(Meeting.objects.filter(group=group).order_by("-held_on")[:50])


def paper_same_upload(*, group: Group, title: str, checksum: str) -> GroupPaper | None:
    return GroupPaper.objects.filter(group=group, title=title, checksum=checksum).first()


def paper_file_open(*, paper: GroupPaper) -> File:
    """The paper's file, open for streaming; ``FileNotFoundError`` if storage has lost it."""
    return default_storage.open(paper.storage_name, "rb")
