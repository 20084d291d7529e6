"""The training report and the learning loop against a fixture counted by hand, and the
pure rules they rest on."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sightline.accounts.models import Sector
from sightline.accounts.tests.factories import AgencyFactory, UserFactory
from sightline.reviews.models import PracticeTheme
from sightline.reviews.tests.factories import CaseFactory
from sightline.training import report_selectors, reporting
from sightline.training.vocabulary import Attendance, BookingStatus, Rating

from .factories import (
    BookingFactory,
    CourseFactory,
    EvaluationFactory,
    SectorWorkforceFactory,
    SessionFactory,
)

D = datetime.date
LONDON = ZoneInfo("Europe/London")
FROM, TO = D(2025, 4, 1), D(2026, 3, 31)
TODAY = D(2026, 4, 15)

ATTENDED, LEFT_EARLY, NO_SHOW = (
    Attendance.ATTENDED,
    Attendance.LEFT_EARLY,
    Attendance.DID_NOT_ATTEND,
)


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    """A moment on the London clock."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def hand_counted() -> dict:
    """A small partnership whose figures are counted by hand in the comments.

    Period 1 April 2025 to 31 March 2026; today 15 April 2026.
    """
    police = AgencyFactory.create(name="Northshire Police", sector=Sector.POLICE)
    childrens = AgencyFactory.create(
        name="Northshire Children's Services", sector=Sector.CHILDRENS_SERVICES
    )
    school = AgencyFactory.create(name="St Mary's School", sector=Sector.EDUCATION)
    housing = AgencyFactory.create(name="Eastmere Housing", sector=Sector.HOUSING)
    clinic = AgencyFactory.create(name="Eastmere Clinic", sector=Sector.HEALTH)
    # Known workforce: police 100, children's services 20, education 400, health 50 (570 in
    # all). Housing's is not known.
    for sector, headcount in (
        (Sector.POLICE, 100),
        (Sector.CHILDRENS_SERVICES, 20),
        (Sector.EDUCATION, 400),
        (Sector.HEALTH, 50),
    ):
        SectorWorkforceFactory.create(sector=sector, headcount=headcount, source="Census 2025")

    neglect = PracticeTheme.objects.create(name="Loop theme: neglect")
    abuse = PracticeTheme.objects.create(name="Loop theme: domestic abuse")
    exploitation = PracticeTheme.objects.create(name="Loop theme: exploitation")
    online = PracticeTheme.objects.create(name="Loop theme: online harm")

    neglect_course = CourseFactory.create(
        title="Neglect awareness", review_date=D(2027, 1, 1), themes=[neglect]
    )
    families = CourseFactory.create(
        title="Working with families", review_date=D(2025, 6, 1), themes=[neglect, abuse]
    )
    # Inactive: not past review, and covers nothing for the learning loop.
    CourseFactory.create(
        title="Old exploitation course",
        review_date=D(2020, 1, 1),
        is_active=False,
        themes=[exploitation],
    )
    CourseFactory.create(title="Online safety", review_date=D(2026, 4, 14), themes=[online])
    CourseFactory.create(title="Due today", review_date=TODAY)

    def session(course, starts_at, **fields):
        return SessionFactory.create(
            course=course,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=2),
            **fields,
        )

    # S1: 00:30 on 1 April 2025 in London (23:30 UTC on 31 March): in the period.
    s1 = session(neglect_course, at(2025, 4, 1, 0, 30))
    # S2: 23:30 on 31 March 2026 in London (22:30 UTC): in the period.
    s2 = session(families, at(2026, 3, 31, 23, 30))
    # S3: 23:30 on 31 March 2025 in London: before the period.
    s3 = session(neglect_course, at(2025, 3, 31, 23, 30))
    # S4: 00:30 on 1 April 2026 in London: after the period.
    s4 = session(families, at(2026, 4, 1, 0, 30))
    # S5: in the period but cancelled.
    s5 = session(neglect_course, at(2025, 10, 1, 10, 0), is_cancelled=True)

    p = {n: UserFactory.create() for n in range(1, 10)}

    def book(person, session, agency, attendance="", status=BookingStatus.CONFIRMED, **fields):
        return BookingFactory.create(
            delegate=p[person],
            session=session,
            agency=agency,
            attendance=attendance,
            status=status,
            **fields,
        )

    # S1: P1 police attended, P2 police left early, P3 children's attended, P4 school did
    # not attend, P5 police did not attend; P6 police cancelled and P7 school not marked
    # (neither counts).
    book(1, s1, police, ATTENDED)
    book(2, s1, police, LEFT_EARLY)
    book(3, s1, childrens, ATTENDED)
    book(4, s1, school, NO_SHOW)
    book(5, s1, police, NO_SHOW)
    book(6, s1, police, status=BookingStatus.CANCELLED)
    book(7, s1, school)
    # S2: P1 police attended (again), P3 children's did not attend, P4 school attended,
    # P8 housing attended; P6 police on the waiting list (not counted).
    book(1, s2, police, ATTENDED)
    book(3, s2, childrens, NO_SHOW)
    book(4, s2, school, ATTENDED)
    book(8, s2, housing, ATTENDED)
    book(6, s2, police, status=BookingStatus.WAITING, waiting_since=at(2026, 3, 1, 9, 0))
    # Outside the period or cancelled: none of these count.
    book(2, s3, police, ATTENDED)
    book(9, s3, clinic, ATTENDED)
    book(5, s4, police, ATTENDED)
    book(9, s5, clinic, ATTENDED)

    # Evaluations in the period: S1 excellent, good, satisfactory; S2 good, poor,
    # excellent, good. 7 in all, 5 good or excellent: 71.4%.
    for target, ratings in (
        (s1, (Rating.EXCELLENT, Rating.GOOD, Rating.SATISFACTORY)),
        (s2, (Rating.GOOD, Rating.POOR, Rating.EXCELLENT, Rating.GOOD)),
        (s3, (Rating.EXCELLENT, Rating.EXCELLENT)),
        (s5, (Rating.POOR,)),
    ):
        for rating in ratings:
            EvaluationFactory.create(session=target, rating=rating)

    # Cases opened in the period: K1, K2, K3 (on the last day) and K6 (no themes): 4.
    for opened, themes in (
        (D(2025, 5, 1), [neglect, abuse]),  # K1
        (D(2025, 12, 1), [neglect, exploitation]),  # K2
        (D(2026, 3, 31), [exploitation]),  # K3
        (D(2025, 3, 31), [neglect, online]),  # K4: before the period
        (D(2026, 4, 1), [online]),  # K5: after the period
        (D(2025, 6, 1), []),  # K6
        (None, [neglect]),  # K7: no date, so in no period
    ):
        case = CaseFactory.create(opened_on=opened, incident_aware_date=opened)
        case.themes.set(themes)
    return {"police": police, "s1": s1, "neglect_course": neglect_course, "families": families}


