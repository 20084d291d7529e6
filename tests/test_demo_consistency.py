"""The demo partnership reads true whatever day ``seed_demo`` runs: its facts agree with each
other and with today's date.

Each check returns what breaks its rule (empty when the demo is consistent), so a failure
names the records. The demo is seeded on several days: today, a day early in the year, and
the day before a bank holiday, because the demo's dates are computed from the day it runs.
"""

import datetime
import io
from collections.abc import Callable

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from sightline.accounts.demo import BUSINESS_UNIT
from sightline.assurance.models import AuditReturn, Inspection, Meeting, Risk
from sightline.core.calendar import WorkingCalendar
from sightline.learning.models import Action, DisseminationReturn, Evidence, Recommendation
from sightline.reviews.models import Case, Decision, Pause
from sightline.reviews.vocabulary import MILESTONES_BY_ROUTE, AgeBand, Route
from sightline.training.models import Booking, Evaluation, Session

CHILD_BANDS = {
    AgeBand.UNDER_1,
    AgeBand.AGE_1_4,
    AgeBand.AGE_5_9,
    AgeBand.AGE_10_15,
    AgeBand.AGE_16_17,
}
ADULT_BANDS = {AgeBand.AGE_18_25, AgeBand.AGE_26_64, AgeBand.AGE_65_PLUS}
# Pseudonyms say whose case it is: a child's or an adult's.
CHILD_WORDS = ("Child", "Baby", "Young person", "Sibling")
ADULT_WORDS = ("Adult", "Mr ", "Mrs ", "Ms ", "Victim")

# Dates that may rightly lie ahead of today: deadlines, plans and bookings to come. Every
# other date or moment the demo records (something that happened) must be today or before.
MAY_BE_FUTURE = {
    "core.closureday.date",
    "accounts.accessreview.due_on",
    "reviews.casedeadline.due",
    "reviews.case.next_due_on",
    "learning.action.due_date",
    "learning.action.next_review_date",
    "assurance.audit.quarter_start",
    "assurance.audit.returns_due_on",
    "assurance.risk.next_review_on",
    "assurance.riskassessment.next_review_on",
    "assurance.riskacceptance.until",
    "training.course.review_date",
    "training.eventseries.starts_on",
    "training.eventseries.ends_on",
    "training.session.starts_at",
    "training.session.ends_at",
    # What the partners decided: held back to a later day, or up until a removal date.
    "hub.publishedreview.live_on",
    "hub.publishedreview.remove_on",
    "hub.resource.remove_on",
    "hub.newsitem.remove_on",
    "hub.briefing.remove_on",
    # The search index holds an approved item's dates as they are.
    "hub.searchentry.live_on",
    "hub.searchentry.remove_on",
}

# The order of each route's milestones, where the earlier must come first.
MILESTONE_ORDER: dict[str, list[tuple[str, str]]] = {
    Route.CHILD: [
        ("incident_aware_date", "panel_notified_date"),
        ("incident_aware_date", "rapid_review_sent_date"),
        ("rapid_review_sent_date", "review_initiated_date"),
        ("review_initiated_date", "final_report_sent_date"),
        ("final_report_sent_date", "published_date"),
    ],
    **{
        route: [
            ("referral_date", "decision_date"),
            ("decision_date", "review_initiated_date"),
            ("decision_date", "home_office_sent_date"),
            ("review_initiated_date", "published_date"),
            ("home_office_sent_date", "published_date"),
        ]
        for route in (Route.ADULT, Route.DHR, Route.LOCAL)
    },
}


WORKING_DAY_MILESTONES = (
    "referral_date",
    "decision_date",
    "review_initiated_date",
    "rapid_review_sent_date",
    "final_report_sent_date",
    "home_office_sent_date",
    "published_date",
)


def nothing_that_happened_is_in_the_future() -> list[str]:
    today, now = timezone.localdate(), timezone.now()
    wrong = []
    for model in apps.get_models():
        if not model.__module__.startswith("sightline."):
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DateField):
                continue
            key = f"{model._meta.label_lower}.{field.name}"
            if key in MAY_BE_FUTURE:
                continue
            limit = now if isinstance(field, models.DateTimeField) else today
            count = model._default_manager.filter(**{f"{field.name}__gt": limit}).count()
            if count:
                wrong.append(f"{key}: {count} after {limit}")
    return wrong


def milestones_in_order_and_on_their_route() -> list[str]:
    wrong = []
    for case in Case.objects.all():
        for earlier, later in MILESTONE_ORDER[case.route]:
            first, then = getattr(case, earlier), getattr(case, later)
            if first and then and then < first:
                wrong.append(f"{case.reference}: {later} {then} before {earlier} {first}")
        for field in set(MILESTONES_BY_ROUTE[Route.CHILD]) | {"referral_date", "decision_date"}:
            if field not in MILESTONES_BY_ROUTE[case.route] and getattr(case, field):
                wrong.append(f"{case.reference}: {field} is not a {case.route} milestone")
    return wrong


