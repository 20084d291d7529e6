"""A fictional case history from 2018 to today, on every route, with deadlines met, missed,
pending and overdue. Deterministic: the same cases every time; existing ones are left alone."""

import datetime
import random
from typing import Any

from django.utils import timezone

from sightline.accounts.demo import BUSINESS_UNIT, demo_email
from sightline.accounts.models import Agency, User
from sightline.core.calendar import WorkingCalendar, add_months
from sightline.core.retention_demo import seed_retention
from sightline.core.roles import Role
from sightline.core.selectors import working_calendar

from . import services
from .models import Case, PracticeTheme, Referral
from .vocabulary import AgeBand, Disability, Ethnicity, HarmType, PauseReason, RelationKind, Sex

CHILD_NAMES = [
    "Child A",
    "Baby B",
    "Child C",
    "Sibling group D",
    "Baby E",
    "Child F",
    "Young person G",
    "Child H",
    "Baby J",
    "Child K",
    "Young person L",
    "Child M",
]
ADULT_NAMES = ["Adult N", "Mr P", "Ms Q", "Adult R", "Mrs S", "Adult T", "Mr V", "Adult W"]
DHR_NAMES = ["Victim X", "Family Y", "Victim Z", "Family AA"]
LOCAL_NAMES = ["Family BB", "Child CC", "Adult DD", "Family EE"]
SUMMARIES = {
    "child": "Fictional demo case. An infant was admitted to hospital with unexplained "
    "injuries; several agencies had contact with the family in the preceding months.",
    "local": "Fictional demo case. A young person known to services for going missing was "
    "seriously harmed; questions about information sharing between agencies.",
    "local_adult": "Fictional demo case. A man with a learning disability living in supported "
    "housing was financially exploited; agencies did not share what each of them knew.",
    "adult": "Fictional demo case. An older adult living alone died following prolonged "
    "self-neglect; agencies had raised concerns but no shared plan was in place.",
    "dhr": "Fictional demo case. A woman was killed by her former partner; the review asks how "
    "agencies recognised and responded to coercive control.",
}


CHILD_BANDS = [AgeBand.UNDER_1, AgeBand.AGE_1_4, AgeBand.AGE_10_15, AgeBand.AGE_16_17]
ADULT_BANDS = [AgeBand.AGE_18_25, AgeBand.AGE_26_64, AgeBand.AGE_65_PLUS]


def is_about_a_child(route: str, pseudonym: str) -> bool:
    """Whose case it is: every child review is about a child; a local review is about a
    child or a family unless its pseudonym names an adult."""
    return route == "child" or (route == "local" and not pseudonym.startswith("Adult"))


def _working(
    calendar: WorkingCalendar, start: datetime.date, low: int, high: int, rng: random.Random
) -> datetime.date:
    return calendar.add_working_days(start, rng.randint(low, high))


def _child(
    rng: random.Random, calendar: WorkingCalendar, aware: datetime.date, today: datetime.date
) -> dict[str, Any]:
    facts: dict[str, Any] = {"route": "child", "incident_aware_date": aware}
    facts["panel_notified_date"] = _working(calendar, aware, 2, 7, rng)
    facts["rapid_review_sent_date"] = _working(calendar, aware, 11, 18, rng)
    outcome = rng.choices(["lcspr", "no_lcspr", "national"], weights=[5, 4, 1])[0]
    facts["outcome"] = outcome
    facts["decision_date"] = None
    if outcome == "lcspr":
        initiated = _working(calendar, facts["rapid_review_sent_date"], 10, 25, rng)
        facts["review_initiated_date"] = initiated
        published = initiated + datetime.timedelta(days=rng.randint(150, 230))
        facts["published_date"] = published
        facts["final_report_sent_date"] = calendar.working_days_before(
            published, rng.choice([5, 8, 10, 12])
        )
    return facts


def _adult(
    rng: random.Random, calendar: WorkingCalendar, referral: datetime.date, today: datetime.date
) -> dict[str, Any]:
    facts: dict[str, Any] = {"route": "adult", "referral_date": referral}
    facts["decision_date"] = referral + datetime.timedelta(days=rng.randint(20, 70))
    outcome = rng.choice(["sar_mandatory", "sar_discretionary", "no_sar"])
    facts["outcome"] = outcome
    if outcome != "no_sar":
        facts["review_initiated_date"] = facts["decision_date"] + datetime.timedelta(
            days=rng.randint(14, 45)
        )
        facts["published_date"] = facts["review_initiated_date"] + datetime.timedelta(
            days=rng.randint(200, 400)
        )
    return facts


