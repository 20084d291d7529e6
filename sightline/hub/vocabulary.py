from django.db import models


class Audience(models.TextChoices):
    CHILDREN = "children", "Children's workforce"
    ADULTS = "adults", "Adults' workforce"
    BOTH = "both", "Children's and adults' workforces"


class State(models.TextChoices):
    """Where a hub item is in publishing. Approved items are public from their live date
    until their removal date, if they have one; withdrawn ones never again."""

    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ReviewKind(models.TextChoices):
    LCSPR = "lcspr", "Local child safeguarding practice review"
    SAR = "sar", "Safeguarding adult review"
    DHR = "dhr", "Domestic homicide review"
    THEMATIC = "thematic", "Thematic review"
    LOCAL = "local", "Local learning review"


class ResourceKind(models.TextChoices):
    WEBINAR = "webinar", "Recorded webinar"
    PODCAST = "podcast", "Podcast"
    INTERVIEW = "interview", "Interview with a review's author"
    GUIDANCE = "guidance", "Guidance"
    TOOL = "tool", "Tool"


# The seven parts of a seven-minute briefing, in order: (field, heading).
BRIEFING_SECTIONS = (
    ("background", "Background"),
    ("why_it_matters", "Why it matters"),
    ("what_happened", "What happened"),
    ("what_we_learned", "What we learned"),
    ("what_to_do", "What to do differently"),
    ("questions", "Questions for reflection"),
    ("further_information", "Further information"),
)
