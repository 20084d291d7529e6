"""Demo training: a year of Northshire's multi-agency training offer, from ten months ago to
three months ahead, with a Safeguarding Week, marked registers, evaluations, full sessions
with waiting lists and a place waiting for a manager's approval. Fictional and deterministic;
added once, when there are no courses yet.

The services refuse to create or book a session in the past, so the history before today is
written directly, in bulk, with every field the services would have set. What happens from
today (booking, waiting lists, cancelling, approving) goes through the services, so the demo
exercises them."""

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sightline.accounts import services as account_services
from sightline.accounts.demo import demo_email
from sightline.accounts.models import Agency, Membership, Sector, User
from sightline.assurance.models import Priority
from sightline.core.calendar import WorkingCalendar
from sightline.core.management.commands.seed_demo import DEMO_DOMAIN
from sightline.core.models import AuditEvent, OutboxMessage
from sightline.core.outbox import held_back
from sightline.core.roles import Role
from sightline.core.services import audit_record_many
from sightline.reviews.models import PracticeTheme

from . import notices, services
from .models import (
    Booking,
    Course,
    DelegateProfile,
    Evaluation,
    EventSeries,
    ImpactResponse,
    SectorWorkforce,
    Session,
)
from .vocabulary import PRESENT, Applied, Attendance, Audience, BookingStatus, Level, Mode, Rating

HISTORY = "Fictional demo history"


@dataclass(frozen=True)
class CourseInfo:
    key: str
    title: str
    outline: str
    audience: Audience
    level: Level
    outcomes: tuple[str, ...]
    themes: tuple[str, ...]  # practice themes, matched by name
    priorities: tuple[str, ...]  # strategic priorities, matched by name
    review_in_days: int  # below zero: the course is past its review date
    slot: str  # a key of SLOTS
    trainer: str  # a key of TRAINERS, or "lead" for the demo trainer
    online_share: float
    will_do: tuple[str, ...]  # answers to "what will you do differently?"
    impact: tuple[str, ...]  # examples given in the impact survey
    impact_weeks: int = 12