def _dhr(
    rng: random.Random, calendar: WorkingCalendar, referral: datetime.date, today: datetime.date
) -> dict[str, Any]:
    facts: dict[str, Any] = {"route": "dhr", "referral_date": referral}
    facts["decision_date"] = referral + datetime.timedelta(days=rng.randint(14, 45))
    facts["outcome"] = rng.choices(["dhr", "no_dhr"], weights=[4, 1])[0]
    if facts["outcome"] == "dhr":
        facts["home_office_sent_date"] = add_months(
            facts["decision_date"], rng.choice([5, 6, 7, 9])
        )
        facts["published_date"] = facts["home_office_sent_date"] + datetime.timedelta(
            days=rng.randint(60, 160)
        )
    return facts


def _local(
    rng: random.Random, calendar: WorkingCalendar, referral: datetime.date, today: datetime.date
) -> dict[str, Any]:
    facts: dict[str, Any] = {"route": "local", "referral_date": referral}
    facts["decision_date"] = referral + datetime.timedelta(days=rng.randint(10, 40))
    facts["outcome"] = rng.choice(["review", "no_review"])
    if facts["outcome"] == "review":
        facts["review_initiated_date"] = facts["decision_date"] + datetime.timedelta(
            days=rng.randint(7, 30)
        )
        facts["published_date"] = facts["review_initiated_date"] + datetime.timedelta(
            days=rng.randint(60, 150)
        )
    return facts


BUILDERS = {"child": _child, "adult": _adult, "dhr": _dhr, "local": _local}
NAMES = {"child": CHILD_NAMES, "adult": ADULT_NAMES, "dhr": DHR_NAMES, "local": LOCAL_NAMES}