def age_bands_fit_whose_case_it_is() -> list[str]:
    wrong = []
    for case in Case.objects.exclude(age_band=""):
        child = case.route == Route.CHILD or case.pseudonym.startswith(CHILD_WORDS)
        adult = case.route in (Route.ADULT, Route.DHR) or case.pseudonym.startswith(ADULT_WORDS)
        if child and case.age_band not in CHILD_BANDS:
            wrong.append(f"{case.reference} {case.pseudonym}: a child aged {case.age_band}")
        if adult and case.age_band not in ADULT_BANDS | {AgeBand.AGE_16_17}:
            wrong.append(f"{case.reference} {case.pseudonym}: an adult aged {case.age_band}")
        if case.legal_status and not child:
            wrong.append(f"{case.reference} {case.pseudonym}: a child's legal status")
    return wrong


def decisions_and_pauses_within_the_case() -> list[str]:
    wrong = [
        f"{decision.case.reference}: decided {decision.decided_on}, opened {decision.case.opened_on}"
        for decision in Decision.objects.select_related("case").filter(
            decided_on__lt=F("case__opened_on")
        )
    ]
    wrong += [
        f"{pause.case.reference}: pause ends {pause.ended_on} before it starts"
        for pause in Pause.objects.select_related("case").filter(ended_on__lt=F("started_on"))
    ]
    return wrong


def returns_come_after_they_are_asked_for() -> list[str]:
    wrong = [
        f"{item}: asked {item.requested_on}, returned {item.returned_on}"
        for item in DisseminationReturn.objects.select_related("case", "agency").filter(
            returned_on__lt=F("requested_on")
        )
    ]
    wrong += [
        f"{item}: asked {item.requested_on} before the review was published"
        for item in DisseminationReturn.objects.select_related("case", "agency").filter(
            requested_on__lt=F("case__published_date")
        )
    ]
    wrong += [
        f"audit return {item.pk}: asked {item.requested_on}, returned {item.returned_on}"
        for item in AuditReturn.objects.filter(returned_on__lt=F("requested_on"))
    ]
    return wrong


def the_business_unit_is_never_asked_for_a_return() -> list[str]:
    return [
        f"{item}"
        for item in DisseminationReturn.objects.select_related("case", "agency").filter(
            agency__name=BUSINESS_UNIT
        )
    ] + [f"{case.reference}" for case in Case.objects.filter(agencies__name=BUSINESS_UNIT)]


def learning_follows_its_recommendation() -> list[str]:
    wrong = [
        f"{action.reference}: completed {action.completed_date}, recommended "
        f"{action.recommendation.made_date}"
        for action in Action.objects.select_related("recommendation").filter(
            completed_date__lt=F("recommendation__made_date")
        )
    ]
    wrong += [
        f"{action.reference}: closed {action.closed_date}, recommended "
        f"{action.recommendation.made_date}"
        for action in Action.objects.select_related("recommendation").filter(
            closed_date__lt=F("recommendation__made_date")
        )
    ]
    wrong += [
        f"{item.action.reference}: evidence dated {item.dated} before the recommendation"
        for item in Evidence.objects.select_related("action__recommendation").filter(
            dated__lt=F("action__recommendation__made_date")
        )
    ]
    wrong += [
        f"{rec.reference}: made {rec.made_date} before its review was published"
        for rec in Recommendation.objects.select_related("source_case").filter(
            made_date__lt=F("source_case__published_date")
        )
    ]
    return wrong


def training_happens_in_order() -> list[str]:
    now = timezone.now()
    wrong = [
        f"booking {booking.pk}: booked {booking.booked_at} after the session started"
        for booking in Booking.objects.select_related("session").filter(
            booked_at__gt=F("session__starts_at")
        )
    ]
    wrong += [
        f"booking {booking.pk}: attendance marked for a session still to come"
        for booking in Booking.objects.filter(
            attendance_marked_at__isnull=False, session__starts_at__gt=now
        )
    ]
    wrong += [
        f"session {session.pk}: register marked before the session ended"
        for session in Session.objects.filter(register_marked_at__lt=F("ends_at"))
    ]
    wrong += [
        f"booking {booking.pk}: impact survey asked for before the session ended"
        for booking in Booking.objects.filter(impact_requested_at__lt=F("session__ends_at"))
    ]
    wrong += [
        f"evaluation {evaluation.pk}: submitted before the session"
        for evaluation in Evaluation.objects.select_related("session")
        if evaluation.submitted_on < timezone.localdate(evaluation.session.starts_at)
    ]
    return wrong


