"""Demo system assurance: Northshire's risk register with 18 months of reviews, four
inspections and the actions on them, the groups' members, meetings and assurance returns
for the last four quarters, three years of data with exceptions this quarter, a year's
audit programme and the strategic plan's status. Fictional and deterministic; added once,
when the register has no risks yet.

Dates are counted from today. The services refuse to backdate some things (a risk is added
today; audit returns are asked for today), so the history before today is written directly
with every field the services would have set, and dates that the services stamp with today
are moved back afterwards. Everything else goes through the services. Asking agencies for
audit returns would email their leads: the demo asks without notifying."""

import datetime
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from sightline.accounts import services as account_services
from sightline.accounts.demo import BUSINESS_UNIT, demo_email
from sightline.accounts.models import Agency, User
from sightline.core.calendar import WorkingCalendar
from sightline.core.management.commands.seed_demo import DEMO_DOMAIN
from sightline.core.models import AuditEvent
from sightline.core.roles import Role
from sightline.core.services import audit_record_many, changes_between, snapshot
from sightline.learning import services as learning_services
from sightline.learning.models import Action, Recommendation
from sightline.learning.vocabulary import (
    ActionStatus,
    DisseminationMethod,
    EvidenceKind,
    SourceType,
)
from sightline.reviews.models import PracticeTheme

from . import scoring
from .demo_papers import seed_papers
from .models import (
    AssuranceReturn,
    Audit,
    AuditReturn,
    DataPoint,
    Group,
    Inspection,
    Measure,
    Priority,
    PriorityUpdate,
    Risk,
    RiskAcceptance,
    RiskAssessment,
    RiskControl,
    RiskSettings,
)
from .quarters import Quarter, recent
from .services import audits as audit_services
from .services import data as data_services
from .services import groups as group_services
from .services import inspections as inspection_services
from .services import plan as plan_services
from .services import risks as risk_services
from .vocabulary import (
    AssuranceLevel,
    AuditStatus,
    Direction,
    GroupKind,
    InspectionType,
    Inspectorate,
    MeasureKind,
    Rag,
    RiskCategory,
    RiskStatus,
)

HISTORY = "Fictional demo history"

AGENCIES = {
    "unit": BUSINESS_UNIT,
    "children": "Northshire County Council Children's Services",
    "adults": "Northshire County Council Adult Social Care",
    "police": "Northshire Constabulary",
    "icb": "Northshire and Wealdbridge Integrated Care Board",
    "hospitals": "Wealdbridge Hospitals NHS Foundation Trust",
    "community": "Northshire Community and Mental Health NHS Trust",
    "schools": "Northshire Schools Safeguarding Network",
    "college": "Fenmoor College",
    "probation": "Probation Service, Northshire Delivery Unit",
    "housing": "Kestrel Homes Housing Association",
    "abuse": "Northshire Domestic Abuse Service",
    "carers": "Brightwater Carers' Centre",
}

# The accounts demo's people this demo uses, by role.
DEMO_PEOPLE = {
    "admin": Role.ADMINISTRATOR,
    "executive": Role.EXECUTIVE,
    "officer": Role.REVIEW_OFFICER,
    "doctor": Role.REVIEW_GROUP_MEMBER,
    "police_lead": Role.AGENCY_LEAD,
    "trainer": Role.TRAINER,
}
# The other statutory partners' senior leaders, who sit on the Executive, own risks and lead
# priorities: (full name, job title, agency). They do not sign in.
LEADERS = {
    "police": (
        "Alan Reeve",
        "Detective Chief Superintendent, head of public protection",
        "police",
    ),
    "health": ("Fiona Castell", "Chief nursing officer", "icb"),
    "adults": ("Gareth Nwosu", "Director of adult social care", "adults"),
}


def _email(full_name: str) -> str:
    return f"{full_name.replace(' ', '.').lower()}@{DEMO_DOMAIN}"


# --- Actions, as inspections, audits and the strategic plan ask for them ---------------


@dataclass(frozen=True)
class ActionInfo:
    agency: str  # a key of AGENCIES
    description: str
    due: int | None  # days from today (before today when negative); None: later this quarter
    status: ActionStatus
    note: str  # the progress update, the evidence of a completed action, or why it closed
    owner: str = ""  # a key of the people


@dataclass(frozen=True)
class FindingInfo:
    """A recommendation, area for improvement or audit finding, with its actions."""

    text: str
    actions: tuple[ActionInfo, ...]
    lead: str = ""


@dataclass(frozen=True)
class InspectionInfo:
    key: str
    prefix: str  # references are PREFIX{yy}/R1, PREFIX{yy}/R1/A1
    inspectorate: Inspectorate
    kind: InspectionType
    title: str  # {year} is the year it started
    started: int  # days ago
    report_after: int  # days from the start to the report
    judgement: str
    summary: str
    findings: tuple[FindingInfo, ...]


INSPECTIONS = [
    InspectionInfo(
        key="ilacs",
        prefix="ILACS",
        inspectorate=Inspectorate.OFSTED,
        kind=InspectionType.ILACS,
        title="Northshire ILACS {year}",
        started=910,
        report_after=49,
        judgement="Good",
        summary="Children's services in Northshire are good. Leaders know their services "
        "well and the front door is effective. Some children who go missing wait too long "
        "for a return home interview, and managers do not always see drift in child in need "
        "plans. (Fictional demo inspection.)",
        findings=(
            FindingInfo(
                "Improve the timeliness and quality of return home interviews for children "
                "who go missing from home or care.",
                (
                    ActionInfo(
                        "children",
                        "Recommission the return home interview service with a 72-hour standard.",
                        -600,
                        ActionStatus.COMPLETE,
                        "New contract in place; 88% of interviews offered within 72 hours.",
                    ),
                    ActionInfo(
                        "police",
                        "Share every missing episode with children's services by the next "
                        "working day.",
                        -520,
                        ActionStatus.COMPLETE,
                        "Daily missing persons list sent to the front door since March.",
                        owner="police_lead",
                    ),
                    ActionInfo(
                        "hospitals",
                        "Emergency department staff ask about missing episodes for every child "
                        "who attends between midnight and 6am.",
                        -450,
                        ActionStatus.CLOSED_INCOMPLETE,
                        "Superseded by the regional missing from home protocol, which the trust "
                        "has adopted instead.",
                    ),
                ),
                lead="executive",
            ),
            FindingInfo(
                "Strengthen management oversight of child in need plans so that drift is "
                "seen and acted on.",
                (
                    ActionInfo(
                        "children",
                        "Monthly management audit of a sample of child in need plans.",
                        -300,
                        ActionStatus.COMPLETE,
                        "Audit tool in use in every team; results reported monthly.",
                    ),
                    ActionInfo(
                        "children",
                        "Report drift in child in need plans to the Children's system "
                        "assurance group each quarter.",
                        -120,
                        ActionStatus.AT_RISK,
                        "The performance report cannot yet show plan drift: a new report is "
                        "being built.",
                    ),
                ),
                lead="executive",
            ),
            FindingInfo(
                "Make sure that the voices of disabled children are heard in their plans.",
                (
                    ActionInfo(
                        "children",
                        "Train social workers in communicating with non-verbal children.",
                        None,
                        ActionStatus.ON_TRACK,
                        "Four of five sessions delivered; the last is booked.",
                    ),
                ),
                lead="executive",
            ),
        ),
    ),
    InspectionInfo(
        key="jtai",
        prefix="JTAI",
        inspectorate=Inspectorate.JOINT,
        kind=InspectionType.JTAI,
        title="Joint targeted area inspection {year}: children affected by domestic abuse",
        started=560,
        report_after=56,
        judgement="",
        summary="Findings letter from Ofsted, CQC, HMICFRS and HMI Probation. Strengths in "
        "the multi-agency safeguarding hub; areas for improvement in health's contribution "
        "to child protection conferences, notifications to schools and work with fathers "
        "who harm. (Fictional demo inspection.)",
        findings=(
            FindingInfo(
                "GP practices to contribute to child protection conferences, in person or by "
                "report, for every child with a plan.",
                (
                    ActionInfo(
                        "icb",
                        "The named GP follows up every conference a practice did not attend "
                        "or send a report to.",
                        -200,
                        ActionStatus.AT_RISK,
                        "Follow-up happens for about half of conferences: the named GP post "
                        "was vacant for three months.",
                    ),
                    ActionInfo(
                        "icb",
                        "Add conference attendance to the GP safeguarding standards and "
                        "report it each quarter.",
                        None,
                        ActionStatus.ON_TRACK,
                        "Standards drafted; to the primary care committee this month.",
                    ),
                ),
                lead="health",
            ),
            FindingInfo(
                "Police to notify schools of domestic abuse incidents before the start of "
                "the next school day.",
                (
                    ActionInfo(
                        "police",
                        "Send school notifications automatically from the police system.",
                        -150,
                        ActionStatus.COMPLETE,
                        "Automated notifications live; 97% reach schools before 9am.",
                        owner="police_lead",
                    ),
                ),
                lead="police",
            ),
            FindingInfo(
                "Partners to hear and record the experience of children living with "
                "domestic abuse in every assessment.",
                (
                    ActionInfo(
                        "abuse",
                        "Children's workers from the domestic abuse service join strategy "
                        "discussions for high-risk cases.",
                        -60,
                        ActionStatus.COMPLETE,
                        "Attending since the spring; briefing given to all duty managers.",
                    ),
                    ActionInfo(
                        "children",
                        "Refresh the assessment template to record the child's own words.",
                        -20,
                        ActionStatus.NOT_STARTED,
                        "",
                    ),
                ),
                lead="executive",
            ),
            FindingInfo(
                "Commission a programme for fathers who harm and want to change.",
                (
                    ActionInfo(
                        "probation",
                        "Agree the referral pathway to the programme with children's services.",
                        120,
                        ActionStatus.ON_TRACK,
                        "Provider chosen; pathway agreed in draft.",
                    ),
                ),
                lead="police",
            ),
        ),
    ),
    InspectionInfo(
        key="peel",
        prefix="PEEL",
        inspectorate=Inspectorate.HMICFRS,
        kind=InspectionType.PEEL,
        title="Northshire Constabulary PEEL inspection {year}",
        started=420,
        report_after=70,
        judgement="Requires improvement at protecting vulnerable people",
        summary="The force is adequate overall. It needs to improve how officers record the "
        "risk to children at domestic abuse incidents and how quickly it refers children to "
        "children's social care. (Fictional demo inspection.)",
        findings=(
            FindingInfo(
                "The force should improve how officers record the risk to children present "
                "at domestic abuse incidents.",
                (
                    ActionInfo(
                        "police",
                        "Make the section on children mandatory in the domestic abuse risk form.",
                        -200,
                        ActionStatus.COMPLETE,
                        "Form changed; children's details completed in 99% of forms since.",
                        owner="police_lead",
                    ),
                    ActionInfo(
                        "police",
                        "Dip-sample 50 incident records each quarter and report the results.",
                        None,
                        ActionStatus.ON_TRACK,
                        "Second dip sample under way.",
                        owner="police_lead",
                    ),
                ),
                lead="police",
            ),
            FindingInfo(
                "The force should make sure referrals to children's social care are made "
                "within 24 hours.",
                (
                    ActionInfo(
                        "police",
                        "Daily supervisor review of child referrals still outstanding.",
                        45,
                        ActionStatus.ON_TRACK,
                        "Daily review started in two of three areas.",
                        owner="police_lead",
                    ),
                ),
                lead="police",
            ),
        ),
    ),
    InspectionInfo(
        key="cqc",
        prefix="CQC",
        inspectorate=Inspectorate.CQC,
        kind=InspectionType.CQC_ASSESSMENT,
        title="CQC assessment of Northshire adult social care {year}",
        started=230,
        report_after=90,
        judgement="Requires improvement",
        summary="People are positive about their social workers, but wait too long for "
        "safeguarding enquiries to start, and young people's move to adults' services "
        "starts late. (Fictional demo assessment.)",
        findings=(
            FindingInfo(
                "Reduce the time people wait for a section 42 safeguarding enquiry to start.",
                (
                    ActionInfo(
                        "adults",
                        "Clear the backlog of enquiries waiting more than 28 days.",
                        None,
                        ActionStatus.AT_RISK,
                        "Backlog down from 64 to 31; agency staff funded to the end of the "
                        "quarter only.",
                    ),
                    ActionInfo(
                        "adults",
                        "Weekly backlog report to the director of adult social care.",
                        -100,
                        ActionStatus.COMPLETE,
                        "Weekly report in place since the summer.",
                    ),
                ),
                lead="adults",
            ),
            FindingInfo(
                "Make learning from safeguarding adult reviews accessible to care providers.",
                (
                    ActionInfo(
                        "unit",
                        "A quarterly learning bulletin for care providers.",
                        60,
                        ActionStatus.ON_TRACK,
                        "First bulletin sent to 140 providers.",
                        owner="trainer",
                    ),
                ),
                lead="adults",
            ),
            FindingInfo(
                "Improve the experience of young people moving from children's to adults' "
                "services.",
                (
                    ActionInfo(
                        "adults",
                        "A joint transition panel with children's services from age 16.",
                        150,
                        ActionStatus.NOT_STARTED,
                        "",
                    ),
                ),
                lead="adults",
            ),
        ),
    ),
]


