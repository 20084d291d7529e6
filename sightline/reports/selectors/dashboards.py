"""Reads for the role dashboards: every figure from the domain apps' own selectors, each
a fixed number of queries however many cases, actions, returns or bookings there are.

A figure is shown only to someone who may open the list behind it, so no dashboard offers a
link that ends in "you cannot see this page"."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

# Models only name the rows the selectors hand back: nothing here queries them.
from sightline.accounts.models import Agency
from sightline.accounts.selectors import agencies_for_scorecards
from sightline.assurance.quarters import Quarter
from sightline.assurance.selectors.audits import audit_return_counts_by_agency
from sightline.assurance.selectors.data import exception_count
from sightline.assurance.selectors.groups import missing_returns_count
from sightline.assurance.selectors.risks import risk_attention
from sightline.core.addresses import address
from sightline.core.calendar import add_months
from sightline.core.policies import is_administrator
from sightline.core.roles import Role
from sightline.core.selectors import outbox_dead_count
from sightline.learning.selectors import (
    DUE_SOON_DAYS,
    AgencyActionCounts,
    AgencyReturnCounts,
    action_counts_by_agency,
    dissemination_return_counts_by_agency,
    group_learning_counts,
    overdue_by_agency,
)
from sightline.reviews.models import CaseDeadline
from sightline.reviews.selectors import (
    deadline_counts,
    deadlines_listed,
    new_referral_count,
    referrals_by_agency_and_month,
)
from sightline.training.models import Booking, Course, Session
from sightline.training.selectors import (
    TrainerCounts,
    booking_overview_of,
    courses_due_for_review,
    people_trained_by_agency,
    registers_to_mark,
    registers_to_mark_count,
    sessions_to_teach,
    sessions_with_new_evaluations,
    trainer_counts,
)

from ..dashboards import (
    BarChart,
    Comparison,
    Figure,
    Rate,
    Section,
    attention,
    bar_chart,
    partnership_rate,
)

DEADLINE_DAYS = 14  # "due soon" for case review deadlines, as the home page's panel has it
TRAINING_YEAR = datetime.timedelta(days=365)
TEACHING_DAYS = 28
EVALUATIONS_DAYS = 30
LISTED = 8  # items listed under a figure; the figure's link leads to the rest


def link(name: str, *, kwargs: dict[str, Any] | None = None, **query: Any) -> str:
    """The address of a list, with its filters in the query string."""
    page = address(name, kwargs=kwargs)
    return f"{page}?{urlencode(query)}" if query else page


def today() -> datetime.date:
    return timezone.localdate()


# --- Business unit ----------------------------------------------------------------


@dataclass(frozen=True)
class ReferralAgencyRow:
    """One agency's referrals for review, month by month."""

    agency: str
    counts: tuple[int, ...]
    url: str

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ReferralTable:
    """Referrals by agency and month: every active agency, those that made none included, so
    that an agency whose referrals fall away shows as a row of noughts."""

    months: tuple[datetime.date, ...]  # the first of each month, oldest first
    rows: tuple[ReferralAgencyRow, ...]

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(column) for column in zip(*(row.counts for row in self.rows), strict=True))

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


REFERRAL_MONTHS = 12


def referral_table(*, today: datetime.date) -> ReferralTable:
    """The referrals of the last 12 months (this one included), by referring agency."""
    first = add_months(today.replace(day=1), 1 - REFERRAL_MONTHS)
    months = tuple(add_months(first, n) for n in range(REFERRAL_MONTHS))
    counts: dict[tuple[str, int], dict[datetime.date, int]] = {}
    for agency in agencies_for_scorecards():
        counts[(agency.name, agency.pk)] = {}
    for row in referrals_by_agency_and_month(since=first, until=today):
        counts.setdefault((row.agency_name, row.agency_id), {})[row.month] = row.count
    rows = tuple(
        ReferralAgencyRow(
            agency=name,
            counts=tuple(by_month.get(month, 0) for month in months),
            url=link("reviews:referral_list", agency=pk),
        )
        for (name, pk), by_month in sorted(counts.items(), key=lambda item: item[0][0].lower())
    )
    return ReferralTable(months=months, rows=rows)