@pytest.fixture
def fixture(db):
    return hand_counted()


def test_headline_figures_count_people_and_attendances(fixture):
    report = report_selectors.training_report(date_from=FROM, date_to=TO, today=TODAY)
    assert report["headline"] == {
        "sessions": 2,  # S1 and S2; S5 is cancelled, S3 and S4 are outside
        "practitioners_attended": 5,  # P1, P2, P3, P4, P8
        "attendances": 6,  # S1: P1, P2, P3; S2: P1, P4, P8
        "evaluations": 7,
        "good_or_excellent": 5,
        "good_or_excellent_percent": 71.4,
        "marked": 9,  # S1: 5 marked; S2: 4 marked
        "no_shows": 3,  # S1: P4, P5; S2: P3
        "no_show_rate_percent": 33.3,
    }


def test_reach_by_sector_flags_the_under_represented(fixture):
    report = report_selectors.training_report(date_from=FROM, date_to=TO, today=TODAY)
    sectors = {row["sector"]: row for row in report["sectors"]}
    assert [row["sector"] for row in report["sectors"]] == list(Sector.values)
    # Overall reach: 4 delegates (police 2, children's 1, education 1, health 0) over 570.
    assert report["overall_reach_percent"] == 0.7
    picked = {
        code: (
            row["delegates"],
            row["attendances"],
            row["headcount"],
            row["reach_percent"],
            row["under_represented"],
        )
        for code, row in sectors.items()
    }
    assert picked == {
        # P1 and P2 (P5 did not attend): 2 of 100, above half of 0.7%.
        "police": (2, 3, 100, 2.0, False),
        "childrens_services": (1, 1, 20, 5.0, False),
        # 1 of 400 is 0.25%, below half of 0.7%.
        "education": (1, 1, 400, 0.3, True),
        # Known workforce, nobody came.
        "health": (0, 0, 50, 0.0, True),
        # Workforce not known: never flagged.
        "housing": (1, 1, None, None, False),
        "adult_social_care": (0, 0, None, None, False),
        "probation": (0, 0, None, None, False),
        "voluntary": (0, 0, None, None, False),
        "other": (0, 0, None, None, False),
    }
    assert report["under_represented"] == ["Health or integrated care board", "Education"]
    assert sectors["police"]["workforce_source"] == "Census 2025"


