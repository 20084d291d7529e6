"""The Executive pack: each section counted by hand on a small partnership, the quarter's
boundaries, the quarter in the address, who may open it, the PDF and the access log, and
query counts that do not grow with the data."""

import datetime
import re
import zlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.tests.factories import AgencyFactory, UserFactory
from sightline.assurance.models import (
    AssuranceReturn,
    DataPoint,
    Group,
    Inspection,
    Measure,
    Priority,
    Risk,
    RiskAcceptance,
    RiskSettings,
)
from sightline.assurance.quarters import Quarter
from sightline.assurance.selectors.groups import rollup
from sightline.assurance.tests.factories import PriorityUpdateFactory
from sightline.core.jobs import run_background_job
from sightline.core.models import AccessLogEntry, BackgroundJob
from sightline.core.roles import Role
from sightline.core.tests.pdfs import check_accessible_pdf
from sightline.learning.tests.factories import ActionFactory, RecommendationFactory
from sightline.learning.vocabulary import ActionStatus
from sightline.reports import pack
from sightline.reports.models import QuarterSnapshot
from sightline.reports.selectors.pack import pack_rows
from sightline.reports.services import quarter_snapshots_refresh
from sightline.reports.trends import assemble as trends_assemble
from sightline.reviews.tests.factories import CaseFactory