@dataclass(frozen=True)
class BusinessUnitDashboard:
    sections: tuple[Section, ...]
    overdue_chart: BarChart
    overdue_rows: tuple[Figure, ...]  # the chart's figures, one an agency, for its table
    quarter: Quarter
    referrals: ReferralTable | None = None

    @property
    def headline(self) -> tuple[Figure, ...]:
        """The figures that need action now, for the home page."""
        return tuple(
            figure
            for section in self.sections
            for figure in section.figures
            if figure.tone == "overdue"
        )


def _deadline_figures(user: Any, *, mine: bool, who: str) -> tuple[Figure, ...]:
    counts = deadline_counts(user=user, mine=mine, within_days=DEADLINE_DAYS)
    overdue, due_soon = (
        (link("reviews:deadlines", mine="1"), link("reviews:deadlines", within="14", mine="1"))
        if mine
        else (link("reviews:deadlines"), link("reviews:deadlines", within="14"))
    )
    return (
        attention(f"{who} deadlines overdue", counts.overdue, overdue),
        attention(
            f"{who} deadlines due in the next {DEADLINE_DAYS} days",
            counts.due_soon,
            due_soon,
            soon=True,
        ),
    )


def business_unit_dashboard(*, user: Any) -> BusinessUnitDashboard:
    """Everything overdue or due soon across the service, for administrators and review
    officers: a review officer sees their own case deadlines beside everyone's."""
    day = today()
    deadlines = _deadline_figures(user, mine=False, who="Case review")
    # A review officer's own cases first; administrators oversee everyone's.
    if not is_administrator(user):
        deadlines = _deadline_figures(user, mine=True, who="Your cases'") + deadlines
    sections = [Section("Case reviews", deadlines)]
    referrals = None
    if user.has_perm("reviews.triage_referrals"):
        sections.append(
            Section(
                "Referrals for review",
                (
                    attention(
                        "New referrals waiting for triage",
                        new_referral_count(),
                        link("reviews:referral_list", status="new"),
                    ),
                ),
            )
        )
        referrals = referral_table(today=day)

    by_agency = overdue_by_agency()
    overdue_rows = tuple(
        Figure(
            label=row["agency__name"],
            count=row["overdue"],
            url=link("learning:action_list", agency=row["agency__pk"], overdue="on"),
            tone="overdue",
        )
        for row in by_agency
    )
    dissemination = _total_outstanding(dissemination_return_counts_by_agency())
    learning = [
        attention(
            "Learning actions overdue",
            sum(row.count for row in overdue_rows),
            link("learning:action_list", overdue="on"),
            detail=f"Across {len(overdue_rows)} agencies" if len(overdue_rows) != 1 else "",
        ),
        attention(
            "Dissemination returns outstanding",
            dissemination,
            link("learning:returns", outstanding="on"),
        ),
    ]
    sections.append(Section("Learning from reviews", tuple(learning)))

    assurance: list[Figure] = []
    quarter = Quarter.containing(day).previous()
    if user.has_perm("assurance.view"):
        assurance.append(
            attention(
                "Audit returns outstanding",
                _total_outstanding(audit_return_counts_by_agency()),
                link("assurance:audit_list"),
            )
        )
    if user.has_perm("assurance.view_risks"):
        risks = risk_attention(today=day)
        assurance += [
            attention(
                "Risks above appetite and not accepted",
                risks.unaccepted,
                link("assurance:risk_list", appetite="unaccepted"),
                detail=f"{risks.above_appetite} above appetite in all",
            ),
            attention(
                "Risks overdue for review",
                risks.overdue_review,
                link("assurance:risk_list", overdue="on"),
            ),
        ]
    if user.has_perm("assurance.view"):
        missing = missing_returns_count(quarter=quarter)
        assurance += [
            attention(
                f"Group assurance returns missing for {quarter.label}",
                missing,
                link("assurance:assurance_rollup", quarter=quarter.label),
            ),
            attention(
                "Data scrutiny figures past their threshold",
                exception_count(),
                link("assurance:measure_list", exceptions_only="on"),
            ),
        ]
    if assurance:
        sections.append(Section("System assurance", tuple(assurance)))

    service: list[Figure] = []
    if user.has_perm("training.manage_sessions"):
        service.append(
            attention(
                "Training registers to mark",
                registers_to_mark_count(user=user),
                link("training:session_list", unmarked="1"),
                detail="Sessions that have ended with no attendance marked",
            )
        )
    if user.has_perm("core.manage_background_work"):
        service.append(
            attention(
                "Emails that could not be sent",
                outbox_dead_count(),
                link("core:background_work"),
                detail="Given up after every retry: send them again or correct the address",
            )
        )
    if service:
        sections.append(Section("Training and the service", tuple(service)))

    chart = bar_chart(
        "Learning actions overdue by agency",
        [(row.label, row.count, row.url) for row in overdue_rows],
        unit="actions",
    )
    return BusinessUnitDashboard(
        sections=tuple(sections),
        overdue_chart=chart,
        overdue_rows=overdue_rows,
        quarter=quarter,
        referrals=referrals,
    )