# --- The audit programme ------------------------------------------------------------------


@dataclass(frozen=True)
class AuditInfo:
    key: str
    prefix: str  # findings are PREFIX/R1, their actions PREFIX/R1/A1
    title: str
    scope: str
    quarter: int  # quarters from this one: -2 is the one before last
    status: AuditStatus
    group: str
    themes: tuple[str, ...]
    questions: tuple[str, ...]
    answers: tuple[tuple[str, ...], ...]  # for each question, the answers agencies give
    agencies: tuple[str, ...]  # asked for a return
    returned: int  # how many of them returned it
    summary: str = ""
    findings: tuple[FindingInfo, ...] = ()


AUDITS = [
    AuditInfo(
        key="neglect",
        prefix="AUD-NEGLECT",
        title="Multi-agency audit: neglect and the Graded Care Profile",
        scope="Ten children on a child in need or child protection plan for neglect, chosen "
        "at random from those whose plan started in the last year.",
        quarter=-2,
        status=AuditStatus.REPORTED,
        group="Children's system assurance group",
        themes=("Voice of the child or adult", "Information sharing"),
        questions=(
            "Was neglect recognised at your agency's first contact with the family?",
            "Was a Graded Care Profile 2 completed, and did it inform the plan?",
            "How was the child's daily lived experience recorded?",
            "Did your agency share information with partners in good time?",
            "What difference has the plan made for the child?",
        ),
        answers=(
            (
                "Yes, in most cases; in two the signs were seen but not named as neglect.",
                "Yes: the health visitor recorded concerns about home conditions at the "
                "first visit.",
            ),
            (
                "In four of the ten cases. Where it was used, the plan was clearer.",
                "Not by our agency; we were not asked to contribute to one.",
            ),
            (
                "Mostly through the parents' account; the child's own view was rarely "
                "written down.",
                "Through school attendance and what teachers saw day to day.",
            ),
            (
                "Yes, at strategy discussions and core groups.",
                "Late in two cases: information was shared only at the conference.",
            ),
            (
                "School attendance improved for six children; home conditions improved for four.",
                "Too early to say for the younger children.",
            ),
        ),
        agencies=("children", "police", "icb", "community", "schools"),
        returned=5,
        summary="Neglect is generally recognised early, but the Graded Care Profile 2 is "
        "used in fewer than half of cases and children's own views are rarely recorded. "
        "Health visitors' knowledge of the family is not always shared at the start of "
        "enquiries.",
        findings=(
            FindingInfo(
                "Graded Care Profile 2 is completed in fewer than half the neglect cases "
                "audited: partners to use it to plan and to measure change.",
                (
                    ActionInfo(
                        "children",
                        "Make the Graded Care Profile 2 part of every child in need plan for "
                        "neglect.",
                        -20,
                        ActionStatus.COMPLETE,
                        "Practice standard updated and briefed to all teams.",
                    ),
                    ActionInfo(
                        "schools",
                        "Train designated safeguarding leads to contribute to the Graded Care "
                        "Profile.",
                        30,
                        ActionStatus.ON_TRACK,
                        "Two of three briefings held; 61 schools reached.",
                    ),
                ),
                lead="executive",
            ),
            FindingInfo(
                "Health visitors' knowledge of the family is not shared at the start of "
                "child protection enquiries.",
                (
                    ActionInfo(
                        "community",
                        "Invite a health visitor to every strategy discussion for a child under 5.",
                        -10,
                        ActionStatus.AT_RISK,
                        "Invitations sent, but health visitors attend only a third of "
                        "discussions at short notice.",
                    ),
                ),
                lead="health",
            ),
        ),
    ),
    AuditInfo(
        key="self-neglect",
        prefix="AUD-SELFNEGLECT",
        title="Multi-agency audit: self-neglect and hoarding",
        scope="Eight adults known to two or more agencies because of self-neglect or "
        "hoarding in the last 18 months.",
        quarter=-1,
        status=AuditStatus.REPORTED,
        group="Adults' system assurance group",
        themes=("Self-neglect", "Mental capacity"),
        questions=(
            "Was the person's capacity to make decisions about their care assessed?",
            "Was the self-neglect protocol followed?",
            "Was a multi-agency risk meeting held, and when?",
            "What did the person say they wanted?",
        ),
        answers=(
            (
                "Yes, but executive function was considered in only three cases.",
                "Capacity was assumed in most cases and not recorded.",
            ),
            (
                "Partly: the protocol was used once concerns had built up over months.",
                "Yes, in the cases our agency led.",
            ),
            (
                "In five of eight cases, after an average of six missed visits.",
                "Not in the cases we looked at.",
            ),
            (
                "To stay at home and to be left alone; several wanted help with one thing, "
                "such as heating.",
                "Their wishes were recorded in most cases.",
            ),
        ),
        agencies=("adults", "police", "community", "hospitals", "housing"),
        returned=5,
        summary="Practitioners know people well and respect their wishes, but multi-agency "
        "risk meetings are called late, after several missed visits, and capacity is "
        "seldom assessed with executive function in mind.",
        findings=(
            FindingInfo(
                "Multi-agency risk meetings under the self-neglect protocol are called late, "
                "after several missed visits.",
                (
                    ActionInfo(
                        "adults",
                        "Relaunch the self-neglect protocol with a trigger of two missed visits.",
                        40,
                        ActionStatus.ON_TRACK,
                        "Protocol rewritten; launch event booked.",
                    ),
                    ActionInfo(
                        "housing",
                        "Housing officers raise self-neglect concerns through the protocol.",
                        75,
                        ActionStatus.NOT_STARTED,
                        "",
                    ),
                ),
                lead="adults",
            ),
        ),
    ),
    AuditInfo(
        key="abuse-voice",
        prefix="AUD-DAVOICE",
        title="Multi-agency audit: the voice of the child in domestic abuse cases",
        scope="Twelve children living in households discussed at MARAC in the last six months.",
        quarter=0,
        status=AuditStatus.IN_PROGRESS,
        group="Children's system assurance group",
        themes=("Domestic abuse and coercive control", "Voice of the child or adult"),
        questions=(
            "Did anyone speak to the child on their own?",
            "Is the child's experience of the abuse recorded in their own words?",
            "Was the child's school told in time (by the next school day)?",
            "Was the risk from the person who harms assessed, not only the victim's safety?",
            "Were the child's wishes reflected in the plan?",
            "What support has the child received since?",
        ),
        answers=(
            (
                "In seven of the twelve cases.",
                "Rarely: contact was mostly with the parent.",
            ),
            (
                "In a minority of records; most describe the incident, not the child's experience.",
                "Yes, where a children's worker was involved.",
            ),
            ("Yes in every case we audited.", "Yes, apart from one incident at a weekend."),
            (
                "Only where the person who harms was known to probation.",
                "Not consistently.",
            ),
            ("Partly.", "Yes, where the child had been spoken to."),
            (
                "Group work for four children; the others are waiting.",
                "School pastoral support in most cases.",
            ),
        ),
        agencies=("children", "police", "abuse", "schools", "community"),
        returned=3,
    ),
    AuditInfo(
        key="transition",
        prefix="AUD-TRANSITION",
        title="Multi-agency audit: transition planning for young people aged 16 to 18",
        scope="Ten young people who turned 18 in the last year with care and support needs.",
        quarter=1,
        status=AuditStatus.PLANNED,
        group="Adults' system assurance group",
        themes=("Transition to adulthood",),
        questions=(
            "At what age did transition planning start?",
            "Were adult services involved before the young person turned 18?",
            "Was the young person's view of the plan recorded?",
            "Did any risk (such as exploitation) continue after 18, and who responded?",
        ),
        answers=(),
        agencies=(),
        returned=0,
    ),
]


# --- The strategic plan -------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityInfo:
    name: str  # as data migration 0002 loads it
    key: str
    lead: str
    plan: FindingInfo  # the priority's own action plan
    linked: tuple[str, ...]  # other actions that deliver it, by key or reference
    measures: tuple[tuple[MeasureKind, str, str, str], ...]  # kind, description, target, code
    rag: tuple[tuple[Rag, str], ...]  # the last four quarters, oldest first


