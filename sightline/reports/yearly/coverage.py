"""Which statutory contents the yearly report covers, and the small numbers to flag before
it is published (pure: no ORM).

A content is covered when a chapter's generated figures cover it (the chapter lists it in
``covered_by_figures`` and the figures have something for it: there were adult reviews to
report, say) or when a chapter that answers it (``contents``) has approved narrative.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass

from . import contents
from .figures import YearlyFigures


@dataclass(frozen=True)
class ContentCoverage:
    id: str
    covered: bool
    where: str | None  # the title of the chapter that covers it

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "covered": self.covered, "where": self.where}


def _has_review_actions(figures: YearlyFigures) -> bool:
    return bool(figures.learning.get("totals", {}).get("recommendations"))


def _has_sar_ongoing(figures: YearlyFigures) -> bool:
    return bool(figures.case_reviews.adult_reviews_ongoing)


def _has_sar_not_implemented(figures: YearlyFigures) -> bool:
    return bool(figures.case_reviews.adult_recommendations_not_accepted)


def _has_learning_embedded(figures: YearlyFigures) -> bool:
    totals = figures.learning.get("totals", {})
    return bool(totals.get("with_dissemination_evidence") or totals.get("with_impact_evidence"))


def _has_effectiveness(figures: YearlyFigures) -> bool:
    assurance = figures.assurance
    returns = any(
        q.returns_assured + q.returns_partial + q.returns_not_assured for q in assurance.quarters
    )
    return returns or bool(assurance.inspections)


def _has_training_outcomes(figures: YearlyFigures) -> bool:
    # Reach against the workforce is the difference beyond ratings the panel asked for.
    return figures.training.get("overall_reach_percent") is not None


def _has_little_progress(figures: YearlyFigures) -> bool:
    # The analysis is the list of priorities with little or no progress: it needs priorities.
    return bool(figures.assurance.priorities)


# Whether the figures have anything for a content a chapter's figures can cover.
FIGURES_HAVE: dict[str, Callable[[YearlyFigures], bool]] = {
    "wt.review_actions": _has_review_actions,
    "ca.sar_ongoing": _has_sar_ongoing,
    "ca.sar_not_implemented": _has_sar_not_implemented,
    "panel.learning_embedded": _has_learning_embedded,
    "wt.effectiveness": _has_effectiveness,
    "panel.training_outcomes": _has_training_outcomes,
    "wt.little_progress": _has_little_progress,
}


def statutory_contents(
    *, figures: YearlyFigures, approved_chapters: Collection[str]
) -> list[ContentCoverage]:
    """One entry for every statutory content, in the contract's order: the first chapter (in
    publishing order) that covers it by figures or by approved narrative, or not covered."""
    found = []
    for content in contents.STATUTORY_CONTENTS:
        where = None
        for chapter in contents.CHAPTERS:
            by_figures = content.id in chapter.covered_by_figures and FIGURES_HAVE.get(
                content.id, lambda _figures: False
            )(figures)
            by_narrative = content.id in chapter.contents and chapter.id in approved_chapters
            if by_figures or by_narrative:
                where = chapter.title
                break
        found.append(ContentCoverage(content.id, where is not None, where))
    return found


@dataclass(frozen=True)
class SmallNumber:
    label: str
    value: int
    where: str  # the chapter title


def small_numbers(*, figures: YearlyFigures, threshold: int) -> list[SmallNumber]:
    """Figures about people (cases, deaths, referrals) above 0 and below ``threshold``: in a
    small area a count this low can identify a family, so the author sees them before
    anything is published."""
    reviews = contents.chapter("practice_reviews").title
    cases = figures.case_reviews
    candidates: list[tuple[str, int, str]] = [
        (f"Cases received: {item.label.lower()}", item.count, reviews) for item in cases.received
    ]
    candidates += [
        ("Cases received in the year", cases.received_total(), reviews),
        ("Reviews published in the year", len(cases.published), reviews),
        ("Safeguarding adult reviews concluded", len(cases.adult_reviews_concluded), reviews),
        ("Safeguarding adult reviews ongoing", len(cases.adult_reviews_ongoing), reviews),
    ]
    for standard in cases.timeliness.get("standards", []):
        candidates.append(
            (f"Cases with the standard {standard['code']}", standard["applicable"], reviews)
        )
    loop = figures.training.get("learning_loop", {})
    for theme in loop.get("themes", []):
        candidates.append(
            (
                f"Cases with the practice theme {theme['theme']}",
                theme["cases"],
                contents.chapter("training_impact").title,
            )
        )
    return [
        SmallNumber(label, value, where)
        for label, value, where in candidates
        if 0 < value < threshold
    ]