def _trim_to(facts: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """Forget milestones after today (not happened yet), and any outcome not yet reached."""
    trimmed = {
        key: (None if isinstance(value, datetime.date) and value > today else value)
        for key, value in facts.items()
    }
    decided_by = trimmed.get("rapid_review_sent_date") or trimmed.get("decision_date")
    if (trimmed.get("route") == "child" and trimmed.get("rapid_review_sent_date") is None) or (
        trimmed.get("route") != "child" and not decided_by
    ):
        trimmed["outcome"] = ""
    return trimmed


def case_history(today: datetime.date, calendar: WorkingCalendar) -> list[dict[str, Any]]:
    """The demo cases' facts: references, routes, milestone dates and outcomes."""
    rng = random.Random(2018)
    cases = []
    counters = dict.fromkeys(BUILDERS, 0)
    start = datetime.date(2018, 1, 15)
    span = (today - datetime.timedelta(days=3) - start).days
    total = 40
    for index in range(total):
        opened = start + datetime.timedelta(days=span * index // (total - 1))
        if index >= total - 3:
            # The newest cases: still in their first weeks, with deadlines pending or overdue.
            opened = today - datetime.timedelta(days=[45, 26, 3][index - (total - 3)])
        while not calendar.is_working_day(opened):
            opened -= datetime.timedelta(days=1)
        route = rng.choices(["child", "adult", "dhr", "local"], weights=[5, 3, 1, 1])[0]
        if index >= total - 3:
            route = "child" if index != total - 3 else "dhr"
        facts = BUILDERS[route](rng, calendar, opened, today)
        if index == total - 1:
            facts.pop("panel_notified_date", None)  # notification still to be sent
        if index == total - 2:
            facts["rapid_review_sent_date"] = None  # rapid review overdue
        if index == total - 3:
            facts["decision_date"] = None  # decision whether to hold a review overdue
            facts.pop("home_office_sent_date", None)
            facts.pop("published_date", None)
        # Reports are sent and published on working days, not at weekends or on bank
        # holidays: each date goes back to the working day before (keeping their order).
        facts = {
            key: calendar.add_working_days(value, 0)
            if isinstance(value, datetime.date) and not calendar.is_working_day(value)
            else value
            for key, value in facts.items()
        }
        facts = _trim_to(facts, today)
        counters[route] += 1
        names = NAMES[route]
        facts["reference"] = (
            f"{'CR' if route == 'child' else route.upper()}-{opened.year}-{counters[route]:02d}"
        )
        facts["pseudonym"] = names[(counters[route] - 1) % len(names)]
        cases.append(facts)
    return cases


def seed(*, password: str, stdout: Any) -> None:
    _seed_cases(stdout=stdout)
    _seed_referrals(stdout=stdout)
    # Retention (the core's) needs the cases: its demo review lists the oldest of them.
    seed_retention(stdout=stdout)


def _seed_cases(*, stdout: Any) -> None:
    if Case.objects.exists():
        stdout.write("Case reviews: cases exist already, none added.")
        return
    today = timezone.localdate()
    calendar = WorkingCalendar()
    rng = random.Random(1234)
    officer = User.objects.filter(email=demo_email(Role.REVIEW_OFFICER)).first()
    member = User.objects.filter(email=demo_email(Role.REVIEW_GROUP_MEMBER)).first()
    # The partnership's own business unit runs the reviews: it is not an agency involved.
    agencies = list(Agency.objects.exclude(name=BUSINESS_UNIT).order_by("name"))
    police = Agency.objects.filter(name="Northshire Constabulary").first()
    themes = list(PracticeTheme.objects.order_by("name"))
    created = 0
    for number, facts in enumerate(case_history(today, calendar)):
        involved = rng.sample(agencies, k=min(len(agencies), rng.randint(2, 4)))
        if police is not None and number % 3 == 0 and police not in involved:
            involved.append(police)
        route = facts["route"]
        child = is_about_a_child(route, facts["pseudonym"])
        data = {
            **{
                key: value
                for key, value in facts.items()
                if key != "decision_date" or route != "child"
            },
            "officer": officer,
            "lead_reviewer": rng.choice(
                ["", "Independent reviewer: J. Halden", "Independent author: R. Osei"]
            ),
            "themes": rng.sample(themes, k=min(len(themes), rng.randint(2, 4))),
            "agencies": involved,
            "harm_types": rng.sample(
                [HarmType.NEGLECT, HarmType.PHYSICAL, HarmType.DOMESTIC_ABUSE, HarmType.EMOTIONAL]
                if child or route == "dhr"
                else [HarmType.SELF_NEGLECT, HarmType.NEGLECT, HarmType.FINANCIAL],
                k=2,
            ),
            "restricted_summary": SUMMARIES[
                "local_adult" if route == "local" and not child else route
            ],
            "age_band": rng.choice(CHILD_BANDS if child else ADULT_BANDS),
            "sex": rng.choice([Sex.FEMALE, Sex.MALE]),
            "ethnicity": rng.choice(list(Ethnicity)),
            "disability": rng.choice(list(Disability)),
        }
        case = services.case_save(actor=None, case=None, data=data)
        created += 1
        if officer is not None and case.outcome:
            decided = facts.get("decision_date") or facts.get("rapid_review_sent_date")
            services.decision_record(
                actor=officer,
                case=case,
                decided_on=decided or case.opened_on or today,
                decision=case.get_outcome_display(),
                reasons="The practice review group considered the criteria (fictional demo).",
                decided_by="Practice review group",
            )
        if officer is not None and member is not None and number % 4 == 1:
            services.assignment_add(actor=officer, case=case, user=member)
        paused = case.opened_on + datetime.timedelta(days=30) if case.opened_on else None
        if officer is not None and number % 7 == 3 and paused and paused <= today:
            resumed = paused + datetime.timedelta(days=90)
            services.pause_record(
                actor=officer,
                case=case,
                reason=rng.choice([PauseReason.CRIMINAL_PROCEEDINGS, PauseReason.INQUEST]),
                started_on=paused,
                ended_on=resumed if number % 2 and resumed <= today else None,
                note="Publication held until proceedings conclude (fictional demo).",
            )
        if officer is not None and number % 9 == 5:
            services.related_case_add(
                actor=officer,
                case=case,
                kind=RelationKind.LEDER if route == "adult" else RelationKind.NATIONAL,
                reference="LeDeR notification 2041"
                if route == "adult"
                else "Out of routine (2020)",
            )
    stdout.write(f"Case reviews: {created} demo cases created.")


# (referrer's role, days ago, route, pseudonym, age band, what happened, why, decision): the
# decision None (left new), "consider", "case" or a reason for closing it.
REFERRALS: list[tuple[Role, int, str, str, str, str, str, str | None]] = [
    (
        Role.AGENCY_LEAD,
        25,
        "local",
        "Child RA",
        AgeBand.AGE_10_15,
        "Fictional demo referral. A 13-year-old went missing repeatedly and was found with "
        "older adults; police, school and children's services each held part of the picture.",
        "Possible criminal exploitation; information was not brought together.",
        "case",
    ),
    (
        Role.PRACTITIONER,
        340,
        "adult",
        "Mr RB",
        AgeBand.AGE_65_PLUS,
        "Fictional demo referral. An older man living alone was found with pressure sores and "
        "no food in the house; district nurses had visited twice in the previous month.",
        "Self-neglect; a safeguarding concern was raised but not followed up.",
        "Single-agency learning: the community trust is reviewing its own pressure care "
        "pathway, and the case does not meet the criteria for a safeguarding adult review.",
    ),
    (
        Role.EXECUTIVE,
        250,
        "local",
        "Family RC",
        "",
        "Fictional demo referral. A family moved between three areas in a year; records of "
        "earlier child protection plans did not follow them.",
        "Learning about transfer of records between areas.",
        None,
    ),
    (
        Role.REVIEW_GROUP_MEMBER,
        160,
        "",
        "Baby RD",
        AgeBand.UNDER_1,
        "Fictional demo referral. A 4-month-old was seen in the emergency department with a "
        "bruise; the explanation given was accepted without a child protection medical.",
        "Bruising in non-mobile babies: the protocol may not have been followed.",
        "consider",
    ),
    (
        Role.PRACTITIONER,
        12,
        "dhr",
        "Ms RE",
        AgeBand.AGE_26_64,
        "Fictional demo referral. A woman known to the mental health service died; her "
        "former partner had been reported to the police for controlling behaviour.",
        "Possible domestic homicide: the criteria for a review may be met.",
        None,
    ),
]


def _seed_referrals(*, stdout: Any) -> None:
    if Referral.objects.exists():
        stdout.write("Case reviews: referrals exist already, none added.")
        return
    officer = User.objects.filter(email=demo_email(Role.REVIEW_OFFICER)).first()
    if officer is None:
        return
    police = Agency.objects.filter(name="Northshire Constabulary").first()
    now = timezone.now()
    calendar = working_calendar()
    made = 0
    for number, (role, days_ago, route, pseudonym, band, happened, why, decision) in enumerate(
        REFERRALS
    ):
        referrer = User.objects.filter(email=demo_email(role)).first()
        agency = referrer and Agency.objects.filter(memberships__user=referrer).first()
        if referrer is None or agency is None:
            continue
        referral, _ = services.referral_make(
            actor=referrer,
            agency=agency,
            submission_key=f"demo-{number}",
            data={
                "route": route,
                "pseudonym": pseudonym,
                "age_band": band,
                "aware_on": (now - datetime.timedelta(days=days_ago + 4)).date(),
                "what_happened": happened,
                "why_review": why,
                "contact_email": referrer.email,
                "contact_phone": "01632 960 000",
                "agencies": [police] if police is not None and police != agency else [],
            },
        )
        # Made over the last year, on working days: the dashboard's months need them spread,
        # as they would be.
        made_at = now - datetime.timedelta(days=days_ago)
        while not calendar.is_working_day(timezone.localdate(made_at)):
            made_at -= datetime.timedelta(days=1)
        Referral.objects.filter(pk=referral.pk).update(created_at=made_at)
        referral.refresh_from_db()
        if decision == "consider":
            services.referral_consider(actor=officer, referral=referral)
        elif decision == "case":
            services.referral_convert(
                actor=officer,
                referral=referral,
                reference=f"CR-{referral.created_at.year}-R{referral.pk}",
                route=route,
            )
        elif decision:
            services.referral_close(actor=officer, referral=referral, reason=decision)
        made += 1
    stdout.write(f"Case reviews: {made} demo referrals made.")