PRIORITIES = [
    PriorityInfo(
        name="Safeguarding under 1s",
        key="u1",
        lead="doctor",
        plan=FindingInfo(
            "Deliver the strategic plan's priority for babies: seen, heard and protected by "
            "every agency.",
            (
                ActionInfo(
                    "community",
                    "A safer sleep conversation with both parents at every health visitor contact.",
                    -60,
                    ActionStatus.COMPLETE,
                    "Recorded at 93% of contacts in the last quarter.",
                ),
                ActionInfo(
                    "hospitals",
                    "Offer every new father the coping with crying programme before the baby "
                    "goes home.",
                    90,
                    ActionStatus.ON_TRACK,
                    "Running on two of three maternity wards.",
                ),
                ActionInfo(
                    "icb",
                    "Agree a pre-birth assessment pathway between midwifery and children's "
                    "services.",
                    -45,
                    ActionStatus.AT_RISK,
                    "Pathway drafted; midwifery capacity to attend pre-birth meetings not yet "
                    "agreed.",
                ),
            ),
        ),
        linked=("NR-2020-1/R1/A1", "NR-2021-1/R1/A1"),
        measures=(
            (
                MeasureKind.PROGRESS,
                "Health visitor contacts with a safer sleep conversation recorded",
                "95%",
                "",
            ),
            (
                MeasureKind.IMPACT,
                "Babies under 1 on a child protection plan",
                "Fewer, with help given earlier",
                "U1-CPP",
            ),
        ),
        rag=(
            (Rag.GREEN, "The action plan is on track and the safer sleep campaign has launched."),
            (Rag.GREEN, "Safer sleep conversations are recorded at most contacts."),
            (
                Rag.AMBER,
                "Safer sleep conversations are recorded at most contacts, but the pre-birth "
                "pathway is delayed while midwifery capacity is agreed.",
            ),
            (
                Rag.AMBER,
                "Three serious incident notifications about babies this quarter, and the "
                "pre-birth pathway is overdue; the Under 1s steering group has escalated it to "
                "the ICB.",
            ),
        ),
    ),
    PriorityInfo(
        name="Domestic abuse",
        key="da",
        lead="police",
        plan=FindingInfo(
            "Deliver the strategic plan's priority on domestic abuse: victims and their "
            "children safe, and abusers held to account.",
            (
                ActionInfo(
                    "police",
                    "Increase MARAC capacity to two meetings a week.",
                    -30,
                    ActionStatus.COMPLETE,
                    "Second weekly MARAC running since September.",
                    owner="police_lead",
                ),
                ActionInfo(
                    "abuse",
                    "A children's independent domestic violence adviser in every locality.",
                    -15,
                    ActionStatus.AT_RISK,
                    "Two of four posts filled; funding for the others not yet agreed.",
                ),
                ActionInfo(
                    "children",
                    "Domestic abuse champions in every children's social work team.",
                    60,
                    ActionStatus.ON_TRACK,
                    "Champions named in 9 of 12 teams.",
                ),
            ),
        ),
        linked=("jtai/R3/A1", "jtai/R4/A1"),
        measures=(
            (MeasureKind.PROGRESS, "Cases heard at MARAC", "", "DA-MARAC"),
            (MeasureKind.IMPACT, "Repeat cases at MARAC", "28% to 40%", "DA-MARAC-REPEAT"),
            (
                MeasureKind.IMPACT,
                "Section 42 enquiries about domestic abuse",
                "",
                "SAC-S42-DOMESTIC",
            ),
        ),
        rag=(
            (
                Rag.AMBER,
                "MARAC volumes are rising faster than capacity; a second weekly meeting is "
                "being planned.",
            ),
            (
                Rag.AMBER,
                "The second weekly MARAC is agreed but not yet running; children's advisers "
                "are not in every locality.",
            ),
            (
                Rag.RED,
                "Cases wait up to four weeks for MARAC and two JTAI actions are overdue; the "
                "board has asked partners for more funding.",
            ),
            (
                Rag.RED,
                "Children's adviser posts are still unfunded and the action is overdue; the "
                "board's funding request goes to the Executive this quarter.",
            ),
        ),
    ),
    PriorityInfo(
        name="Transitional safeguarding",
        key="ts",
        lead="adults",
        plan=FindingInfo(
            "Deliver the strategic plan's priority on transitional safeguarding: young "
            "people keep the protection they need as they become adults.",
            (
                ActionInfo(
                    "adults",
                    "A transitional safeguarding protocol for young people aged 16 to 25.",
                    100,
                    ActionStatus.ON_TRACK,
                    "Protocol out for consultation with partners.",
                ),
                ActionInfo(
                    "college",
                    "Fenmoor College's safeguarding leads join the transition panel.",
                    -70,
                    ActionStatus.COMPLETE,
                    "Attending monthly since the start of the academic year.",
                ),
            ),
        ),
        linked=("cqc/R3/A1",),
        measures=(
            (
                MeasureKind.PROGRESS,
                "Young people with a transition plan by their 17th birthday",
                "80%",
                "",
            ),
            (
                MeasureKind.IMPACT,
                "Young adults aged 18 to 25 who are the subject of a section 42 enquiry",
                "",
                "",
            ),
        ),
        rag=(
            (
                Rag.AMBER,
                "The protocol is not yet drafted and the CQC found that transition starts "
                "too late.",
            ),
            (
                Rag.AMBER,
                "Drafting has started but the joint panel with children's services has not "
                "met yet.",
            ),
            (
                Rag.AMBER,
                "Consultation on the protocol is slower than planned because of adult social "
                "care's enquiry backlog.",
            ),
            (
                Rag.GREEN,
                "The protocol is out for consultation and the college has joined the panel.",
            ),
        ),
    ),
    PriorityInfo(
        name="Exploitation and contextual safeguarding",
        key="exp",
        lead="executive",
        plan=FindingInfo(
            "Deliver the strategic plan's priority on exploitation: children and adults "
            "protected from harm outside the home.",
            (
                ActionInfo(
                    "schools",
                    "An exploitation pathway briefing for every secondary school's "
                    "safeguarding lead.",
                    20,
                    ActionStatus.AT_RISK,
                    "Only 14 of 32 secondary schools have taken part so far.",
                ),
                ActionInfo(
                    "police",
                    "Share a quarterly exploitation problem profile with partners.",
                    -40,
                    ActionStatus.COMPLETE,
                    "Problem profile shared with the operational group each quarter.",
                    owner="police_lead",
                ),
                ActionInfo(
                    "children",
                    "Map what return home interviews say about places of concern.",
                    80,
                    ActionStatus.NOT_STARTED,
                    "",
                ),
            ),
        ),
        linked=(),
        measures=(
            (
                MeasureKind.PROGRESS,
                "Secondary schools whose safeguarding lead has had the pathway briefing",
                "All 32",
                "",
            ),
            (MeasureKind.IMPACT, "Children screened for exploitation", "", "EXP-SCREEN"),
        ),
        rag=(
            (Rag.GREEN, "The problem profile is shared and the screening tool is in use."),
            (
                Rag.AMBER,
                "Schools do not yet understand the exploitation pathway; referrals from "
                "schools are low.",
            ),
            (
                Rag.AMBER,
                "Fewer than half of secondary schools have had the pathway briefing; more "
                "sessions are booked.",
            ),
            (
                Rag.AMBER,
                "The schools briefing is behind plan and the risk is on the register; the "
                "Education safeguarding committee is chasing the rest.",
            ),
        ),
    ),
    PriorityInfo(
        name="Social, emotional and mental health",
        key="semh",
        lead="health",
        plan=FindingInfo(
            "Deliver the strategic plan's priority on social, emotional and mental health: "
            "timely help for children and adults.",
            (
                ActionInfo(
                    "community",
                    "Mental health support teams in every secondary school.",
                    200,
                    ActionStatus.ON_TRACK,
                    "Teams in 20 of 32 schools; the next wave is funded.",
                ),
                ActionInfo(
                    "icb",
                    "A single point of access for children's mental health referrals.",
                    -100,
                    ActionStatus.COMPLETE,
                    "Single point of access open since the spring.",
                ),
            ),
        ),
        linked=(),
        measures=(
            (
                MeasureKind.IMPACT,
                "Children waiting more than 18 weeks for mental health support",
                "Under 100",
                "CAMHS-WAIT-18",
            ),
            (
                MeasureKind.PROGRESS,
                "Secondary schools with a mental health support team",
                "All 32",
                "",
            ),
        ),
        rag=(
            (
                Rag.RED,
                "Over 230 children have waited more than 18 weeks and the single point of "
                "access is delayed.",
            ),
            (
                Rag.AMBER,
                "The single point of access is open and waits are starting to fall, but are "
                "still long.",
            ),
            (
                Rag.AMBER,
                "Waits are falling steadily; the schools programme is funded but not yet in "
                "every school.",
            ),
            (Rag.GREEN, "Long waits have fallen by a third in a year and the plan is on track."),
        ),
    ),
]

SCRUTINY = [
    (
        "da",
        75,
        "Dr Ruth Lowther, independent scrutineer",
        "Partners describe the domestic abuse priority well, but there is little evidence yet "
        "that children's experience has changed: the action plan counts training delivered "
        "rather than its effect.",
        "The Domestic abuse board has added two impact measures (repeat cases at MARAC and "
        "enquiries about domestic abuse) and will report them each quarter.",
    ),
    (
        "exp",
        150,
        "Northshire Youth Voice panel",
        "Young people said they did not know who to tell when they felt unsafe in town "
        "centres and on buses, and that adults at school did not talk about exploitation.",
        "The Exploitation operational group will design the schools briefing and a poster "
        "campaign with the panel.",
    ),
]


# --- The risk register --------------------------------------------------------------------


@dataclass(frozen=True)
class RiskInfo:
    reference: str
    title: str
    category: RiskCategory
    owner: str  # a key of the people
    cause: str
    consequence: str
    inherent: tuple[int, int]  # likelihood, impact
    residuals: tuple[tuple[int, int], ...]  # over the risk's life, oldest first
    opened: int  # days ago
    reviewed: int  # days ago: the latest review
    note: str  # what the latest review found
    controls: tuple[tuple[str, str], ...]  # description, effectiveness
    actions: tuple[str, ...] = ()  # mitigating actions, by key
    closed: int | None = None  # days ago


PARTLY = RiskControl.Effectiveness.PARTLY
EFFECTIVE = RiskControl.Effectiveness.EFFECTIVE
NOT_EFFECTIVE = RiskControl.Effectiveness.NOT_EFFECTIVE
ACCEPTED = "SR-01"
ACCEPTANCE_REASON = (
    "The delays come from parallel criminal proceedings the partnership cannot control, and "
    "two new independent reviewers start soon. The Executive accepts the risk until then and "
    "will see the case review tracker at every meeting."
)
# Mitigated by the learning tracker's open actions on case reviews.
TRACKER = "case reviews"

