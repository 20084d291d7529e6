"""The yearly report's chapters and the statutory contents they must cover (pure: no ORM).

The ids are the yearly report contract's (section 3, set out with their meanings in
``docs/reports/yearly-report.md``) and must not change. Chapters are in the order
partnerships publish them. A content is covered by a chapter's generated figures when the
records give it figures, and by the chapter's narrative once that has been written and
approved: ``covered_by_figures`` names the contents a chapter's figures can cover.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    # What the owner is asked to write about, shown beside the editor.
    prompt: str
    # Statutory contents this chapter answers (by narrative, and by figures where listed).
    contents: tuple[str, ...] = ()
    covered_by_figures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Content:
    id: str
    source: str  # the law or guidance that asks for it
    text: str


SOURCES = {
    "wt": "Children Act 2004 and Working Together to Safeguard Children",
    "ca": "Care Act 2014, Schedule 2, paragraph 4",
    "panel": "The national panel's analysis of yearly reports",
}

STATUTORY_CONTENTS: tuple[Content, ...] = (
    Content(
        "wt.what_done",
        SOURCES["wt"],
        "What the partners have done as a result of the arrangements, including on child "
        "safeguarding practice reviews",
    ),
    Content(
        "wt.effectiveness", SOURCES["wt"], "How effective the arrangements have been in practice"
    ),
    Content(
        "wt.impact",
        SOURCES["wt"],
        "Evidence of the impact of the partners' and relevant agencies' work, including "
        "training, on outcomes for children and families",
    ),
    Content(
        "wt.little_progress",
        SOURCES["wt"],
        "Analysis of any areas with little or no evidence of progress on agreed priorities",
    ),
    Content(
        "wt.review_actions",
        SOURCES["wt"],
        "Decisions and actions taken (or planned) to implement the recommendations of local "
        "and national reviews, with any resulting improvements",
    ),
    Content(
        "wt.voice",
        SOURCES["wt"],
        "How the partners sought and used feedback from children and families",
    ),
    Content(
        "ca.objective", SOURCES["ca"], "What the board did in the year to achieve its objective"
    ),
    Content("ca.strategy", SOURCES["ca"], "What the board did to implement its strategy"),
    Content("ca.members", SOURCES["ca"], "What each member did to implement the strategy"),
    Content(
        "ca.sar_findings",
        SOURCES["ca"],
        "Findings of safeguarding adult reviews concluded in the year",
    ),
    Content(
        "ca.sar_ongoing", SOURCES["ca"], "Safeguarding adult reviews ongoing at the end of the year"
    ),
    Content(
        "ca.sar_implementation",
        SOURCES["ca"],
        "What the board did to implement the findings of reviews",
    ),
    Content(
        "ca.sar_not_implemented",
        SOURCES["ca"],
        "Each finding the board decided not to implement, with the reasons",
    ),
    Content(
        "panel.training_outcomes",
        SOURCES["panel"],
        "The difference training made beyond attendees' ratings (impact surveys, reach by "
        "sector against the workforce)",
    ),
    Content(
        "panel.learning_embedded",
        SOURCES["panel"],
        "How learning from reviews was disseminated and embedded (dissemination returns, "
        "evidence of impact)",
    ),
)

CONTENT_IDS = tuple(content.id for content in STATUTORY_CONTENTS)

CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        "introduction",
        "Introduction and context",
        "Introduce the partnership, its area and its arrangements: who the partners are, "
        "how the children's partners, the Safeguarding Adults Board and the Community Safety "
        "Partnership work together, and what changed this year.",
        contents=("wt.effectiveness", "ca.objective"),
    ),
    Chapter(
        "priorities_progress",
        "Progress on last year's priorities",
        "For each of last year's priorities, say what was done and what difference it made. "
        "Name any priority with little or no evidence of progress, and why.",
        contents=("wt.little_progress", "ca.strategy", "wt.what_done"),
        covered_by_figures=("wt.little_progress",),
    ),
    Chapter(
        "development_impact",
        "Development and impact",
        "What each partner and member agency did to carry out the strategy, and the evidence "
        "that it made a difference to children, adults and families, including how their "
        "views were sought and used.",
        contents=("wt.impact", "ca.members", "wt.voice", "wt.what_done"),
    ),
    Chapter(
        "practice_reviews",
        "Practice reviews: activity and impact",
        "What the reviews this year found, what was decided on their recommendations (and "
        "why any were not accepted), and what changed as a result.",
        contents=(
            "wt.review_actions",
            "wt.what_done",
            "ca.sar_findings",
            "ca.sar_ongoing",
            "ca.sar_implementation",
            "ca.sar_not_implemented",
        ),
        covered_by_figures=(
            "wt.review_actions",
            "ca.sar_ongoing",
            "ca.sar_not_implemented",
        ),
    ),
    Chapter(
        "learning_embedded",
        "Learning from reviews and its impact",
        "How the learning was shared with practitioners and agencies, what the dissemination "
        "and audit returns show, and the evidence that practice changed.",
        contents=("panel.learning_embedded", "wt.impact", "ca.sar_implementation"),
        covered_by_figures=("panel.learning_embedded",),
    ),
    Chapter(
        "system_assurance",
        "System assurance",
        "What inspections, the risk register, the subgroups' assurance, data scrutiny and "
        "multi-agency audits told the partnership about how well the system works.",
        contents=("wt.effectiveness",),
        covered_by_figures=("wt.effectiveness",),
    ),
    Chapter(
        "training_impact",
        "The impact of multi-agency training",
        "Who the training reached against each sector's workforce, what delegates said, what "
        "the impact surveys found had changed in practice, and Safeguarding Week.",
        contents=("panel.training_outcomes", "wt.impact"),
        covered_by_figures=("panel.training_outcomes",),
    ),
    Chapter(
        "independent_scrutiny",
        "Independent scrutiny",
        "The independent scrutineer's view of how effective the arrangements are, and what "
        "the partnership did in response.",
        contents=("wt.effectiveness",),
    ),
    Chapter(
        "next_steps",
        "Next steps and priorities",
        "The priorities for the coming year and why they were chosen, including where "
        "progress was too slow this year.",
        contents=("ca.strategy", "wt.little_progress"),
    ),
)

CHAPTER_IDS = tuple(chapter.id for chapter in CHAPTERS)


def chapter(chapter_id: str) -> Chapter:
    for item in CHAPTERS:
        if item.id == chapter_id:
            return item
    raise KeyError(f"No chapter {chapter_id!r}")
