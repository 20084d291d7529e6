"""The counting rules of the contract, one behaviour at a time (pure: no database)."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from sightline.core.calendar import WorkingCalendar
from sightline.reviews.timeliness import (
    Result,
    Rule,
    StandardSpec,
    Status,
    evaluate,
    report,
    timeline,
)

D = datetime.date
CAL = WorkingCalendar()
RAPID = StandardSpec(
    "child.rapid_review",
    "child",
    "incident_aware_date",
    "rapid_review_sent_date",
    Rule.WITHIN_WORKING_DAYS,
    15,
)
PUBLISH = StandardSpec(
    "child.publication",
    "child",
    "review_initiated_date",
    "published_date",
    Rule.WITHIN_MONTHS,
    6,
    "lcspr",
)
NOTICE = StandardSpec(
    "child.final_report_notice",
    "child",
    "published_date",
    "final_report_sent_date",
    Rule.BEFORE_WORKING_DAYS,
    7,
)


def applies(spec: StandardSpec, facts: dict, **kwargs) -> Result:
    result = evaluate(spec, facts, calendar=CAL, **kwargs)
    assert result is not None
    return result


def case(**facts):
    return {"reference": "T-1", "route": "child", "outcome": "lcspr", **facts}


def test_done_on_the_sixteenth_working_day_is_missed_by_one_day():
    result = applies(
        RAPID,
        case(incident_aware_date=D(2020, 12, 17), rapid_review_sent_date=D(2021, 1, 13)),
        as_at=D(2022, 4, 30),
    )
    assert (result.status, result.due, result.working_days, result.days_late) == (
        Status.MISSED,
        D(2021, 1, 12),
        16,
        1,
    )


def test_milestones_after_the_as_at_date_do_not_count():
    facts = case(incident_aware_date=D(2024, 3, 1), rapid_review_sent_date=D(2024, 3, 15))
    before = applies(RAPID, facts, as_at=D(2024, 3, 10))
    assert before.status == Status.PENDING
    assert before.done is None
    late = applies(RAPID, facts | {"rapid_review_sent_date": None}, as_at=D(2024, 4, 30))
    assert late.status == Status.OVERDUE


def test_cases_starting_after_as_at_or_before_since_are_not_applicable():
    facts = case(incident_aware_date=D(2024, 3, 1))
    assert evaluate(RAPID, facts, as_at=D(2024, 2, 1), calendar=CAL) is None
    assert evaluate(RAPID, facts, as_at=D(2024, 6, 1), since=D(2024, 3, 2), calendar=CAL) is None
    assert (
        evaluate(RAPID, facts, as_at=D(2024, 6, 1), since=D(2024, 3, 1), calendar=CAL) is not None
    )


def test_standard_conditional_on_outcome():
    facts = case(review_initiated_date=D(2024, 8, 31))
    assert (
        evaluate(PUBLISH, facts | {"outcome": "no_lcspr"}, as_at=D(2025, 1, 1), calendar=CAL)
        is None
    )
    assert applies(PUBLISH, facts, as_at=D(2025, 1, 1)).due == D(2025, 2, 28)


def test_other_routes_are_not_applicable():
    assert (
        evaluate(
            RAPID,
            {"reference": "A", "route": "adult", "incident_aware_date": D(2024, 1, 1)},
            as_at=D(2025, 1, 1),
            calendar=CAL,
        )
        is None
    )


def test_notice_before_publication():
    published = case(published_date=D(2023, 12, 22))
    missing = applies(NOTICE, published, as_at=D(2024, 1, 1))
    assert (missing.status, missing.due, missing.working_days) == (
        Status.MISSED,
        D(2023, 12, 13),
        None,
    )
    on_time = applies(
        NOTICE,
        published | {"final_report_sent_date": D(2023, 12, 13)},
        as_at=D(2024, 1, 1),
    )
    assert (on_time.status, on_time.working_days) == (Status.MET, 7)
    late = applies(
        NOTICE,
        published | {"final_report_sent_date": D(2023, 12, 15)},
        as_at=D(2024, 1, 1),
    )
    assert (late.status, late.days_late, late.working_days) == (Status.MISSED, 2, 5)
    assert evaluate(NOTICE, published, as_at=D(2023, 12, 21), calendar=CAL) is None


def test_timeline_marks_deadlines_due_soon():
    facts = case(incident_aware_date=D(2024, 3, 1))
    entries = timeline([RAPID], facts, today=D(2024, 3, 18), calendar=CAL)
    assert entries[0].result.due == D(2024, 3, 22)
    assert entries[0].due_soon
    assert not timeline([RAPID], facts, today=D(2024, 3, 4), calendar=CAL)[0].due_soon


milestone = st.one_of(st.none(), st.dates(min_value=D(2019, 1, 1), max_value=D(2024, 12, 31)))


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "outcome": st.sampled_from(["", "lcspr", "no_lcspr"]),
                "incident_aware_date": milestone,
                "panel_notified_date": milestone,
                "rapid_review_sent_date": milestone,
                "review_initiated_date": milestone,
                "final_report_sent_date": milestone,
                "published_date": milestone,
            }
        ),
        max_size=25,
    ),
    st.dates(min_value=D(2019, 6, 1), max_value=D(2025, 6, 1)),
    st.one_of(st.none(), st.dates(min_value=D(2019, 1, 1), max_value=D(2024, 1, 1))),
)
def test_the_report_agrees_with_evaluating_each_case(rows, as_at, since):
    cases = [
        {"reference": f"R-{index:03d}", "route": "child", **row} for index, row in enumerate(rows)
    ]
    specs = [RAPID, PUBLISH, NOTICE]
    result = report(specs, cases, as_at=as_at, since=since, calendar=CAL)
    for spec, standard in zip(specs, result["standards"], strict=True):
        expected = [
            r
            for r in (evaluate(spec, c, as_at=as_at, since=since, calendar=CAL) for c in cases)
            if r
        ]
        expected.sort(key=lambda r: (r.start, r.reference))
        assert standard["cases"] == [r.as_json() for r in expected]
        assert standard["applicable"] == len(expected)
        for status in Status:
            assert standard[str(status)] == sum(r.status == status for r in expected)
    counts_only = report(specs, cases, as_at=as_at, since=since, calendar=CAL, with_cases=False)
    assert [s["met"] for s in counts_only["standards"]] == [s["met"] for s in result["standards"]]
    assert all(s["cases"] == [] for s in counts_only["standards"])
