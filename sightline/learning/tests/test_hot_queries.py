"""The learning tracker's hot reads: the report grouped by integer keys (with its names looked
up afterwards and its figures exactly as they stood on the date), the action lists' query
counts, and on PostgreSQL the indexes their query plans use."""

import datetime
import json
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.roles import Role
from sightline.core.tests.plans import explain, postgresql_only
from sightline.learning import selectors
from sightline.learning.models import (
    Action,
    ActionStatusChange,
    Evidence,
    RecommendationDecision,
)
from sightline.learning.tests.factories import ActionFactory, RecommendationFactory
from sightline.reviews.tests.factories import CaseFactory

D = datetime.date
TODAY = datetime.datetime(2024, 9, 1, 12, tzinfo=datetime.UTC)


def _change(action: Action, status: str, on: datetime.date) -> None:
    ActionStatusChange.objects.create(action=action, status=status, on=on, via="progress")


def _evidence(action: Action, kind: str, dated: datetime.date) -> None:
    Evidence.objects.create(action=action, kind=kind, description="Done", dated=dated)


def _row(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    (found,) = [row for row in rows if all(row[key] == value for key, value in match.items())]
    return found


# --- The report: integer keys, names afterwards, as at a date --------------------------------


@time_machine.travel(TODAY)
def test_the_report_names_each_source_and_agency_it_grouped_by_their_ids(db):
    case = CaseFactory.create()
    police, health = (
        AgencyFactory.create(name="Northshire Police"),
        AgencyFactory.create(name="Northshire Health"),
    )
    from_case = RecommendationFactory.create(
        made_date=D(2024, 1, 1), source_type="case_review", source_case=case, source_title=""
    )
    titled = RecommendationFactory.create(made_date=D(2024, 1, 1), source_title="Audit 7")
    for rec, agency in ((from_case, police), (from_case, health), (titled, police)):
        ActionFactory.create(recommendation=rec, agency=agency, due_date=D(2024, 12, 1))
    report = selectors.learning_report(as_at=D(2024, 8, 1))
    assert _row(report["by_source"], source=case.reference)["actions"] == 2
    assert _row(report["by_source"], source="Audit 7")["actions"] == 1
    assert _row(report["by_agency"], agency="Northshire Police")["actions"] == 2
    assert _row(report["by_agency"], agency="Northshire Health")["actions"] == 1


@time_machine.travel(TODAY)
def test_evidence_counts_each_action_once_and_only_when_dated_by_then(db):
    agency = AgencyFactory.create(name="Northshire Police")
    rec = RecommendationFactory.create(made_date=D(2024, 1, 1))
    twice, late, none = (
        ActionFactory.create(recommendation=rec, agency=agency, due_date=D(2024, 12, 1))
        for _ in range(3)
    )
    _evidence(twice, "dissemination", D(2024, 2, 1))
    _evidence(twice, "dissemination", D(2024, 3, 1))
    _evidence(twice, "impact", D(2024, 3, 1))
    _evidence(late, "dissemination", D(2024, 7, 1))
    _evidence(late, "impact", D(2024, 7, 2))
    # An action with a status change and one without are counted in the same group.
    _change(late, "on_track", D(2024, 2, 1))

    def figures(day: datetime.date) -> tuple[int, int]:
        row = _row(selectors.learning_report(as_at=day)["by_agency"], agency=agency.name)
        return row["with_dissemination_evidence"], row["with_impact_evidence"]

    assert figures(D(2024, 1, 31)) == (0, 0)
    assert figures(D(2024, 2, 1)) == (1, 0)
    assert figures(D(2024, 6, 30)) == (1, 1)
    assert figures(D(2024, 7, 1)) == (2, 1)
    assert figures(D(2024, 7, 2)) == (2, 2)
    assert none.evidence.count() == 0


@time_machine.travel(TODAY)
def test_decisions_stand_as_at_the_date_from_their_history_or_their_own_field(db):
    # No history at all (written outside the services): its own decision, from when made.
    RecommendationFactory.create(made_date=D(2024, 1, 1), decision="accepted")
    # History, none of it dated by the report's date: undecided then, whatever it says now.
    later = RecommendationFactory.create(made_date=D(2024, 1, 1), decision="accepted")
    RecommendationDecision.objects.create(
        recommendation=later, decision="accepted", decided_on=D(2024, 6, 1)
    )
    # Decided, then withdrawn (a blank decision): undecided from the withdrawal.
    withdrawn = RecommendationFactory.create(made_date=D(2024, 1, 1))
    RecommendationDecision.objects.create(
        recommendation=withdrawn,
        decision="not_accepted",
        reason="Out of remit",
        decided_on=D(2024, 2, 1),
    )
    RecommendationDecision.objects.create(
        recommendation=withdrawn, decision="", decided_on=D(2024, 4, 1)
    )
    # Recorded later with an earlier date: it corrects the first from its own date on.
    corrected = RecommendationFactory.create(made_date=D(2024, 1, 1), decision="accepted")
    RecommendationDecision.objects.create(
        recommendation=corrected, decision="accepted", decided_on=D(2024, 3, 1)
    )
    RecommendationDecision.objects.create(
        recommendation=corrected, decision="accepted_in_part", decided_on=D(2024, 2, 1)
    )

    def counts(day: datetime.date) -> tuple[int, int, int, int]:
        totals = selectors.learning_report(as_at=day)["totals"]
        return (
            totals["accepted"],
            totals["accepted_in_part"],
            totals["not_accepted"],
            totals["undecided"],
        )

    assert counts(D(2024, 1, 15)) == (1, 0, 0, 3)
    assert counts(D(2024, 2, 1)) == (1, 1, 1, 1)
    assert counts(D(2024, 3, 15)) == (1, 1, 1, 1)
    assert counts(D(2024, 4, 1)) == (1, 1, 0, 2)
    assert counts(D(2024, 6, 1)) == (2, 1, 0, 1)
    report = selectors.learning_report(as_at=D(2024, 3, 1))
    assert [item["reason"] for item in report["not_accepted"]] == ["Out of remit"]


@time_machine.travel(TODAY)
def test_each_action_is_counted_once_by_its_status_then(db):
    agency = AgencyFactory.create(name="Northshire Police")
    rec = RecommendationFactory.create(made_date=D(2024, 1, 1))
    done = ActionFactory.create(
        recommendation=rec,
        agency=agency,
        due_date=D(2024, 3, 1),
        status="complete",
        completed_date=D(2024, 2, 20),
    )
    _change(done, "not_started", D(2024, 1, 2))
    _change(done, "on_track", D(2024, 2, 1))
    _change(done, "complete", D(2024, 2, 20))
    # No history: read by its own dates (complete late, from its completed date).
    ActionFactory.create(
        recommendation=rec,
        agency=agency,
        due_date=D(2024, 3, 1),
        status="complete",
        completed_date=D(2024, 4, 1),
    )

    def figures(day: datetime.date) -> tuple[int, int, int, int, int]:
        totals = selectors.learning_report(as_at=day)["totals"]
        return (
            totals["actions"],
            totals["complete"],
            totals["complete_on_time"],
            totals["overdue"],
            totals["open"],
        )

    assert figures(D(2024, 2, 19)) == (2, 0, 0, 0, 2)
    assert figures(D(2024, 2, 20)) == (2, 1, 1, 0, 1)
    assert figures(D(2024, 3, 15)) == (2, 1, 1, 1, 0)
    assert figures(D(2024, 4, 1)) == (2, 2, 1, 0, 0)


# --- The action lists: query counts that do not grow ---------------------------------------


def _grow(agency: Any, other: Any, count: int) -> None:
    for _ in range(count):
        rec = RecommendationFactory.create(made_date=D(2024, 1, 1))
        for owner_agency in (agency, other):
            ActionFactory.create(recommendation=rec, agency=owner_agency, due_date=D(2024, 2, 1))
            ActionFactory.create(recommendation=rec, agency=owner_agency, due_date=D(2024, 9, 15))


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("role", "query", "expected"),
    [
        (Role.AGENCY_LEAD, "?mine=1", 7),
        (Role.AGENCY_LEAD, "?mine=1&overdue=on", 7),
        (Role.ADMINISTRATOR, "?overdue=on", 7),
        (Role.ADMINISTRATOR, "?due_soon=on", 7),
    ],
)
def test_the_action_lists_take_the_same_queries_for_many_more_actions(
    client, make_user, role, query, expected
):
    agency, other = AgencyFactory.create(), AgencyFactory.create()
    client.force_login(make_user(role, agency=agency))
    url = reverse("learning:action_list") + query
    _grow(agency, other, 2)
    small = _queries(client, url)
    _grow(agency, other, 30)
    assert _queries(client, url) == small == expected


