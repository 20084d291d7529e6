"""A published review with everything a briefing is drafted from, for the briefing tests:
a case with restricted details that must never show, recommendations with actions by two
agencies (owned by named people who must never show), and published recommendations."""

import datetime
from dataclasses import dataclass

from sightline.accounts.tests.factories import AgencyFactory, UserFactory
from sightline.hub.models import PublishedReview
from sightline.hub.tests.factories import PublishedRecommendationFactory, PublishedReviewFactory
from sightline.learning.tests.factories import ActionFactory, RecommendationFactory
from sightline.learning.vocabulary import ActionStatus, Decision, SourceType
from sightline.reviews.models import PracticeTheme
from sightline.reviews.tests.factories import CaseFactory

RESTRICTED_SUMMARY = "SECRET-RESTRICTED-SUMMARY lived at 12 Hidden Lane"
OWNER_NAME = "Owner Person Zedd"
NOT_ACCEPTED_ACTION = "ACTION-OF-A-REJECTED-RECOMMENDATION"


@dataclass
class Reviewed:
    review: PublishedReview
    themes: list[PracticeTheme]


def reviewed_case(**review_fields) -> Reviewed:
    case = CaseFactory.create(restricted_summary=RESTRICTED_SUMMARY, ethnicity="white")
    themes = list(PracticeTheme.objects.filter(name__in=["Professional curiosity", "Safer sleep"]))
    review = PublishedReviewFactory.create(case=case, **review_fields)
    review.themes.set(themes)
    PublishedRecommendationFactory.create(review=review, position=1, text="Ask about men.")
    PublishedRecommendationFactory.create(review=review, position=2, text="Audit sleep advice.")
    police = AgencyFactory.create(name="Northshire Police")
    health = AgencyFactory.create(name="Northshire Health")
    owner = UserFactory.create(full_name=OWNER_NAME)
    accepted = RecommendationFactory.create(
        source_type=SourceType.CASE_REVIEW, source_case=case, decision=Decision.ACCEPTED
    )
    for status in (ActionStatus.COMPLETE, ActionStatus.COMPLETE, ActionStatus.ON_TRACK):
        ActionFactory.create(
            recommendation=accepted,
            agency=police,
            owner=owner,
            owner_email="owner@example.test",
            status=status,
            completed_date=datetime.date(2024, 5, 1) if status == ActionStatus.COMPLETE else None,
            description=f"Police action {status}",
        )
    ActionFactory.create(recommendation=accepted, agency=health, description="Health action")
    rejected = RecommendationFactory.create(
        source_type=SourceType.CASE_REVIEW,
        source_case=case,
        decision=Decision.NOT_ACCEPTED,
        decision_reason="Not ours.",
    )
    ActionFactory.create(recommendation=rejected, agency=health, description=NOT_ACCEPTED_ACTION)
    return Reviewed(review=review, themes=themes)