COURSES = [
    CourseInfo(
        key="working-together",
        title="Working Together: multi-agency safeguarding children (level 2)",
        outline="The local arrangements for keeping children safe: who does what, when to "
        "share information, how to refer to children's social care and what happens next.",
        audience=Audience.CHILDREN,
        level=Level.PRACTITIONER,
        outcomes=(
            "Describe the safeguarding roles of the partner agencies in Northshire",
            "Share information lawfully and in good time to keep a child safe",
            "Make a referral using the Northshire threshold document",
            "Use the escalation procedure when you disagree with a decision",
        ),
        themes=("Information sharing", "Escalation", "Voice of the child or adult"),
        priorities=(),
        review_in_days=240,
        slot="day",
        trainer="lead",
        online_share=0.3,
        will_do=(
            "Check the threshold document before I make a referral.",
            "Share information with the school nurse sooner.",
            "Use the escalation procedure instead of waiting.",
        ),
        impact=(
            "I escalated a referral that had been closed and it was reopened.",
            "I now copy the health visitor into my referrals.",
        ),
    ),
    CourseInfo(
        key="section-42",
        title="Safeguarding adults: making enquiries under section 42",
        outline="For staff who lead or contribute to safeguarding enquiries under the Care "
        "Act 2014: planning a proportionate enquiry that keeps the person at its centre.",
        audience=Audience.ADULTS,
        level=Level.SPECIALIST,
        outcomes=(
            "Explain the duty to make enquiries under section 42 of the Care Act 2014",
            "Plan a proportionate enquiry that is led by the person's wishes",
            "Record decisions and the reasons for them",
            "Work with partner agencies asked to make enquiries",
        ),
        themes=("Voice of the child or adult", "Risk assessment and decision-making"),
        priorities=(),
        review_in_days=300,
        slot="day",
        trainer="adults",
        online_share=0.2,
        will_do=(
            "Ask the person what outcome they want at the start of the enquiry.",
            "Write down why I decided an enquiry was proportionate.",
            "Agree who is doing what with partner agencies in writing.",
        ),
        impact=(
            "My enquiry plans now start with what the person wants to happen.",
            "I challenged a care provider's own enquiry that was not thorough enough.",
        ),
        impact_weeks=16,
    ),
    CourseInfo(
        key="dash",
        title="Domestic abuse: DASH risk assessment",
        outline="Using the domestic abuse, stalking and harassment (DASH) risk checklist: "
        "asking the questions, judging risk and referring to MARAC.",
        audience=Audience.BOTH,
        level=Level.PRACTITIONER,
        outcomes=(
            "Complete the DASH risk checklist with a victim",
            "Recognise high risk and make a referral to MARAC",
            "Recognise coercive and controlling behaviour",
            "Think about the children in the household",
        ),
        themes=("Domestic abuse and coercive control", "Risk assessment and decision-making"),
        priorities=("Domestic abuse",),
        review_in_days=150,
        slot="half",
        trainer="abuse",
        online_share=0.4,
        will_do=(
            "Use the DASH checklist instead of relying on my judgement alone.",
            "Ask about coercive control directly.",
            "Think about the children even when they are not my client.",
        ),
        impact=(
            "I completed a DASH with a client and referred her to MARAC.",
            "I asked about controlling behaviour and the client disclosed for the first time.",
        ),
    ),
    CourseInfo(
        key="exploitation",
        title="Child exploitation and contextual safeguarding",
        outline="Criminal and sexual exploitation, county lines and harm outside the home: "
        "spotting the signs and working with places and peer groups as well as families.",
        audience=Audience.CHILDREN,
        level=Level.PRACTITIONER,
        outcomes=(
            "Recognise the signs of criminal and sexual exploitation",
            "Explain contextual safeguarding and why it matters",
            "Use the exploitation screening tool",
            "Share intelligence with the police through the partnership form",
        ),
        themes=("Exploitation and harm outside the home", "Children missing education"),
        priorities=("Exploitation and contextual safeguarding",),
        review_in_days=200,
        slot="half",
        trainer="abuse",
        online_share=0.3,
        will_do=(
            "Submit a partnership intelligence form when I hear about a location.",
            "Use the screening tool when a child goes missing.",
            "Look at who the young person spends time with, not only the family.",
        ),
        impact=(
            "I shared information about a park where young people were being approached.",
            "We now use the screening tool at every return home interview.",
        ),
    ),
    CourseInfo(
        key="safer-sleep",
        title="Safer sleep and the under 1s",
        outline="Why babies die unexpectedly, the safer sleep advice and how to give it, "
        "especially when the family's routine changes.",
        audience=Audience.CHILDREN,
        level=Level.AWARENESS,
        outcomes=(
            "Give the safer sleep advice in a way parents will remember",
            "Recognise the times when risk rises, such as a change in routine",
            "Include fathers and male carers in the conversation",
        ),
        themes=("Safer sleep", "Non-accidental injury in babies", "Men and fathers in the family"),
        priorities=("Safeguarding under 1s",),
        review_in_days=-40,
        slot="briefing",
        trainer="lead",
        online_share=0.8,
        will_do=(
            "Ask to see where the baby sleeps on every visit.",
            "Talk to fathers about safer sleep as well as mothers.",
            "Repeat the advice when the family's routine changes.",
        ),
        impact=(
            "I asked to see where the baby slept and found a sofa being used at night.",
            "Our ward gives the advice to both parents before discharge.",
        ),
    ),
    CourseInfo(
        key="transitional",
        title="Transitional safeguarding",
        outline="For leaders and managers: keeping young people safe as they move from "
        "children's to adults' services, without a cliff edge at 18.",
        audience=Audience.BOTH,
        level=Level.LEADERSHIP,
        outcomes=(
            "Explain why risk does not stop at 18",
            "Identify the gaps between children's and adults' services locally",
            "Plan a transition that starts early enough",
        ),
        themes=("Transition to adulthood", "Exploitation and harm outside the home"),
        priorities=("Transitional safeguarding",),
        review_in_days=330,
        slot="half",
        trainer="adults",
        online_share=0.5,
        will_do=(
            "Start transition planning at 16, not 17 and a half.",
            "Invite adult services to the young person's review.",
        ),
        impact=(
            "We held a joint panel with adult social care for a 17 year old.",
            "Our team now flags young people at 16 for transition planning.",
        ),
    ),
    CourseInfo(
        key="curiosity",
        title="Professional curiosity",
        outline="What case reviews mean by professional curiosity: asking the next "
        "question, checking what you are told and respectful challenge.",
        audience=Audience.BOTH,
        level=Level.AWARENESS,
        outcomes=(
            "Explain what professional curiosity is and why reviews keep finding it missing",
            "Check what you are told against what you see",
            "Challenge colleagues respectfully",
        ),
        themes=(
            "Professional curiosity",
            "Critical thinking and challenge",
            "Working with reluctance to engage",
        ),
        priorities=(),
        review_in_days=120,
        slot="half",
        trainer="lead",
        online_share=0.5,
        will_do=(
            "Ask who else lives in the house.",
            "Check what I am told with other agencies.",
            "Not take 'everything is fine' at face value.",
        ),
        impact=(
            "I asked who else lived at the address and found a new partner no one knew about.",
            "I check the chronology before every home visit now.",
        ),
    ),
    CourseInfo(
        key="neglect",
        title="Neglect and the Graded Care Profile",
        outline="Recognising neglect and measuring it with the Graded Care Profile 2, so "
        "that changes in a child's care can be seen and acted on.",
        audience=Audience.CHILDREN,
        level=Level.PRACTITIONER,
        outcomes=(
            "Recognise the signs of neglect at each age",
            "Complete a Graded Care Profile 2 with a family",
            "Use the profile to show change, or its absence, over time",
        ),
        themes=("Voice of the child or adult", "Substance misuse", "Parental mental health"),
        priorities=("Safeguarding under 1s",),
        review_in_days=180,
        slot="day",
        trainer="lead",
        online_share=0.3,
        will_do=(
            "Use the Graded Care Profile before the case conference.",
            "Record what the child's day is like, not only the house.",
        ),
        impact=(
            "I used the Graded Care Profile to show a family's progress at review.",
            "The profile helped a parent see what needed to change.",
        ),
    ),
    CourseInfo(
        key="capacity",
        title="Mental capacity and self-neglect",
        outline="Assessing capacity when someone is neglecting themselves, executive "
        "function, and what to do when a person with capacity refuses help.",
        audience=Audience.ADULTS,
        level=Level.SPECIALIST,
        outcomes=(
            "Assess capacity for a specific decision, including executive function",
            "Work with a person who refuses help and has capacity",
            "Use the self-neglect and hoarding protocol",
            "Know when to call a multi-agency risk meeting",
        ),
        themes=("Mental capacity", "Self-neglect", "Hospital discharge"),
        priorities=(),
        review_in_days=260,
        slot="day",
        trainer="adults",
        online_share=0.2,
        will_do=(
            "Consider executive function, not only what the person says.",
            "Call a multi-agency risk meeting sooner.",
        ),
        impact=(
            "I assessed executive function and the person was found to lack capacity.",
            "I called a multi-agency risk meeting for a man who was hoarding.",
        ),
        impact_weeks=16,
    ),
    CourseInfo(
        key="online-harms",
        title="Online harms",
        outline="Grooming, sextortion, harmful content and online bullying: what children "
        "meet online, and how to talk to them and their parents about it.",
        audience=Audience.CHILDREN,
        level=Level.AWARENESS,
        outcomes=(
            "Describe the main online harms children meet",
            "Respond when a child shares an image or reports sextortion",
            "Point parents to practical help",
        ),
        themes=("Exploitation and harm outside the home",),
        priorities=(
            "Exploitation and contextual safeguarding",
            "Social, emotional and mental health",
        ),
        review_in_days=-12,
        slot="briefing",
        trainer="abuse",
        online_share=0.9,
        will_do=(
            "Ask children about their online lives as a matter of routine.",
            "Not view or copy an image a child has shared.",
        ),
        impact=(
            "A pupil told me about sextortion and I knew what to do.",
            "We ran an online safety evening for parents.",
        ),
    ),
    CourseInfo(
        key="trauma",
        title="Trauma-informed practice",
        outline="How adverse experiences and trauma shape behaviour, and how services can "
        "avoid re-traumatising the people they work with.",
        audience=Audience.BOTH,
        level=Level.PRACTITIONER,
        outcomes=(
            "Explain how trauma affects development and behaviour",
            "Recognise practice that can re-traumatise",
            "Use the principles of safety, choice, trust and collaboration",
        ),
        themes=("Voice of the child or adult", "Race, culture and identity"),
        priorities=("Social, emotional and mental health",),
        review_in_days=210,
        slot="half",
        trainer="abuse",
        online_share=0.5,
        will_do=(
            "Ask 'what happened to you' rather than 'what is wrong with you'.",
            "Give people choices about how and where we meet.",
        ),
        impact=(
            "I changed how I start first meetings and people are more open.",
            "Our reception area has been changed to feel safer.",
        ),
    ),
    CourseInfo(
        key="case-reviews",
        title="Learning from case reviews: briefing",
        outline="A short briefing on what Northshire's recent case reviews found, and "
        "what the partnership is asking every agency to do differently.",
        audience=Audience.BOTH,
        level=Level.AWARENESS,
        outcomes=(
            "Summarise the findings of the partnership's recent reviews",
            "Name one change to make in your own practice",
        ),
        themes=("Information sharing", "Professional curiosity", "Escalation"),
        priorities=(),
        review_in_days=90,
        slot="briefing",
        trainer="lead",
        online_share=1.0,
        will_do=(
            "Share the seven-minute briefing at my next team meeting.",
            "Think about the whole household, not only my client.",
        ),
        impact=(
            "I shared the briefing with my team and we changed our checklist.",
            "I think about who else is in the household at every contact.",
        ),
        impact_weeks=8,
    ),
]
BY_KEY = {course.key: course for course in COURSES}

