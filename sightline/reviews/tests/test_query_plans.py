"""Who may see which case is decided once per query, not once per row (PostgreSQL).

Two ``EXISTS`` joined by ``OR`` cannot become a join, so PostgreSQL ran them for every
deadline: 390 ms for one agency lead's deadline count at 53,000 cases. Written as ``IN``
subqueries that do not refer to the row, each is read once and probed by hash."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sightline.core.roles import Role
from sightline.core.tests.plans import explain, plans_of, postgresql_only
from sightline.reviews.selectors import deadline_counts, deadlines_listed, visible_cases

from .factories import CaseFactory

pytestmark = [pytest.mark.django_db, postgresql_only]

CORRELATED = re.compile(r"\(SubPlan \d+\)")  # "(hashed SubPlan 1)" is read once


@pytest.mark.parametrize("mine", [False, True])
@pytest.mark.parametrize("role", [Role.AGENCY_LEAD, Role.REVIEW_OFFICER])
def test_deadline_counts_decide_visibility_once_not_for_every_deadline(make_user, role, mine):
    person = make_user(role)
    CaseFactory.create_batch(2)
    for plan in plans_of(
        lambda: deadline_counts(user=person, mine=mine), reading="reviews_casedeadline"
    ):
        assert not CORRELATED.search(plan), plan


def test_the_tracker_of_an_agency_lead_decides_visibility_once(make_user):
    lead = make_user(Role.AGENCY_LEAD)
    CaseFactory.create_batch(2)
    for plan in plans_of(lambda: list(visible_cases(user=lead)), reading="reviews_case"):
        assert not CORRELATED.search(plan), plan


@pytest.mark.parametrize("role", [Role.AGENCY_LEAD, Role.REVIEW_GROUP_MEMBER])
def test_the_cases_of_a_persons_agencies_are_read_from_the_index_alone(make_user, role):
    """Migration 0009: the agency's involvements come from (agency, case), index only."""
    person = make_user(role)
    for case in CaseFactory.create_batch(3):
        case.agencies.add(*person.agency_ids)
    with CaptureQueriesContext(connection) as captured:
        deadline_counts(user=person)
    (sql,) = [query["sql"] for query in captured.captured_queries]
    plan = explain(sql, off=("seqscan", "bitmapscan"))
    assert "Index Only Scan using case_agencies_agency_case_idx" in plan, plan


@pytest.mark.parametrize("role", [Role.AGENCY_LEAD, Role.REVIEW_GROUP_MEMBER])
def test_a_dashboards_few_deadlines_are_probed_in_due_order_not_hashed(make_user, role):
    """The opposite of the counts above, on purpose: eight deadlines under a LIMIT walk the
    due date's index and probe each case's visibility by index (a correlated SubPlan, no
    "hashed SubPlan" that would read every case of the person's agencies first)."""
    person = make_user(role)
    for case in CaseFactory.create_batch(3):
        case.agencies.add(*person.agency_ids)
    with CaptureQueriesContext(connection) as captured:
        deadlines_listed(user=person, within_days=14, listed=8)
    (sql,) = [query["sql"] for query in captured.captured_queries]
    # As if there were many: no sequential scan of the deadlines, and no sort of them all.
    plan = explain(sql, off=("seqscan", "bitmapscan", "sort"))
    assert "reviews_casedeadline_due" in plan, plan
    assert CORRELATED.search(plan), plan
    assert "hashed SubPlan" not in plan, plan
