"""The training offer's fixed lists."""

from django.db import models


class Audience(models.TextChoices):
    CHILDREN = "children", "Children's workforce"
    ADULTS = "adults", "Adults' workforce"
    BOTH = "both", "Children's and adults' workforce"


class Level(models.TextChoices):
    AWARENESS = "awareness", "Level 1: awareness"
    PRACTITIONER = "practitioner", "Level 2: practitioner"
    SPECIALIST = "specialist", "Level 3: specialist"
    LEADERSHIP = "leadership", "Level 4: leaders and managers"


class Mode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"


class BookingStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting manager's approval"
    CONFIRMED = "confirmed", "Booked"
    WAITING = "waiting", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"
    DECLINED = "declined", "Not approved"


# A booking in these states is live: it is one per person per session.
LIVE_STATUSES = (
    BookingStatus.AWAITING_APPROVAL,
    BookingStatus.CONFIRMED,
    BookingStatus.WAITING,
)
# A booking in these states holds one of the session's places.
PLACE_HOLDING_STATUSES = (BookingStatus.AWAITING_APPROVAL, BookingStatus.CONFIRMED)


class Attendance(models.TextChoices):
    NOT_MARKED = "", "Not marked"
    ATTENDED = "attended", "Attended"
    LEFT_EARLY = "left_early", "Left early"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


# Present for at least part of the session: counted as attending, may evaluate.
PRESENT = (Attendance.ATTENDED, Attendance.LEFT_EARLY)


class Rating(models.TextChoices):
    EXCELLENT = "excellent", "Excellent"
    GOOD = "good", "Good"
    SATISFACTORY = "satisfactory", "Satisfactory"
    POOR = "poor", "Poor"


GOOD_OR_EXCELLENT = (Rating.EXCELLENT, Rating.GOOD)


class Confidence(models.IntegerChoices):
    VERY_LOW = 1, "1: not at all confident"
    LOW = 2, "2: a little confident"
    MODERATE = 3, "3: fairly confident"
    HIGH = 4, "4: confident"
    VERY_HIGH = 5, "5: very confident"


class Applied(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "Not yet"


# Evaluation results are shown for a session only when at least this many delegates have
# answered, so that no answer can be traced to a person.
MIN_RESPONSES = 3