# The demo trainer (from the accounts demo) runs most sessions; these two run the rest:
# key: (full name, job title, agency).
TRAINERS = {
    "abuse": (
        "Rachel Adeyemi",
        "Domestic abuse and exploitation trainer",
        "Northshire Domestic Abuse Service",
    ),
    "adults": (
        "Owen Pritchard",
        "Adult safeguarding practice educator",
        "Northshire County Council Adult Social Care",
    ),
}

SLOTS = {
    "day": (datetime.time(9, 30), datetime.time(16, 0)),
    "morning": (datetime.time(9, 30), datetime.time(12, 30)),
    "afternoon": (datetime.time(13, 30), datetime.time(16, 30)),
    "briefing": (datetime.time(12, 30), datetime.time(14, 0)),
}
VENUES = [
    "Wealdbridge Civic Centre, Committee Room 2, Market Street, Wealdbridge",
    "Fenmoor Community Hub, 14 Station Road, Fenmoor",
    "Northshire Police Headquarters, Training Suite, Kestrel Way, Wealdbridge",
    "Brightwater Conference Centre, Harbour Road, Brightwater",
    "County Hall, Room G14, Castle Street, Wealdbridge",
]

# The practitioners who come to the training: (agency, how many, their teams, job titles).
CROWD: list[tuple[str, int, tuple[str, ...], tuple[str, ...]]] = [
    (
        "Northshire County Council Children's Services",
        28,
        (
            "Front door and assessment team",
            "Child in need team, North",
            "Child in need team, South",
            "Children in care team",
            "Early help hub",
        ),
        (
            "Social worker",
            "Senior social worker",
            "Family support worker",
            "Early help practitioner",
        ),
    ),
    (
        "Northshire County Council Adult Social Care",
        18,
        (
            "Adult safeguarding hub",
            "Hospital discharge team",
            "Learning disability team",
            "Community team, Wealdbridge",
        ),
        ("Social worker", "Occupational therapist", "Care coordinator"),
    ),
    (
        "Northshire Constabulary",
        14,
        (
            "Public protection unit",
            "Neighbourhood policing, Wealdbridge",
            "Missing persons unit",
            "Domestic abuse investigation team",
        ),
        ("Police constable", "Detective constable", "Police community support officer"),
    ),
    (
        "Northshire and Wealdbridge Integrated Care Board",
        6,
        ("Designated safeguarding team", "Fenmoor Health Centre", "Brightwater Medical Practice"),
        ("GP", "Practice nurse", "Named nurse for safeguarding"),
    ),
    (
        "Wealdbridge Hospitals NHS Foundation Trust",
        16,
        ("Emergency department", "Maternity", "Children's ward", "Hospital safeguarding team"),
        ("Emergency department nurse", "Midwife", "Paediatric nurse", "Junior doctor"),
    ),
    (
        "Northshire Community and Mental Health NHS Trust",
        14,
        (
            "Health visiting, East locality",
            "School nursing",
            "Child and adolescent mental health service",
            "Adult community mental health team",
        ),
        ("Health visitor", "School nurse", "Mental health nurse", "Clinical psychologist"),
    ),
    (
        "Northshire Schools Safeguarding Network",
        22,
        (
            "Fenmoor Primary School",
            "Kestrel Vale Academy",
            "Wealdbridge High School",
            "Brightwater Infant School",
            "Northshire Pupil Referral Unit",
        ),
        (
            "Designated safeguarding lead",
            "Teacher",
            "Pastoral lead",
            "Special educational needs coordinator",
        ),
    ),
    (
        "Fenmoor College",
        6,
        ("Student services",),
        ("Student support officer", "Lecturer", "Safeguarding officer"),
    ),
    (
        "Probation Service, Northshire Delivery Unit",
        6,
        ("Wealdbridge office", "Fenmoor office"),
        ("Probation officer", "Probation services officer"),
    ),
    (
        "Kestrel Homes Housing Association",
        4,
        ("Tenancy services",),
        ("Housing officer", "Tenancy sustainment officer"),
    ),
    (
        "Northshire Domestic Abuse Service",
        10,
        ("Outreach", "Refuge", "Children and young people's service"),
        ("Independent domestic violence adviser", "Outreach worker", "Children's worker"),
    ),
    (
        "Brightwater Carers' Centre",
        6,
        ("Adult carers", "Young carers"),
        ("Carers' support worker", "Volunteer coordinator"),
    ),
]
FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Daniel", "Eleanor", "Farah", "George", "Hannah", "Isaac",
    "Jade", "Kieran", "Laura", "Mohammed", "Niamh", "Oliver", "Poppy", "Rhys", "Sana",
    "Thomas", "Una", "Victoria", "William", "Yasmin", "Zoe", "Adam", "Bethany", "Callum",
    "Deborah", "Emeka", "Fiona", "Gareth", "Harpreet", "Imogen", "Jack", "Katie", "Liam",
    "Megan", "Nathan", "Olivia", "Priti",
]  # fmt: skip
SURNAMES = [
    "Ahmed", "Baker", "Campbell", "Davies", "Evans", "Fletcher", "Green", "Hughes", "Iqbal",
    "Jones", "Kaur", "Lewis", "Morgan", "Nowak", "O'Brien", "Patel", "Quinn", "Roberts",
    "Singh", "Taylor", "Underwood", "Vaughan", "Walsh", "Young", "Brennan", "Chowdhury",
    "Doherty", "Ellis", "Foster", "Grant",
]  # fmt: skip
MANAGERS = [
    "Ruth Abara", "Colin Whitmore", "Janet Okonjo", "Marcus Pearce", "Shirley Fairclough",
    "Dev Mahmood", "Alison Henshaw", "Graham Carver", "Nadia Bellamy", "Trevor Lindqvist",
]  # fmt: skip