def _total_outstanding(rows: Iterable[AgencyReturnCounts]) -> int:
    return sum(row.outstanding for row in rows)


# --- Agency scorecards --------------------------------------------------------------


@dataclass(frozen=True)
class AgencyScore:
    """One agency's figures, and the partnership's to compare them with."""

    agency: Agency
    actions_open: int
    actions_overdue: int
    actions_due_soon: int
    returns_requested: int
    returns_made: int
    audit_requested: int
    audit_made: int
    people_trained: int

    @property
    def returns_outstanding(self) -> int:
        return self.returns_requested - self.returns_made

    @property
    def audit_outstanding(self) -> int:
        return self.audit_requested - self.audit_made

    @property
    def overdue_rate(self) -> Rate:
        return Rate(self.actions_overdue, self.actions_open)

    @property
    def returns_rate(self) -> Rate:
        return Rate(self.returns_made, self.returns_requested)

    @property
    def audit_rate(self) -> Rate:
        return Rate(self.audit_made, self.audit_requested)

    @property
    def reach(self) -> Rate:
        return Rate(self.people_trained, self.agency.workforce)


@dataclass(frozen=True)
class AgencyScorecard:
    score: AgencyScore
    figures: tuple[Section, ...]
    comparisons: tuple[Comparison, ...]
    others: tuple[Agency, ...]  # the other agencies the viewer may choose
    training_since: datetime.date


@dataclass(frozen=True)
class PartnershipScores:
    """Every active agency's scores, and the partnership's rates over them all."""

    scores: tuple[AgencyScore, ...]
    overdue_rate: Rate
    returns_rate: Rate
    audit_rate: Rate
    reach: Rate
    due_soon: int
    training_since: datetime.date


def _by_agency(rows: Iterable[Any]) -> dict[int, Any]:
    return {row.agency_id: row for row in rows}


def partnership_scores() -> PartnershipScores:
    """Each active agency's scorecard figures: five grouped queries for the partnership."""
    day = today()
    since = timezone.now() - TRAINING_YEAR
    actions: dict[int, AgencyActionCounts] = _by_agency(
        action_counts_by_agency(today=day, within_days=DUE_SOON_DAYS)
    )
    returns: dict[int, AgencyReturnCounts] = _by_agency(dissemination_return_counts_by_agency())
    audits: dict[int, AgencyReturnCounts] = _by_agency(audit_return_counts_by_agency())
    trained = {row.agency_id: row.people for row in people_trained_by_agency(since=since)}
    none_asked = AgencyReturnCounts(agency_id=0, requested=0, returned=0)
    no_actions = AgencyActionCounts(agency_id=0, open=0, overdue=0, due_soon=0)
    scores = []
    for agency in agencies_for_scorecards():
        action = actions.get(agency.pk, no_actions)
        asked = returns.get(agency.pk, none_asked)
        audit = audits.get(agency.pk, none_asked)
        scores.append(
            AgencyScore(
                agency=agency,
                actions_open=action.open,
                actions_overdue=action.overdue,
                actions_due_soon=action.due_soon,
                returns_requested=asked.requested,
                returns_made=asked.returned,
                audit_requested=audit.requested,
                audit_made=audit.returned,
                people_trained=trained.get(agency.pk, 0),
            )
        )
    # The partnership's rates are over every agency, inactive ones' actions and returns too.
    return PartnershipScores(
        scores=tuple(scores),
        overdue_rate=Rate(
            sum(row.overdue for row in actions.values()), sum(row.open for row in actions.values())
        ),
        returns_rate=Rate(
            sum(row.returned for row in returns.values()),
            sum(row.requested for row in returns.values()),
        ),
        audit_rate=Rate(
            sum(row.returned for row in audits.values()),
            sum(row.requested for row in audits.values()),
        ),
        reach=partnership_rate((score.people_trained, score.agency.workforce) for score in scores),
        due_soon=sum(row.due_soon for row in actions.values()),
        training_since=since.date(),
    )