D = datetime.date
LONDON = ZoneInfo("Europe/London")
# 15 November 2025: the current quarter is 2025-26 Q3; 2025-26 Q2 ended on 30 September.
NOW = datetime.datetime(2025, 11, 15, 12, 0, tzinfo=LONDON)
TODAY = NOW.date()
Q2 = Quarter(2025, 2)
Q3 = Quarter(2025, 3)
PACK = reverse("reports:pack")
PDF = reverse("reports:pack_pdf")
EARLY = datetime.datetime(2025, 1, 6, 9, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def signed_in(client, make_user):
    def sign_in(role):
        client.force_login(make_user(role))
        return client

    return sign_in


# --- Building a partnership by hand ---------------------------------------------------------


OPENED = D(2025, 1, 6)


def risk(reference, likelihood, impact, *, owner, opened=OPENED, closed=None):
    return Risk.objects.create(
        reference=reference,
        title=f"Risk {reference}",
        category="operational",
        owner=owner,
        cause="A cause.",
        consequence="A consequence.",
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=likelihood,
        residual_impact=impact,
        inherent_score=25,
        residual_score=likelihood * impact,
        status="closed" if closed else "open",
        opened_on=opened,
        last_reviewed_on=opened,
        next_review_on=opened + datetime.timedelta(days=30),
        closed_on=closed,
    )


def accept(item, *, by, on, until, score=None):
    return RiskAcceptance.objects.create(
        risk=item,
        accepted_by=by,
        reason="Tolerated while the new service beds in.",
        accepted_on=on,
        until=until,
        residual_score=item.residual_score if score is None else score,
        recorded_at=timezone.now(),
    )


def group(name, *, kind="subgroup", active=True, created=EARLY):
    return Group.objects.create(name=name, kind=kind, is_active=active, created_at=created)


def assurance_return(to_group, quarter, level, *, by, exceptions="", escalations=""):
    return AssuranceReturn.objects.create(
        group=to_group,
        quarter_start=quarter.start,
        level=level,
        summary="What the group looked at.",
        exceptions=exceptions,
        escalations=escalations,
        submitted_by=by,
        submitted_at=timezone.now(),
    )


def measure(code, to_group, *, threshold=None, direction="", unit="number"):
    return Measure.objects.create(
        code=code,
        name=f"Measure {code}",
        dataset="Test dataset",
        group=to_group,
        threshold=threshold,
        direction=direction,
        unit=unit,
    )


def point(of, quarter, value):
    return DataPoint.objects.create(
        measure=of, quarter_start=quarter.start, value=Decimal(value), recorded_at=timezone.now()
    )


@pytest.fixture
def partnership(db):
    """Every section's rows, with rows just inside and just outside each boundary."""
    executive = UserFactory.create(full_name="Eve Executive")
    owner = UserFactory.create(full_name="Owen Owner")
    RiskSettings.objects.create(appetite=9)

    risk("R-01", 4, 5, owner=owner)  # 20: above
    accept(risk("R-02", 3, 4, owner=owner), by=executive, on=D(2025, 6, 1), until=D(2025, 12, 31))
    accept(risk("R-03", 3, 4, owner=owner), by=executive, on=D(2025, 6, 1), until=D(2025, 9, 29))
    accept(
        risk("R-04", 4, 4, owner=owner),
        by=executive,
        on=D(2025, 6, 1),
        until=D(2026, 3, 31),
        score=12,
    )
    risk("R-05", 3, 3, owner=owner)  # 9: at the appetite, not above it
    risk("R-06", 3, 5, owner=owner, closed=D(2025, 9, 30))  # closed on Q2's last day: out
    risk("R-07", 3, 5, owner=owner, closed=D(2025, 10, 1))  # closed the day after: in Q2
    risk("R-08", 3, 5, owner=owner, opened=D(2025, 10, 1))  # opened in Q3
    # Accepted until Q2's last day: covers Q2, not Q3.
    accept(risk("R-09", 3, 4, owner=owner), by=executive, on=D(2025, 6, 1), until=D(2025, 9, 30))
    accept(risk("R-10", 3, 4, owner=owner), by=executive, on=D(2025, 10, 2), until=D(2026, 6, 30))

    police = AgencyFactory.create(name="Northshire Police")
    council = AgencyFactory.create(name="Northshire Council")
    inspection = Inspection.objects.create(
        inspectorate="ofsted", kind="ilacs", title="Northshire ILACS 2025", started_on=D(2025, 3, 3)
    )
    first, second = RecommendationFactory.create_batch(2, made_date=OPENED)
    inspection.recommendations.add(first, second)
    other = RecommendationFactory.create(reference="NOT-INSPECTION", made_date=OPENED)

    def action(reference, due, agency, rec=first, **fields):
        return ActionFactory.create(
            reference=reference, due_date=due, agency=agency, recommendation=rec, **fields
        )

    action("IA-1", D(2025, 8, 15), police, status=ActionStatus.ON_TRACK)
    action("IA-2", D(2025, 9, 30), police, status=ActionStatus.NOT_STARTED)  # due on the last day
    action("IA-3", D(2025, 5, 1), police, rec=second, status=ActionStatus.AT_RISK)
    action("IA-4", D(2025, 8, 1), council, status="complete", completed_date=D(2025, 7, 20))
    action("IA-5", D(2025, 8, 1), council, status="complete", completed_date=D(2025, 10, 3))
    action("IA-6", D(2025, 10, 1), council)  # due the day after Q2
    action(
        "IA-7",
        D(2025, 8, 1),
        council,
        status="closed_incomplete",
        closed_reason="Superseded by the new plan",
        closed_date=D(2025, 9, 1),
    )
    action("IA-8", D(2025, 12, 20), police)
    action("OA-1", D(2025, 8, 1), council, rec=other)

    # The standard groups loaded by a data migration are stood down: only these count here.
    Group.objects.update(is_active=False)
    child = group("Child practice group")
    adults = group("Adults board", kind="board")
    learning = group("Learning group")
    training = group("Training group")
    group("Old group", active=False)
    group("The Executive", kind="executive")
    group("New group", created=datetime.datetime(2025, 10, 10, 9, 0, tzinfo=LONDON))
    assurance_return(
        child,
        Q2,
        "partial",
        by=executive,
        exceptions="Two audits are late.",
        escalations="Health visiting capacity.",
    )
    assurance_return(adults, Q2, "not_assured", by=executive, exceptions="No panel chair.")
    assurance_return(learning, Q2, "assured", by=executive)
    assurance_return(training, Q2.previous(), "assured", by=executive)

    above = measure("M-1", child, threshold=Decimal(10), direction="above")
    point(above, Q2, "12.00")
    point(above, Q2.previous(), "15")
    point(measure("M-2", child, threshold=Decimal(50), direction="below", unit="%"), Q2, "40.50")
    point(measure("M-3", child, threshold=Decimal(10), direction="above"), Q2, "10")
    point(measure("M-4", child), Q2, "999")
    point(measure("M-5", adults, threshold=Decimal(10), direction="above"), Q3, "11")

    CaseFactory.create(
        incident_aware_date=D(2025, 7, 1),
        panel_notified_date=D(2025, 7, 3),
        rapid_review_sent_date=D(2025, 7, 15),
    )
    CaseFactory.create(incident_aware_date=D(2025, 8, 1), panel_notified_date=D(2025, 8, 20))
    CaseFactory.create(incident_aware_date=D(2025, 9, 29), panel_notified_date=None)
    CaseFactory.create(incident_aware_date=D(2025, 6, 1), panel_notified_date=D(2025, 6, 20))

    under_ones = Priority.objects.get(name="Safeguarding under 1s")
    august = datetime.datetime(2025, 8, 1, 9, 0, tzinfo=LONDON)
    PriorityUpdateFactory.create(
        priority=under_ones,
        quarter_start=Q2.start,
        rag="amber",
        reason="First view.",
        recorded_at=august,
    )
    PriorityUpdateFactory.create(
        priority=under_ones,
        quarter_start=Q2.start,
        rag="red",
        reason="Visits to babies are late in two teams.",
        recorded_at=august + datetime.timedelta(days=60),
    )
    PriorityUpdateFactory.create(
        priority=under_ones, quarter_start=Q3.start, rag="green", reason="Caught up."
    )
    PriorityUpdateFactory.create(
        priority=Priority.objects.get(name="Domestic abuse"),
        quarter_start=Q2.start,
        rag="green",
        reason="On track.",
    )
    PriorityUpdateFactory.create(
        priority=Priority.objects.get(name="Transitional safeguarding"),
        quarter_start=Q2.previous().start,
        rag="amber",
        reason="Waiting for the new protocol to be signed.",
    )
    Priority.objects.filter(name="Social, emotional and mental health").update(is_active=False)


def pack_for(quarter: Quarter) -> pack.Pack:
    return pack.assemble(**pack_rows(quarter=quarter, today=TODAY))


def column(section: pack.Section, key: str) -> list:
    return [row[key] for row in section.rows]


# --- Each section, counted by hand --------------------------------------------------------


def test_a_past_quarter_is_as_at_its_last_day(partnership):
    q2 = pack_for(Q2)
    assert (q2.as_at, q2.complete, q2.appetite) == (D(2025, 9, 30), True, 9)


def test_risks_above_appetite_at_the_quarters_end(partnership):
    risks = pack_for(Q2).risks
    assert column(risks, "reference") == ["R-01", "R-04", "R-07", "R-02", "R-03", "R-09", "R-10"]
    accepted = {row["reference"]: row["accepted_until"] for row in risks.rows if row["accepted"]}
    assert accepted == {"R-02": D(2025, 12, 31), "R-09": D(2025, 9, 30)}
    assert risks.rows[3]["accepted_by"] == "Eve Executive"
    assert (risks.rows[0]["owner"], risks.rows[0]["category"]) == ("Owen Owner", "Operational")


def test_risks_in_the_current_quarter(partnership):
    risks = pack_for(Q3).risks
    assert column(risks, "reference") == ["R-01", "R-04", "R-08", "R-02", "R-03", "R-09", "R-10"]
    accepted = {row["reference"] for row in risks.rows if row["accepted"]}
    assert accepted == {"R-02", "R-10"}


def test_inspection_actions_due_or_overdue(partnership):
    section = pack_for(Q2).inspection_actions
    assert column(section, "reference") == ["IA-3", "IA-5", "IA-1", "IA-2"]
    assert column(section, "overdue") == [True, True, True, False]
    assert section.rows[2]["days_overdue"] == 46
    assert section.rows[0]["inspection"] == "Northshire ILACS 2025"
    assert [row["status_text"] for row in section.rows] == [
        "At risk",
        "Completed on 3 October 2025, after the quarter",
        "On track",
        "Not started",
    ]

    current = pack_for(Q3).inspection_actions
    assert column(current, "reference") == ["IA-3", "IA-1", "IA-2", "IA-6", "IA-8"]
    assert column(current, "overdue") == [True, True, True, True, False]


def test_subgroup_exceptions(partnership):
    q2 = pack_for(Q2)
    assert column(q2.returns, "group") == ["Adults board", "Child practice group"]
    assert column(q2.returns, "level_label") == ["Not assured", "Partially assured"]
    assert q2.returns.rows[1]["escalations"] == "Health visiting capacity."
    assert column(q2.missing_returns, "group") == ["Training group"]
    assert column(q2.breaches, "code") == ["M-1", "M-2"]
    assert column(q2.breaches, "value_text") == ["12", "40.5%"]
    assert column(q2.breaches, "side") == ["above", "below"]

    q3 = pack_for(Q3)
    assert q3.returns.rows == []
    assert column(q3.missing_returns, "group") == [
        "Adults board",
        "Child practice group",
        "Learning group",
        "New group",
        "Training group",
    ]
    assert column(q3.breaches, "code") == ["M-5"]


def test_the_pack_reads_returns_and_figures_as_the_roll_up_does(partnership):
    """One rule, one place: the roll-up lists only groups active now, so a group stood down
    after giving a return is in neither; a figure comes to the pack with its note."""
    stood_down = group("Stood-down group")
    assurance_return(stood_down, Q2, "not_assured", by=UserFactory.create(), exceptions="Gone.")
    Group.objects.filter(pk=stood_down.pk).update(is_active=False)
    DataPoint.objects.filter(measure__code="M-1", quarter_start=Q2.start).update(
        note="Two teams sent late figures."
    )

    q2 = pack_for(Q2)
    rows = rollup(quarter=Q2)["rows"]

    assert column(q2.returns, "group") == ["Adults board", "Child practice group"]
    assert sorted(column(q2.returns, "group")) == [
        row["group"].name for row in rows if row["level"] in ("partial", "not_assured")
    ]
    assert column(q2.missing_returns, "group") == [
        row["group"].name for row in rows if row["missing"]
    ]
    notes = {row["code"]: row["note"] for row in q2.breaches.rows}
    assert notes == {"M-1": "Two teams sent late figures.", "M-2": ""}


def test_timeliness_of_case_reviews_started_in_the_quarter(partnership):
    standards = {row["code"]: row for row in pack_for(Q2).timeliness.rows}
    assert set(standards) == {"child.notification", "child.rapid_review"}
    figures = ("applicable", "met", "missed", "pending", "overdue")
    assert [standards["child.notification"][name] for name in figures] == [3, 1, 1, 1, 0]
    assert [standards["child.rapid_review"][name] for name in figures] == [3, 1, 0, 1, 1]
    assert pack_for(Q3).timeliness.rows == []


def test_overdue_learning_actions_by_agency(partnership):
    past = pack_for(Q2).learning.rows
    assert past == [
        {"agency": "Northshire Council", "overdue": 2},
        {"agency": "Northshire Police", "overdue": 2},
    ]
    current = pack_for(Q3).learning.rows
    assert current == [
        {"agency": "Northshire Police", "overdue": 3},
        {"agency": "Northshire Council", "overdue": 2},
    ]


def test_priority_status_for_the_quarter(partnership):
    rows = pack_for(Q2).priorities.rows
    assert column(pack_for(Q2).priorities, "name") == [
        "Safeguarding under 1s",
        "Domestic abuse",
        "Transitional safeguarding",
        "Exploitation and contextual safeguarding",
    ]
    assert [(row["rag"], row["rag_label"]) for row in rows] == [
        ("red", "Red"),
        ("green", "Green"),
        (None, "Not rated"),
        (None, "Not rated"),
    ]
    assert rows[0]["reason"] == "Visits to babies are late in two teams."


def test_headline_counts(partnership):
    headlines = {item.label: (item.count, item.detail) for item in pack_for(Q2).headlines}
    assert headlines == {
        "Risks above appetite": (7, "2 accepted by the Executive, 5 not accepted"),
        "Inspection actions overdue": (3, "and 1 more due in the quarter"),
        "Groups not fully assured": (2, "1 not assured, 1 partially assured"),
        "Assurance returns not made": (1, "from active subgroups and boards"),
        "Figures past their threshold": (2, "in the data recorded for the quarter"),
        "Case review standards missed or overdue": (
            2,
            "of 6 whose clock started in the quarter",
        ),
        "Overdue learning actions": (4, "across 2 agencies"),
        "Priorities rated red": (1, "0 amber, 1 green, 2 not rated for the quarter"),
    }
    current = {item.label: item.count for item in pack_for(Q3).headlines}
    assert current["Inspection actions overdue"] == 4
    assert current["Assurance returns not made"] == 5
    assert current["Overdue learning actions"] == 5


# --- The pure assembly ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (Decimal("12.50"), "number", "12.5"),
        (Decimal("12.00"), "%", "12%"),
        (Decimal("1234567.25"), "", "1,234,567.25"),
        (Decimal("0.00"), "", "0"),
        (Decimal("-3.10"), "rate", "-3.1"),
        (7, "", "7"),
        (None, "", ""),
    ],
)
def test_figures_read_as_people_write_them(value, unit, text):
    assert pack.figure(value, unit) == text