# The demo practitioner's own line manager, who would approve her places.
PRACTITIONER_TEAM = ("Health visiting, East locality", f"ruth.abara@{DEMO_DOMAIN}")

# Known local workforce sizes. The voluntary sector's is not known, and the business unit
# ("other") trains rather than attends. Housing sends few people for its size.
WORKFORCE = {
    Sector.CHILDRENS_SERVICES: 420,
    Sector.ADULT_SOCIAL_CARE: 380,
    Sector.POLICE: 650,
    Sector.HEALTH: 900,
    Sector.EDUCATION: 700,
    Sector.PROBATION: 110,
    Sector.HOUSING: 400,
}
# Sectors whose staff do not come to courses meant for the other workforce only.
NOT_FOR = {
    Audience.CHILDREN: {Sector.ADULT_SOCIAL_CARE},
    Audience.ADULTS: {Sector.CHILDRENS_SERVICES, Sector.EDUCATION},
    Audience.BOTH: set(),
}

PAST_SESSIONS = 32
# Sessions still to come, outside Safeguarding Week:
# (course, days from today, slot, online, capacity, trainer, bookings to make).
# More bookings than places puts the rest on the waiting list.
UPCOMING = [
    ("working-together", 2, "day", False, 24, "lead", 19),
    ("dash", 6, "morning", False, 16, "abuse", 20),
    ("capacity", 9, "day", False, 14, "adults", 6),
    ("neglect", 30, "day", True, 20, "lead", 11),
    ("section-42", 38, "day", False, 18, "adults", 8),
    ("trauma", 45, "afternoon", True, 30, "abuse", 14),
    ("working-together", 52, "day", True, 30, "lead", 7),
    ("curiosity", 60, "morning", False, 20, "lead", 5),
    ("exploitation", 70, "afternoon", True, 25, "abuse", 4),
    ("transitional", 82, "morning", False, 20, "adults", 2),
    ("online-harms", 88, "briefing", True, 30, "abuse", 0),
]
APPROVAL_COURSE = "capacity"  # its session needs the manager's approval
CANCELLED_COURSE = "curiosity"  # its session is called off
# Safeguarding Week: (day of the week, course, slot, online, capacity, trainer, bookings).
WEEK = [
    (0, "case-reviews", "briefing", True, 30, "lead", 22),
    (0, "safer-sleep", "morning", True, 25, "lead", 17),
    (1, "curiosity", "morning", False, 20, "lead", 16),
    (1, "transitional", "afternoon", True, 25, "adults", 9),
    (2, "exploitation", "morning", False, 20, "abuse", 22),
    (3, "online-harms", "briefing", True, 30, "abuse", 12),
    (3, "trauma", "afternoon", False, 18, "abuse", 18),
    (4, "dash", "morning", False, 16, "abuse", 13),
]
FULL_WEEK_COURSE = "exploitation"  # the demo practitioner joins its waiting list
PRACTITIONER_COURSE = "trauma"  # and has a place on its next session

COMMENTS = [
    "",
    "",
    "",
    "Really practical, thank you.",
    "Good to hear from colleagues in other agencies.",
    "More time for the case studies would help.",
    "The trainer knew the subject well and answered every question.",
    "Would like a follow-up session in six months.",
    "The local examples made it real.",
]
POOR_COMMENTS = [
    "The room was too small and it was hard to hear.",
    "Too much content for the time.",
    "The slides were hard to read from the back.",
]
GENERIC_IMPACT = [
    "",
    "",
    "I shared the learning with my team at our team meeting.",
    "I feel more confident raising concerns with other agencies.",
]