def test_no_show_rate_by_agency(fixture):
    report = report_selectors.training_report(date_from=FROM, date_to=TO, today=TODAY)
    assert [
        (
            row["agency"],
            row["sector"],
            row["delegates"],
            row["attendances"],
            row["no_shows"],
            row["marked"],
            row["no_show_rate_percent"],
        )
        for row in report["agencies"]
    ] == [
        ("Eastmere Housing", "housing", 1, 1, 0, 1, 0.0),
        ("Northshire Children's Services", "childrens_services", 1, 1, 1, 2, 50.0),
        # P1 twice and P2 present, P5 did not attend: 1 of 4.
        ("Northshire Police", "police", 2, 3, 1, 4, 25.0),
        ("St Mary's School", "education", 1, 1, 1, 2, 50.0),
    ]


def test_courses_past_review_are_active_ones_before_today(fixture):
    report = report_selectors.training_report(date_from=FROM, date_to=TO, today=TODAY)
    assert [
        (row["course"], row["review_date"], row["days_past"])
        for row in report["courses_past_review"]
    ] == [
        # 1 June 2025 to 15 April 2026: 365 days to 1 June 2026, less 47.
        ("Working with families", "2025-06-01", 318),
        ("Online safety", "2026-04-14", 1),
    ]


def test_learning_loop_counts_themes_courses_and_attendances(fixture):
    loop = report_selectors.learning_loop(date_from=FROM, date_to=TO)
    assert loop["cases"] == 4
    assert loop["themes_without_course"] == 1
    assert [
        (
            theme["theme"],
            theme["cases"],
            [(course["course"], course["attendances"]) for course in theme["courses"]],
            theme["attendances"],
            theme["flag"],
        )
        for theme in loop["themes"]
    ] == [
        # K2 and K3; its only course is inactive.
        ("Loop theme: exploitation", 2, [], 0, reporting.NO_COURSE_FLAG),
        # K1 and K2; S1 (neglect awareness) had 3 present, S2 (families) 3.
        (
            "Loop theme: neglect",
            2,
            [("Neglect awareness", 3), ("Working with families", 3)],
            6,
            "",
        ),
        ("Loop theme: domestic abuse", 1, [("Working with families", 3)], 3, ""),
    ]


def test_an_empty_period_says_so_rather_than_zero_per_cent(fixture):
    report = report_selectors.training_report(
        date_from=D(2030, 1, 1), date_to=D(2030, 12, 31), today=TODAY
    )
    head = report["headline"]
    assert head["evaluations"] == 0
    assert head["good_or_excellent_percent"] is None
    assert head["no_show_rate_percent"] is None
    assert report["agencies"] == []
    # Nobody from a sector with a known workforce came: every such sector is flagged.
    assert [row["sector"] for row in report["sectors"] if row["under_represented"]] == [
        "childrens_services",
        "police",
        "health",
        "education",
    ]
    summary = reporting.report_tables(report)[0]
    assert ["Rated good or excellent (%)", "fewer than 3 evaluations"] in summary.rows