RISKS = [
    RiskInfo(
        "SR-01",
        "Insufficient capacity to complete LCSPRs within 6 months",
        RiskCategory.STATUTORY,
        "admin",
        "Too few independent reviewers, and agencies slow to send chronologies.",
        "Reviews are published late, learning waits, and the national panel challenges the "
        "partnership.",
        (4, 4),
        ((3, 3), (3, 4), (4, 3)),
        540,
        12,
        "Two reviews are past six months because of parallel criminal proceedings; the "
        "reviewer pool is stretched until the new reviewers start.",
        (
            ("A pool of independent reviewers on a call-off contract", PARTLY),
            ("Monthly case review tracker report to the Executive", EFFECTIVE),
            ("Agencies send chronologies within 20 working days", PARTLY),
        ),
    ),
    RiskInfo(
        "SR-02",
        "Partner funding contributions not agreed for {next_year}",
        RiskCategory.FINANCIAL,
        "executive",
        "Pressure on each partner's budget; the funding formula is disputed.",
        "The business unit cannot plan its staffing, training or reviews for the year.",
        (4, 4),
        ((3, 3), (3, 4)),
        150,
        20,
        "Police and ICB contributions still not confirmed; chief executives asked to agree "
        "them by the end of the quarter.",
        (
            ("Funding formula agreed in principle by the three statutory partners", PARTLY),
            ("Reserves cover one quarter's running costs", EFFECTIVE),
        ),
    ),
    RiskInfo(
        "SR-03",
        "GP attendance at child protection conferences remains low",
        RiskCategory.OPERATIONAL,
        "health",
        "Conference dates clash with surgeries; practices do not send reports instead.",
        "Plans are made without the GP's knowledge of the family's health.",
        (4, 4),
        ((3, 3), (3, 4), (4, 3)),
        520,
        45,
        "Attendance or a report for 41% of conferences, the lowest in three years.",
        (
            ("The named GP follows up each conference not attended", PARTLY),
            ("Conference dates sent to practices ten working days ahead", NOT_EFFECTIVE),
        ),
        actions=("jtai/R1/A1", "jtai/R1/A2"),
    ),
    RiskInfo(
        "SR-04",
        "Learning from reviews not embedded in practice",
        RiskCategory.STRATEGIC,
        "admin",
        "Learning is shared as briefings but not followed up in supervision or audit.",
        "The same findings recur in later reviews; children and adults are harmed in the "
        "same ways.",
        (4, 4),
        ((4, 3), (3, 3)),
        540,
        40,
        "Audits show better use of the learning; re-audit of neglect cases planned.",
        (
            ("Learning tracker with a quarterly exception report", EFFECTIVE),
            ("Seven-minute briefing for every published review", EFFECTIVE),
            ("The audit programme tests whether practice changed", PARTLY),
        ),
        actions=(TRACKER, "neglect/R1/A1"),
    ),
    RiskInfo(
        "SR-05",
        "Data sharing agreement with health providers lapses",
        RiskCategory.INFORMATION,
        "health",
        "The agreement expires and the health trusts' legal teams are slow to re-sign.",
        "Health data stops flowing to reviews and to the data scrutiny reports.",
        (3, 5),
        ((3, 4), (2, 4)),
        400,
        60,
        "New agreement signed by two of three trusts; the third has it for signature.",
        (
            ("Information governance leads meet each quarter", EFFECTIVE),
            ("Renewal starts six months before the agreement ends", PARTLY),
        ),
    ),
    RiskInfo(
        "SR-06",
        "Exploitation pathway not understood by schools",
        RiskCategory.OPERATIONAL,
        "executive",
        "The pathway changed last year and many schools' safeguarding leads are new.",
        "Children at risk of exploitation are not referred early enough.",
        (4, 4),
        ((3, 4), (3, 3)),
        300,
        25,
        "Briefings under way but fewer than half of secondary schools reached.",
        (
            ("Pathway briefing for school safeguarding leads", PARTLY),
            ("Exploitation screening tool on the partnership website", EFFECTIVE),
        ),
        actions=("plan-exp/R1/A1",),
    ),
    RiskInfo(
        "SR-07",
        "Rapid reviews not sent to the national panel within 15 working days",
        RiskCategory.STATUTORY,
        "admin",
        "Agencies send information late; rapid review meetings are hard to arrange.",
        "The partnership breaches Working Together and the panel challenges it.",
        (3, 4),
        ((3, 3), (2, 3)),
        540,
        70,
        "All rapid reviews this year sent on time.",
        (
            ("Rapid review meetings booked when the notification is made", EFFECTIVE),
            ("Template for agencies' information, due in 5 working days", EFFECTIVE),
        ),
    ),
    RiskInfo(
        "SR-08",
        "Police attendance at strategy discussions reduced by custody pressures",
        RiskCategory.OPERATIONAL,
        "police",
        "Officers are drawn to custody and response duties at short notice.",
        "Strategy discussions go ahead without police information, or are delayed.",
        (3, 4),
        ((3, 3), (2, 4)),
        450,
        50,
        "Attendance back above 90% since the dedicated rota began.",
        (
            ("Dedicated rota of public protection officers", EFFECTIVE),
            ("Virtual attendance allowed", EFFECTIVE),
        ),
        actions=("peel/R2/A1",),
    ),
    RiskInfo(
        "SR-09",
        "Turnover of children's social workers weakens multi-agency practice",
        RiskCategory.WORKFORCE,
        "executive",
        "High vacancy rate and reliance on agency social workers.",
        "Children have several social workers; partners lose track of who to talk to.",
        (4, 5),
        ((4, 3), (4, 4)),
        540,
        20,
        "Vacancy rate up to 24% after two teams lost managers.",
        (
            ("Recruitment and retention package for social workers", PARTLY),
            ("Named team manager for each partner agency's queries", PARTLY),
        ),
    ),
    RiskInfo(
        "SR-10",
        "Safeguarding Adults Board annual report not published on time",
        RiskCategory.STATUTORY,
        "adults",
        "Partners send their contributions late.",
        "The board does not meet its Care Act duty and partners cannot show what they did.",
        (2, 4),
        ((2, 3), (1, 4)),
        540,
        100,
        "Report published on time; contributions timetable agreed for next year.",
        (("Timetable for partners' contributions agreed each January", EFFECTIVE),),
    ),
    RiskInfo(
        "SR-11",
        "Independent scrutiny not in place when the scrutineer's contract ends",
        RiskCategory.STRATEGIC,
        "executive",
        "The contract ends in the spring and procurement takes months.",
        "The partnership has no independent view of its effectiveness for part of the year.",
        (3, 3),
        ((2, 3),),
        200,
        30,
        "Procurement started; the current scrutineer has agreed to extend if needed.",
        (("Procurement timetable with an extension option", EFFECTIVE),),
    ),
    RiskInfo(
        "SR-12",
        "Domestic abuse services cannot meet demand as MARAC volumes rise",
        RiskCategory.OPERATIONAL,
        "police",
        "More high-risk cases are identified; adviser posts are unfunded.",
        "Victims and children wait for help at the point of highest risk.",
        (4, 4),
        ((3, 4), (3, 3)),
        360,
        35,
        "Second weekly MARAC running; children's adviser posts still unfunded.",
        (
            ("Second weekly MARAC", EFFECTIVE),
            ("Waiting list reviewed weekly by the domestic abuse service", PARTLY),
        ),
        actions=("plan-da/R1/A2", "jtai/R4/A1"),
    ),
    RiskInfo(
        "SR-13",
        "Case review records kept outside Sightline breach retention rules",
        RiskCategory.INFORMATION,
        "admin",
        "Old review papers are held in shared drives and email.",
        "Personal data is kept longer than allowed; a breach must be reported.",
        (3, 3),
        ((2, 3), (2, 2)),
        540,
        200,
        "Shared drives cleared for reviews up to two years ago.",
        (("Retention schedule applied each year", PARTLY),),
    ),
    RiskInfo(
        "SR-14",
        "Transition planning for 17-year-olds starts too late",
        RiskCategory.OPERATIONAL,
        "adults",
        "Children's and adults' services use different thresholds and plan separately.",
        "Young people lose support at 18 and risks such as exploitation continue unchecked.",
        (4, 3),
        ((3, 3),),
        330,
        45,
        "Joint panel agreed; protocol out for consultation.",
        (
            ("Transition tracker of young people aged 16 and over", PARTLY),
            ("College safeguarding leads on the transition panel", EFFECTIVE),
        ),
        actions=("cqc/R3/A1", "plan-ts/R1/A1"),
    ),
    RiskInfo(
        "SR-15",
        "Backlog of section 42 safeguarding enquiries in adult social care",
        RiskCategory.OPERATIONAL,
        "adults",
        "Rising concerns and vacancies in the adult safeguarding team.",
        "Adults at risk wait for an enquiry; abuse continues in the meantime.",
        (4, 4),
        ((4, 3), (3, 4), (3, 3)),
        420,
        28,
        "Backlog halved since the CQC assessment; agency staff funded to the end of the quarter.",
        (
            ("Triage of every concern within two working days", EFFECTIVE),
            ("Weekly backlog report to the director", EFFECTIVE),
            ("Temporary agency staff", PARTLY),
        ),
        actions=("cqc/R1/A1", "cqc/R1/A2"),
    ),
    RiskInfo(
        "SR-16",
        "Loss of public confidence after a high-profile review is published",
        RiskCategory.REPUTATIONAL,
        "executive",
        "Media interest in a child's death; the review is critical of several agencies.",
        "Families and practitioners lose trust in agencies; staff morale suffers.",
        (3, 5),
        ((2, 4),),
        540,
        80,
        "Communications plan ready for the next publication.",
        (
            ("Joint communications protocol between partners", EFFECTIVE),
            ("Families told before publication", EFFECTIVE),
        ),
    ),
    RiskInfo(
        "SR-17",
        "Multi-agency training places not taken up by health staff",
        RiskCategory.WORKFORCE,
        "admin",
        "Health staff find it hard to be released for training.",
        "Health practitioners miss the learning from reviews that concerns them most.",
        (3, 3),
        ((3, 2), (2, 3)),
        260,
        55,
        "Short online briefings added; health bookings up this quarter.",
        (
            ("Online and lunchtime sessions", EFFECTIVE),
            ("Training data by sector reported to the Practice development group", EFFECTIVE),
        ),
    ),
    RiskInfo(
        "SR-18",
        "Business unit office move disrupts support to case reviews",
        RiskCategory.OPERATIONAL,
        "admin",
        "The business unit moves to County Hall during two live reviews.",
        "Review panels are delayed.",
        (3, 3),
        ((2, 3), (1, 3)),
        400,
        100,
        "Move complete with no delay to reviews.",
        (("Move planned outside review panel dates", EFFECTIVE),),
        closed=95,
    ),
]

REVIEW_NOTES = {
    "same": (
        "Reviewed by the owner: no change; the controls are working as expected.",
        "Reviewed at the Executive: score unchanged.",
        "No change since the last review; the actions are on track.",
    ),
    "down": (
        "Score lowered: the controls are having an effect.",
        "Lowered after the latest data showed improvement.",
    ),
    "up": (
        "Score raised: the position has worsened since the last review.",
        "Raised after the latest quarter's data and the subgroup's exception report.",
    ),
}


# --- Data scrutiny ------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureInfo:
    code: str
    name: str
    dataset: str
    group: str
    start: float  # the figure twelve quarters ago
    step: float  # the trend each quarter
    spread: float  # how far a quarter strays from the trend
    breakdown: str = ""
    unit: str = "number"
    threshold: int | None = None
    direction: str = ""
    latest: float | None = None  # this quarter's figure, when it makes the story
    note: str = ""  # on this quarter's figure
    figures: tuple[float, ...] = ()  # all twelve, when the groups' returns tell their story