def _email(full_name: str) -> str:
    return f"{full_name.replace("'", '').replace(' ', '.').lower()}@{DEMO_DOMAIN}"


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _slot(course: CourseInfo, rng: random.Random) -> str:
    if course.slot == "half":
        return rng.choice(["morning", "afternoon"])
    return course.slot


def _trainers(agencies: dict[str, Agency]) -> dict[str, User] | None:
    lead = User.objects.filter(email__iexact=demo_email(Role.TRAINER)).first()
    if lead is None:
        return None
    found = {"lead": lead}
    for key, (name, job_title, agency_name) in TRAINERS.items():
        user = User.objects.filter(email__iexact=_email(name)).first()
        if user is None:
            user = account_services.user_create(
                actor=None,
                email=_email(name),
                full_name=name,
                job_title=job_title,
                agency=agencies[agency_name],
                role=Role.TRAINER,
                send_password_link=False,
            )
        found[key] = user
    return found


def _crowd(rng: random.Random, agencies: dict[str, Agency]) -> list[DelegateProfile]:
    """The practitioners, each with their delegate details, made in bulk: one insert for
    each table rather than a service call for each person. They cannot sign in."""
    pairs = rng.sample(
        [(first, last) for first in FIRST_NAMES for last in SURNAMES],
        k=sum(count for _, count, _, _ in CROWD),
    )
    people: list[tuple[str, str, Agency, str, str]] = []
    team_number = 0
    for agency_name, count, teams, titles in CROWD:
        for number in range(count):
            first, last = pairs[len(people)]
            team = teams[number % len(teams)]
            manager = MANAGERS[(team_number + number % len(teams)) % len(MANAGERS)]
            people.append(
                (f"{first} {last}", rng.choice(titles), agencies[agency_name], team, manager)
            )
        team_number += len(teams)
    known = {
        user.email: user
        for user in User.objects.filter(email__in=[_email(name) for name, *_ in people])
    }
    new = []
    for name, job_title, _, _, _ in people:
        if _email(name) not in known:
            user = User(email=_email(name), full_name=name, job_title=job_title)
            user.set_unusable_password()
            new.append(user)
    User.objects.bulk_create(new)
    known |= {user.email: user for user in new}
    agency_of = {_email(name): agency for name, _, agency, _, _ in people}
    Membership.objects.bulk_create(
        Membership(user=user, agency=agency_of[user.email], role=Role.PRACTITIONER) for user in new
    )
    audit_record_many(
        actor=None,
        actor_email="demo data",
        events=(
            {
                "kind": AuditEvent.Kind.CREATE,
                "obj": user,
                "detail": f"{HISTORY}: practitioner at {agency_of[user.email]}",
            }
            for user in new
        ),
    )
    have_profile = set(
        DelegateProfile.objects.filter(user__in=known.values()).values_list("user_id", flat=True)
    )
    DelegateProfile.objects.bulk_create(
        DelegateProfile(
            user=known[_email(name)],
            agency=agency,
            organisation=team,
            manager_email=_email(manager),
        )
        for name, _, agency, team, manager in people
        if known[_email(name)].pk not in have_profile
    )
    return list(
        DelegateProfile.objects.filter(user__in=known.values())
        .select_related("user", "agency")
        .order_by("user__email")
    )


def _practitioner(agencies: dict[str, Agency]) -> DelegateProfile | None:
    """The demo practitioner's delegate details, in the agency the accounts demo gave her."""
    user = User.objects.filter(email__iexact=demo_email(Role.PRACTITIONER)).first()
    if user is None:
        return None
    membership = user.memberships.select_related("agency").first()
    team, manager_email = PRACTITIONER_TEAM
    return services.profile_save(
        actor=None,
        user=user,
        agency=membership.agency if membership else agencies[CROWD[0][0]],
        manager_email=manager_email,
        organisation=team,
    )


@dataclass
class Planned:
    course: CourseInfo
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    online: bool
    capacity: int
    trainer: str
    bookings: int = 0
    in_week: bool = False


def _planned(
    course: CourseInfo,
    day: datetime.date,
    slot: str,
    online: bool,
    capacity: int,
    trainer: str,
    bookings: int = 0,
) -> Planned:
    start, end = SLOTS[slot]
    return Planned(course, _at(day, start), _at(day, end), online, capacity, trainer, bookings)


def _where(planned: Planned, number: int) -> dict[str, str]:
    if planned.online:
        link = (
            f"https://meet.example.org/northshire-{planned.course.key}-{planned.starts_at:%Y%m%d}"
        )
        return {"mode": Mode.ONLINE, "venue": "", "joining_link": link}
    return {"mode": Mode.IN_PERSON, "venue": VENUES[number % len(VENUES)], "joining_link": ""}


def _past_plan(
    rng: random.Random, today: datetime.date, calendar: WorkingCalendar
) -> list[Planned]:
    """Sessions every week or so over the last ten months, each course in turn."""
    order: list[CourseInfo] = []
    while len(order) < PAST_SESSIONS:
        cycle = list(COURSES)
        rng.shuffle(cycle)
        order += cycle
    plan = []
    for index, course in enumerate(order[:PAST_SESSIONS]):
        day = today - datetime.timedelta(days=300 - round(index * 298 / (PAST_SESSIONS - 1)))
        while not calendar.is_working_day(day):
            day -= datetime.timedelta(days=1)
        online = rng.random() < course.online_share
        capacity = rng.choice([20, 24, 25, 30] if online else [12, 15, 16, 18, 20, 24])
        trainer = "lead" if rng.random() < 0.25 else course.trainer
        plan.append(_planned(course, day, _slot(course, rng), online, capacity, trainer))
    # The trainer's latest session has happened but its register is still to be marked.
    plan[-1].trainer = "lead"
    return plan