@pytest.mark.parametrize(
    ("quarter", "today", "as_at"),
    [
        (Quarter(2025, 3), D(2025, 11, 15), D(2025, 11, 15)),
        (Quarter(2025, 3), D(2025, 12, 31), D(2025, 12, 31)),
        (Quarter(2025, 3), D(2026, 1, 1), D(2025, 12, 31)),
        (Quarter(2025, 4), D(2026, 3, 31), D(2026, 3, 31)),
        (Quarter(2024, 4), D(2026, 3, 31), D(2025, 3, 31)),
    ],
)
def test_the_position_is_taken_at_the_quarters_end_or_today(quarter, today, as_at):
    assert pack.as_at_for(quarter, today) == as_at


def empty_rows(**changes):
    rows = {
        "quarter": Q3,
        "today": TODAY,
        "appetite": 9,
        "risks": [],
        "inspection_actions": [],
        "returns": [],
        "missing_returns": [],
        "breaches": [],
        "timeliness": {"standards": []},
        "overdue_by_agency": [],
        "priorities": [],
        "trends": trends_assemble([]),
    }
    return rows | changes


def test_an_empty_pack_says_so_in_every_section():
    empty = pack.assemble(**empty_rows())
    assert [item.count for item in empty.headlines] == [0] * 8
    assert empty.learning.empty == "No agency has an overdue learning action."
    assert "above the appetite of 9" in empty.risks.empty
    assert not empty.complete
    details = [item.detail for item in empty.headlines]
    assert "across 0 agencies" in details


