"""The working-day calendar, checked against the published list of bank holidays."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline.core.calendar import OutsideCalendarError, WorkingCalendar, add_months

D = datetime.date

# England and Wales bank holidays as published for 2018 to 2027, substitute days and the
# one-off days (8 May 2020 moved, 2 and 3 June 2022, 19 September 2022, 8 May 2023) included.
PUBLISHED = {
    2018: ["01-01", "03-30", "04-02", "05-07", "05-28", "08-27", "12-25", "12-26"],
    2019: ["01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26"],
    2020: ["01-01", "04-10", "04-13", "05-08", "05-25", "08-31", "12-25", "12-28"],
    2021: ["01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"],
    2022: [
        "01-03",
        "04-15",
        "04-18",
        "05-02",
        "06-02",
        "06-03",
        "08-29",
        "09-19",
        "12-26",
        "12-27",
    ],
    2023: ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"],
    2024: ["01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26"],
    2025: ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"],
    2026: ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
    2027: ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"],
}

CALENDAR = WorkingCalendar()


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_weekdays_off_are_exactly_the_published_bank_holidays(year):
    expected = {D.fromisoformat(f"{year}-{day}") for day in PUBLISHED[year]}
    day, off = D(year, 1, 1), set()
    while day.year == year:
        if day.weekday() < 5 and not CALENDAR.is_working_day(day):
            off.add(day)
        day += datetime.timedelta(days=1)
    assert off == expected


@pytest.mark.parametrize(
    "day", [D(2020, 5, 4), D(2022, 5, 30), D(2020, 12, 29), D(2022, 1, 4)], ids=str
)
def test_days_that_are_not_bank_holidays_although_they_once_would_be(day):
    assert CALENDAR.is_working_day(day)


def test_weekends_are_not_working_days():
    assert not CALENDAR.is_working_day(D(2024, 6, 29))
    assert not CALENDAR.is_working_day(D(2024, 6, 30))


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2023, 5, 4), 5, D(2023, 5, 12)),  # Coronation day 8 May skipped
        (D(2023, 12, 21), 5, D(2024, 1, 2)),  # Christmas, Boxing Day, New Year
        (D(2022, 5, 30), 5, D(2022, 6, 8)),  # Spring bank holiday moved to 2 June, Jubilee 3 June
        (D(2022, 9, 15), 2, D(2022, 9, 20)),  # State Funeral
        (D(2020, 5, 6), 2, D(2020, 5, 11)),  # VE Day bank holiday 8 May 2020
        (D(2020, 5, 1), 1, D(2020, 5, 4)),  # 4 May 2020 was a working day
        (D(2024, 6, 29), 1, D(2024, 7, 1)),  # a Saturday start: Monday is day 1
        (D(2024, 6, 28), 0, D(2024, 6, 28)),
    ],
)
def test_add_working_days(start, days, due):
    assert CALENDAR.add_working_days(start, days) == due


def test_nth_working_day_before_a_date():
    # Published Friday 22 December 2023: the 7th working day before is Wednesday 13 December.
    assert CALENDAR.working_days_before(D(2023, 12, 22), 7) == D(2023, 12, 13)
    # Published Tuesday 2 January 2024: counting back skips New Year's Day and Christmas.
    assert CALENDAR.working_days_before(D(2024, 1, 2), 3) == D(2023, 12, 27)
    assert CALENDAR.working_days_before(D(2024, 1, 2), 4) == D(2023, 12, 22)


def test_working_days_between_counts_after_start_up_to_and_including_end():
    assert CALENDAR.working_days_between(D(2020, 12, 17), D(2021, 1, 13)) == 16
    assert CALENDAR.working_days_between(D(2024, 6, 29), D(2024, 7, 1)) == 1
    assert CALENDAR.working_days_between(D(2024, 7, 1), D(2024, 7, 1)) == 0


def test_closure_days_are_not_working_days():
    closed = WorkingCalendar(closures=[D(2024, 7, 2)])
    assert not closed.is_working_day(D(2024, 7, 2))
    assert closed.add_working_days(D(2024, 7, 1), 1) == D(2024, 7, 3)
    assert CALENDAR.add_working_days(D(2024, 7, 1), 1) == D(2024, 7, 2)


def test_dates_outside_the_calendar_are_refused_clearly():
    with pytest.raises(OutsideCalendarError, match="outside the years"):
        CALENDAR.rank(D(1900, 1, 1))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2023, 8, 31), 6, D(2024, 2, 29)),
        (D(2022, 8, 31), 6, D(2023, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 8, 31), 6, D(2025, 2, 28)),
        (D(2023, 6, 30), 6, D(2023, 12, 30)),
        (D(2024, 11, 15), 3, D(2025, 2, 15)),
    ],
)
def test_add_months_keeps_to_the_last_day_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2070, 1, 1)),
    st.integers(min_value=0, max_value=60),
)
def test_adding_then_counting_working_days_agree(start, days):
    due = CALENDAR.add_working_days(start, days)
    assert CALENDAR.working_days_between(start, due) == days
    if days:
        assert CALENDAR.is_working_day(due)
        assert CALENDAR.working_days_before(due, days) <= start or not CALENDAR.is_working_day(
            start
        )


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2070, 1, 1)))
def test_a_brute_force_count_agrees(start):
    end = start + datetime.timedelta(days=40)
    day, count = start, 0
    while day < end:
        day += datetime.timedelta(days=1)
        count += CALENDAR.is_working_day(day)
    assert CALENDAR.working_days_between(start, end) == count