def _upcoming_plan(
    today: datetime.date, calendar: WorkingCalendar
) -> tuple[list[Planned], list[Planned], datetime.date]:
    plan = []
    for key, days, slot, online, capacity, trainer, bookings in UPCOMING:
        day = today + datetime.timedelta(days=days)
        while not calendar.is_working_day(day):
            day += datetime.timedelta(days=1)
        plan.append(_planned(BY_KEY[key], day, slot, online, capacity, trainer, bookings))
    # Safeguarding Week: the first whole working week (no bank holiday in it: never
    # Christmas) starting a fortnight or more from today.
    monday = today + datetime.timedelta(days=14 + (7 - today.weekday()) % 7)
    while not all(
        calendar.is_working_day(monday + datetime.timedelta(days=weekday)) for weekday in range(5)
    ):
        monday += datetime.timedelta(days=7)
    week = [
        _planned(
            BY_KEY[key],
            monday + datetime.timedelta(days=weekday),
            slot,
            online,
            capacity,
            trainer,
            bookings,
        )
        for weekday, key, slot, online, capacity, trainer, bookings in WEEK
    ]
    for planned in week:
        planned.in_week = True
    return plan, week, monday


class _History:
    """The bookings, registers and evaluations of sessions already held."""

    def __init__(self, rng: random.Random, now: datetime.datetime) -> None:
        self.rng = rng
        self.now = now
        self.bookings: list[Booking] = []
        self.evaluations: list[Evaluation] = []
        self.impact: list[ImpactResponse] = []

    def _between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
        return start + (end - start) * self.rng.random()

    def book(
        self,
        session: Session,
        profile: DelegateProfile,
        info: CourseInfo,
        *,
        attendance: str | None = None,
        evaluate: bool | None = None,
        answer_impact: bool | None = None,
        mixed: bool = False,
    ) -> Booking:
        """A confirmed place on ``session``, marked and evaluated as the register and the
        delegate left it. Left to chance unless ``attendance``, ``evaluate`` or
        ``answer_impact`` is given."""
        rng = self.rng
        booked = session.starts_at - datetime.timedelta(
            days=rng.randint(4, 50), minutes=rng.randint(0, 600)
        )
        booking = Booking(
            session=session,
            delegate=profile.user,
            agency=profile.agency,
            sector=profile.agency.sector,
            manager_email=profile.manager_email,
            status=BookingStatus.CONFIRMED,
            booked_at=booked,
            status_changed_at=booked,
        )
        self.bookings.append(booking)
        marked = session.register_marked_at
        if session.is_cancelled:
            booking.status = BookingStatus.CANCELLED
            booking.status_changed_at = session.updated_at
            return booking
        if attendance is None and rng.random() < 0.05:
            booking.status = BookingStatus.CANCELLED
            booking.status_changed_at = self._between(booked, session.starts_at)
            return booking
        if marked is None:
            return booking
        booking.attendance = (
            attendance
            or rng.choices(
                [Attendance.ATTENDED, Attendance.LEFT_EARLY, Attendance.DID_NOT_ATTEND],
                weights=[82, 6, 12],
            )[0]
        )
        booking.attendance_marked_at = marked
        if booking.attendance not in PRESENT:
            return booking
        if evaluate if evaluate is not None else rng.random() < 0.7:
            evaluated = self._between(marked, min(self.now, marked + datetime.timedelta(days=10)))
            booking.evaluated_on = timezone.localdate(evaluated)
            self.evaluations.append(self._evaluation(session, info, evaluated, mixed))
        due = session.ends_at + datetime.timedelta(weeks=info.impact_weeks)
        if due <= self.now:
            booking.impact_requested_at = due
            if answer_impact if answer_impact is not None else rng.random() < 0.45:
                answered = self._between(due, min(self.now, due + datetime.timedelta(days=14)))
                booking.impact_answered_on = timezone.localdate(answered)
                applied = rng.choices([Applied.YES, Applied.PARTLY, Applied.NO], [55, 30, 15])[0]
                example = (
                    "" if applied == Applied.NO else rng.choice([*info.impact, *GENERIC_IMPACT])
                )
                self.impact.append(
                    ImpactResponse(
                        session=session,
                        applied=applied,
                        example=example,
                        submitted_on=booking.impact_answered_on,
                    )
                )
        return booking

    def _evaluation(
        self, session: Session, info: CourseInfo, at: datetime.datetime, mixed: bool
    ) -> Evaluation:
        rng = self.rng
        rating = rng.choices(
            [Rating.EXCELLENT, Rating.GOOD, Rating.SATISFACTORY, Rating.POOR],
            weights=[15, 35, 35, 15] if mixed else [45, 40, 12, 3],
        )[0]
        before = rng.choices([1, 2, 3, 4], weights=[5, 30, 45, 20])[0]
        after = min(5, before + rng.choices([0, 1, 2], weights=[15, 55, 30])[0])
        return Evaluation(
            session=session,
            rating=rating,
            confidence_before=before,
            confidence_after=after,
            will_do_differently=rng.choice(info.will_do),
            comments=rng.choice(POOR_COMMENTS if mixed and rating == Rating.POOR else COMMENTS),
            submitted_on=timezone.localdate(at),
        )


def _latest_held(
    sessions: list[tuple[Session, Planned]],
    keys: list[str],
    *,
    now: datetime.datetime,
    survey_due: bool = False,
) -> Session | None:
    """The latest session of one of these courses whose register is marked (and, if asked,
    whose impact survey is due)."""
    held = [
        session
        for session, planned in sessions
        if planned.course.key in keys
        and session.register_marked_at is not None
        and (
            not survey_due
            or session.ends_at + datetime.timedelta(weeks=planned.course.impact_weeks) <= now
        )
    ]
    return max(held, key=lambda session: session.starts_at, default=None)


