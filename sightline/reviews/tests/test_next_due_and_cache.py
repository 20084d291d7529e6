"""The case's stored next due date, the tracker's pages read by keys first, and the cached
timeliness report (issue 14)."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Min
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sightline.core.roles import Role
from sightline.core.services import closure_day_add, closure_day_remove
from sightline.core.tests.plans import explain
from sightline.reviews import selectors, services
from sightline.reviews.models import Case, CaseDeadline, TimelinessStandard
from sightline.reviews.tests.factories import CaseFactory

D = datetime.date
AS_AT = D(2024, 6, 30)


def _earliest_deadlines() -> dict[int, D | None]:
    """What every case's next due date must be: its earliest deadline, None when none."""
    earliest = dict(
        CaseDeadline.objects.values("case").annotate(first=Min("due")).values_list("case", "first")
    )
    return {pk: earliest.get(pk) for pk in Case.objects.values_list("pk", flat=True)}


def _stored() -> dict[int, D | None]:
    return dict(Case.objects.values_list("pk", "next_due_on"))


def _assert_next_due_right() -> None:
    assert _stored() == _earliest_deadlines()


def _standard_data(standard: TimelinessStandard, **changes):
    return {field: getattr(standard, field) for field in services.STANDARD_FIELDS} | changes


# --- next_due_on after every write path ------------------------------------------------------


def test_next_due_follows_a_milestone_change(admin_user):
    case = services.case_save(
        actor=admin_user,
        case=None,
        data={
            "reference": "ND-1",
            "route": "child",
            "incident_aware_date": D(2024, 3, 4),
        },
    )
    case.refresh_from_db()
    # Notification (5 working days) falls due before the rapid review (15).
    assert case.next_due_on == D(2024, 3, 11)
    _assert_next_due_right()
    services.case_save(actor=admin_user, case=case, data={"panel_notified_date": D(2024, 3, 6)})
    case.refresh_from_db()
    assert case.next_due_on == D(2024, 3, 25)
    services.case_save(actor=admin_user, case=case, data={"rapid_review_sent_date": D(2024, 3, 20)})
    case.refresh_from_db()
    assert case.next_due_on is None
    _assert_next_due_right()


def test_next_due_set_by_a_refresh_of_some_cases_and_of_all(db):
    first, second = CaseFactory.create(), CaseFactory.create(panel_notified_date=None)
    assert _stored() == {first.pk: None, second.pk: None}  # made behind the services' back
    services.deadlines_refresh(case_ids=[first.pk])
    assert _stored() == {first.pk: D(2024, 3, 25), second.pk: None}
    services.deadlines_refresh()
    assert _stored() == {first.pk: D(2024, 3, 25), second.pk: D(2024, 3, 11)}
    Case.objects.filter(pk=first.pk).update(rapid_review_sent_date=D(2024, 3, 20))
    services.deadlines_refresh()
    assert _stored() == {first.pk: None, second.pk: D(2024, 3, 11)}
    _assert_next_due_right()


def test_next_due_after_an_import_of_new_and_changed_cases(db):
    header = "reference,route,pseudonym,outcome,incident_aware_date,panel_notified_date"
    services.import_cases(
        actor=None,
        name="cases.csv",
        content=f"{header}\nIM-1,child,A,,2024-03-04,\nIM-2,child,B,,2024-03-04,2024-03-05\n".encode(),
    )
    assert dict(Case.objects.values_list("reference", "next_due_on")) == {
        "IM-1": D(2024, 3, 11),
        "IM-2": D(2024, 3, 25),
    }
    services.import_cases(
        actor=None,
        name="cases.csv",
        content=f"{header}\nIM-1,child,A,,2024-03-04,2024-03-06\n".encode(),
    )
    assert Case.objects.get(reference="IM-1").next_due_on == D(2024, 3, 25)
    _assert_next_due_right()