def _empty_score(agency: Agency) -> AgencyScore:
    """An inactive agency is not among the partnership's scores: it has its own figures."""
    return AgencyScore(agency, 0, 0, 0, 0, 0, 0, 0, 0)


def agency_scorecard(*, user: Any, agency: Agency) -> AgencyScorecard:
    """``agency``'s scorecard, each figure beside the partnership's."""
    partnership = partnership_scores()
    score = next(
        (row for row in partnership.scores if row.agency.pk == agency.pk), _empty_score(agency)
    )
    pk = agency.pk
    actions = Section(
        "Learning actions",
        (
            attention(
                "Overdue",
                score.actions_overdue,
                link("learning:action_list", agency=pk, overdue="on"),
            ),
            attention(
                f"Due in the next {DUE_SOON_DAYS} days",
                score.actions_due_soon,
                link("learning:action_list", agency=pk, due_soon="on"),
                soon=True,
            ),
        ),
    )
    returns = Section(
        "Returns",
        (
            attention(
                "Dissemination returns outstanding",
                score.returns_outstanding,
                link("learning:returns", agency=pk, outstanding="on"),
                detail=f"{score.returns_made} made of {score.returns_requested} asked for",
            ),
            attention(
                "Audit returns outstanding",
                score.audit_outstanding,
                link("assurance:audit_list"),
                detail=f"{score.audit_made} made of {score.audit_requested} asked for",
            ),
        ),
    )
    training_link = link("training:report") if user.has_perm("training.view_report") else ""
    comparisons = (
        Comparison(
            "Open actions that are overdue",
            score.overdue_rate,
            partnership.overdue_rate,
            higher_is_better=False,
            url=link("learning:action_list", agency=pk, overdue="on"),
        ),
        Comparison(
            "Dissemination returns made",
            score.returns_rate,
            partnership.returns_rate,
            higher_is_better=True,
            url=link("learning:returns", agency=pk),
        ),
        Comparison(
            "Audit returns made",
            score.audit_rate,
            partnership.audit_rate,
            higher_is_better=True,
            url=link("assurance:audit_list"),
        ),
        Comparison(
            "Workforce trained in the last 12 months",
            score.reach,
            partnership.reach,
            higher_is_better=True,
            url=training_link,
        ),
    )
    return AgencyScorecard(
        score=score,
        figures=(actions, returns),
        comparisons=comparisons,
        others=tuple(
            row.agency
            for row in partnership.scores
            if row.agency.pk != pk and user.has_perm("reports.view_agency_dashboard", row.agency)
        ),
        training_since=partnership.training_since,
    )


def agencies_led_by(*, user: Any) -> list[Agency]:
    """The active agencies whose scorecard ``user`` may see, by name. The policy decides for
    each; beyond an administrator's, only the agencies a person leads can be among them, so
    only those are asked about (and none read for someone who leads none: a trainer's or a
    practitioner's dashboards cost no query for it)."""
    among = None if is_administrator(user) else user.agency_ids_with_role(Role.AGENCY_LEAD)
    candidates = agencies_for_scorecards(among=among)
    return [
        agency for agency in candidates if user.has_perm("reports.view_agency_dashboard", agency)
    ]