def _history(
    *,
    rng: random.Random,
    now: datetime.datetime,
    plan: list[Planned],
    courses: dict[str, Course],
    trainers: dict[str, User],
    crowd: list[DelegateProfile],
    practitioner: DelegateProfile | None,
) -> tuple[int, int]:
    """Sessions already held, with who booked, who came and what they thought: written in
    bulk, since the services rightly refuse to book the past."""
    sessions = []
    cancelled_index, mixed_index = len(plan) // 3, len(plan) // 4
    for number, planned in enumerate(plan):
        created = planned.starts_at - datetime.timedelta(days=60)
        session = Session(
            course=courses[planned.course.key],
            starts_at=planned.starts_at,
            ends_at=planned.ends_at,
            capacity=planned.capacity,
            trainer=trainers[planned.trainer],
            created_at=created,
            updated_at=created,
            **_where(planned, number),
        )
        if number == cancelled_index:
            session.is_cancelled = True
            session.updated_at = planned.starts_at - datetime.timedelta(days=3)
        elif number < len(plan) - 1:
            session.register_marked_at = min(
                now, planned.ends_at + datetime.timedelta(minutes=rng.randint(10, 2880))
            )
            session.updated_at = session.register_marked_at
        sessions.append(session)
    Session.objects.bulk_create(sessions)
    pairs = list(zip(sessions, plan, strict=True))

    history = _History(rng, now)
    mine: dict[int, dict[str, Any]] = {}
    if practitioner is not None:
        # The demo practitioner has done safer sleep, or failing that another course for
        # the children's workforce (evaluated, and the impact survey now due), and neglect
        # (not evaluated yet).
        others = [
            course.key
            for course in COURSES
            if course.audience != Audience.ADULTS and course.key != "neglect"
        ]
        done = _latest_held(pairs, ["safer-sleep"], now=now, survey_due=True) or _latest_held(
            pairs, others, now=now, survey_due=True
        )
        if done is not None:
            mine[done.pk] = {"evaluate": True, "answer_impact": False}
        to_evaluate = _latest_held(pairs, ["neglect"], now=now)
        if to_evaluate is not None:
            mine[to_evaluate.pk] = {"evaluate": False}
    for number, (session, planned) in enumerate(pairs):
        pool = [
            profile
            for profile in crowd
            if profile.agency.sector not in NOT_FOR[planned.course.audience]
        ]
        size = planned.capacity - rng.choice([0, 0, 0, 1, 2, 3, 5])
        if session.is_cancelled:
            size = rng.randint(6, 12)
        chosen = rng.sample(pool, k=min(len(pool), size))
        if session.pk in mine and practitioner is not None:
            chosen = chosen[:-1]
            answers = mine[session.pk]
            history.book(
                session, practitioner, planned.course, attendance=Attendance.ATTENDED, **answers
            )
        for profile in chosen:
            history.book(session, profile, planned.course, mixed=number == mixed_index)
    Booking.objects.bulk_create(history.bookings)
    Evaluation.objects.bulk_create(history.evaluations)
    ImpactResponse.objects.bulk_create(history.impact)
    # The evaluation requests for past sessions went at the time: the outbox says so, so the
    # worker does not ask again.
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            key=notices.once_per_booking_key(notices.EVALUATION_REQUEST, booking.pk),
            kind="training.evaluation_request",
            recipient=booking.delegate.email,
            subject=f"Tell us what you thought: {booking.session.course.title}",
            status=OutboxMessage.Status.SENT,
            attempts=1,
            created_at=booking.attendance_marked_at,
            next_attempt_at=booking.attendance_marked_at,
            sent_at=booking.attendance_marked_at,
        )
        for booking in history.bookings
        if booking.attendance in PRESENT and booking.attendance_marked_at is not None
    )
    audit_record_many(
        actor=None,
        actor_email="demo data",
        events=[
            *({"kind": AuditEvent.Kind.CREATE, "obj": s, "detail": HISTORY} for s in sessions),
            *(
                {
                    "kind": AuditEvent.Kind.CREATE,
                    "obj": booking,
                    "changes": {
                        "status": {"from": None, "to": booking.status},
                        "attendance": {"from": None, "to": booking.attendance},
                    },
                    "detail": HISTORY,
                }
                for booking in history.bookings
            ),
        ],
    )
    return len(history.bookings), len(history.evaluations)


def _book_upcoming(
    *,
    rng: random.Random,
    plan: list[Planned],
    courses: dict[str, Course],
    series: EventSeries,
    trainers: dict[str, User],
    crowd: list[DelegateProfile],
    practitioner: DelegateProfile | None,
) -> None:
    """Sessions to come, made and booked through the services: full sessions with waiting
    lists, cancellations, places waiting for a manager's approval and one session called
    off."""
    for number, planned in enumerate(plan):
        trainer = trainers[planned.trainer]
        approval = planned.course.key == APPROVAL_COURSE and not planned.in_week
        session = services.session_save(
            actor=trainer,
            session=None,
            data={
                "course": courses[planned.course.key],
                "series": series if planned.in_week else None,
                "starts_at": planned.starts_at,
                "ends_at": planned.ends_at,
                "capacity": planned.capacity,
                "trainer": trainer,
                "needs_manager_approval": approval,
                "cancellation_cutoff_hours": 48,
                **_where(planned, number),
            },
        )
        pool = [
            profile.user
            for profile in crowd
            if profile.agency.sector not in NOT_FOR[planned.course.audience]
        ]
        booked = [
            services.booking_make(actor=user, session=session)
            for user in rng.sample(pool, k=min(len(pool), planned.bookings))
        ]
        if practitioner is not None and (
            (planned.in_week and planned.course.key == FULL_WEEK_COURSE)
            or (not planned.in_week and planned.course.key == PRACTITIONER_COURSE)
        ):
            services.booking_make(actor=practitioner.user, session=session)
        if approval:
            # Approved, approved, declined, approved, ... and the last one still waiting.
            for index, booking in enumerate(booked[:-1]):
                services.booking_decide(
                    booking=booking, approve=index % 3 != 2, manager_email=booking.manager_email
                )
        elif planned.course.key == CANCELLED_COURSE and not planned.in_week:
            services.session_cancel(
                actor=trainer,
                session=session,
                reason="The venue is no longer available. New dates will follow soon.",
            )
        elif planned.bookings > planned.capacity and not planned.in_week:
            # A place given up goes to the first on the waiting list; the last person
            # waiting gives up too.
            services.booking_cancel(actor=booked[3].delegate, booking=booked[3])
            services.booking_cancel(actor=booked[-1].delegate, booking=booked[-1])
        elif 4 <= planned.bookings <= planned.capacity and number % 2:
            services.booking_cancel(actor=booked[1].delegate, booking=booked[1])