def test_next_due_follows_standard_and_closure_day_changes(admin_user):
    case = CaseFactory.create()
    services.deadlines_refresh(case_ids=[case.pk])
    standard = TimelinessStandard.objects.get(code="child.rapid_review")
    services.standard_save(
        actor=admin_user, standard=standard, data=_standard_data(standard, amount=20)
    )
    case.refresh_from_db()
    assert case.next_due_on == D(2024, 4, 3)  # 20 working days, Easter skipped
    day = closure_day_add(actor=admin_user, date=D(2024, 3, 12), description="Closed")
    case.refresh_from_db()
    assert case.next_due_on == D(2024, 4, 4)
    closure_day_remove(actor=admin_user, day=day)
    services.standard_save(
        actor=admin_user, standard=standard, data=_standard_data(standard, is_active=False)
    )
    case.refresh_from_db()
    assert case.next_due_on is None
    _assert_next_due_right()


def test_refresh_writes_only_the_cases_whose_next_due_moved(db):
    cases = CaseFactory.create_batch(5)
    services.deadlines_refresh()
    with CaptureQueriesContext(connection) as queries:
        services.deadlines_refresh()
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "reviews_case"')]
    assert updates == []  # nothing moved
    Case.objects.filter(pk=cases[0].pk).update(panel_notified_date=None)
    with CaptureQueriesContext(connection) as queries:
        services.deadlines_refresh()
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "reviews_case"')]
    assert len(updates) == 1
    _assert_next_due_right()


# --- The tracker --------------------------------------------------------------------------


def _listed(client, query: str) -> list[str]:
    page = client.get(reverse("reviews:case_list") + query).content.decode()
    return [ref for ref in (f"SD-{n:02d}" for n in range(60)) if ref in page]


def _make_cases(count: int) -> None:
    for number in range(count):
        CaseFactory.create(
            reference=f"SD-{number:02d}",
            incident_aware_date=D(2024, 1, 1) + datetime.timedelta(days=(number * 7) % 40),
            opened_on=D(2024, 1, 1) + datetime.timedelta(days=number),
            panel_notified_date=None if number % 3 else D(2024, 3, 1),
        )
    services.deadlines_refresh()


def test_tracker_sorts_by_the_stored_next_due_date_and_pages_by_keys(admin_client):
    _make_cases(30)
    expected = list(
        Case.objects.order_by("next_due_on", "reference").values_list("reference", flat=True)
    )
    assert _listed(admin_client, "?sort=next_due") == sorted(expected[:25])
    page = admin_client.get(reverse("reviews:case_list") + "?sort=next_due").content.decode()
    positions = [page.index(reference) for reference in expected[:25]]
    assert positions == sorted(positions)  # in next due order, reference breaking ties
    assert _listed(admin_client, "?sort=next_due&page=2") == sorted(expected[25:])
    # The default sort's second page: the newest cases first, and links to both pages.
    second = admin_client.get(reverse("reviews:case_list") + "?page=2").content.decode()
    assert [ref for ref in (f"SD-{n:02d}" for n in range(30)) if ref in second] == [
        f"SD-{n:02d}" for n in range(5)
    ]
    assert "30 cases</p>" in second
    assert "page=1" in second
    assert "page=3" not in second


def test_tracker_overdue_filter_reads_the_next_due_date(admin_client):
    _make_cases(6)
    with time_machine.travel(datetime.datetime(2024, 2, 1, 12, tzinfo=datetime.UTC)):
        listed = _listed(admin_client, "?overdue=on")
    overdue = {
        case.reference
        for case in Case.objects.all()
        if CaseDeadline.objects.filter(case=case, due__lt=D(2024, 2, 1)).exists()
    }
    assert overdue
    assert set(listed) == overdue


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", ["?sort=next_due", "?page=2", "?sort=next_due&overdue=on"])
def test_tracker_query_count_does_not_grow_with_the_cases(admin_client, query):
    _make_cases(26)
    url = reverse("reviews:case_list") + query
    small = _queries(admin_client, url)
    for number in range(26, 60):
        CaseFactory.create(reference=f"SD-{number:02d}", panel_notified_date=None)
    services.deadlines_refresh()
    assert _queries(admin_client, url) == small