def test_sections_are_in_reading_order():
    built = pack.assemble(
        **empty_rows(
            risks=[
                {"reference": "B", "residual_score": 12, "accepted_until": None},
                {"reference": "A", "residual_score": 12, "accepted_until": D(2026, 1, 1)},
                {"reference": "C", "residual_score": 25, "accepted_until": None},
            ],
            returns=[
                {"group": "b", "level": "partial"},
                {"group": "a", "level": "partial"},
                {"group": "z", "level": "not_assured"},
            ],
            missing_returns=["beta", "Alpha"],
            overdue_by_agency=[
                {"agency": "B", "overdue": 1},
                {"agency": "A", "overdue": 1},
                {"agency": "C", "overdue": 4},
                {"agency": "D", "overdue": 0},
            ],
            timeliness={
                "standards": [
                    {"code": "x", "applicable": 0, "met": 0, "missed": 0, "overdue": 0},
                    {"code": "y", "applicable": 2, "met": 1, "missed": 1, "overdue": 0},
                ]
            },
        )
    )
    assert column(built.risks, "reference") == ["C", "A", "B"]
    assert column(built.risks, "accepted") == [False, True, False]
    assert column(built.returns, "group") == ["z", "a", "b"]
    assert column(built.missing_returns, "group") == ["Alpha", "beta"]
    assert column(built.learning, "agency") == ["C", "A", "B"]
    assert column(built.timeliness, "code") == ["y"]