def _backdate(rng: random.Random, now: datetime.datetime, since: datetime.datetime) -> None:
    """Bookings made through the services are stamped with the moment of seeding. Spread
    them over the past weeks instead, keeping each session's order (the waiting list is
    served in it); a later change of status (a cancellation, an approval) stays today."""
    bookings = list(
        Booking.objects.filter(booked_at__gte=since).order_by("session_id", "booked_at", "pk")
    )
    by_session: dict[int, list[Booking]] = {}
    for booking in bookings:
        by_session.setdefault(booking.session_id, []).append(booking)
    for rows in by_session.values():
        earlier = sorted(
            now - datetime.timedelta(minutes=rng.randint(90, 60 * 24 * 40)) for _ in rows
        )
        for booking, booked in zip(rows, earlier, strict=True):
            was = booking.booked_at
            booking.booked_at = booked
            if booking.status_changed_at == was:
                booking.status_changed_at = booked
            if booking.waiting_since == was:
                booking.waiting_since = booked
    Booking.objects.bulk_update(
        bookings, ["booked_at", "status_changed_at", "waiting_since"], batch_size=500
    )


def _workforce(today: datetime.date) -> None:
    known = set(SectorWorkforce.objects.values_list("sector", flat=True))
    for sector, headcount in WORKFORCE.items():
        if sector not in known:
            services.workforce_save(
                actor=None,
                sector=sector,
                headcount=headcount,
                source=f"Partner agencies' workforce returns, {today.year}",
            )


def _courses(lead: User, today: datetime.date) -> dict[str, Course]:
    themes = {theme.name: theme for theme in PracticeTheme.objects.all()}
    priorities = {priority.name: priority for priority in Priority.objects.all()}
    courses = {}
    for info in COURSES:
        courses[info.key] = services.course_save(
            actor=lead,
            course=None,
            data={
                "title": info.title,
                "outline": info.outline,
                "audience": info.audience,
                "level": info.level,
                "learning_outcomes": "\n".join(info.outcomes),
                "review_date": today + datetime.timedelta(days=info.review_in_days),
                "impact_survey_weeks": info.impact_weeks,
                "is_active": True,
                "themes": [themes[name] for name in info.themes if name in themes],
                "priorities": [priorities[name] for name in info.priorities if name in priorities],
            },
        )
    # The offer has run for a year: the courses were written before their first sessions.
    Course.objects.filter(pk__in=[course.pk for course in courses.values()]).update(
        created_at=timezone.now() - datetime.timedelta(days=365)
    )
    return courses


def seed(*, password: str, stdout: Any) -> None:
    if Course.objects.exists():
        stdout.write("Training: courses exist already, none added.")
        return
    agencies = {agency.name: agency for agency in Agency.objects.all()}
    needed = {name for name, *_ in CROWD} | {agency for _, _, agency in TRAINERS.values()}
    missing = sorted(needed - set(agencies))
    if missing:
        stdout.write(f"Training: demo agencies missing ({', '.join(missing)}), none added.")
        return
    with held_back():
        trainers = _trainers(agencies)
        if trainers is None:
            stdout.write("Training: the demo trainer is missing, none added.")
            return
        now = timezone.now()
        today = timezone.localdate(now)
        rng = random.Random(2026)
        calendar = WorkingCalendar()
        crowd = _crowd(rng, agencies)
        practitioner = _practitioner(agencies)
        courses = _courses(trainers["lead"], today)
        past = _past_plan(rng, today, calendar)
        booked, evaluated = _history(
            rng=rng,
            now=now,
            plan=past,
            courses=courses,
            trainers=trainers,
            crowd=crowd,
            practitioner=practitioner,
        )
        upcoming, week, monday = _upcoming_plan(today, calendar)
        series = services.series_save(
            actor=trainers["lead"],
            series=None,
            data={
                "name": f"Northshire Safeguarding Week {monday.year}",
                "description": "A week of free sessions for everyone who works with "
                "children, adults and families in Northshire. This year's theme: seeing the "
                "whole family.",
                "starts_on": monday,
                "ends_on": monday + datetime.timedelta(days=4),
            },
        )
        _book_upcoming(
            rng=rng,
            plan=[*upcoming, *week],
            courses=courses,
            series=series,
            trainers=trainers,
            crowd=crowd,
            practitioner=practitioner,
        )
        _backdate(rng, now, since=now)
        _workforce(today)
    upcoming_bookings = Booking.objects.filter(session__starts_at__gt=now)
    stdout.write(
        f"Training: {len(courses)} courses, {len(past) + len(upcoming) + len(week)} sessions "
        f"({len(week)} in {series.name}), {len(crowd)} practitioners, {booked} past bookings "
        f"with {evaluated} evaluations, {upcoming_bookings.count()} bookings to come "
        f"({upcoming_bookings.filter(status=BookingStatus.WAITING).count()} on waiting lists)."
    )
    stdout.write(
        "Training: the demo practitioner has a course to evaluate, a place booked and a "
        "waiting list entry; the demo trainer has a register to mark."
    )