def test_a_booking_stays_in_the_sector_it_was_made_in(fixture):
    police = fixture["police"]
    police.sector = Sector.PROBATION
    police.save()
    report = report_selectors.training_report(date_from=FROM, date_to=TO, today=TODAY)
    sectors = {row["sector"]: row["delegates"] for row in report["sectors"]}
    assert sectors["police"] == 2
    assert sectors["probation"] == 0


def test_a_session_counts_on_its_london_date(db):
    # 23:30 on 30 June 2025 in London is 22:30 UTC; 00:30 on 1 July is 23:30 UTC on 30 June.
    june = SessionFactory.create(starts_at=at(2025, 6, 30, 23, 30), ends_at=at(2025, 7, 1, 1, 0))
    july = SessionFactory.create(starts_at=at(2025, 7, 1, 0, 30), ends_at=at(2025, 7, 1, 2, 0))
    in_july = report_selectors.sessions_in_period(date_from=D(2025, 7, 1), date_to=D(2025, 7, 31))
    in_june = report_selectors.sessions_in_period(date_from=D(2025, 6, 1), date_to=D(2025, 6, 30))
    assert list(in_july) == [july]
    assert list(in_june) == [june]


# --- Pure rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 4, 1), (D(2026, 4, 1), D(2027, 3, 31))),
        (D(2026, 3, 31), (D(2025, 4, 1), D(2026, 3, 31))),
        (D(2026, 1, 1), (D(2025, 4, 1), D(2026, 3, 31))),
        (D(2025, 12, 31), (D(2025, 4, 1), D(2026, 3, 31))),
    ],
)
def test_the_default_period_is_the_financial_year(today, expected):
    assert reporting.financial_year(today) == expected


def test_a_period_must_not_end_before_it_starts():
    assert reporting.period_problem(D(2025, 4, 1), D(2025, 4, 1)) == ""
    assert "must be the same as or after" in reporting.period_problem(D(2025, 4, 2), D(2025, 4, 1))


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(1, 8, 12.5), (1, 3, 33.3), (2, 3, 66.7), (1, 400, 0.3), (1, 800, 0.1), (3, 3, 100.0)],
)
def test_percentages_round_half_up_to_one_place(part, whole, expected):
    assert reporting.percent(part, whole) == expected


def test_no_percentage_of_nothing():
    assert reporting.percent(0, 0) is None
    assert reporting.percent_text(None, missing="no evaluations") == "no evaluations"
    assert reporting.percent_text(100.0) == "100%"
    assert reporting.percent_text(12.5) == "12.5%"


def _report(sector_groups, workforce):
    return reporting.training_report(
        date_from=FROM,
        date_to=TO,
        as_at=TODAY,
        sectors=[("a", "Sector A"), ("b", "Sector B"), ("c", "Sector C")],
        totals={"sessions": 0, "practitioners": 0, "attendances": 0, "no_shows": 0, "marked": 0},
        evaluations={"evaluations": 0, "good_or_excellent": 0},
        sector_groups=sector_groups,
        workforce=workforce,
        agency_groups=[],
        courses_due=[],
    )


