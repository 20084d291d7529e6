"""The assurance quarters of the yearly report stand on fixed days, so a report made later
gives the same figures: risks as at each quarter's end, returns as at the end of the
quarter after."""

import datetime

from sightline.assurance.quarters import Quarter
from sightline.assurance.selectors.year import quarter_assurance, settled_on
from sightline.assurance.services.groups import assurance_return_submit
from sightline.assurance.services.risks import risk_create, risk_review
from sightline.assurance.tests.factories import GroupFactory
from sightline.assurance.tests.test_as_at import executive, on_day

D = datetime.date


def test_a_quarter_settles_at_the_end_of_the_next():
    assert settled_on(Quarter.parse("2023-24 Q4")) == D(2024, 6, 30)
    assert settled_on(Quarter.parse("2023-24 Q1")) == D(2023, 9, 30)


def test_a_risk_rescored_after_the_quarter_stays_as_it_stood(db):
    owner = executive()
    with on_day(D(2024, 1, 10)):
        risk = risk_create(
            actor=owner,
            reference="SR-YR",
            title="Front door capacity",
            category="operational",
            owner=owner,
            cause="Too few staff.",
            consequence="Referrals wait.",
            inherent_likelihood=5,
            inherent_impact=5,
            residual_likelihood=5,
            residual_impact=4,
        )
    quarter = Quarter.parse("2023-24 Q4")
    before = quarter_assurance(quarter=quarter)
    with on_day(D(2024, 5, 1)):
        risk_review(
            actor=owner,
            risk=risk,
            assessed_on=D(2024, 5, 1),
            inherent_likelihood=2,
            inherent_impact=2,
            residual_likelihood=1,
            residual_impact=1,
            note="Fully staffed.",
        )
    after = quarter_assurance(quarter=quarter)
    assert [row.reference for row in before.risks_above_appetite] == ["SR-YR"]
    assert after == before


def test_a_return_counts_when_made_by_the_end_of_the_next_quarter(db):
    owner = executive()
    quarter = Quarter.parse("2023-24 Q4")
    with on_day(D(2024, 1, 2)):
        group = GroupFactory.create(name="Quality assurance group")
    with on_day(D(2024, 4, 8)):
        assurance_return_submit(
            actor=owner, group=group, quarter=quarter, level="assured", summary="All well."
        )
    with on_day(D(2024, 7, 3)):
        assurance_return_submit(
            actor=owner,
            group=group,
            quarter=quarter,
            level="not_assured",
            summary="Gaps.",
            exceptions="Chronologies missing.",
        )
    figures = quarter_assurance(quarter=quarter)
    assert (figures.returns_assured, figures.returns_not_assured, figures.returns_missing) == (
        1,
        0,
        0,
    )