def test_a_long_list_shows_its_first_rows_and_says_where_the_rest_are():
    risks = [
        {"reference": f"R-{n:02d}", "residual_score": 10 + n % 5, "accepted_until": None}
        for n in range(pack.LISTED + 5)
    ]
    built = pack.assemble(**empty_rows(risks=risks))
    assert built.headlines[0].count == pack.LISTED + 5
    assert len(built.risks.rows) == pack.LISTED
    assert built.risks.rows[0]["residual_score"] == 14
    assert (built.risks.total, built.risks.more) == (pack.LISTED + 5, 5)
    assert built.risks.more_text == (
        f"The pack lists the first {pack.LISTED} of {pack.LISTED + 5}. The other 5 are in "
        "the risk register."
    )
    assert built.learning.more == 0
    assert built.learning.more_text == ""


def test_the_page_links_to_the_rest_and_the_pdf_names_it(signed_in, partnership):
    owner = UserFactory.create()
    for n in range(pack.LISTED):
        risk(f"X-{n:02d}", 5, 5, owner=owner)
    page = signed_in(Role.EXECUTIVE).get(PACK, {"quarter": "2025-26 Q2"}).content.decode()
    assert f"The pack lists the first {pack.LISTED} of {pack.LISTED + 7}." in page
    assert f'href="{reverse("assurance:risk_list")}">Go to the risk register</a>' in page
    html = render_to_string(
        "reports/pack/pack_print.html",
        {"pack": pack_for(Q2), "partnership_name": "Northshire", "produced_at": timezone.now()},
    )
    assert "The other 7 are in the risk register." in html
    assert "Go to the risk register" not in html


