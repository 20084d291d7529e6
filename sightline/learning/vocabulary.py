"""The learning tracker's vocabularies, in the names of the learning tracker contract."""

from django.db import models


class SourceType(models.TextChoices):
    CASE_REVIEW = "case_review", "Case review in Sightline"
    NATIONAL_REVIEW = "national_review", "National review"
    SAR = "sar", "Safeguarding adult review"
    DHR = "dhr", "Domestic homicide review"
    INSPECTION = "inspection", "Inspection"
    AUDIT = "audit", "Audit"
    OTHER = "other", "Other"


class Decision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    ACCEPTED_IN_PART = "accepted_in_part", "Accepted in part"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    COMPLETE = "complete", "Complete"
    CLOSED_INCOMPLETE = "closed_incomplete", "Closed without completion"


OPEN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.ON_TRACK, ActionStatus.AT_RISK)


class EvidenceKind(models.TextChoices):
    DISSEMINATION = "dissemination", "Dissemination"
    IMPACT = "impact", "Impact"


class DisseminationMethod(models.TextChoices):
    BRIEFING = "briefing", "Briefing"
    TEAM_MEETING = "team_meeting", "Team meeting"
    TRAINING = "training", "Training"
    NEWSLETTER = "newsletter", "Newsletter"
    WEBINAR = "webinar", "Webinar"
    PODCAST = "podcast", "Podcast"
    OTHER = "other", "Other"
