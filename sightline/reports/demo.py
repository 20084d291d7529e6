"""Demo yearly report: Northshire's report for its last full financial year, part way
through being written. Four chapters are approved, two are written and wait for approval,
and three are not written yet; each has a fictional owner. Everything goes through the
services, so the history reads as it would in use. Added once, when that year's report has
not been started."""

from typing import Any

from django.utils import timezone

from sightline.accounts.demo import demo_email
from sightline.accounts.models import User
from sightline.core.roles import Role

from . import services
from .models import ReportChapter, YearlyReport
from .yearly.years import FinancialYear

# Who owns each chapter, by role of the demo user.
OWNERS: dict[str, Role] = {
    "introduction": Role.ADMINISTRATOR,
    "priorities_progress": Role.EXECUTIVE,
    "development_impact": Role.AGENCY_LEAD,
    "practice_reviews": Role.REVIEW_OFFICER,
    "learning_embedded": Role.REVIEW_GROUP_MEMBER,
    "system_assurance": Role.ADMINISTRATOR,
    "training_impact": Role.TRAINER,
    "independent_scrutiny": Role.EXECUTIVE,
    "next_steps": Role.ADMINISTRATOR,
}

# The text each owner has written so far (chapters not here are not written yet).
TEXTS: dict[str, str] = {
    "introduction": (
        "Northshire Safeguarding Partnership brings together the county council, "
        "Northshire Constabulary and the Northshire and Wealdbridge Integrated Care Board as "
        "the three safeguarding partners for children, with the Safeguarding Adults Board and "
        "the Community Safety Partnership working alongside them under one business unit.\n\n"
        "This report covers the partnership's work over the financial year. Its figures come "
        "from the partnership's own records of case reviews, learning, assurance and "
        "training, as they stood at the end of the year.\n\n"
        "This year the Executive agreed to bring the children's and adults' practice review "
        "groups together, so that learning about families is looked at once, whatever the "
        "age of the person at the centre of a review."
    ),
    "priorities_progress": (
        "Last year the partnership set three priorities: neglect, safeguarding adolescents "
        "outside the home, and hearing the voice of children and adults at risk.\n\n"
        "On neglect, the graded care profile is now used by health visitors and early help "
        "workers across the county, and the audit of its use found plans were clearer where "
        "it had been completed.\n\n"
        "Progress on adolescents was slower than planned. The joint exploitation panel met "
        "every month, but agencies did not yet share information on missing episodes "
        "quickly enough. This priority continues next year with a clearer plan."
    ),
    "practice_reviews": (
        "The practice review group considered every notification and referral made during "
        "the year, and decided within the timescales in most cases. Where a decision took "
        "longer, the reason was recorded and the panel kept informed.\n\n"
        "The reviews published this year found recurring themes: professionals not "
        "recognising the cumulative harm of neglect, and fathers and male carers being left "
        "out of assessments. Each recommendation has an owner and an agreed date, and the "
        "learning tracker shows how agencies are acting on them."
    ),
    "learning_embedded": (
        "Learning from reviews was shared through seven-minute briefings, two practitioner "
        "forums and the partnership newsletter. Agencies returned dissemination returns "
        "saying how they had shared each briefing with their staff.\n\n"
        "Multi-agency audits later in the year looked for evidence that practice had "
        "changed. Recording of the voice of the child had improved, but recording of "
        "fathers' involvement had not, so this is the subject of next year's first audit."
    ),
    "system_assurance": (
        "The Executive received a quarterly pack of the partnership's risks, inspections, "
        "group assurance and data. Two risks stayed above the partnership's appetite for "
        "most of the year, and the Executive accepted one of them with a review date.\n\n"
        "Inspections of children's services and the local area's special educational needs "
        "arrangements both led to action plans that the partnership tracks."
    ),
    "training_impact": (
        "The multi-agency training programme ran throughout the year, with sessions on "
        "neglect, exploitation, domestic abuse and working with fathers. Safeguarding Week in "
        "October drew practitioners from every sector.\n\n"
        "Impact surveys sent three months after each course asked what practitioners now do "
        "differently. Most described a concrete change, such as using the neglect toolkit or "
        "asking directly about a father's role in the family."
    ),
}

# Chapters approved, and who approves each (never its author).
APPROVERS: dict[str, Role] = {
    "introduction": Role.EXECUTIVE,
    "priorities_progress": Role.ADMINISTRATOR,
    "practice_reviews": Role.ADMINISTRATOR,
    "training_impact": Role.EXECUTIVE,
}


def seed(*, password: str, stdout: Any) -> None:
    # The trends' past quarters, as the worker takes them each night.
    services.quarter_snapshots_refresh()
    year = FinancialYear.last_full(timezone.localdate())
    if YearlyReport.objects.filter(start_year=year.start_year).exists():
        stdout.write(f"Reports: the {year.label} yearly report exists already, nothing added.")
        return
    people = {role: User.objects.filter(email__iexact=demo_email(role)).first() for role in Role}
    if any(people[role] is None for role in OWNERS.values()):
        stdout.write("Reports: the demo users are missing, nothing added.")
        return
    admin = people[Role.ADMINISTRATOR]
    report = services.report_start(actor=admin, year=year)
    chapters = {row.chapter: row for row in ReportChapter.objects.filter(report=report)}
    for chapter_id, role in OWNERS.items():
        services.chapter_owner_set(actor=admin, chapter=chapters[chapter_id], owner=people[role])
    for chapter_id, text in TEXTS.items():
        author = people[OWNERS[chapter_id]]
        version = services.chapter_write(actor=author, chapter=chapters[chapter_id], text=text)
        approver = APPROVERS.get(chapter_id)
        if version is not None and approver is not None:
            services.chapter_approve(
                actor=people[approver], chapter=chapters[chapter_id], version=version.number
            )
    stdout.write(
        f"Reports: the {year.label} yearly report started, {len(APPROVERS)} of "
        f"{len(OWNERS)} chapters approved."
    )