# --- PostgreSQL: the plans use the intended indexes ----------------------------------------


def _plan(sql: str, params: Any = None) -> str:
    """The plan PostgreSQL WOULD choose for ``sql`` when it must use an index where it can:
    on a test's few rows it might rightly scan the table instead."""
    return explain(sql, params, off=("seqscan", "bitmapscan"), as_json=True)


def _actions(agency: Any, other: Any) -> None:
    """2,000 actions, one in eight ``agency``'s and about one in eight open and overdue as at
    the test's today, and the table vacuumed and analysed as autovacuum keeps it (its
    statistics, and the visibility map that lets a count skip the table), so the planner
    chooses between indexes as it does with real data."""
    rec = RecommendationFactory.create(made_date=D(2020, 1, 1))
    statuses = ["complete"] * 6 + ["not_started", "on_track"]
    Action.objects.bulk_create(
        Action(
            reference=f"P-{n}",
            recommendation=rec,
            agency=other if n % 8 else agency,
            description="D",
            due_date=D(2020, 2, 1) + datetime.timedelta(days=n % 1700),
            status=statuses[n % 8],
            completed_date=D(2020, 2, 1) if statuses[n % 8] == "complete" else None,
        )
        for n in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE learning_action")


def _captured(function: Any) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        function()
    return [query["sql"] for query in captured.captured_queries]


def _scans(plan: str) -> set[tuple[str, str]]:
    """(node type, index) of every scan of an index in ``plan``."""
    found = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "Index Name" in node:
                found.add((node["Node Type"], node["Index Name"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(plan))
    return found


# These commit their rows (VACUUM cannot run in a transaction); the database is emptied after.
@postgresql_only
@pytest.mark.django_db(transaction=True)
@time_machine.travel(TODAY)
def test_overdue_by_agency_counts_from_an_index_alone():
    _actions(AgencyFactory.create(), AgencyFactory.create())
    (sql,) = _captured(selectors.overdue_by_agency)
    scans = _scans(_plan(sql))
    assert scans
    assert all(node == "Index Only Scan" for node, _ in scans), scans


@postgresql_only
@pytest.mark.django_db(transaction=True)
@time_machine.travel(TODAY)
def test_the_open_and_overdue_counts_for_each_agency_come_from_an_index_alone():
    _actions(AgencyFactory.create(), AgencyFactory.create())
    (sql,) = _captured(
        lambda: selectors.action_counts_by_agency(today=D(2024, 9, 1), within_days=30)
    )
    scans = _scans(_plan(sql))
    assert scans
    assert all(node == "Index Only Scan" for node, _ in scans), scans


@postgresql_only
@pytest.mark.django_db(transaction=True)
@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("role", "filters", "list_indexes"),
    [
        # The agency lead's own agencies' actions, which they may all see.
        (Role.AGENCY_LEAD, {"mine": True}, {"action_agency_due_idx"}),
        (Role.AGENCY_LEAD, {"mine": True, "overdue": True}, {"action_open_agency_due_idx"}),
        # Everyone's: the business unit's lists (an agency lead's are narrowed to the learning
        # they may see, decision 0013, which a join to the recommendations decides).
        (Role.ADMINISTRATOR, {"overdue": True}, {"action_open_due_idx"}),
        (Role.ADMINISTRATOR, {"due_soon": True}, {"action_open_due_idx"}),
    ],
)
def test_the_action_lists_and_their_counts_use_their_indexes(
    make_user, role, filters, list_indexes
):
    agency, other = AgencyFactory.create(), AgencyFactory.create()
    user = make_user(role, agency=agency)
    _actions(agency, other)
    actions = selectors.action_list_for(user=user, filters=selectors.ActionFilters(**filters))
    # The page: read in the list's order from its index, with no sort of the rows found.
    page_sql, page_params = actions[:25].query.sql_with_params()
    page_plan = _plan(page_sql, page_params)
    assert {index for _, index in _scans(page_plan)} & list_indexes, page_plan
    assert '"Node Type": "Sort"' not in page_plan
    if filters.get("mine"):
        # What the lead may not see of a source is worked out for the page's rows alone (each
        # an index probe), never by first hashing every recommendation or involvement.
        assert "hashed SubPlan" not in page_plan, page_plan
    # The count the pagination takes, as Django writes it: from an index alone.
    (count_sql,) = _captured(actions.count)
    scans = _scans(_plan(count_sql))
    assert scans
    assert all(node == "Index Only Scan" for node, _ in scans), scans


# --- Dashboards' counts ------------------------------------------------------------------


@time_machine.travel(TODAY)
def test_overdue_counts_on_past_days_count_actions_finished_only_later(db):
    rec = RecommendationFactory.create(made_date=D(2024, 1, 1))
    due = D(2024, 2, 1)
    for status, completed, closed in (
        ("on_track", None, None),  # overdue on every day after its due date
        ("complete", D(2024, 4, 1), None),  # overdue until completed
        ("closed_incomplete", None, D(2024, 5, 1)),  # overdue until closed
        ("closed_incomplete", None, None),  # closed with no date: never overdue
        ("complete", D(2024, 1, 20), None),  # completed before it was due
    ):
        ActionFactory.create(
            recommendation=rec,
            due_date=due,
            status=status,
            completed_date=completed,
            closed_date=closed,
            closed_reason="Gone" if status == "closed_incomplete" else "",
        )
    ActionFactory.create(recommendation=rec, due_date=D(2024, 8, 1))  # due later
    days = [D(2024, 2, 1), D(2024, 3, 1), D(2024, 4, 15), D(2024, 6, 1)]
    counts = [item.overdue for item in selectors.overdue_action_counts(days=days)]
    assert counts == [0, 3, 2, 1]
    assert [
        row.overdue
        for row in selectors.overdue_actions_by_agency_on(day=D(2024, 3, 1), today=D(2024, 9, 1))
    ] == [1, 1, 1]


@time_machine.travel(TODAY)
def test_theme_progress_counts_each_themes_actions_in_the_database(
    admin_user, django_assert_num_queries
):
    from sightline.reviews.models import PracticeTheme

    first, second = PracticeTheme.objects.order_by("name")[:2]
    both = RecommendationFactory.create(made_date=D(2024, 1, 1))
    both.themes.add(first, second)
    one = RecommendationFactory.create(made_date=D(2024, 1, 1))
    one.themes.add(first)
    RecommendationFactory.create(made_date=D(2024, 1, 1))  # no theme
    ActionFactory.create(recommendation=both, due_date=D(2024, 2, 1))  # overdue
    ActionFactory.create(recommendation=both, status="complete", completed_date=D(2024, 2, 1))
    ActionFactory.create(recommendation=one, status="closed_incomplete", closed_reason="Gone")
    assert admin_user.role_set  # read once for each request, before the page
    with django_assert_num_queries(3):
        rows = {row["theme"].pk: row for row in selectors.theme_progress(user=admin_user)}
    counts = ("recommendations", "actions", "complete", "closed", "overdue")
    assert [rows[first.pk][name] for name in counts] == [2, 3, 1, 1, 1]
    assert [rows[second.pk][name] for name in counts] == [1, 2, 1, 0, 1]
    assert set(rows) == {first.pk, second.pk}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_group_learning_counts_are_read_from_indexes_alone(make_user):
    """The review group's learning counts (one statement): the recommendations awaiting a
    decision from their partial index, the agency's open actions from theirs, and the
    person's row by its key; no scan reads a table."""
    RecommendationFactory.create_batch(3, decision="")
    member = make_user(Role.REVIEW_GROUP_MEMBER)
    ActionFactory.create_batch(3, agency_id=next(iter(member.agency_ids)), due_date=D(2026, 1, 1))
    with connection.cursor() as cursor:  # as autovacuum keeps them: the visibility map set
        for table in ("learning_recommendation", "learning_action", "accounts_user"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    (sql,) = _captured(
        lambda: selectors.group_learning_counts(user=member, today=D(2026, 3, 1), within_days=30)
    )
    scans = _scans(_plan(sql))
    assert ("Index Only Scan", "recommendation_undecided_idx") in scans, scans
    assert {kind for kind, _ in scans} == {"Index Only Scan"}, scans
    assert any(index.startswith("action_") for _, index in scans), scans


@pytest.mark.django_db
def test_group_learning_counts_are_one_query_and_only_the_persons_agencies(make_user):
    today = datetime.date(2026, 3, 10)
    home = AgencyFactory.create()
    member = make_user(Role.REVIEW_GROUP_MEMBER, agency=home)
    ActionFactory.create(agency=home, due_date=today - datetime.timedelta(days=1))
    ActionFactory.create(agency=home, due_date=today + datetime.timedelta(days=5))
    ActionFactory.create(agency=home, due_date=today + datetime.timedelta(days=40))
    ActionFactory.create(due_date=today - datetime.timedelta(days=1))  # another agency's
    undecided = selectors.undecided_recommendations().count()
    assert member.agency_ids == {home.pk}  # the person's roles, read once a request
    with CaptureQueriesContext(connection) as captured:
        counts = selectors.group_learning_counts(user=member, today=today, within_days=30)
    assert len(captured) == 1
    assert counts == selectors.GroupLearningCounts(
        undecided=undecided, actions_overdue=1, actions_due_soon=1
    )
    # Someone in no agency: none of an agency's actions, the recommendations still counted.
    nobody = make_user()
    alone = selectors.group_learning_counts(user=nobody, today=today, within_days=30)
    assert alone == selectors.GroupLearningCounts(
        undecided=undecided, actions_overdue=0, actions_due_soon=0
    )