# --- Practice review group member ---------------------------------------------------


@dataclass(frozen=True)
class ReviewGroupDashboard:
    sections: tuple[Section, ...]
    deadlines: tuple[CaseDeadline, ...]

    @property
    def headline(self) -> tuple[Figure, ...]:
        return tuple(figure for section in self.sections for figure in section.figures)


def review_group_dashboard(*, user: Any) -> ReviewGroupDashboard:
    """Deadlines on the cases involving the member's agencies, the recommendations waiting
    for the group's decision, and their agencies' learning actions due. Three queries: the
    deadlines counted (one pass over the cases the member may see), the recommendations and
    actions counted (``group_learning_counts``), and the deadlines listed."""
    deadlines = deadline_counts(user=user, within_days=DEADLINE_DAYS)
    learning = group_learning_counts(user=user, today=today(), within_days=DUE_SOON_DAYS)
    return ReviewGroupDashboard(
        sections=(
            Section(
                "Cases involving your agencies",
                (
                    attention("Deadlines overdue", deadlines.overdue, link("reviews:deadlines")),
                    attention(
                        f"Deadlines due in the next {DEADLINE_DAYS} days",
                        deadlines.due_soon,
                        link("reviews:deadlines", within="14"),
                        soon=True,
                    ),
                ),
            ),
            Section(
                "Learning from reviews",
                (
                    attention(
                        "Recommendations waiting for a decision",
                        learning.undecided,
                        link("learning:recommendation_list", decision="undecided"),
                        soon=True,
                    ),
                    attention(
                        "Your agencies' actions overdue",
                        learning.actions_overdue,
                        link("learning:action_list", mine="1", overdue="on"),
                    ),
                    attention(
                        f"Your agencies' actions due in the next {DUE_SOON_DAYS} days",
                        learning.actions_due_soon,
                        link("learning:action_list", mine="1", due_soon="on"),
                        soon=True,
                    ),
                ),
            ),
        ),
        deadlines=tuple(deadlines_listed(user=user, within_days=DEADLINE_DAYS, listed=LISTED)),
    )


# --- Trainer ------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainerDashboard:
    figures: tuple[Figure, ...]
    teaching: tuple[Session, ...]
    to_mark: tuple[Session, ...]
    evaluations: tuple[Session, ...]
    courses: tuple[Course, ...]
    evaluations_since: datetime.date


def trainer_dashboard(*, user: Any) -> TrainerDashboard:
    """A trainer's next sessions with places booked, the registers they have to mark, the
    evaluations that came in, courses due for review and impact surveys awaited: the four
    lists, and the counts in one query."""
    day = today()
    since = day - datetime.timedelta(days=EVALUATIONS_DAYS)
    teaching = tuple(sessions_to_teach(user=user, within_days=TEACHING_DAYS))
    counts = trainer_counts(user=user, since=since, today=day)
    figures = (
        Figure(
            f"Your sessions in the next {TEACHING_DAYS} days",
            len(teaching),
            link("training:session_list", mine="1"),
        ),
        attention(
            "Registers to mark",
            counts.registers_to_mark,
            link("training:session_list", unmarked="1"),
        ),
        *_trainer_follow_up(counts),
    )
    # A list whose count is nought is not read: a quiet week costs a trainer no query.
    return TrainerDashboard(
        figures=figures,
        teaching=teaching,
        to_mark=tuple(registers_to_mark(user=user)) if counts.registers_to_mark else (),
        evaluations=tuple(sessions_with_new_evaluations(user=user, since=since))
        if counts.evaluated_sessions
        else (),
        courses=tuple(courses_due_for_review(today=day, listed=LISTED))
        if counts.courses_due_for_review
        else (),
        evaluations_since=since,
    )


def trainer_follow_up(*, user: Any) -> tuple[Figure, ...]:
    """The trainer dashboard's figures after a session (evaluations in, courses due for
    review, impact surveys awaited), without its sessions and registers: the home page's
    training panel shows those already. One query."""
    day = today()
    since = day - datetime.timedelta(days=EVALUATIONS_DAYS)
    return _trainer_follow_up(trainer_counts(user=user, since=since, today=day))