SAC = "Safeguarding Adults Collection"
ADULTS_GROUP = "Adults' system assurance group"
CHILDREN_GROUP = "Children's system assurance group"

MEASURES = [
    MeasureInfo("SAC-CONCERNS", "Safeguarding concerns received", SAC, ADULTS_GROUP, 1150, 18, 45),
    MeasureInfo("SAC-S42", "Section 42 enquiries started", SAC, ADULTS_GROUP, 310, 4, 14),
    MeasureInfo(
        "SAC-S42-NEGLECT",
        "Section 42 enquiries: neglect and acts of omission",
        SAC,
        ADULTS_GROUP,
        96,
        1,
        6,
        breakdown="Type of abuse: neglect and acts of omission",
    ),
    MeasureInfo(
        "SAC-S42-PHYSICAL",
        "Section 42 enquiries: physical abuse",
        SAC,
        ADULTS_GROUP,
        52,
        0.3,
        4,
        breakdown="Type of abuse: physical",
    ),
    MeasureInfo(
        "SAC-S42-FINANCIAL",
        "Section 42 enquiries: financial or material abuse",
        SAC,
        ADULTS_GROUP,
        46,
        0.5,
        4,
        breakdown="Type of abuse: financial or material",
    ),
    MeasureInfo(
        "SAC-S42-PSYCHOLOGICAL",
        "Section 42 enquiries: psychological abuse",
        SAC,
        ADULTS_GROUP,
        38,
        0.4,
        3,
        breakdown="Type of abuse: psychological",
    ),
    MeasureInfo(
        "SAC-S42-DOMESTIC",
        "Section 42 enquiries: domestic abuse",
        SAC,
        ADULTS_GROUP,
        30,
        0.8,
        3,
        breakdown="Type of abuse: domestic abuse",
    ),
    MeasureInfo(
        "SAC-S42-SELF-NEGLECT",
        "Section 42 enquiries: self-neglect",
        SAC,
        ADULTS_GROUP,
        30,
        1.9,
        2,
        breakdown="Type of abuse: self-neglect",
        threshold=50,
        direction=Direction.ABOVE,
        latest=58,
        note="Rise linked to winter pressures and a cluster of hoarding cases in Fenmoor.",
        figures=(31, 33, 32, 36, 37, 39, 41, 42, 44, 46, 48, 58),
    ),
    MeasureInfo(
        "SAC-LOC-OWN-HOME",
        "Section 42 enquiries: risk in the person's own home",
        SAC,
        ADULTS_GROUP,
        185,
        2,
        9,
        breakdown="Location of risk: own home",
    ),
    MeasureInfo(
        "SAC-LOC-CARE-HOME",
        "Section 42 enquiries: risk in a care home",
        SAC,
        ADULTS_GROUP,
        72,
        0.4,
        6,
        breakdown="Location of risk: care home",
        threshold=90,
        direction=Direction.ABOVE,
        latest=79,
    ),
    MeasureInfo(
        "SAC-SRC-KNOWN",
        "Section 42 enquiries: source of risk known to the individual",
        SAC,
        ADULTS_GROUP,
        140,
        2,
        8,
        breakdown="Source of risk: other known to individual",
    ),
    MeasureInfo(
        "SAC-SRC-PROVIDER",
        "Section 42 enquiries: source of risk a service provider",
        SAC,
        ADULTS_GROUP,
        98,
        0.5,
        7,
        breakdown="Source of risk: service provider",
    ),
    MeasureInfo(
        "CSPR-SIN",
        "Serious incident notifications",
        "Serious incident notifications to the Child Safeguarding Practice Review Panel",
        "Practice review group",
        3,
        0.05,
        1,
        threshold=5,
        direction=Direction.ABOVE,
        latest=7,
        note="Three of the seven notifications are about babies under 1.",
        figures=(3, 2, 4, 3, 3, 5, 2, 4, 3, 4, 3, 7),
    ),
    MeasureInfo(
        "CP-GP-ATTEND",
        "GP contribution to initial child protection conferences",
        "Child protection conferences",
        CHILDREN_GROUP,
        62,
        -1.6,
        1.5,
        breakdown="GP attended or sent a report",
        unit="%",
        threshold=50,
        direction=Direction.BELOW,
        latest=41,
        note="Named GP post vacant for three months of the quarter.",
        figures=(63.4, 61.8, 62.5, 59.9, 58.7, 60.2, 57.1, 55.8, 53.0, 48.6, 45.2, 41.0),
    ),
    MeasureInfo(
        "CAMHS-WAIT-18",
        "Children waiting more than 18 weeks for mental health support",
        "Children's mental health services",
        CHILDREN_GROUP,
        262,
        -8,
        8,
        figures=(262, 270, 281, 276, 268, 259, 255, 247, 238, 214, 188, 158),
    ),
    MeasureInfo(
        "U1-CPP",
        "Babies under 1 on a child protection plan",
        "Child protection plans",
        "Under 1s steering group",
        38,
        -0.3,
        3,
        breakdown="Age: under 1",
    ),
    MeasureInfo("DA-MARAC", "Cases heard at MARAC", "MARAC", "Domestic abuse board", 170, 5, 9),
    MeasureInfo(
        "DA-MARAC-REPEAT",
        "Repeat cases at MARAC",
        "MARAC",
        "Domestic abuse board",
        31,
        0.2,
        1.5,
        unit="%",
        threshold=28,
        direction=Direction.BELOW,
        latest=33.5,
    ),
    MeasureInfo(
        "EXP-SCREEN",
        "Children screened for exploitation",
        "Exploitation screening",
        "Exploitation strategic group",
        58,
        4,
        6,
    ),
]


# --- Groups: seats, meetings and assurance ----------------------------------------------


@dataclass(frozen=True)
class MeetingInfo:
    days_ago: int
    notes: str
    decisions: tuple[str, ...]
    actions: tuple[str, ...] = ()  # agreed or followed up at the meeting, by key


@dataclass(frozen=True)
class GroupInfo:
    name: str  # as data migration 0004 loads it
    chair: str  # a key of the people
    seats: tuple[tuple[str, str, str], ...]  # agency, person ("" for none named), role
    meetings: tuple[MeetingInfo, ...]
    assures: str  # what an assured return says the group is assured of
    # Returns that are not simply assured, by quarter (0 is the oldest of the four):
    # level, summary, exceptions, escalations. None: no return made.
    exceptions: dict[int, tuple[AssuranceLevel, str, str, str] | None]


