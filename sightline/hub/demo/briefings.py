"""Demo briefings: drafted by Sightline from the demo's published reviews, finished by the
business unit and approved; one thematic briefing written from scratch; one still a draft.

Publishing seeds the published reviews first; when it has not (this area on its own), two
published cases with recommendations get a published review here, in fictional words."""

import datetime
from typing import Any

from django.utils import timezone

from sightline.accounts.demo import demo_email
from sightline.accounts.models import User
from sightline.core.roles import Role
from sightline.learning.models import Recommendation
from sightline.reviews.models import Case, PracticeTheme

from ..models import Briefing, PublishedRecommendation, PublishedReview
from ..services import briefings as services
from ..vocabulary import ReviewKind, State

KINDS = {
    "child": ReviewKind.LCSPR,
    "adult": ReviewKind.SAR,
    "dhr": ReviewKind.DHR,
    "local": ReviewKind.LOCAL,
}
SUMMARY = (
    "{name} was known to several agencies over two years. Professionals saw parts of the "
    "picture but did not bring them together, and the people closest to {name} were not "
    "asked about daily life at home. The review found that agencies worked hard, but that "
    "information was shared late and concerns were not escalated when plans stalled."
)
THEMATIC_TITLE = "Seven-minute briefing: hearing the voice of the child"
THEMATIC_THEME = "Voice of the child or adult"


def _published_reviews(*, actor: Any, today: datetime.date) -> list[PublishedReview]:
    reviews = list(PublishedReview.objects.exclude(state=State.WITHDRAWN).order_by("pk")[:3])
    if reviews:
        return reviews
    cases = (
        Case.objects.filter(published_date__isnull=False, recommendations__isnull=False)
        .exclude(route="dhr")
        .distinct()
        .order_by("-published_date", "pk")[:2]
    )
    for case in cases:
        name = case.pseudonym or "The person"
        review, created = PublishedReview.objects.get_or_create(
            slug=f"demo-{case.reference.lower().replace('/', '-')}"[:120],
            defaults={
                "title": f"{name}: {KINDS[case.route].label.lower()}",
                "kind": KINDS[case.route],
                "case": case,
                "summary": SUMMARY.format(name=name),
                "author": "An independent reviewer",
                "state": State.APPROVED,
                "approved_by": actor,
                "approved_at": timezone.now(),
                "live_on": case.published_date or today,
            },
        )
        if created:
            review.themes.set(case.themes.all())
            texts = Recommendation.objects.filter(source_case=case).order_by("reference")
            PublishedRecommendation.objects.bulk_create(
                PublishedRecommendation(review=review, position=position, text=rec.text)
                for position, rec in enumerate(texts, start=1)
            )
        reviews.append(review)
    return reviews


def seed(*, password: str, stdout: Any) -> None:
    if Briefing.objects.exists():
        stdout.write("Hub briefings: briefings exist already, none added.")
        return
    officer = User.objects.filter(email__iexact=demo_email(Role.REVIEW_OFFICER)).first()
    executive = User.objects.filter(email__iexact=demo_email(Role.EXECUTIVE)).first()
    if officer is None or executive is None:
        stdout.write("Hub briefings: the demo users are missing, none added.")
        return
    today = timezone.localdate()
    reviews = _published_reviews(actor=executive, today=today)
    for review in reviews:
        briefing = services.briefing_draft(actor=officer, review=review)
        services.briefing_finish(actor=officer, briefing=briefing)
        services.briefing_approve(
            actor=executive, briefing=briefing, live_on=review.live_on or today
        )
    if reviews:
        # A second look at the latest review, which the business unit has not finished.
        services.briefing_draft(actor=officer, review=reviews[-1])
    theme = PracticeTheme.objects.filter(name__iexact=THEMATIC_THEME).first()
    thematic = services.briefing_create(
        actor=officer,
        title=THEMATIC_TITLE,
        audience="children",
        themes=[theme] if theme else [],
    )
    services.briefing_update(
        actor=officer,
        briefing=thematic,
        values={
            "background": "Across the partnership's recent reviews, the child's own voice "
            "was too often missing from assessments and plans.",
            "why_it_matters": "Children tell us what life is like for them when we ask, "
            "listen and look. Without their voice, plans are made around the adults.",
            "what_happened": "Three reviews found children who were seen but not spoken with "
            "alone, and whose words were summarised by the adults caring for them.",
            "what_we_learned": "- Seeing a child is not the same as hearing them.\n"
            "- Non-verbal and very young children communicate too: record what you observe.\n"
            "- A child's words belong in the record in their own words.",
            "what_to_do": "- See children on their own, and somewhere they feel safe.\n"
            "- Use the partnership's direct work tools.\n"
            "- Say in every plan how the child's views changed it.",
            "further_information": "The partnership's guidance on the voice of the child and "
            "its training offer are on the learning hub.",
        },
        themes=[theme] if theme else [],
    )
    services.briefing_finish(actor=officer, briefing=thematic)
    services.briefing_approve(actor=executive, briefing=thematic, live_on=today)
    stdout.write(
        f"Hub briefings: {Briefing.objects.count()} briefings "
        f"({Briefing.objects.filter(state=State.DRAFT).count()} still a draft)."
    )
