"""System assurance's fixed lists."""

from django.db import models


class RiskCategory(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    OPERATIONAL = "operational", "Operational"
    FINANCIAL = "financial", "Financial"
    REPUTATIONAL = "reputational", "Reputational"
    STATUTORY = "statutory", "Statutory and compliance"
    WORKFORCE = "workforce", "Workforce"
    INFORMATION = "information", "Information and data"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Inspectorate(models.TextChoices):
    OFSTED = "ofsted", "Ofsted"
    HMICFRS = "hmicfrs", "HMICFRS"
    CQC = "cqc", "CQC"
    JOINT = "joint", "Joint inspectorates"
    OTHER = "other", "Other"


class InspectionType(models.TextChoices):
    ILACS = "ilacs", "Inspection of local authority children's services (ILACS)"
    FOCUSED_VISIT = "focused_visit", "Focused visit"
    JTAI = "jtai", "Joint targeted area inspection (JTAI)"
    PEEL = "peel", "PEEL inspection"
    NCPI = "ncpi", "National child protection inspection"
    CQC_ASSESSMENT = "cqc_assessment", "CQC assessment"
    OTHER = "other", "Other"


class GroupKind(models.TextChoices):
    EXECUTIVE = "executive", "Executive"
    SUBGROUP = "subgroup", "Subgroup"
    BOARD = "board", "Board"


class AssuranceLevel(models.TextChoices):
    ASSURED = "assured", "Assured"
    PARTIAL = "partial", "Partially assured"
    NOT_ASSURED = "not_assured", "Not assured"


class Direction(models.TextChoices):
    """Which side of its threshold a measure raises an exception on."""

    ABOVE = "above", "Above the threshold"
    BELOW = "below", "Below the threshold"


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    REPORTED = "reported", "Reported"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class MeasureKind(models.TextChoices):
    PROGRESS = "progress", "Progress"
    IMPACT = "impact", "Impact"


class PaperKind(models.TextChoices):
    AGENDA = "agenda", "Agenda"
    MINUTES = "minutes", "Minutes"
    PAPER = "paper", "Meeting paper"
    TERMS = "terms", "Terms of reference"
    INDUCTION = "induction", "Induction pack"


# What a new member reads first: the terms of reference and the induction pack.
INDUCTION_KINDS = (PaperKind.TERMS, PaperKind.INDUCTION)
