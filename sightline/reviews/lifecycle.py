"""A case's stage, read from its milestones and outcome (pure: no ORM)."""

from collections.abc import Mapping
from typing import Any

from django.db import models

from .vocabulary import NO_REVIEW_OUTCOMES, Outcome, Route


class Stage(models.TextChoices):
    NOTIFICATION = "notification", "Notification to the Panel"
    RAPID_REVIEW = "rapid_review", "Rapid review"
    DECISION = "decision", "Awaiting decision"
    IN_REVIEW = "in_review", "Review in progress"
    QUALITY_ASSURANCE = "quality_assurance", "With the Home Office"
    NATIONAL = "national", "Referred for national review"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed without a review"


def stage_of(case: Mapping[str, Any]) -> Stage:
    route, outcome = case["route"], case.get("outcome") or ""
    if case.get("published_date"):
        return Stage.PUBLISHED
    if outcome == Outcome.NATIONAL:
        return Stage.NATIONAL
    if outcome in NO_REVIEW_OUTCOMES:
        return Stage.CLOSED
    if route == Route.DHR and case.get("home_office_sent_date"):
        return Stage.QUALITY_ASSURANCE
    if outcome:
        return Stage.IN_REVIEW
    if route == Route.CHILD:
        if case.get("rapid_review_sent_date"):
            return Stage.DECISION
        if case.get("panel_notified_date"):
            return Stage.RAPID_REVIEW
        return Stage.NOTIFICATION
    return Stage.DECISION


def opened_on(case: Mapping[str, Any]) -> Any:
    """When the case came to the partnership: the incident, or the referral."""
    return case.get("incident_aware_date") or case.get("referral_date")