# --- The quarter in the address -------------------------------------------------------------


def test_the_pack_opens_on_the_current_quarter(signed_in, partnership):
    page = signed_in(Role.EXECUTIVE).get(PACK).content.decode()
    assert "Executive pack: 2025-26 Q3" in page
    assert "October to December 2025" in page
    assert "position as at today, 15 November 2025" in page
    assert f"{PDF}?quarter=2025-26+Q3" in page
    assert "Next quarter" not in page


def test_the_pack_for_a_past_quarter_shows_every_section(signed_in, partnership):
    page = signed_in(Role.ADMINISTRATOR).get(PACK, {"quarter": "2025/26 q2"}).content.decode()
    assert "Executive pack: 2025-26 Q2" in page
    assert "Position at the end of the quarter, 30 September 2025." in page
    for text in (
        "The quarter at a glance",
        "R-01",
        "Until 31 December 2025, by Eve Executive",
        "IA-3",
        "Northshire ILACS 2025",
        "No panel chair.",
        "Training group",
        "Measure M-2",
        "Below 50%",
        "Panel notified within 5 working days",
        "Northshire Council",
        "Visits to babies are late in two teams.",
        "Next quarter (2025-26 Q3)",
        "Previous quarter (2025-26 Q1)",
    ):
        assert text in page, text
    assert page.count("What this shows:") == 10


@pytest.mark.parametrize("text", ["2025 Q3", "Q3", "2025-27 Q1", "2025-26 Q5", "x" * 30])
def test_a_wrong_quarter_is_refused_saying_how_to_write_it(signed_in, text):
    client = signed_in(Role.EXECUTIVE)
    page = client.get(PACK, {"quarter": text})
    assert page.status_code == 400
    assert "write it like 2025-26 Q1" in page.content.decode()
    pdf = client.get(PDF, {"quarter": text})
    assert pdf.status_code == 400
    assert pdf["Content-Type"].startswith("text/html")
    assert not AccessLogEntry.objects.exists()


def test_a_quarter_not_started_has_no_pack(signed_in):
    response = signed_in(Role.EXECUTIVE).get(PACK, {"quarter": "2025-26 Q4"})
    assert response.status_code == 400
    assert "2025-26 Q4 has not started yet: choose 2025-26 Q3 or an earlier quarter" in (
        response.content.decode()
    )


def test_a_wrong_quarter_is_explained_in_the_pdf_refusal(signed_in):
    response = signed_in(Role.ADMINISTRATOR).get(PDF, {"quarter": "2025 Q3"})
    assert response.status_code == 400
    assert "write it like 2025-26 Q1" in response.content.decode()


# --- Who may open it ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.EXECUTIVE])
def test_administrators_and_executive_members_open_the_pack(signed_in, role, db):
    client = signed_in(role)
    assert client.get(PACK).status_code == 200
    response = client.get(PDF)
    assert response.status_code == 302
    assert response["Location"] == BackgroundJob.objects.get().get_absolute_url()


@pytest.mark.parametrize(
    "role",
    [
        Role.REVIEW_OFFICER,
        Role.REVIEW_GROUP_MEMBER,
        Role.AGENCY_LEAD,
        Role.TRAINER,
        Role.PRACTITIONER,
        None,
    ],
)
def test_everyone_else_is_refused(signed_in, role, db):
    client = signed_in(role)
    assert client.get(PACK).status_code == 403
    assert client.get(PDF).status_code == 403
    assert not AccessLogEntry.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client, db):
    response = client.get(PDF)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


# --- The PDF ------------------------------------------------------------------------------


def pdf_streams(content: bytes) -> bytes:
    """Every compressed stream of the PDF, inflated: where its metadata and text live."""
    found = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL):
        try:
            found.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(found)