@pytest.mark.parametrize("sort", ["opened", "oldest", "next_due", "reference", "stage"])
def test_every_page_is_one_query_and_a_deep_page_is_read_by_key(admin_user, monkeypatch, sort):
    """Pages starting before ``DIRECT_ROWS`` read their rows directly; later ones choose
    their keys in a subquery. Either way one query, the cases in the sort's order, with
    what the tracker shows of them and their officer and not the rest (a password hash)."""
    _make_cases(12)
    monkeypatch.setattr(selectors.CaseRows, "DIRECT_ROWS", 5)
    cases = selectors.case_list_for(user=admin_user, filters=selectors.CaseFilters(sort=sort))
    expected = list(cases.values_list("reference", flat=True))
    rows = selectors.CaseRows(cases)
    for window, by_key in ((slice(0, 5), False), (slice(4, 9), False), (slice(5, 10), True)):
        with CaptureQueriesContext(connection) as queries:
            page = rows[window]
        [sql] = [query["sql"] for query in queries]
        assert [case.reference for case in page] == expected[window]
        assert ("IN (SELECT" in sql) is by_key, sql
        assert '"pseudonym"' in sql
        assert '"full_name"' in sql
        assert '"password"' not in sql
        assert '"incident_aware_date"' not in sql
    # The last page, shorter than the others, read by key too.
    assert [case.reference for case in rows[slice(10, 15)]] == expected[10:]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans only")
@pytest.mark.parametrize(
    ("sort", "index"), [("next_due", "case_next_due_idx"), ("opened", "case_opened_ref_idx")]
)
def test_a_first_page_walks_the_sorts_index_and_stops(admin_user, sort, index):
    """EXPLAIN without ANALYZE: the first page's one query reads the sort's index in order
    under a LIMIT (no Sort node, no per-row SubPlan), however many cases there are."""
    _make_cases(10)
    cases = selectors.case_list_for(user=admin_user, filters=selectors.CaseFilters(sort=sort))
    first = cases.only(*selectors.CaseRows.SHOWN)[:25]
    sql, params = first.query.sql_with_params()
    plan = explain(sql, params, off=("seqscan", "sort", "incremental_sort"))
    assert f"Index Scan using {index}" in plan, plan
    assert "Limit" in plan, plan
    assert "SubPlan" not in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans only")
@pytest.mark.parametrize(
    ("sort", "index"), [("next_due", "case_next_due_idx"), ("opened", "case_opened_ref_idx")]
)
def test_tracker_sorts_are_served_by_an_index_without_a_subquery_per_case(admin_user, sort, index):
    """EXPLAIN without ANALYZE (no timing): the page's key query walks the sort's index in
    order (no Sort node), reading the ids from the index, with no per-row SubPlan."""
    _make_cases(10)
    cases = selectors.case_list_for(user=admin_user, filters=selectors.CaseFilters(sort=sort))
    keys = cases.select_related(None).values_list("pk", flat=True)[500:525]
    sql, params = keys.query.sql_with_params()
    # Ten cases would be read whole; these say "as if there were many".
    plan = explain(sql, params, off=("seqscan", "sort", "incremental_sort"))
    assert f"Index Only Scan using {index}" in plan, plan
    assert "SubPlan" not in plan, plan
    assert "Sort" not in plan, plan


# --- The cached timeliness report -----------------------------------------------------------


def _fresh(**kwargs):
    cache.clear()
    return selectors.timeliness_report(**kwargs)


def _counts(report) -> dict[str, tuple[int, ...]]:
    return {
        row["code"]: (row["applicable"], row["met"], row["missed"], row["pending"], row["overdue"])
        for row in report["standards"]
    }


def test_a_repeated_report_is_one_query_and_a_cache_hit(db):
    CaseFactory.create_batch(3)
    first = selectors.timeliness_report(as_at=AS_AT, with_cases=False)
    with CaptureQueriesContext(connection) as queries:
        again = selectors.timeliness_report(as_at=AS_AT, with_cases=False)
    assert len(queries) == 1  # the inputs' version
    assert again == first
    # Each of the key's parts asks for a report of its own.
    other_day = selectors.timeliness_report(as_at=D(2024, 3, 10), with_cases=False)
    assert _counts(other_day) != _counts(first)
    since = selectors.timeliness_report(as_at=AS_AT, since=D(2024, 6, 1), with_cases=False)
    assert _counts(since) != _counts(first)
    with_cases = selectors.timeliness_report(as_at=AS_AT)
    assert with_cases["standards"][0]["cases"]
    assert not first["standards"][0]["cases"]