def _trainer_follow_up(counts: TrainerCounts) -> tuple[Figure, ...]:
    return (
        Figure(
            f"Sessions with evaluations in the last {EVALUATIONS_DAYS} days",
            counts.evaluated_sessions,
            link("training:session_list", when="past", mine="1"),
        ),
        attention(
            "Courses past their review date",
            counts.courses_due_for_review,
            link("training:course_list"),
            soon=True,
        ),
        Figure(
            "Impact surveys waiting for an answer",
            counts.impact_surveys_awaited,
            link("training:session_list", when="past", mine="1"),
            detail="Sent to people who came to your sessions",
        ),
    )


# --- Practitioner -------------------------------------------------------------------


@dataclass(frozen=True)
class PractitionerDashboard:
    figures: tuple[Figure, ...]
    places: tuple[Booking, ...]
    waiting: tuple[Booking, ...]
    to_evaluate: tuple[Booking, ...]
    impact_due: tuple[Booking, ...]
    certificates: tuple[Booking, ...]


def practitioner_dashboard(*, user: Any, listed: int = LISTED) -> PractitionerDashboard:
    """A person's own training: places to come, what to evaluate, impact surveys to answer
    and the certificates of what they came to, the first ``listed`` of each (two queries,
    ``booking_overview_of``; one when ``listed`` is 0, for the figures alone)."""
    mine = booking_overview_of(user=user, listed=listed)
    return PractitionerDashboard(
        figures=(
            Figure("Places booked", mine.places.total, link("training:mine")),
            attention(
                "Evaluations to give", mine.to_evaluate.total, link("training:mine"), soon=True
            ),
            attention(
                "Impact surveys to answer",
                mine.impact_due.total,
                link("training:mine"),
                soon=True,
            ),
            Figure("Certificates", mine.attended.total, link("training:mine")),
        ),
        # The next few of each: the figures above count them all, and link to the rest.
        places=mine.places.items,
        waiting=mine.waiting.items,
        to_evaluate=mine.to_evaluate.items,
        impact_due=mine.impact_due.items,
        certificates=mine.attended.items,
    )


# --- Which dashboards a person has ------------------------------------------------------


@dataclass(frozen=True)
class DashboardLink:
    label: str
    url: str


def report_links(*, user: Any) -> list[DashboardLink]:
    """The partnership's reports ``user`` may open, listed at the foot of each dashboard (the
    navigation has no room for them): the yearly report and the Executive pack."""
    links = []
    if user.has_perm("reports.view_yearly_drafts"):
        links.append(DashboardLink("Yearly report", reverse("reports:yearly_list")))
    if user.has_perm("reports.view_pack"):
        links.append(DashboardLink("Executive pack", reverse("reports:pack")))
    return links


def dashboard_links(*, user: Any) -> list[DashboardLink]:
    """The dashboards ``user`` may open, the one for their main role first: the business
    unit's, the executive's, then their agencies' scorecards, the review group's, the
    trainer's and their own training, which everyone has."""
    links = []
    if user.has_perm("reports.view_business_unit_dashboard"):
        links.append(DashboardLink("Business unit", reverse("reports:business_unit_dashboard")))
    if user.has_perm("reports.view_executive_dashboard"):
        links.append(DashboardLink("Executive", reverse("reports:executive_dashboard")))
    if user.has_perm("reports.view_agency_comparison"):
        links.append(DashboardLink("Agencies compared", reverse("reports:agency_comparison")))
    else:
        links += [
            DashboardLink(
                f"{agency.name} scorecard",
                reverse("reports:agency_dashboard", kwargs={"pk": agency.pk}),
            )
            for agency in agencies_led_by(user=user)
        ]
    if user.has_perm("reports.view_review_group_dashboard"):
        links.append(
            DashboardLink("Practice review group", reverse("reports:review_group_dashboard"))
        )
    if user.has_perm("reports.view_trainer_dashboard"):
        links.append(DashboardLink("Running training", reverse("reports:trainer_dashboard")))
    links.append(DashboardLink("Your training", reverse("reports:practitioner_dashboard")))
    return links