def test_the_pdf_is_made_by_a_job_and_logged_when_delivered(
    signed_in, partnership, django_capture_on_commit_callbacks
):
    client = signed_in(Role.EXECUTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(PDF, {"quarter": "2025-26 Q2"})
    job = BackgroundJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.status == BackgroundJob.Status.DONE, job.message
    assert not AccessLogEntry.objects.exists()  # asked for, not yet delivered

    page = client.get(job.get_absolute_url()).content.decode()
    download_url = reverse("core:job_download", kwargs={"pk": job.pk})
    assert f'href="{download_url}"' in page
    assert "Download sightline-executive-pack-2025-26-Q2.pdf" in page

    response = client.get(download_url)
    content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert content.startswith(b"%PDF")
    assert "sightline-executive-pack-2025-26-Q2.pdf" in response["Content-Disposition"]
    assert b"/Title (Executive pack 2025-26 Q2)" in pdf_streams(content)
    check_accessible_pdf(
        content,
        title="Executive pack 2025-26 Q2",
        elements=frozenset({"/H1", "/H2", "/P", "/Table", "/TH", "/TD"}),
    )
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == (
        AccessLogEntry.Action.EXPORT,
        "reports.pack",
        "2025-26 Q2",
    )
    assert entry.object_repr == "Executive pack 2025-26 Q2 (PDF)"


def test_another_executive_member_cannot_see_or_take_the_pdf(
    signed_in, make_user, partnership, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(Role.EXECUTIVE).get(PDF, {"quarter": "2025-26 Q2"})
    job = BackgroundJob.objects.get()
    client.force_login(make_user(Role.EXECUTIVE))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("core:job_download", kwargs={"pk": job.pk})).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_the_print_page_is_the_same_content_on_a4_with_page_numbers(partnership):
    html = render_to_string(
        "reports/pack/pack_print.html",
        {"pack": pack_for(Q2), "partnership_name": "Northshire", "produced_at": timezone.now()},
    )
    assert "size: A4" in html
    assert 'counter(page) " of " counter(pages)' in html
    # A heading and its "What this shows" stay with the table that follows; rows never split.
    assert "h1, h2, h3 { break-after: avoid; }" in html
    assert ".sightline-shows { color: #505a5f; break-after: avoid; }" in html
    assert "tr { break-inside: avoid; }" in html
    assert "Executive pack: 2025-26 Q2" in html
    assert "Visits to babies are late in two teams." in html
    assert html.count("What this shows:") == 10


def test_rendering_the_pack_reads_nothing_from_the_database(partnership, django_assert_num_queries):
    built = pack_for(Q2)
    with django_assert_num_queries(0):
        render_to_string(
            "reports/pack/pack_print.html",
            {"pack": built, "partnership_name": "Northshire", "produced_at": timezone.now()},
        )


# --- Query counts -------------------------------------------------------------------------


def grow(times: int) -> None:
    """More of every row the pack reads, in the current and the past quarter."""
    executive = UserFactory.create()
    agency = AgencyFactory.create()
    inspection = Inspection.objects.create(
        inspectorate="cqc", kind="other", title="Grown", started_on=D(2025, 1, 6)
    )
    for _ in range(times):
        n = Risk.objects.count()
        accept(
            risk(f"G-{n}", 4, 4, owner=executive),
            by=executive,
            on=D(2025, 6, 1),
            until=D(2026, 6, 1),
        )
        risk(f"G-{n + 1}", 5, 5, owner=executive)
        rec = RecommendationFactory.create(made_date=OPENED)
        inspection.recommendations.add(rec)
        for due in (D(2025, 8, 1), D(2025, 12, 1), D(2025, 11, 1)):
            ActionFactory.create(recommendation=rec, agency=agency, due_date=due)
        ActionFactory.create(due_date=D(2025, 8, 2), recommendation__made_date=OPENED)
        for quarter in (Q2, Q3):
            grown = group(f"Grown group {Group.objects.count()}")
            assurance_return(grown, quarter, "not_assured", by=executive, exceptions="Late.")
            group(f"Silent group {Group.objects.count()}")
            figures = measure(
                f"G-{Measure.objects.count()}", grown, threshold=Decimal(1), direction="above"
            )
            point(figures, quarter, "5")
        CaseFactory.create(incident_aware_date=D(2025, 8, 4), panel_notified_date=D(2025, 8, 5))
        CaseFactory.create(incident_aware_date=D(2025, 10, 6), panel_notified_date=None)
        for quarter in (Q2, Q3):
            PriorityUpdateFactory.create(
                priority=Priority.objects.order_by("?").first(), quarter_start=quarter.start
            )


@pytest.mark.parametrize(
    ("query", "snapshots", "expected"),
    [
        # The risks above appetite counted in one statement.
        ({}, False, 27),
        ({"quarter": "2025-26 Q2"}, False, 27),
        # The worker's snapshots of the closed quarters spare the recounts from history.
        ({"quarter": "2025-26 Q2"}, True, 15),
    ],
)
def test_pack_queries_do_not_grow(signed_in, django_assert_num_queries, query, snapshots, expected):
    client = signed_in(Role.EXECUTIVE)
    grow(1)
    if snapshots:
        quarter_snapshots_refresh()
    cache.clear()  # the timeliness worked out afresh, as after any change to a case
    with django_assert_num_queries(expected):
        assert client.get(PACK, query).status_code == 200
    grow(9)
    if snapshots:
        quarter_snapshots_refresh()
    cache.clear()
    with django_assert_num_queries(expected):
        assert client.get(PACK, query).status_code == 200


# --- The pack's old addresses and jobs ------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/assurance/pack/", "/reports/executive-pack/"),
        ("/assurance/pack.pdf", "/reports/executive-pack.pdf"),
    ],
)
@pytest.mark.parametrize("query", ["", "?quarter=2025-26+Q2", "?quarter=2025%2F26+q2&x=1"])
def test_the_old_addresses_redirect_for_good_with_their_query(client, db, old, new, query):
    response = client.get(old + query)
    assert response.status_code == 301
    assert response["Location"] == new + query