def _change_milestone(admin_user, case):
    services.case_save(actor=admin_user, case=case, data={"rapid_review_sent_date": D(2024, 3, 8)})


def _new_case(admin_user, case):
    CaseFactory.create(panel_notified_date=None)


def _delete_case(admin_user, case):
    case.delete()


def _import(admin_user, case):
    header = "reference,route,pseudonym,outcome,incident_aware_date,panel_notified_date"
    services.import_cases(
        actor=None,
        name="cases.csv",
        content=f"{header}\n{case.reference},child,A,,2024-03-04,2024-03-20\n".encode(),
    )


def _bulk_then_refresh(admin_user, case):
    Case.objects.filter(pk=case.pk).update(panel_notified_date=D(2024, 3, 29))
    services.deadlines_refresh(case_ids=[case.pk])


def _standard_change(admin_user, case):
    standard = TimelinessStandard.objects.get(code="child.notification")
    services.standard_save(
        actor=admin_user, standard=standard, data=_standard_data(standard, amount=1)
    )


def _closure_day(admin_user, case):
    closure_day_add(actor=admin_user, date=D(2024, 3, 5), description="Closed")


@pytest.mark.parametrize(
    "change",
    [
        _change_milestone,
        _new_case,
        _delete_case,
        _import,
        _bulk_then_refresh,
        _standard_change,
        _closure_day,
    ],
)
def test_any_change_to_an_input_is_seen_at_once(admin_user, change):
    case = CaseFactory.create()
    CaseFactory.create()
    services.deadlines_refresh()
    before = selectors.timeliness_report(as_at=AS_AT)
    selectors.timeliness_report(as_at=AS_AT)  # cached
    change(admin_user, case)
    after = selectors.timeliness_report(as_at=AS_AT)
    assert after == _fresh(as_at=AS_AT)
    assert after != before


def test_a_report_worked_out_inside_a_rolled_back_change_is_never_served(admin_user):
    case = CaseFactory.create()
    before = selectors.timeliness_report(as_at=AS_AT, with_cases=False)
    with transaction.atomic():
        _change_milestone(admin_user, case)
        inside = selectors.timeliness_report(as_at=AS_AT, with_cases=False)
        transaction.set_rollback(True)
    assert inside != before
    assert selectors.timeliness_report(as_at=AS_AT, with_cases=False) == before
    _new_case(admin_user, case)  # a new version after the rollback, never the rolled-back one
    assert selectors.timeliness_report(as_at=AS_AT, with_cases=False) == _fresh(
        as_at=AS_AT, with_cases=False
    )


def test_the_executive_panel_is_served_from_the_cache_and_sees_a_change(client, make_user):
    user = make_user(Role.EXECUTIVE)
    client.force_login(user)
    today = datetime.date.today()
    CaseFactory.create(incident_aware_date=today, panel_notified_date=None, opened_on=today)
    services.deadlines_refresh()
    home = reverse("accounts:home")
    client.get(home)
    with CaptureQueriesContext(connection) as queries:
        client.get(home)
    assert not any('FROM "reviews_case"' in q["sql"] for q in queries)  # not recounted
    CaseFactory.create(incident_aware_date=today, panel_notified_date=None, opened_on=today)
    with CaptureQueriesContext(connection) as queries:
        client.get(home)
    assert any('FROM "reviews_case"' in q["sql"] for q in queries)  # the change is seen


def test_deadlines_met_by_period_is_cached_and_sees_a_change(admin_user):
    case = CaseFactory.create()
    services.deadlines_refresh()
    periods = [(D(2024, 1, 1), D(2024, 3, 31)), (D(2024, 4, 1), D(2024, 6, 30))]
    first = selectors.deadlines_met_by_period(periods=periods)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.deadlines_met_by_period(periods=periods) == first
    assert len(queries) == 1  # the inputs' version
    _change_milestone(admin_user, case)  # the rapid review sent on time, in the first quarter
    after = selectors.deadlines_met_by_period(periods=periods)
    assert after != first
    cache.clear()
    assert selectors.deadlines_met_by_period(periods=periods) == after