GROUPS = [
    GroupInfo(
        name="Executive",
        chair="executive",
        seats=(
            ("children", "executive", ""),
            ("police", "police", "Vice chair"),
            ("icb", "health", ""),
            ("adults", "adults", ""),
            ("unit", "admin", "Business manager (adviser)"),
        ),
        meetings=(
            MeetingInfo(
                300,
                "Quarterly meeting of the statutory safeguarding partners.",
                (
                    "Agreed the partnership's budget and each partner's contribution for the year.",
                    "Asked the business unit to refresh the risk register before the next meeting.",
                ),
            ),
            MeetingInfo(
                170,
                "Quarterly meeting. The JTAI findings letter was presented by the lead "
                "inspector's local contact.",
                (
                    "Accepted the JTAI findings and agreed the action plan.",
                    "Asked the ICB to report on GP contribution to child protection "
                    "conferences at every meeting until it improves.",
                ),
                ("jtai/R1/A1", "jtai/R1/A2"),
            ),
            MeetingInfo(
                45,
                "Quarterly meeting with the independent scrutineer.",
                (
                    "Asked for options to speed up LCSPRs, and for risk SR-01 to come back for a "
                    "decision on accepting it above appetite.",
                    "Escalated partner funding for next year to the chief executives.",
                    "Asked the Domestic abuse board for a costed case for children's advisers.",
                ),
                ("plan-da/R1/A2",),
            ),
        ),
        assures="",
        exceptions={},
    ),
    GroupInfo(
        name="Practice review group",
        chair="doctor",
        seats=(
            ("icb", "doctor", ""),
            ("unit", "officer", "Case review officer"),
            ("police", "police_lead", ""),
            ("children", "", ""),
            ("hospitals", "", ""),
            ("community", "", ""),
            ("schools", "", ""),
        ),
        meetings=(
            MeetingInfo(
                250,
                "Monthly meeting: two rapid reviews and one LCSPR draft report.",
                (
                    "Recommended a local child safeguarding practice review for one rapid review.",
                    "Agreed the terms of reference for the new review.",
                ),
            ),
            MeetingInfo(
                130,
                "Monthly meeting.",
                (
                    "Agreed to ask the national panel to extend a review's timescale because "
                    "of criminal proceedings.",
                ),
                (TRACKER,),
            ),
            MeetingInfo(
                20,
                "Extra meeting after three notifications about babies in a month.",
                (
                    "Agreed a thematic rapid review of the three notifications about babies.",
                    "Asked the Under 1s steering group to consider the themes.",
                ),
                ("plan-u1/R1/A3",),
            ),
        ),
        assures="serious incidents are notified, and rapid reviews sent to the national "
        "panel, on time",
        exceptions={
            3: (
                AssuranceLevel.PARTIAL,
                "Rapid reviews are on time, but reviews are taking longer than they should.",
                "Two LCSPRs are past six months because of parallel criminal proceedings. "
                "Seven serious incident notifications this quarter, above the usual level.",
                "The Executive is asked to note the delays, which are on the risk register "
                "as SR-01.",
            ),
        },
    ),
    GroupInfo(
        name=CHILDREN_GROUP,
        chair="police",
        seats=(
            ("police", "police", ""),
            ("children", "executive", ""),
            ("icb", "health", ""),
            ("schools", "", ""),
            ("community", "", ""),
            ("unit", "admin", "Performance and data"),
        ),
        meetings=(
            MeetingInfo(
                280,
                "Quarterly data and audit meeting.",
                ("Agreed the audit programme for the year.",),
            ),
            MeetingInfo(
                150,
                "Quarterly data and audit meeting.",
                (
                    "Received the neglect audit report and agreed its findings.",
                    "Asked children's services to show drift in child in need plans in the "
                    "performance report.",
                ),
                ("neglect/R1/A1", "neglect/R2/A1", "ilacs/R2/A2"),
            ),
            MeetingInfo(
                35,
                "Quarterly data and audit meeting.",
                (
                    "Not assured on GP contribution to child protection conferences: to be "
                    "escalated to the Executive.",
                    "Agreed the questionnaire for the audit of the child's voice in domestic "
                    "abuse cases.",
                ),
                ("jtai/R1/A1", "jtai/R3/A2"),
            ),
        ),
        assures="the children's safeguarding system is working as it should",
        exceptions={
            1: (
                AssuranceLevel.PARTIAL,
                "Assured on most measures; GP contribution to conferences is falling.",
                "GP contribution to initial child protection conferences fell below 50% for "
                "the first time.",
                "",
            ),
            2: (
                AssuranceLevel.PARTIAL,
                "Assured on the front door and on neglect; not on health's contribution to "
                "conferences.",
                "GP contribution to conferences is still below 50%; the JTAI action on it is "
                "overdue.",
                "",
            ),
            3: (
                AssuranceLevel.NOT_ASSURED,
                "Not assured that plans for children are made with health's knowledge of "
                "the family.",
                "GP contribution to conferences is 41%, the lowest in three years, and the "
                "JTAI action to improve it is more than six months overdue.",
                "The Executive is asked to escalate to the ICB board and to see a recovery "
                "plan at its next meeting.",
            ),
        },
    ),
    GroupInfo(
        name=ADULTS_GROUP,
        chair="adults",
        seats=(
            ("adults", "adults", ""),
            ("police", "", ""),
            ("icb", "", ""),
            ("hospitals", "", ""),
            ("housing", "", ""),
            ("carers", "", ""),
        ),
        meetings=(
            MeetingInfo(
                260,
                "Quarterly meeting: the Safeguarding Adults Collection for last year.",
                ("Agreed to watch section 42 enquiries about self-neglect against a threshold.",),
            ),
            MeetingInfo(
                140,
                "Quarterly meeting after the CQC assessment.",
                (
                    "Agreed the CQC action plan.",
                    "Asked for the enquiry backlog at every meeting.",
                ),
                ("cqc/R1/A1", "cqc/R1/A2"),
            ),
            MeetingInfo(
                30,
                "Quarterly meeting.",
                (
                    "Received the self-neglect audit report and agreed its finding.",
                    "Partially assured: self-neglect enquiries are above the threshold.",
                ),
                ("self-neglect/R1/A1",),
            ),
        ),
        assures="adults at risk get a timely and proportionate safeguarding response",
        exceptions={
            1: (
                AssuranceLevel.PARTIAL,
                "The CQC found that people wait too long for enquiries to start.",
                "Backlog of 64 section 42 enquiries waiting more than 28 days.",
                "The Executive is asked to support funding for temporary staff.",
            ),
            2: (
                AssuranceLevel.PARTIAL,
                "The backlog is falling but not cleared.",
                "Backlog of 45 enquiries waiting more than 28 days.",
                "",
            ),
            3: (
                AssuranceLevel.PARTIAL,
                "The backlog is halved; enquiries about self-neglect are rising.",
                "Section 42 enquiries about self-neglect are above the threshold of 50. "
                "31 enquiries still wait more than 28 days.",
                "The Executive is asked to fund temporary staff for another quarter.",
            ),
        },
    ),
    GroupInfo(
        name="Practice development group",
        chair="trainer",
        seats=(
            ("unit", "trainer", ""),
            ("children", "", ""),
            ("adults", "", ""),
            ("community", "", ""),
            ("abuse", "", ""),
        ),
        meetings=(
            MeetingInfo(
                220,
                "Planning the year's training offer.",
                ("Agreed the training offer and the theme of Safeguarding Week.",),
            ),
            MeetingInfo(
                90,
                "Review of training data by sector.",
                (
                    "Agreed short online briefings to reach health staff.",
                    "Agreed a learning bulletin for care providers.",
                ),
                ("cqc/R2/A1",),
            ),
        ),
        assures="the training offer meets partners' needs and reaches every sector",
        exceptions={},
    ),
    GroupInfo(
        name="Education safeguarding committee",
        chair="executive",
        seats=(
            ("children", "executive", ""),
            ("schools", "", ""),
            ("college", "", ""),
        ),
        meetings=(
            MeetingInfo(
                240,
                "Termly meeting.",
                ("Agreed the schools' safeguarding audit for the year.",),
            ),
            MeetingInfo(
                110,
                "Termly meeting.",
                ("Agreed to promote the exploitation pathway briefing to every secondary school.",),
                ("plan-exp/R1/A1",),
            ),
        ),
        assures="schools and colleges meet their safeguarding duties",
        exceptions={3: None},
    ),
    GroupInfo(
        name="Under 1s steering group",
        chair="doctor",
        seats=(
            ("icb", "doctor", ""),
            ("community", "", ""),
            ("hospitals", "", ""),
            ("children", "", ""),
        ),
        meetings=(
            MeetingInfo(
                230,
                "Safer sleep campaign planning.",
                ("Agreed the safer sleep campaign for the winter.",),
                ("plan-u1/R1/A1",),
            ),
            MeetingInfo(
                120,
                "Progress review.",
                ("Agreed to pilot the coping with crying programme on two wards.",),
                ("plan-u1/R1/A2",),
            ),
            MeetingInfo(
                12,
                "Extra meeting on the notifications about babies.",
                ("Escalated the pre-birth pathway delay to the ICB.",),
                ("plan-u1/R1/A3",),
            ),
        ),
        assures="the under 1s action plan is on track",
        exceptions={},
    ),
    GroupInfo(
        name="Exploitation strategic group",
        chair="executive",
        seats=(
            ("children", "executive", ""),
            ("police", "police", ""),
            ("schools", "", ""),
            ("probation", "", ""),
            ("housing", "", ""),
        ),
        meetings=(
            MeetingInfo(
                270,
                "Quarterly meeting.",
                ("Agreed the exploitation strategy's annual plan.",),
            ),
            MeetingInfo(
                100,
                "Quarterly meeting with the Youth Voice panel.",
                ("Agreed to design the schools briefing with young people.",),
                ("plan-exp/R1/A2",),
            ),
        ),
        assures="partners recognise and respond to exploitation",
        exceptions={},
    ),
    GroupInfo(
        name="Exploitation operational group",
        chair="police_lead",
        seats=(
            ("police", "police_lead", ""),
            ("children", "", ""),
            ("schools", "", ""),
            ("abuse", "", ""),
        ),
        meetings=(
            MeetingInfo(
                180,
                "Monthly meeting on people, places and patterns.",
                ("Agreed joint patrols at two locations of concern.",),
            ),
            MeetingInfo(
                60,
                "Monthly meeting.",
                ("Agreed to map return home interview findings.",),
                ("plan-exp/R1/A3",),
            ),
            MeetingInfo(
                15,
                "Monthly meeting.",
                ("Shared the quarter's problem profile.",),
            ),
        ),
        assures="the people, places and patterns of exploitation are known and acted on",
        exceptions={
            0: (
                AssuranceLevel.NOT_ASSURED,
                "The group could not see the picture of exploitation across Northshire.",
                "No exploitation problem profile had been shared with partners for six months.",
                "The Executive is asked to require a quarterly problem profile from the police.",
            ),
        },
    ),
    GroupInfo(
        name="Domestic abuse board",
        chair="police",
        seats=(
            ("police", "police", ""),
            ("abuse", "", ""),
            ("children", "", ""),
            ("probation", "", ""),
            ("housing", "", ""),
            ("icb", "", ""),
        ),
        meetings=(
            MeetingInfo(
                290,
                "Quarterly board.",
                ("Agreed the domestic abuse priority's action plan.",),
            ),
            MeetingInfo(
                160,
                "Quarterly board.",
                ("Agreed a second weekly MARAC.",),
                ("plan-da/R1/A1", "jtai/R4/A1"),
            ),
            MeetingInfo(
                40,
                "Quarterly board with the independent scrutineer.",
                ("Agreed a costed case for children's domestic violence advisers.",),
                ("plan-da/R1/A2",),
            ),
        ),
        assures="victims and their children get the help they need",
        exceptions={
            2: (
                AssuranceLevel.NOT_ASSURED,
                "Cases wait too long for MARAC.",
                "High-risk cases wait up to four weeks for MARAC.",
                "The Executive is asked to support a second weekly MARAC.",
            ),
            3: (
                AssuranceLevel.PARTIAL,
                "MARAC waits have fallen, but children's advisers are not in place.",
                "Two of four children's adviser posts are unfunded; that action is overdue.",
                "The Executive is asked to fund the remaining posts.",
            ),
        },
    ),
]


# --- Seeding ------------------------------------------------------------------------------


@dataclass
class Demo:
    today: datetime.date
    now: datetime.datetime
    rng: random.Random
    agencies: dict[str, Agency]
    people: dict[str, User]
    actions: dict[str, Action]  # by key: "jtai/R1/A1", "plan-da/R1/A2"

    @property
    def admin(self) -> User:
        return self.people["admin"]

    @property
    def quarter(self) -> Quarter:
        return Quarter.containing(self.today)

    def ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def at(self, day: datetime.date, hour: int = 10) -> datetime.datetime:
        """A moment on ``day`` (never after now)."""
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        return min(moment, self.now)


@functools.cache
def _calendar() -> WorkingCalendar:
    return WorkingCalendar()


def _weekday(day: datetime.date) -> datetime.date:
    """The day itself, or the working day before when it falls at a weekend or on a bank
    holiday (no meeting on Good Friday)."""
    calendar = _calendar()
    return day if calendar.is_working_day(day) else calendar.add_working_days(day, 0)


def _people(agencies: dict[str, Agency]) -> dict[str, User] | None:
    """The accounts demo's people, and the partners' senior leaders (made once)."""
    emails = {key: demo_email(role) for key, role in DEMO_PEOPLE.items()}
    found = {user.email: user for user in User.objects.filter(email__in=emails.values())}
    if set(emails.values()) - set(found):
        return None
    for name, job_title, agency in LEADERS.values():
        if not User.objects.filter(email=_email(name)).exists():
            account_services.user_create(
                actor=None,
                email=_email(name),
                full_name=name,
                job_title=job_title,
                agency=agencies[agency],
                role=Role.EXECUTIVE,
                send_password_link=False,
            )
    leaders = {_email(name): key for key, (name, _, _) in LEADERS.items()}
    # Fetched afresh, so that each person's roles and agencies are the ones just given.
    users = {
        user.email: user for user in User.objects.filter(email__in=[*emails.values(), *leaders])
    }
    people = {key: users[email] for key, email in emails.items()}
    return people | {key: users[email] for email, key in leaders.items()}


def _due(demo: Demo, made: datetime.date, due: int | None) -> datetime.date:
    if due is None:
        # Later this quarter: a fortnight from today, or the quarter's last day if sooner.
        day = min(demo.quarter.end, demo.today + datetime.timedelta(days=14))
    else:
        day = demo.today + datetime.timedelta(days=due)
    return max(day, made)


def _findings(
    demo: Demo,
    *,
    key: str,
    prefix: str,
    made: datetime.date,
    findings: tuple[FindingInfo, ...],
    add: Callable[[dict[str, Any]], Recommendation],
) -> None:
    """Each finding made a recommendation by ``add(data)`` (the inspection's or audit's own
    service), then its actions through the learning tracker's services."""
    for number, finding in enumerate(findings, 1):
        rec = add(
            {
                "reference": f"{prefix}/R{number}",
                "text": finding.text,
                "made_date": made,
                "lead": demo.people[finding.lead] if finding.lead else None,
                "agencies": sorted(
                    {demo.agencies[action.agency] for action in finding.actions},
                    key=lambda agency: agency.name,
                ),
            }
        )
        for action_number, info in enumerate(finding.actions, 1):
            demo.actions[f"{key}/R{number}/A{action_number}"] = _action(
                demo, rec, f"{prefix}/R{number}/A{action_number}", info
            )