def test_a_bookmark_of_the_old_address_opens_the_same_pack(signed_in, partnership):
    response = signed_in(Role.EXECUTIVE).get("/assurance/pack/?quarter=2025-26+Q2", follow=True)
    assert response.redirect_chain == [("/reports/executive-pack/?quarter=2025-26+Q2", 301)]
    assert "Executive pack: 2025-26 Q2" in response.content.decode()


@pytest.mark.parametrize("kind", ["reports.pack_pdf", "assurance.pack_pdf"])
def test_a_pdf_job_stored_under_either_kind_runs(partnership, make_user, kind):
    """Jobs asked for before the pack moved keep the old kind: they still make the PDF."""
    job = BackgroundJob.objects.create(
        user=make_user(Role.EXECUTIVE),
        kind=kind,
        label="The Executive pack for 2025-26 Q2 as a PDF",
        params={"quarter": "2025-26 Q2"},
    )
    run_background_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.message
    assert job.result_name == "sightline-executive-pack-2025-26-Q2.pdf"


def test_the_packs_trends_end_with_its_quarter(partnership):
    q2 = pack_for(Q2)
    assert [row.quarter for row in q2.trends.quarters][-1] == Q2
    assert len(q2.trends.quarters) == 8
    last = q2.trends.last
    assert last.as_at == D(2025, 9, 30)
    # The same returns the pack lists as not fully assured, counted the same way.
    assert last.not_fully_assured == len(q2.returns.rows)
    # The same overdue actions as the pack's section for a quarter that has ended.
    assert last.overdue_actions == sum(row["overdue"] for row in q2.learning.rows)


def test_a_closed_quarters_pack_reads_overdue_actions_by_agency_from_its_snapshot(signed_in):
    client = signed_in(Role.EXECUTIVE)
    quarter_snapshots_refresh()
    snapshot = QuarterSnapshot.objects.get(quarter="2025-26 Q2")
    assert snapshot.timeliness  # each standard's counts over the quarter
    snapshot.overdue_by_agency = [["Thornbury Fictional Trust", 9]]
    snapshot.timeliness[0].update(
        description="A standard only the snapshot knows", applicable=3, met=3
    )
    snapshot.save()
    page = client.get(PACK, {"quarter": "2025-26 Q2"}).content.decode()
    assert "Thornbury Fictional Trust" in page
    assert "A standard only the snapshot knows" in page
    # The running quarter's is counted now, whatever a snapshot says.
    assert "Thornbury Fictional Trust" not in client.get(PACK).content.decode()