def test_exactly_half_the_overall_reach_is_not_under_represented():
    # Overall (10 + 20 + 3) / 240 = 13.75%, so half is 6.875%: A (10%), B (20%) and
    # C (3 of 40, 7.5%) are all above it.
    report = _report(
        [
            {"sector": "a", "delegates": 10, "attendances": 10},
            {"sector": "b", "delegates": 20, "attendances": 20},
            {"sector": "c", "delegates": 3, "attendances": 3},
        ],
        [
            {"sector": "a", "headcount": 100, "source": ""},
            {"sector": "b", "headcount": 100, "source": ""},
            {"sector": "c", "headcount": 40, "source": ""},
        ],
    )
    assert [row["under_represented"] for row in report["sectors"]] == [False, False, False]
    # Exactly half is not below half: A 1 of 100 (1%) against overall (1 + 3) / 200 = 2%.
    # Compared in whole numbers, so no rounding can tip it.
    report = _report(
        [
            {"sector": "a", "delegates": 1, "attendances": 1},
            {"sector": "b", "delegates": 3, "attendances": 3},
        ],
        [
            {"sector": "a", "headcount": 100, "source": ""},
            {"sector": "b", "headcount": 100, "source": ""},
        ],
    )
    assert [row["under_represented"] for row in report["sectors"]] == [False, False, False]
    # Just below half: 1 of 101.
    report = _report(
        [
            {"sector": "a", "delegates": 1, "attendances": 1},
            {"sector": "b", "delegates": 3, "attendances": 3},
        ],
        [
            {"sector": "a", "headcount": 101, "source": ""},
            {"sector": "b", "headcount": 100, "source": ""},
        ],
    )
    assert [row["under_represented"] for row in report["sectors"]] == [True, False, False]


def test_with_no_workforce_known_nothing_is_flagged():
    report = _report([{"sector": "a", "delegates": 1, "attendances": 1}], [])
    assert report["overall_reach_percent"] is None
    assert not any(row["under_represented"] for row in report["sectors"])


def test_exports_defuse_formulas_and_keep_each_table_under_its_title():
    tables = [
        reporting.Table("First", ("Name", "Count"), [["=SUM(A1)", 3], ["Plain", None]]),
        reporting.Table("Second", ("Only",), []),
    ]
    rows = list(csv.reader(io.StringIO(reporting.tables_csv("Report", tables))))
    assert rows == [
        ["Report"],
        [],
        ["First"],
        ["Name", "Count"],
        ["'=SUM(A1)", "3"],
        ["Plain", ""],
        [],
        ["Second"],
        ["Only"],
    ]


def test_plain_text_aligns_columns():
    text = reporting.tables_text(
        "Report", [reporting.Table("Figures", ("Name", "Count"), [["A", 5], ["Longer", 12]])]
    )
    assert text.splitlines() == [
        "Report",
        "",
        "Figures",
        "-------",
        "Name    Count",
        "A           5",
        "Longer     12",
    ]


def test_fewer_than_three_evaluations_are_not_reported(db):
    session = SessionFactory.create(
        starts_at=timezone.now() - datetime.timedelta(days=2),
        ends_at=timezone.now() - datetime.timedelta(days=2) + datetime.timedelta(hours=2),
    )
    EvaluationFactory.create_batch(2, session=session, rating="poor")
    today = timezone.localdate()

    report = report_selectors.training_report(
        date_from=today - datetime.timedelta(days=7), date_to=today, today=today
    )

    head = report["headline"]
    assert head["evaluations"] == 2
    assert head["good_or_excellent"] is None
    assert head["good_or_excellent_percent"] is None

    EvaluationFactory.create(session=session, rating="good")
    report = report_selectors.training_report(
        date_from=today - datetime.timedelta(days=7), date_to=today, today=today
    )
    assert report["headline"]["good_or_excellent_percent"] == 33.3


def test_sessions_still_to_come_are_not_counted_as_held(db):
    today = timezone.localdate()
    SessionFactory.create(
        starts_at=timezone.now() - datetime.timedelta(hours=5),
        ends_at=timezone.now() - datetime.timedelta(hours=4),
    )
    SessionFactory.create(
        starts_at=timezone.now() + datetime.timedelta(hours=30),
        ends_at=timezone.now() + datetime.timedelta(hours=31),
    )
    report = report_selectors.training_report(
        date_from=today - datetime.timedelta(days=1),
        date_to=today + datetime.timedelta(days=3),
        today=today,
    )
    assert report["headline"]["sessions"] == 1
