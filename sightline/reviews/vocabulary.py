"""Routes, outcomes, milestones and the vocabularies of case reviews (pure: no ORM)."""

from django.db import models


class Route(models.TextChoices):
    CHILD = "child", "Child serious incident"
    ADULT = "adult", "Safeguarding adult review"
    DHR = "dhr", "Domestic homicide review"
    LOCAL = "local", "Local learning review"


class Outcome(models.TextChoices):
    LCSPR = "lcspr", "Local child safeguarding practice review"
    NO_LCSPR = "no_lcspr", "No local review"
    NATIONAL = "national", "National review"
    SAR_MANDATORY = "sar_mandatory", "Safeguarding adult review (mandatory)"
    SAR_DISCRETIONARY = "sar_discretionary", "Safeguarding adult review (discretionary)"
    NO_SAR = "no_sar", "No safeguarding adult review"
    DHR = "dhr", "Domestic homicide review"
    NO_DHR = "no_dhr", "No domestic homicide review"
    REVIEW = "review", "Learning review"
    NO_REVIEW = "no_review", "No learning review"


OUTCOMES_BY_ROUTE: dict[str, tuple[str, ...]] = {
    Route.CHILD: (Outcome.LCSPR, Outcome.NO_LCSPR, Outcome.NATIONAL),
    Route.ADULT: (Outcome.SAR_MANDATORY, Outcome.SAR_DISCRETIONARY, Outcome.NO_SAR),
    Route.DHR: (Outcome.DHR, Outcome.NO_DHR),
    Route.LOCAL: (Outcome.REVIEW, Outcome.NO_REVIEW),
}
NO_REVIEW_OUTCOMES = frozenset(
    {Outcome.NO_LCSPR, Outcome.NO_SAR, Outcome.NO_DHR, Outcome.NO_REVIEW, Outcome.NATIONAL}
)

# Milestones in the spec's names and order, with the label people see.
MILESTONES: dict[str, str] = {
    "incident_aware_date": "Local authority aware of the serious incident",
    "panel_notified_date": "Panel notified",
    "rapid_review_sent_date": "Rapid review sent to the Panel",
    "referral_date": "Referral received",
    "decision_date": "Decision made",
    "review_initiated_date": "Review initiated",
    "final_report_sent_date": "Final report sent to the Panel and Secretary of State",
    "home_office_sent_date": "Report sent to the Home Office quality assurance panel",
    "published_date": "Report published",
}

MILESTONES_BY_ROUTE: dict[str, tuple[str, ...]] = {
    Route.CHILD: (
        "incident_aware_date",
        "panel_notified_date",
        "rapid_review_sent_date",
        "review_initiated_date",
        "final_report_sent_date",
        "published_date",
    ),
    Route.ADULT: ("referral_date", "decision_date", "review_initiated_date", "published_date"),
    Route.DHR: ("referral_date", "decision_date", "home_office_sent_date", "published_date"),
    Route.LOCAL: ("referral_date", "decision_date", "review_initiated_date", "published_date"),
}

# (earlier, later): a later milestone may not come before an earlier one.
ORDER_BY_ROUTE: dict[str, tuple[tuple[str, str], ...]] = {
    Route.CHILD: (
        ("incident_aware_date", "panel_notified_date"),
        ("incident_aware_date", "rapid_review_sent_date"),
        ("rapid_review_sent_date", "review_initiated_date"),
        ("incident_aware_date", "review_initiated_date"),
        ("incident_aware_date", "final_report_sent_date"),
        ("review_initiated_date", "published_date"),
        ("incident_aware_date", "published_date"),
    ),
    Route.ADULT: (
        ("referral_date", "decision_date"),
        ("decision_date", "review_initiated_date"),
        ("review_initiated_date", "published_date"),
        ("referral_date", "published_date"),
    ),
    Route.DHR: (
        ("referral_date", "decision_date"),
        ("decision_date", "home_office_sent_date"),
        ("home_office_sent_date", "published_date"),
        ("referral_date", "published_date"),
    ),
    Route.LOCAL: (
        ("referral_date", "decision_date"),
        ("decision_date", "review_initiated_date"),
        ("review_initiated_date", "published_date"),
        ("referral_date", "published_date"),
    ),
}


class AgeBand(models.TextChoices):
    UNDER_1 = "under_1", "Under 1"
    AGE_1_4 = "1_4", "1 to 4"
    AGE_5_9 = "5_9", "5 to 9"
    AGE_10_15 = "10_15", "10 to 15"
    AGE_16_17 = "16_17", "16 to 17"
    AGE_18_25 = "18_25", "18 to 25"
    AGE_26_64 = "26_64", "26 to 64"
    AGE_65_PLUS = "65_plus", "65 and over"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    WHITE = "white", "White"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    OTHER = "other", "Other ethnic group"
    NOT_KNOWN = "not_known", "Not known"


class Disability(models.TextChoices):
    NONE = "none", "None known"
    DISABILITY = "disability", "Disability"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    BOTH = "both", "Disability and learning disability"
    NOT_KNOWN = "not_known", "Not known"


class LegalStatus(models.TextChoices):
    CHILD_PROTECTION_PLAN = "cp_plan", "Child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    LOOKED_AFTER = "looked_after", "Looked after"
    CARE_LEAVER = "care_leaver", "Care leaver"
    NONE = "none", "None"


class HarmType(models.TextChoices):
    PHYSICAL = "physical", "Physical abuse"
    SEXUAL = "sexual", "Sexual abuse"
    EMOTIONAL = "emotional", "Emotional or psychological abuse"
    NEGLECT = "neglect", "Neglect and acts of omission"
    CRIMINAL_EXPLOITATION = "criminal_exploitation", "Criminal exploitation"
    SEXUAL_EXPLOITATION = "sexual_exploitation", "Sexual exploitation"
    SUDI = "sudi", "Sudden unexpected death in infancy"
    HARM_OUTSIDE_HOME = "harm_outside_home", "Harm outside the home"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    FINANCIAL = "financial", "Financial or material abuse"
    DISCRIMINATORY = "discriminatory", "Discriminatory abuse"
    ORGANISATIONAL = "organisational", "Organisational abuse"
    MODERN_SLAVERY = "modern_slavery", "Modern slavery"
    SELF_NEGLECT = "self_neglect", "Self-neglect"


class PauseReason(models.TextChoices):
    CRIMINAL_PROCEEDINGS = "criminal_proceedings", "Parallel criminal proceedings"
    INQUEST = "inquest", "Coroner's inquest"
    SENSITIVE_DATES = "sensitive_dates", "Avoiding sensitive dates"
    FAMILY = "family", "Family involvement"
    AGENCY_INFORMATION = "agency_information", "Waiting for agency information"
    OTHER = "other", "Other"


class RelationKind(models.TextChoices):
    LEDER = "leder", "LeDeR review"
    CHILD_DEATH = "child_death", "Child death review"
    NATIONAL = "national", "National review"
    LINKED_DHR = "linked_dhr", "Linked domestic homicide review"
    LINKED_CASE = "linked_case", "Linked case in Sightline"
    OTHER = "other", "Other"