def _action(demo: Demo, rec: Recommendation, reference: str, info: ActionInfo) -> Action:
    owner = demo.people[info.owner] if info.owner else None
    due = _due(demo, rec.made_date, info.due)
    action = learning_services.action_save(
        actor=demo.admin,
        action=None,
        recommendation=rec,
        data={
            "reference": reference,
            "agency": demo.agencies[info.agency],
            "description": info.description,
            "owner": owner,
            "due_date": due,
        },
    )
    if info.status in (ActionStatus.ON_TRACK, ActionStatus.AT_RISK):
        learning_services.progress_record(
            actor=owner or demo.admin,
            action=action,
            status=info.status,
            note=info.note,
            on=max(rec.made_date, demo.today - datetime.timedelta(days=demo.rng.randint(3, 40))),
        )
    elif info.status == ActionStatus.COMPLETE:
        latest = min(due, demo.today - datetime.timedelta(days=2))
        done = max(rec.made_date, latest - datetime.timedelta(days=demo.rng.randint(0, 25)))
        learning_services.evidence_record(
            actor=owner or demo.admin,
            action=action,
            kind=EvidenceKind.DISSEMINATION,
            description=info.note,
            dated=done,
            method=DisseminationMethod.BRIEFING,
            staff_reached=demo.rng.randint(20, 240),
        )
        learning_services.action_close(actor=demo.admin, action=action, outcome="complete", on=done)
    elif info.status == ActionStatus.CLOSED_INCOMPLETE:
        learning_services.action_close(
            actor=demo.admin,
            action=action,
            outcome="closed_incomplete",
            on=max(rec.made_date, min(due, demo.today)),
            reason=info.note,
        )
    return action


def _inspections(demo: Demo) -> list[Inspection]:
    made = []
    for info in INSPECTIONS:
        started = _weekday(demo.ago(info.started))
        published = _weekday(started + datetime.timedelta(days=info.report_after))
        inspection = inspection_services.inspection_create(
            actor=demo.admin,
            data={
                "inspectorate": info.inspectorate,
                "kind": info.kind,
                "title": info.title.format(year=started.year),
                "started_on": started,
                "published_on": published,
                "judgement": info.judgement,
                "report_url": "",
                "summary": info.summary,
            },
        )

        def add(data: dict[str, Any], inspection: Inspection = inspection) -> Recommendation:
            return inspection_services.inspection_recommendation_add(
                actor=demo.admin, inspection=inspection, data=data
            )

        _findings(
            demo,
            key=info.key,
            prefix=f"{info.prefix}{started.year % 100:02d}",
            made=published,
            findings=info.findings,
            add=add,
        )
        made.append(inspection)
    return made


def _answers(demo: Demo, info: AuditInfo) -> list[str]:
    return [demo.rng.choice(variants) for variants in info.answers]


def _audits(demo: Demo, groups: dict[str, Group]) -> list[Audit]:
    themes = {theme.name: theme for theme in PracticeTheme.objects.all()}
    returners = {"police": "police_lead", "icb": "doctor"}
    made = []
    for info in AUDITS:
        quarter = demo.quarter
        for _ in range(abs(info.quarter)):
            quarter = quarter.next() if info.quarter > 0 else quarter.previous()
        audit = audit_services.audit_create(
            actor=demo.admin,
            data={
                "title": info.title,
                "scope": info.scope,
                "quarter_start": quarter.start,
                "status": AuditStatus.PLANNED,
                "questionnaire": "\n".join(info.questions),
                "returns_due_on": demo.today + datetime.timedelta(days=21)
                if info.agencies
                else None,
                "summary": "",
                "group": groups[info.group],
                "themes": [themes[name] for name in info.themes if name in themes],
            },
        )
        made.append(audit)
        if not info.agencies:
            continue
        # Agencies are asked without the email to their leads: this is history.
        returns = audit_services.audit_returns_request(
            actor=demo.admin,
            audit=audit,
            agencies=[demo.agencies[key] for key in info.agencies],
            notify=False,
        )
        by_agency = {item.agency_id: item for item in returns}
        for key in info.agencies[: info.returned]:
            agency = demo.agencies[key]
            audit_services.audit_return_submit(
                actor=demo.people[returners.get(key, "admin")],
                item=by_agency[agency.pk],
                answers=_answers(demo, info),
                cases_audited=demo.rng.randint(3, 10),
            )
        # The dates the services gave as today, moved back to when it happened.
        if info.status == AuditStatus.REPORTED:
            asked = quarter.start + datetime.timedelta(days=14)
            due = asked + datetime.timedelta(days=28)
        else:
            asked = max(quarter.start, demo.today - datetime.timedelta(days=24))
            due = max(demo.today + datetime.timedelta(days=10), asked + datetime.timedelta(days=28))
        for item in returns:
            item.requested_on = asked
            if item.returned_on is not None:
                item.returned_on = min(
                    demo.today, asked + datetime.timedelta(days=demo.rng.randint(7, 27))
                )
        AuditReturn.objects.bulk_update(returns, ["requested_on", "returned_on"])
        Audit.objects.filter(pk=audit.pk).update(returns_due_on=due)
        audit.returns_due_on = due
        if info.status == AuditStatus.REPORTED:
            reported = min(demo.today, quarter.end - datetime.timedelta(days=7))

            def add(data: dict[str, Any], audit: Audit = audit) -> Recommendation:
                return audit_services.audit_finding_add(actor=demo.admin, audit=audit, data=data)

            _findings(
                demo,
                key=info.key,
                prefix=info.prefix,
                made=reported,
                findings=info.findings,
                add=add,
            )
            audit_services.audit_edit(
                actor=demo.admin,
                audit=audit,
                data={
                    "title": info.title,
                    "scope": info.scope,
                    "quarter_start": quarter.start,
                    "status": AuditStatus.REPORTED,
                    "questionnaire": "\n".join(info.questions),
                    "returns_due_on": due,
                    "summary": info.summary,
                    "group": groups[info.group],
                },
            )
    return made


def _plan_actions(demo: Demo) -> None:
    """Each priority's action plan, as a recommendation of the strategic plan with its
    actions in the learning tracker."""
    first = demo.quarter.year - 1
    source = f"Northshire safeguarding partnership strategic plan {first}-{(first + 3) % 100:02d}"
    made = demo.ago(400)
    for info in PRIORITIES:

        def add(data: dict[str, Any]) -> Recommendation:
            return inspection_services.recommendation_from_source(
                actor=demo.admin, source_type=SourceType.OTHER, source=source, data=data
            )

        _findings(
            demo,
            key=f"plan-{info.key}",
            prefix=f"PLAN-{info.key.upper()}",
            made=made,
            findings=(info.plan,),
            add=add,
        )


def _tracker_actions() -> list[Action]:
    """Open actions on the case reviews' recommendations, from the learning demo."""
    return list(
        Action.objects.filter(
            recommendation__source_type=SourceType.CASE_REVIEW,
            status__in=[ActionStatus.ON_TRACK, ActionStatus.AT_RISK],
        ).order_by("reference")[:2]
    )


def _linked(demo: Demo, keys: tuple[str, ...]) -> list[Action]:
    actions = []
    for key in keys:
        if key == TRACKER:
            actions.extend(_tracker_actions())
        elif key in demo.actions:
            actions.append(demo.actions[key])
        else:
            found = Action.objects.filter(reference__iexact=key).first()
            if found is not None:
                actions.append(found)
    return actions