def work_happens_on_working_days() -> list[str]:
    """Sessions, meetings, decisions and reports fall on working days: none on a weekend or
    a bank holiday (no training on Christmas Day, no meeting on Good Friday)."""
    calendar = WorkingCalendar()
    wrong = [
        f"session {session.pk} on {timezone.localdate(session.starts_at)}"
        for session in Session.objects.all()
        if not calendar.is_working_day(timezone.localdate(session.starts_at))
    ]
    wrong += [
        f"meeting {meeting.pk} on {meeting.held_on}"
        for meeting in Meeting.objects.all()
        if not calendar.is_working_day(meeting.held_on)
    ]
    wrong += [
        f"{case.reference}: {field} {getattr(case, field)}"
        for case in Case.objects.all()
        for field in WORKING_DAY_MILESTONES
        if getattr(case, field) and not calendar.is_working_day(getattr(case, field))
    ]
    return wrong


def assurance_dates_in_order() -> list[str]:
    wrong = [
        f"{inspection}: published {inspection.published_on} before it started"
        for inspection in Inspection.objects.filter(published_on__lt=F("started_on"))
    ]
    wrong += [
        f"{risk.reference}: reviewed or closed before it was opened"
        for risk in Risk.objects.filter(
            Q(last_reviewed_on__lt=F("opened_on")) | Q(closed_on__lt=F("opened_on"))
        )
    ]
    return wrong


CHECKS: list[Callable[[], list[str]]] = [
    nothing_that_happened_is_in_the_future,
    milestones_in_order_and_on_their_route,
    age_bands_fit_whose_case_it_is,
    decisions_and_pauses_within_the_case,
    returns_come_after_they_are_asked_for,
    the_business_unit_is_never_asked_for_a_return,
    learning_follows_its_recommendation,
    training_happens_in_order,
    work_happens_on_working_days,
    assurance_dates_in_order,
]


def _seed() -> None:
    call_command("seed_demo", "--password", "demo-password-1", stdout=io.StringIO())


@pytest.mark.parametrize(
    "day",
    [
        None,  # today
        datetime.datetime(2027, 1, 6, 9, 0),  # early in the year, just after the holidays
        datetime.datetime(2027, 8, 27, 16, 0),  # the Friday before a bank holiday
    ],
    ids=["today", "early-january", "before-a-bank-holiday"],
)
def test_the_demo_is_consistent_whenever_it_is_seeded(db, day):
    if day is None:
        _seed()
        failures = {check.__name__: check() for check in CHECKS}
    else:
        moment = timezone.make_aware(day)
        with time_machine.travel(moment, tick=False):
            _seed()
            failures = {check.__name__: check() for check in CHECKS}
    assert {name: wrong for name, wrong in failures.items() if wrong} == {}


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_each_check_can_fail(db, check):
    """Each rule finds something when the demo is broken the way it used to be."""
    _seed()
    case = Case.objects.filter(published_date__isnull=False, route=Route.CHILD).first()
    marked = Booking.objects.filter(attendance_marked_at__isnull=False).first()
    assert case is not None
    assert case.published_date is not None
    assert marked is not None
    breakers: dict[str, Callable[[], object]] = {
        "nothing_that_happened_is_in_the_future": lambda: Case.objects.filter(pk=case.pk).update(
            published_date=timezone.localdate() + datetime.timedelta(days=30)
        ),
        "milestones_in_order_and_on_their_route": lambda: Case.objects.filter(pk=case.pk).update(
            referral_date=case.published_date
        ),
        "age_bands_fit_whose_case_it_is": lambda: Case.objects.filter(pk=case.pk).update(
            age_band=AgeBand.AGE_65_PLUS
        ),
        "decisions_and_pauses_within_the_case": lambda: Decision.objects.filter(
            case__opened_on__isnull=False
        ).update(decided_on=datetime.date(2000, 1, 1)),
        "returns_come_after_they_are_asked_for": lambda: DisseminationReturn.objects.update(
            requested_on=timezone.localdate()
        ),
        "the_business_unit_is_never_asked_for_a_return": lambda: case.agencies.add(
            apps.get_model("accounts.agency").objects.get(name=BUSINESS_UNIT)
        ),
        "learning_follows_its_recommendation": lambda: Recommendation.objects.filter(
            source_case__isnull=False
        ).update(made_date=datetime.date(2000, 1, 1)),
        "work_happens_on_working_days": lambda: Case.objects.filter(pk=case.pk).update(
            published_date=datetime.date(2025, 12, 25)
        ),
        "assurance_dates_in_order": lambda: Risk.objects.update(
            last_reviewed_on=datetime.date(2000, 1, 1)
        ),
        "training_happens_in_order": lambda: Session.objects.filter(pk=marked.session_id).update(
            starts_at=timezone.now() + datetime.timedelta(days=3),
            ends_at=timezone.now() + datetime.timedelta(days=3, hours=2),
        ),
    }
    assert check() == []
    breakers[check.__name__]()
    assert check() != []
