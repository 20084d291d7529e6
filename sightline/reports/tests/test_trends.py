"""The trends over eight quarters: each figure counted by hand with rows on either side of a
quarter's boundaries, the pure arithmetic, and a number of queries that does not grow with
the quarters' data."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command

from sightline.accounts.models import Sector
from sightline.accounts.tests.factories import AgencyFactory, UserFactory
from sightline.assurance.models import AssuranceReturn, Group, RiskSettings
from sightline.assurance.quarters import Quarter
from sightline.assurance.selectors.risks import risks_above_appetite_counts
from sightline.assurance.tests.factories import (
    GroupFactory,
    RiskAssessmentFactory,
    RiskFactory,
)
from sightline.learning.tests.factories import ActionFactory, RecommendationFactory
from sightline.learning.vocabulary import ActionStatus
from sightline.reports import trends
from sightline.reports.models import QuarterSnapshot
from sightline.reports.selectors.trends import current_trends, trends_to
from sightline.reports.services import SNAPSHOT_QUARTERS, quarter_snapshots_refresh
from sightline.reviews.models import TimelinessStandard
from sightline.reviews.tests.factories import CaseFactory
from sightline.training.models import SectorWorkforce
from sightline.training.tests.factories import BookingFactory, SessionFactory
from sightline.training.vocabulary import Attendance

D = datetime.date
LONDON = ZoneInfo("Europe/London")
# 15 November 2025: the running quarter is 2025-26 Q3; Q2 ended on 30 September.
NOW = datetime.datetime(2025, 11, 15, 12, 0, tzinfo=LONDON)
TODAY = NOW.date()
Q1, Q2, Q3 = Quarter(2025, 1), Quarter(2025, 2), Quarter(2025, 3)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def by_quarter(built: trends.Trends) -> dict[str, trends.QuarterFigures]:
    return {row.quarter.label: row for row in built.quarters}


# --- The pure arithmetic --------------------------------------------------------------------


def test_eight_quarters_up_to_the_one_asked_for_oldest_first():
    quarters = trends.quarters_to(Q3)
    assert [quarter.label for quarter in quarters] == [
        "2023-24 Q4",
        "2024-25 Q1",
        "2024-25 Q2",
        "2024-25 Q3",
        "2024-25 Q4",
        "2025-26 Q1",
        "2025-26 Q2",
        "2025-26 Q3",
    ]


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(1, 3, Decimal("33.3")), (2, 3, Decimal("66.7")), (1, 8, Decimal("12.5")), (0, 4, 0)],
)
def test_percentages_round_half_up_to_one_place(part, whole, expected):
    assert trends.percent(part, whole) == expected


def test_no_whole_gives_no_percentage_and_says_why():
    figures = trends.QuarterFigures(
        quarter=Q3,
        as_at=TODAY,
        deadlines_due=0,
        deadlines_met=0,
        overdue_actions=4,
        risks_above_appetite=2,
        partially_assured=1,
        not_assured=2,
        delegates=5,
        headcount=0,
    )
    assert (figures.timeliness_met, figures.reach) == (None, None)
    assert figures.timeliness_text == "No deadline fell due"
    assert figures.reach_text == "No workforce figures"
    assert figures.not_fully_assured == 3
    built = trends.assemble([figures])
    by_key = {trend.key: trend for trend in built.trends}
    assert by_key["timeliness"].chart is None
    assert by_key["timeliness"].latest_text == "No figure"
    assert by_key["not_assured"].latest == 3
    assert by_key["risks"].chart is not None
    assert "Risks above appetite by quarter, 2025-26 Q3 to 2025-26 Q3." in (
        by_key["risks"].chart.description
    )


# --- Each figure, with rows on the boundaries -----------------------------------------------


@pytest.fixture
def only_notification(db):
    """Only the notification standard (5 working days), so deadlines can be counted by hand."""
    TimelinessStandard.objects.exclude(code="child.notification").update(is_active=False)


def test_timeliness_met_counts_deadlines_that_fell_due_in_the_quarter(only_notification):
    # Due 29 September (in Q2), notified that day: met.
    CaseFactory.create(incident_aware_date=D(2025, 9, 22), panel_notified_date=D(2025, 9, 29))
    # Due 30 September, Q2's last day, notified the day after: missed, in Q2.
    CaseFactory.create(incident_aware_date=D(2025, 9, 23), panel_notified_date=D(2025, 10, 1))
    # Due 1 October, the first day of Q3, notified that day: met, in Q3.
    CaseFactory.create(incident_aware_date=D(2025, 9, 24), panel_notified_date=D(2025, 10, 1))
    # Due 20 November, after today: not yet due, so in no quarter.
    CaseFactory.create(incident_aware_date=D(2025, 11, 13), panel_notified_date=None)
    # Due 14 November, not notified by today: due in Q3 and not met.
    CaseFactory.create(incident_aware_date=D(2025, 11, 7), panel_notified_date=None)

    figures = by_quarter(current_trends(today=TODAY))
    q2, q3 = figures["2025-26 Q2"], figures["2025-26 Q3"]
    assert (q2.deadlines_due, q2.deadlines_met, q2.timeliness_met) == (2, 1, Decimal("50.0"))
    assert (q3.deadlines_due, q3.deadlines_met, q3.timeliness_text) == (2, 1, "50% (1 of 2)")
    assert figures["2025-26 Q1"].timeliness_met is None


def test_overdue_actions_as_at_each_quarters_end(db):
    made = RecommendationFactory.create(made_date=D(2025, 1, 6))
    later = RecommendationFactory.create(made_date=D(2025, 10, 1))

    def action(due, **fields):
        return ActionFactory.create(recommendation=fields.pop("rec", made), due_date=due, **fields)

    action(D(2025, 9, 29))  # overdue at Q2's end and today
    action(D(2025, 9, 30))  # due on Q2's last day: overdue only from the day after
    action(D(2025, 9, 1), status=ActionStatus.COMPLETE, completed_date=D(2025, 9, 30))
    action(D(2025, 9, 1), status=ActionStatus.COMPLETE, completed_date=D(2025, 10, 1))
    action(
        D(2025, 9, 1),
        status=ActionStatus.CLOSED_INCOMPLETE,
        closed_reason="Superseded.",
        closed_date=D(2025, 10, 2),
    )
    action(D(2025, 9, 15), rec=later)  # made after Q2's end: counts only from then
    action(D(2025, 6, 30))  # due on Q1's last day: not overdue then, overdue at Q2's end

    figures = by_quarter(current_trends(today=TODAY))
    assert figures["2025-26 Q1"].overdue_actions == 0
    assert figures["2025-26 Q2"].overdue_actions == 4
    assert figures["2025-26 Q3"].overdue_actions == 4


def test_risks_above_appetite_from_their_assessments_then(db):
    RiskSettings.objects.create(appetite=9)
    owner = UserFactory.create()

    def risk(opened, *, closed=None, scores=()):
        item = RiskFactory.create(
            owner=owner,
            opened_on=opened,
            status="closed" if closed else "open",
            closed_on=closed,
            residual_likelihood=1,
            residual_impact=1,
        )
        for day, (likelihood, impact) in scores:
            RiskAssessmentFactory.create(
                risk=item,
                assessed_on=day,
                residual_likelihood=likelihood,
                residual_impact=impact,
            )
        return item

    # 12 from April, down to 6 on 1 October: above at Q1's and Q2's ends, not today.
    risk(D(2025, 4, 1), scores=[(D(2025, 4, 1), (3, 4)), (D(2025, 10, 1), (2, 3))])
    # 10 from April, 9 from 30 September, Q2's last day: at the appetite then, not above.
    risk(D(2025, 4, 1), scores=[(D(2025, 4, 1), (2, 5)), (D(2025, 9, 30), (3, 3))])
    # Closed on Q2's last day: open at Q1's end only.
    risk(D(2025, 4, 1), closed=D(2025, 9, 30), scores=[(D(2025, 4, 1), (4, 4))])
    # Opened on Q3's first day.
    risk(D(2025, 10, 1), scores=[(D(2025, 10, 1), (5, 5))])
    # Recorded in July but open since 2024, first assessed at 20: counts at 20 before then.
    risk(D(2024, 1, 1), scores=[(D(2025, 7, 15), (4, 5))])
    # Never assessed: counts at its score now (1), so never above.
    risk(D(2024, 1, 1))

    figures = by_quarter(current_trends(today=TODAY))
    assert figures["2023-24 Q4"].risks_above_appetite == 1
    assert figures["2025-26 Q1"].risks_above_appetite == 4
    assert figures["2025-26 Q2"].risks_above_appetite == 2
    assert figures["2025-26 Q3"].risks_above_appetite == 2


def test_groups_not_fully_assured_from_the_quarters_returns(db):
    Group.objects.update(is_active=False)
    by = UserFactory.create()
    child, adults = GroupFactory.create(), GroupFactory.create()
    gone = GroupFactory.create()
    executive = GroupFactory.create(kind="executive")

    def give(group, quarter, level):
        AssuranceReturn.objects.create(
            group=group,
            quarter_start=quarter.start,
            level=level,
            summary="What the group looked at.",
            exceptions="" if level == "assured" else "Late audits.",
            submitted_by=by,
            submitted_at=NOW,
        )

    give(child, Q2, "partial")
    give(adults, Q2, "not_assured")
    give(gone, Q2, "not_assured")
    give(executive, Q2, "partial")
    give(child, Q1, "assured")
    give(adults, Q1, "partial")
    Group.objects.filter(pk=gone.pk).update(is_active=False)

    figures = by_quarter(current_trends(today=TODAY))
    q2 = figures["2025-26 Q2"]
    assert (q2.partially_assured, q2.not_assured, q2.not_fully_assured) == (1, 1, 2)
    assert figures["2025-26 Q1"].not_fully_assured == 1
    assert figures["2025-26 Q3"].not_fully_assured == 0


def test_training_reach_counts_each_quarters_sessions_in_london_time(db):
    SectorWorkforce.objects.create(sector=Sector.POLICE, headcount=8)
    police = AgencyFactory.create(sector=Sector.POLICE)
    health = AgencyFactory.create(sector=Sector.HEALTH)
    late_q2 = SessionFactory.create(starts_at=datetime.datetime(2025, 9, 30, 23, 30, tzinfo=LONDON))
    early_q3 = SessionFactory.create(starts_at=datetime.datetime(2025, 10, 1, 0, 30, tzinfo=LONDON))
    someone, other = UserFactory.create(), UserFactory.create()
    for session in (late_q2, early_q3):
        BookingFactory.create(
            session=session, delegate=someone, agency=police, attendance=Attendance.ATTENDED
        )
    BookingFactory.create(
        session=late_q2, delegate=other, agency=police, attendance=Attendance.LEFT_EARLY
    )
    BookingFactory.create(  # no show: not reached
        session=early_q3, delegate=other, agency=police, attendance=Attendance.DID_NOT_ATTEND
    )
    BookingFactory.create(  # a sector with no known headcount: left out
        session=early_q3, agency=health, attendance=Attendance.ATTENDED
    )

    figures = by_quarter(current_trends(today=TODAY))
    q2, q3 = figures["2025-26 Q2"], figures["2025-26 Q3"]
    assert (q2.delegates, q2.headcount, q2.reach) == (2, 8, Decimal("25.0"))
    assert (q3.delegates, q3.reach_text) == (1, "12.5% (1 of 8)")


def test_a_past_quarters_trends_end_with_it(db):
    built = trends_to(quarter=Q2, today=TODAY)
    assert built.last.quarter == Q2
    assert built.last.as_at == D(2025, 9, 30)
    assert built.first == Quarter(2023, 3)


# --- Queries ---------------------------------------------------------------------------------


def grow(times: int) -> None:
    owner = UserFactory.create()
    police = AgencyFactory.create(sector=Sector.POLICE)
    group = GroupFactory.create()
    for n in range(times):
        day = D(2024, 1, 1) + datetime.timedelta(days=50 * n)
        CaseFactory.create(incident_aware_date=day, panel_notified_date=day)
        ActionFactory.create(due_date=day, recommendation__made_date=D(2023, 1, 1))
        item = RiskFactory.create(owner=owner, opened_on=D(2023, 1, 1))
        RiskAssessmentFactory.create(risk=item, assessed_on=day)
        quarter = Quarter.containing(day)
        if not AssuranceReturn.objects.filter(group=group, quarter_start=quarter.start).exists():
            AssuranceReturn.objects.create(
                group=group,
                quarter_start=quarter.start,
                level="partial",
                summary="Looked.",
                exceptions="Late.",
                submitted_by=owner,
                submitted_at=NOW,
            )
        BookingFactory.create(
            session=SessionFactory.create(
                starts_at=datetime.datetime.combine(day, datetime.time(10), tzinfo=LONDON)
            ),
            agency=police,
            attendance=Attendance.ATTENDED,
        )


def test_the_trends_take_the_same_queries_whatever_the_data(db, django_assert_num_queries):
    SectorWorkforce.objects.create(sector=Sector.POLICE, headcount=100)
    grow(1)
    cache.clear()  # the deadlines met worked out afresh, as after any change to a case
    # The risks above appetite in one statement (assessed and never assessed together).
    with django_assert_num_queries(13):
        current_trends(today=TODAY)
    grow(10)
    cache.clear()
    with django_assert_num_queries(13):
        current_trends(today=TODAY)
    with django_assert_num_queries(9):  # then read from the cache
        current_trends(today=TODAY)


def test_each_day_is_judged_against_its_own_appetite(db):
    owner = UserFactory.create()
    assessed = RiskFactory.create(owner=owner, opened_on=D(2025, 1, 6))
    RiskAssessmentFactory.create(
        risk=assessed, assessed_on=D(2025, 1, 6), residual_likelihood=3, residual_impact=4
    )
    # Never assessed: judged by its score now, 12.
    RiskFactory.create(
        owner=owner, opened_on=D(2025, 1, 6), residual_likelihood=4, residual_impact=3
    )
    days = [D(2025, 6, 30), D(2025, 9, 30)]
    counts = risks_above_appetite_counts(days=days, appetites=[9, 12])
    assert [item.count for item in counts] == [2, 0]


# --- Snapshots of closed quarters -------------------------------------------------------------


def test_snapshots_hold_what_a_live_count_gives_and_are_read_in_its_place(db):
    RiskSettings.objects.create(appetite=9)
    grow(6)
    live = current_trends(today=TODAY).quarters
    assert quarter_snapshots_refresh() == {"quarters": SNAPSHOT_QUARTERS}
    assert quarter_snapshots_refresh() == {"quarters": SNAPSHOT_QUARTERS}  # replaced, not added
    assert QuarterSnapshot.objects.count() == SNAPSHOT_QUARTERS
    assert QuarterSnapshot.objects.get(quarter="2025-26 Q2").as_at == D(2025, 9, 30)
    assert not QuarterSnapshot.objects.filter(quarter="2025-26 Q3").exists()  # still running
    assert current_trends(today=TODAY).quarters == live

    # What is read for a closed quarter is its snapshot; the running quarter is counted.
    QuarterSnapshot.objects.filter(quarter="2025-26 Q2").update(
        deadlines_due=40, deadlines_met=30, overdue_actions=77, risks_above_appetite=5
    )
    figures = by_quarter(current_trends(today=TODAY))
    q2 = figures["2025-26 Q2"]
    assert (q2.deadlines_due, q2.deadlines_met, q2.overdue_actions) == (40, 30, 77)
    assert q2.risks_above_appetite == 5
    assert figures["2025-26 Q3"] == {row.quarter.label: row for row in live}["2025-26 Q3"]


def test_a_snapshot_taken_under_another_appetite_is_not_read(db):
    RiskSettings.objects.create(appetite=9)
    grow(6)
    quarter_snapshots_refresh()
    QuarterSnapshot.objects.filter(quarter="2025-26 Q2").update(overdue_actions=77)
    RiskSettings.objects.update(appetite=6)
    q2 = by_quarter(current_trends(today=TODAY))["2025-26 Q2"]
    assert q2.overdue_actions != 77
    QuarterSnapshot.objects.all().delete()
    assert by_quarter(current_trends(today=TODAY))["2025-26 Q2"] == q2


def test_with_every_closed_quarter_in_a_snapshot_no_history_is_recounted(
    db, django_assert_num_queries
):
    SectorWorkforce.objects.create(sector=Sector.POLICE, headcount=100)
    grow(3)
    quarter_snapshots_refresh()
    # Q2's trends: eight closed quarters, all from snapshots. The appetite, the snapshots,
    # the assurance levels, the workforce and the reach: no timeliness report, and no count
    # of actions or risks.
    with django_assert_num_queries(5):
        trends_to(quarter=Q2, today=TODAY)


def test_the_command_counts_the_past_quarters_again(db):
    out = io.StringIO()
    call_command("recount_trends", stdout=out)
    assert out.getvalue().strip() == f"{SNAPSHOT_QUARTERS} quarters' trend figures counted."
    assert QuarterSnapshot.objects.count() == SNAPSHOT_QUARTERS