def _history_dates(
    demo: Demo, matrix: scoring.Matrix, info: RiskInfo
) -> list[tuple[datetime.date, tuple[int, int]]]:
    """The risk's reviews, oldest first, ending with the latest: each as often as the level
    then asked (a little early, as reviews are), with the residual score of its stage of the
    risk's life."""
    opened, last = _weekday(demo.ago(info.opened)), _weekday(demo.ago(info.reviewed))
    span = max(1, (last - opened).days)
    stages = info.residuals

    def stage(day: datetime.date) -> tuple[int, int]:
        return stages[min(len(stages) - 1, len(stages) * (day - opened).days // span)]

    dates = [opened]
    while True:
        level = scoring.level_of(matrix, scoring.score(*stage(dates[-1])))
        step = max(7, matrix.review_days(level) - demo.rng.randint(0, 6))
        following = _weekday(dates[-1] + datetime.timedelta(days=step))
        if (last - following).days < 10:
            break
        dates.append(following)
    return [(day, stage(day)) for day in dates] + [(last, stages[-1])]


def _risks(demo: Demo) -> list[Risk]:
    """The register: each risk and its earlier reviews written as history, then its latest
    review, acceptance, mitigating actions and closure through the services."""
    matrix = scoring.Matrix.of(RiskSettings.current())
    next_year = demo.quarter.year + 1
    plans: list[tuple[RiskInfo, Risk, list[tuple[datetime.date, tuple[int, int]]]]] = []
    for info in RISKS:
        history = _history_dates(demo, matrix, info)
        *earlier, _ = history
        last_day, (likelihood, impact) = earlier[-1]
        risk = Risk(
            reference=info.reference,
            title=info.title.format(next_year=f"{next_year}-{(next_year + 1) % 100:02d}"),
            category=info.category,
            owner=demo.people[info.owner],
            cause=info.cause,
            consequence=info.consequence,
            inherent_likelihood=info.inherent[0],
            inherent_impact=info.inherent[1],
            inherent_score=scoring.score(*info.inherent),
            residual_likelihood=likelihood,
            residual_impact=impact,
            residual_score=scoring.score(likelihood, impact),
            status=RiskStatus.OPEN,
            opened_on=history[0][0],
            last_reviewed_on=last_day,
            next_review_on=scoring.next_review(matrix, scoring.score(likelihood, impact), last_day),
            created_at=demo.at(history[0][0]),
            created_by=demo.people[info.owner],
            updated_at=demo.at(last_day),
            updated_by=demo.people[info.owner],
        )
        plans.append((info, risk, history))
    Risk.objects.bulk_create([risk for _, risk, _ in plans])
    RiskControl.objects.bulk_create(
        RiskControl(risk=risk, description=description, effectiveness=effectiveness)
        for info, risk, _ in plans
        for description, effectiveness in info.controls
    )
    assessments = []
    for info, risk, history in plans:
        previous = 0
        for index, (day, residual) in enumerate(history[:-1]):
            current = scoring.score(*residual)
            if index == 0:
                note = "First assessment, when the risk was added."
            else:
                trend = "same" if current == previous else "down" if current < previous else "up"
                note = demo.rng.choice(REVIEW_NOTES[trend])
            previous = current
            assessments.append(
                RiskAssessment(
                    risk=risk,
                    assessed_on=day,
                    inherent_likelihood=info.inherent[0],
                    inherent_impact=info.inherent[1],
                    residual_likelihood=residual[0],
                    residual_impact=residual[1],
                    note=note,
                    assessed_by=risk.owner,
                    recorded_at=demo.at(day),
                )
            )
    RiskAssessment.objects.bulk_create(assessments)
    audit_record_many(
        actor=None,
        actor_email="demo data",
        events=(
            {
                "kind": AuditEvent.Kind.CREATE,
                "obj": risk,
                "changes": changes_between({}, snapshot(risk, risk_services.RISK_FIELDS))
                | {
                    "controls": {
                        "from": None,
                        "to": [
                            f"{text} ({RiskControl.Effectiveness(how).label.lower()})"
                            for text, how in info.controls
                        ],
                    }
                },
                "detail": f"{HISTORY}: added with {len(history) - 2} earlier reviews",
            }
            for info, risk, history in plans
        ),
    )
    for info, risk, history in plans:
        day, (likelihood, impact) = history[-1]
        risk_services.risk_review(
            actor=risk.owner,
            risk=risk,
            assessed_on=day,
            inherent_likelihood=info.inherent[0],
            inherent_impact=info.inherent[1],
            residual_likelihood=likelihood,
            residual_impact=impact,
            note=info.note,
        )
        for action in _linked(demo, info.actions):
            risk_services.risk_action_link(actor=demo.admin, risk=risk, reference=action.reference)
        if info.reference == ACCEPTED:
            risk_services.risk_accept(
                actor=demo.people["executive"],
                risk=risk,
                reason=ACCEPTANCE_REASON,
                until=demo.today + datetime.timedelta(days=150),
            )
        if info.closed is not None:
            risk_services.risk_close(
                actor=risk.owner,
                risk=risk,
                closed_on=demo.ago(info.closed),
                reason=info.note,
            )
    return [risk for _, risk, _ in plans]


def _value(demo: Demo, info: MeasureInfo, index: int, last: int) -> Decimal:
    if info.figures:
        figure = info.figures[index]
    elif index == last and info.latest is not None:
        figure = info.latest
    else:
        figure = info.start + info.step * index + demo.rng.uniform(-info.spread, info.spread)
        if index == last and info.threshold is not None:
            # Only the measures meant to raise an exception this quarter do.
            figure = (
                min(figure, info.threshold)
                if info.direction == Direction.ABOVE
                else max(figure, info.threshold)
            )
    places = "0.1" if info.unit == "%" else "1"
    return Decimal(str(max(figure, 0))).quantize(Decimal(places))


def _data(demo: Demo, groups: dict[str, Group]) -> dict[str, Measure]:
    """The measures, and twelve quarters of figures uploaded as one dataset file."""
    measures = {
        info.code: data_services.measure_create(
            actor=demo.admin,
            code=info.code,
            name=info.name,
            dataset=info.dataset,
            group=groups[info.group],
            breakdown=info.breakdown,
            unit=info.unit,
            threshold=Decimal(info.threshold) if info.threshold is not None else None,
            direction=info.direction,
        )
        for info in MEASURES
    }
    quarters = recent(demo.today, 12)
    lines = ["measure_code,quarter,value,note"]
    for info in MEASURES:
        for index, quarter in enumerate(quarters):
            note = info.note if index == len(quarters) - 1 else ""
            value = _value(demo, info, index, len(quarters) - 1)
            lines.append(f'{info.code},{quarter.label},{value},"{note}"')
    data_services.data_points_import(
        actor=demo.admin,
        name="northshire-datasets.csv",
        content="\n".join(lines).encode(),
        today=demo.today,
    )
    # Each quarter's figures arrived about a month after it ended.
    points = list(DataPoint.objects.filter(measure__in=measures.values()))
    for point in points:
        point.recorded_at = demo.at(
            Quarter.starting(point.quarter_start).end + datetime.timedelta(days=30)
        )
    DataPoint.objects.bulk_update(points, ["recorded_at"], batch_size=500)
    return measures


def _groups(demo: Demo, groups: dict[str, Group]) -> tuple[int, int]:
    """Chairs, seats, meetings, and four quarters of assurance returns."""
    quarters = recent(demo.today, 4)
    meetings = 0
    returns: list[tuple[AssuranceReturn, datetime.datetime]] = []
    for offset, info in enumerate(GROUPS):
        group = groups[info.name]
        chair = demo.people[info.chair]
        group_services.group_update(actor=demo.admin, group=group, chair=chair)
        for agency, person, role in info.seats:
            group_services.group_member_add(
                actor=demo.admin,
                group=group,
                agency=demo.agencies[agency],
                user=demo.people[person] if person else None,
                role=role,
            )
        for meeting in info.meetings:
            group_services.meeting_create(
                actor=demo.admin,
                group=group,
                held_on=_weekday(demo.ago(meeting.days_ago + offset % 3)),
                notes=meeting.notes,
                decisions=meeting.decisions,
                action_references=[action.reference for action in _linked(demo, meeting.actions)],
            )
            meetings += 1
        if group.kind == GroupKind.EXECUTIVE:
            continue
        assured = (
            AssuranceLevel.ASSURED,
            f"The group met in the quarter, reviewed its data and actions, and is assured "
            f"that {info.assures}.",
            "",
            "",
        )
        for index, quarter in enumerate(quarters):
            given = info.exceptions.get(index, assured)
            if given is None:
                continue  # the group made no return for the quarter
            level, summary, exceptions, escalations = given
            item = group_services.assurance_return_submit(
                actor=chair,
                group=group,
                quarter=quarter,
                level=level,
                summary=summary,
                exceptions=exceptions,
                escalations=escalations,
                today=demo.today,
            )
            # Given after the quarter ended; this quarter's, in the last few days.
            if quarter.end < demo.today:
                when = demo.at(quarter.end + datetime.timedelta(days=10 + offset))
            else:
                when = demo.now - datetime.timedelta(hours=2 + 7 * offset)
            returns.append((item, max(when, demo.at(quarter.start))))
    for item, when in returns:
        item.submitted_at = when
    AssuranceReturn.objects.bulk_update([item for item, _ in returns], ["submitted_at"])
    # The standard groups have been in Sightline since before the returns began.
    Group.objects.filter(pk__in=[group.pk for group in groups.values()]).update(
        created_at=demo.at(quarters[0].start - datetime.timedelta(days=30))
    )
    return meetings, len(returns)


def _plan(demo: Demo, measures: dict[str, Measure]) -> int:
    """Leads, action plans, measures, four quarters of status, and scrutiny findings."""
    priorities = {priority.name: priority for priority in Priority.objects.all()}
    quarters = recent(demo.today, 4)
    keys = {info.key: priorities.get(info.name) for info in PRIORITIES}
    updates: list[tuple[PriorityUpdate, datetime.datetime]] = []
    for number, info in enumerate(PRIORITIES):
        priority = keys[info.key]
        if priority is None or not priority.is_active:
            continue
        plan_services.priority_edit(
            actor=demo.admin,
            priority=priority,
            description=priority.description,
            lead=demo.people[info.lead],
            is_active=True,
        )
        plan = [
            action.reference
            for action in _linked(
                demo,
                (
                    *(f"plan-{info.key}/R1/A{n}" for n in range(1, len(info.plan.actions) + 1)),
                    *info.linked,
                ),
            )
        ]
        plan_services.priority_actions_link(actor=demo.admin, priority=priority, references=plan)
        for kind, description, target, code in info.measures:
            plan_services.priority_measure_add(
                actor=demo.admin,
                priority=priority,
                kind=kind,
                description=description,
                target=target,
                data_measure=measures.get(code),
            )
        # The lead records the status if they may; otherwise the Executive does it for them.
        lead = demo.people[info.lead]
        recorder = (
            lead if lead.has_perm("assurance.record_priority_status") else demo.people["executive"]
        )
        for quarter, (rag, reason) in zip(quarters, info.rag, strict=True):
            update = plan_services.priority_update_record(
                actor=recorder,
                priority=priority,
                quarter=quarter,
                rag=rag,
                reason=reason,
            )
            if quarter.end < demo.today:
                when = demo.at(quarter.end + datetime.timedelta(days=14 + number))
            else:
                when = demo.now - datetime.timedelta(hours=3 + 5 * number)
            updates.append((update, max(when, demo.at(quarter.start))))
    for update, when in updates:
        update.recorded_at = when
    PriorityUpdate.objects.bulk_update([update for update, _ in updates], ["recorded_at"])
    for key, days_ago, scrutineer, finding, response in SCRUTINY:
        priority = keys[key]
        if priority is not None:
            plan_services.scrutiny_finding_add(
                actor=demo.admin,
                priority=priority,
                found_on=demo.ago(days_ago),
                scrutineer=scrutineer,
                finding=finding,
                response=response,
            )
    return len(updates)


def seed(*, password: str, stdout: Any) -> None:
    if Risk.objects.exists():
        stdout.write("Assurance: the risk register has risks already, nothing added.")
        return
    agencies = {agency.name: agency for agency in Agency.objects.all()}
    missing = sorted(set(AGENCIES.values()) - set(agencies))
    groups = {
        group.name: group
        for group in Group.objects.filter(name__in=[info.name for info in GROUPS], is_active=True)
    }
    missing += sorted({info.name for info in GROUPS} - set(groups))
    if missing:
        stdout.write(
            f"Assurance: demo agencies or groups missing ({', '.join(missing)}), nothing added."
        )
        return
    by_key = {key: agencies[name] for key, name in AGENCIES.items()}
    people = _people(by_key)
    if people is None:
        stdout.write("Assurance: the demo users are missing, nothing added.")
        return
    now = timezone.now()
    demo = Demo(
        today=timezone.localdate(now),
        now=now,
        rng=random.Random(2027),
        agencies=by_key,
        people=people,
        actions={},
    )
    inspections = _inspections(demo)
    audits = _audits(demo, groups)
    _plan_actions(demo)
    measures = _data(demo, groups)
    risks = _risks(demo)
    meetings, returns = _groups(demo, groups)
    papers = seed_papers(actor=demo.admin, groups=groups)
    updates = _plan(demo, measures)

    quarter = demo.quarter
    appetite = RiskSettings.current().appetite
    open_risks = Risk.objects.filter(status=RiskStatus.OPEN)
    threshold = F("measure__threshold")
    exceptions = DataPoint.objects.filter(
        Q(measure__direction=Direction.ABOVE, value__gt=threshold)
        | Q(measure__direction=Direction.BELOW, value__lt=threshold),
        quarter_start=quarter.start,
    ).count()
    stdout.write(
        f"Assurance: {len(risks)} risks ({open_risks.filter(residual_score__gt=appetite).count()}"
        f" above appetite, {RiskAcceptance.objects.count()} of them accepted; "
        f"{open_risks.filter(next_review_on__lt=demo.today).count()} overdue for review), "
        f"{len(inspections)} inspections and {len(audits)} audits with {len(demo.actions)} "
        f"actions, {meetings} meetings, {papers} group papers, {returns} assurance returns, "
        f"{len(measures)} measures "
        f"({exceptions} past their threshold in {quarter.label}), {updates} priority updates."
    )
