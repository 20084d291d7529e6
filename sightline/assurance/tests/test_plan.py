"""The strategic plan: priorities with their latest status, action plans, measures and scrutiny;
recording a quarter's status with its reason; who may do what; the assurance home page; and
query counts that do not grow with the rows."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from sightline.accounts.tests.factories import UserFactory
from sightline.assurance.models import (
    DataPoint,
    Group,
    Measure,
    Priority,
    PriorityMeasure,
    PriorityUpdate,
    ScrutinyFinding,
)
from sightline.assurance.quarters import Quarter
from sightline.assurance.selectors import plan as selectors
from sightline.assurance.services import plan as services
from sightline.assurance.vocabulary import Direction, Rag
from sightline.core.models import AuditEvent
from sightline.core.roles import Role
from sightline.learning.tests.factories import ActionFactory
from sightline.learning.vocabulary import ActionStatus

from .factories import (
    PriorityFactory,
    PriorityMeasureFactory,
    PriorityUpdateFactory,
    ScrutinyFindingFactory,
)

LONDON = ZoneInfo("Europe/London")
# 15 November 2025: the current quarter is 2025-26 Q3 (October to December 2025).
NOW = datetime.datetime(2025, 11, 15, 12, 0, tzinfo=LONDON)
Q1, Q2, Q3 = datetime.date(2025, 4, 1), datetime.date(2025, 7, 1), datetime.date(2025, 10, 1)
PLAN = reverse("assurance:plan")
OVERVIEW = reverse("assurance:overview")
SEES_ASSURANCE = [
    Role.ADMINISTRATOR,
    Role.EXECUTIVE,
    Role.REVIEW_OFFICER,
    Role.REVIEW_GROUP_MEMBER,
    Role.AGENCY_LEAD,
]
OTHERS = [Role.TRAINER, Role.PRACTITIONER, None]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def signed_in(client, make_user):
    def sign_in(role, **fields):
        user = make_user(role, **fields)
        client.force_login(user)
        client.user = user
        return client

    return sign_in


@pytest.fixture
def priority(db):
    return PriorityFactory.create(name="Neglect", description="Children are fed and warm.")


def url(name, priority):
    return reverse(f"assurance:{name}", kwargs={"pk": priority.pk})


def data_measure(**fields):
    group = Group.objects.create(name=f"Data group {Group.objects.count()}")
    defaults = {
        "code": f"M-{Measure.objects.count()}",
        "name": "Pre-birth assessments started by 20 weeks",
        "dataset": "Children's social care",
        "unit": "%",
        "group": group,
    }
    return Measure.objects.create(**(defaults | fields))


# --- The plan page --------------------------------------------------------------------------


def test_the_typical_priorities_are_there_from_the_start(db):
    names = list(Priority.objects.order_by("position").values_list("name", flat=True))
    assert names == [
        "Safeguarding under 1s",
        "Domestic abuse",
        "Transitional safeguarding",
        "Exploitation and contextual safeguarding",
        "Social, emotional and mental health",
    ]


def test_plan_shows_each_priority_with_its_latest_status_progress_measures_and_finding(
    signed_in, priority
):
    lead = UserFactory.create(full_name="Lena Lead")
    priority.lead = lead
    priority.save()
    earlier = NOW - datetime.timedelta(days=2)
    PriorityUpdateFactory.create(
        priority=priority, quarter_start=Q2, rag=Rag.GREEN, reason="Fine in the summer."
    )
    PriorityUpdateFactory.create(
        priority=priority,
        quarter_start=Q3,
        rag=Rag.AMBER,
        reason="First thoughts, replaced later.",
        recorded_at=earlier,
    )
    PriorityUpdateFactory.create(
        priority=priority,
        quarter_start=Q3,
        rag=Rag.RED,
        reason="Two health visiting teams are short of staff and visits are late.",
        recorded_at=earlier + datetime.timedelta(hours=1),
    )
    today = NOW.date()
    actions = [
        ActionFactory.create(status=ActionStatus.COMPLETE, completed_date=today),
        ActionFactory.create(due_date=today - datetime.timedelta(days=1)),  # overdue
        ActionFactory.create(due_date=today),  # open, due today
        ActionFactory.create(status=ActionStatus.CLOSED_INCOMPLETE, closed_reason="Superseded"),
    ]
    priority.actions.set(actions)
    figures = data_measure()
    DataPoint.objects.create(
        measure=figures, quarter_start=Q1, value=Decimal("61.00"), recorded_at=NOW
    )
    DataPoint.objects.create(
        measure=figures, quarter_start=Q2, value=Decimal("72.50"), recorded_at=NOW
    )
    PriorityMeasureFactory.create(
        priority=priority, description="Assessments started early", data_measure=figures
    )
    ScrutinyFindingFactory.create(priority=priority, found_on=datetime.date(2025, 3, 1))
    ScrutinyFindingFactory.create(
        priority=priority, found_on=datetime.date(2025, 9, 1), finding="Fathers are not seen."
    )

    page = signed_in(Role.AGENCY_LEAD).get(PLAN).content.decode()

    assert "Neglect" in page
    assert "Lena Lead" in page
    assert "Red" in page
    assert "for 2025-26 Q3" in page
    assert "Two health visiting teams are short of staff" in page
    assert "First thoughts" not in page
    assert "4 actions: 1 complete, 1 overdue, 1 open, 1 closed without completion" in page
    assert "Assessments started early (target 85%). Latest: 72.5% in 2025-26 Q2" in page
    assert "1 September 2025, Independent scrutineer: Fathers are not seen." in page
    # Reading priorities is not recording them.
    assert url("priority_update", priority) not in page
    assert reverse("assurance:priority_create") not in page


def test_plan_says_when_a_priority_is_not_yet_updated_for_this_quarter(signed_in, priority):
    PriorityUpdateFactory.create(priority=priority, quarter_start=Q2, rag=Rag.GREEN)
    page = signed_in(Role.EXECUTIVE).get(PLAN).content.decode()
    assert "for 2025-26 Q2 (not yet updated for 2025-26 Q3)" in page
    assert url("priority_update", priority) in page


def test_former_priorities_are_listed_apart(signed_in, priority):
    priority.is_active = False
    priority.save()
    rows = selectors.plan_rows()
    assert rows[-1].priority == priority
    page = signed_in(Role.ADMINISTRATOR).get(PLAN).content.decode()
    assert page.index("No longer priorities") < page.index("Neglect")


def test_priority_page_shows_the_history_the_plan_measures_and_findings(signed_in, priority):
    PriorityUpdateFactory.create(priority=priority, quarter_start=Q2, reason="Summer went well.")
    action = ActionFactory.create(reference="CR-1/A1", due_date=datetime.date(2025, 11, 1))
    priority.actions.add(action)
    PriorityMeasureFactory.create(priority=priority, description="Babies seen at home")
    ScrutinyFindingFactory.create(priority=priority, response="We will train health visitors.")
    page = signed_in(Role.REVIEW_OFFICER).get(url("priority_detail", priority)).content.decode()
    assert "Summer went well." in page
    assert "CR-1/A1" in page
    assert "Overdue" in page
    assert reverse("learning:action_detail", kwargs={"pk": action.pk}) in page
    assert "Babies seen at home" in page
    assert "Response: We will train health visitors." in page


def test_an_unknown_priority_is_not_found(signed_in):
    assert signed_in(Role.EXECUTIVE).get("/assurance/plan/999999/").status_code == 404


# --- Who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize("role", SEES_ASSURANCE)
def test_assurance_roles_see_the_plan_and_priorities(signed_in, priority, role):
    client = signed_in(role)
    assert client.get(PLAN).status_code == 200
    assert client.get(url("priority_detail", priority)).status_code == 200
    assert client.get(OVERVIEW).status_code == 200


@pytest.mark.parametrize("role", OTHERS)
def test_others_do_not_see_the_plan(signed_in, priority, role):
    client = signed_in(role)
    assert client.get(PLAN).status_code == 403
    assert client.get(url("priority_detail", priority)).status_code == 403
    assert client.get(OVERVIEW).status_code == 403


@pytest.mark.parametrize(
    "name", ["priority_edit", "priority_actions", "priority_measure_add", "scrutiny_finding_add"]
)
@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.REVIEW_OFFICER, Role.AGENCY_LEAD])
def test_only_administrators_change_the_plan(signed_in, priority, name, role):
    client = signed_in(role)
    assert client.get(url(name, priority)).status_code == 403
    assert client.post(url(name, priority), {"references": "X"}).status_code == 403
    assert client.get(reverse("assurance:priority_create")).status_code == 403


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.EXECUTIVE])
def test_administrators_and_executive_members_record_the_status(signed_in, priority, role):
    assert signed_in(role).get(url("priority_update", priority)).status_code == 200


@pytest.mark.parametrize("role", [Role.REVIEW_OFFICER, Role.AGENCY_LEAD, Role.PRACTITIONER])
def test_others_do_not_record_the_status(signed_in, priority, role):
    response = signed_in(role).post(
        url("priority_update", priority),
        {"quarter": "2025-26 Q3", "rag": "green", "reason": "All on track this quarter."},
    )
    assert response.status_code == 403
    assert not PriorityUpdate.objects.exists()


# --- Recording the quarter's status ---------------------------------------------------------


def test_recording_a_status_keeps_the_reason_and_audits_it(signed_in, priority):
    client = signed_in(Role.EXECUTIVE)
    form = client.get(url("priority_update", priority)).content.decode()
    assert "2025-26 Q3 (October to December 2025)" in form
    assert "2024-25 Q4 (January to March 2025)" in form
    response = client.post(
        url("priority_update", priority),
        {
            "quarter": "2025-26 Q3",
            "rag": "amber",
            "reason": "  Two of five actions are late because the health visiting review slipped. ",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("priority_detail", priority)
    update = PriorityUpdate.objects.get()
    assert (update.quarter_start, update.rag, update.recorded_by) == (Q3, "amber", client.user)
    assert (
        update.reason == "Two of five actions are late because the health visiting review slipped."
    )
    event = AuditEvent.objects.get(object_type="assurance.priorityupdate")
    assert event.changes["rag"] == {"from": None, "to": "amber"}
    assert event.changes["quarter"] == {"from": None, "to": "2025-26 Q3"}
    page = client.get(response["Location"]).content.decode()
    assert "The status of Neglect for 2025-26 Q3 has been recorded." in page


def test_an_earlier_quarter_can_be_recorded_and_the_latest_for_a_quarter_counts(
    signed_in, priority
):
    client = signed_in(Role.ADMINISTRATOR)
    for rag, reason in (
        ("green", "Everything was on track then."),
        ("red", "Re-audit showed babies were not seen at home in half the cases."),
    ):
        response = client.post(
            url("priority_update", priority),
            {"quarter": "2025-26 Q2", "rag": rag, "reason": reason},
        )
        assert response.status_code == 302
    [latest] = [row.latest for row in selectors.plan_rows() if row.priority == priority]
    assert latest is not None
    assert (latest["rag"], latest["quarter"].label) == ("red", "2025-26 Q2")
    assert PriorityUpdate.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"quarter": "2025-26 Q3", "rag": "green", "reason": " "},
            "Give the reason for the status",
        ),
        ({"quarter": "2025-26 Q3", "rag": "red", "reason": "Red."}, "Say why the priority is red"),
        (
            {"quarter": "2025-26 Q3", "rag": "amber", "reason": "Late"},
            "Say why the priority is amber",
        ),
        ({"quarter": "2025-26 Q3", "reason": "Fine all round."}, "Choose red, amber or green"),
        (
            {"quarter": "2025-26 Q4", "rag": "green", "reason": "Fine all round."},
            "Choose one of the quarters listed",
        ),
        (
            {"quarter": "2024-25 Q3", "rag": "green", "reason": "Fine all round."},
            "Choose one of the quarters listed",
        ),
    ],
)
def test_a_status_needs_a_quarter_a_colour_and_a_reason_that_says_why(
    signed_in, priority, data, message
):
    response = signed_in(Role.EXECUTIVE).post(url("priority_update", priority), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PriorityUpdate.objects.exists()


def test_a_green_status_needs_a_reason_but_not_a_long_one(priority, admin_user):
    update = services.priority_update_record(
        actor=admin_user,
        priority=priority,
        quarter=Quarter(2025, 3),
        rag="green",
        reason="On track.",
    )
    assert update.reason == "On track."


def test_the_service_refuses_a_quarter_not_started_and_a_former_priority(priority, admin_user):
    with pytest.raises(ValidationError) as refused:
        services.priority_update_record(
            actor=admin_user,
            priority=priority,
            quarter=Quarter(2025, 4),
            rag="green",
            reason="On track.",
        )
    assert "2025-26 Q4 has not started yet" in str(refused.value)
    priority.is_active = False
    priority.save()
    with pytest.raises(ValidationError, match="no longer a current priority"):
        services.priority_update_record(
            actor=admin_user,
            priority=priority,
            quarter=Quarter(2025, 3),
            rag="green",
            reason="On track.",
        )
    assert not PriorityUpdate.objects.exists()
    assert not AuditEvent.objects.filter(object_type="assurance.priorityupdate").exists()


# --- Adding and changing priorities ----------------------------------------------------------


def test_administrator_adds_a_priority_after_the_others(signed_in):
    lead = UserFactory.create(full_name="Ada Lead")
    response = signed_in(Role.ADMINISTRATOR).post(
        reverse("assurance:priority_create"),
        {
            "name": "  Neglect  and  poverty ",
            "description": "Fed and warm.",
            "lead": lead.pk,
            "is_active": "on",
        },
    )
    priority = Priority.objects.get(name="Neglect and poverty")
    assert response.status_code == 302
    assert response["Location"] == priority.get_absolute_url()
    assert priority.position == 6
    assert (priority.lead, priority.is_active) == (lead, True)
    assert AuditEvent.objects.filter(
        object_type="assurance.priority", object_id=str(priority.pk), kind="create"
    ).exists()


def test_a_priority_name_is_used_once_whatever_its_letter_case(signed_in):
    response = signed_in(Role.ADMINISTRATOR).post(
        reverse("assurance:priority_create"), {"name": "domestic ABUSE"}
    )
    assert response.status_code == 400
    assert "There is already a priority called domestic ABUSE" in response.content.decode()
    assert Priority.objects.count() == 5


def test_administrator_changes_description_lead_and_whether_it_is_current(signed_in, priority):
    lead = UserFactory.create(full_name="New Lead")
    client = signed_in(Role.ADMINISTRATOR)
    assert (
        "Children are fed and warm." in client.get(url("priority_edit", priority)).content.decode()
    )
    response = client.post(
        url("priority_edit", priority),
        {"name": "Renamed", "description": "Children thrive.", "lead": lead.pk},
    )
    assert response.status_code == 302
    priority.refresh_from_db()
    assert (priority.name, priority.description, priority.lead, priority.is_active) == (
        "Neglect",
        "Children thrive.",
        lead,
        False,
    )
    event = AuditEvent.objects.get(object_type="assurance.priority", kind="update")
    assert set(event.changes) == {"description", "lead", "is_active"}


# --- The action plan ---------------------------------------------------------------------


def test_actions_are_added_by_reference_whatever_the_letter_case(signed_in, priority):
    first = ActionFactory.create(reference="CR-2025-01/R1/A1")
    second = ActionFactory.create(reference="SAR-7/A2")
    client = signed_in(Role.ADMINISTRATOR)
    response = client.post(
        url("priority_actions", priority), {"references": "cr-2025-01/r1/a1,\n SAR-7/A2 ,"}
    )
    assert response.status_code == 302
    assert set(priority.actions.all()) == {first, second}
    page = client.get(response["Location"]).content.decode()
    assert "2 actions added to the action plan." in page
    event = AuditEvent.objects.get(object_type="assurance.priority")
    assert event.changes == {"actions": {"from": [], "to": ["CR-2025-01/R1/A1", "SAR-7/A2"]}}


def test_an_unknown_reference_adds_nothing(signed_in, priority):
    ActionFactory.create(reference="CR-1/A1")
    response = signed_in(Role.ADMINISTRATOR).post(
        url("priority_actions", priority), {"references": "CR-1/A1\nCR-9/A9"}
    )
    assert response.status_code == 400
    assert "No learning action has the reference CR-9/A9" in response.content.decode()
    assert not priority.actions.exists()
    assert not AuditEvent.objects.filter(object_type="assurance.priority").exists()


def test_an_action_already_in_the_plan_is_not_added_twice(signed_in, priority):
    action = ActionFactory.create(reference="CR-1/A1")
    priority.actions.add(action)
    response = signed_in(Role.ADMINISTRATOR).post(
        url("priority_actions", priority), {"references": "CR-1/A1"}
    )
    assert response.status_code == 400
    assert "already in the action plan" in response.content.decode()


def test_an_action_is_taken_out_of_the_plan_and_kept_in_the_tracker(signed_in, priority):
    action = ActionFactory.create(reference="CR-1/A1")
    other = ActionFactory.create()
    priority.actions.add(action)
    client = signed_in(Role.ADMINISTRATOR)
    assert "CR-1/A1" in client.get(url("priority_actions", priority)).content.decode()
    response = client.post(url("priority_actions", priority), {"unlink": str(action.pk)})
    assert response.status_code == 302
    assert not priority.actions.exists()
    action.refresh_from_db()
    assert (
        client.post(url("priority_actions", priority), {"unlink": str(other.pk)}).status_code == 404
    )
    assert client.post(url("priority_actions", priority), {"unlink": "x"}).status_code == 404


# --- Measures and scrutiny ------------------------------------------------------------------


def test_administrator_adds_a_measure_linked_to_data(signed_in, priority):
    figures = data_measure(
        name="Repeat referrals", threshold=Decimal(20), direction=Direction.ABOVE
    )
    response = signed_in(Role.ADMINISTRATOR).post(
        url("priority_measure_add", priority),
        {
            "kind": "impact",
            "description": "Fewer repeat referrals",
            "target": "Under 20%",
            "data_measure": figures.pk,
        },
    )
    assert response.status_code == 302
    measure = PriorityMeasure.objects.get()
    assert (measure.kind, measure.data_measure, measure.target) == ("impact", figures, "Under 20%")


def test_a_measure_needs_its_kind_and_what_is_measured(signed_in, priority):
    response = signed_in(Role.ADMINISTRATOR).post(url("priority_measure_add", priority), {})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose whether it measures progress or impact" in page
    assert "Say what is measured" in page
    assert not PriorityMeasure.objects.exists()


def test_administrator_records_a_scrutiny_finding(signed_in, priority):
    client = signed_in(Role.ADMINISTRATOR)
    data = {
        "found_on_day": "3",
        "found_on_month": "11",
        "found_on_year": "2025",
        "scrutineer": "Independent scrutineer",
        "finding": "Agencies do not share the plan with front-line staff.",
    }
    assert client.post(url("scrutiny_finding_add", priority), data).status_code == 302
    finding = ScrutinyFinding.objects.get()
    assert (finding.found_on, finding.created_by) == (datetime.date(2025, 11, 3), client.user)
    assert AuditEvent.objects.filter(object_type="assurance.scrutinyfinding").exists()
    future = data | {"found_on_day": "16"}
    response = client.post(url("scrutiny_finding_add", priority), future)
    assert response.status_code == 400
    assert "must be today or in the past" in response.content.decode()
    assert ScrutinyFinding.objects.count() == 1


# --- The assurance home page ------------------------------------------------------------------


def test_home_page_links_only_to_what_each_person_may_use(signed_in):
    executive = signed_in(Role.EXECUTIVE).get(OVERVIEW).content.decode()
    for name in (
        "risk_list",
        "risk_heatmap",
        "inspection_list",
        "inspection_update",
        "group_list",
        "assurance_rollup",
        "measure_list",
        "audit_list",
        "plan",
    ):
        assert f'href="{reverse(f"assurance:{name}")}"' in executive, name
    assert f'href="{reverse("reports:pack")}"' in executive


def test_home_page_hides_the_register_and_pack_from_those_who_may_not_use_them(signed_in):
    page = signed_in(Role.AGENCY_LEAD).get(OVERVIEW).content.decode()
    assert f'href="{reverse("assurance:plan")}"' in page
    assert f'href="{reverse("assurance:audit_list")}"' in page
    for name in ("assurance:risk_list", "assurance:risk_heatmap", "reports:pack"):
        assert f'href="{reverse(name)}"' not in page, name


# --- Query counts --------------------------------------------------------------------------


def grow_plan(times: int) -> None:
    figures = data_measure()
    for n in range(times):
        priority = PriorityFactory.create()
        PriorityUpdateFactory.create(priority=priority, quarter_start=Q2)
        PriorityUpdateFactory.create(
            priority=priority,
            quarter_start=Q3,
            rag=Rag.RED,
            reason="Visits are late in two teams this quarter.",
        )
        priority.actions.add(
            ActionFactory.create(), ActionFactory.create(status=ActionStatus.AT_RISK)
        )
        PriorityMeasureFactory.create(priority=priority, data_measure=figures)
        PriorityMeasureFactory.create(priority=priority, kind="impact")
        ScrutinyFindingFactory.create(priority=priority)
        DataPoint.objects.create(
            measure=figures,
            quarter_start=datetime.date(2000 + n, 4, 1),
            value=Decimal(n),
            recorded_at=NOW,
        )


def test_plan_page_queries_do_not_grow(signed_in, django_assert_num_queries):
    client = signed_in(Role.EXECUTIVE)
    grow_plan(1)
    with django_assert_num_queries(6):
        assert client.get(PLAN).status_code == 200
    grow_plan(9)
    with django_assert_num_queries(6):
        assert client.get(PLAN).status_code == 200


def test_priority_page_queries_do_not_grow(signed_in, priority, django_assert_num_queries):
    client = signed_in(Role.EXECUTIVE)

    def grow(times: int) -> None:
        for _ in range(times):
            PriorityUpdateFactory.create(priority=priority)
            priority.actions.add(ActionFactory.create())
            PriorityMeasureFactory.create(priority=priority, data_measure=data_measure())
            ScrutinyFindingFactory.create(priority=priority)

    grow(1)
    with django_assert_num_queries(9):
        assert client.get(url("priority_detail", priority)).status_code == 200
    grow(9)
    with django_assert_num_queries(9):
        assert client.get(url("priority_detail", priority)).status_code == 200


def test_home_page_queries_do_not_depend_on_the_data(signed_in, django_assert_num_queries):
    client = signed_in(Role.EXECUTIVE)
    grow_plan(2)
    with django_assert_num_queries(3):
        assert client.get(OVERVIEW).status_code == 200


def test_action_plan_page_queries_do_not_grow(signed_in, priority, django_assert_num_queries):
    client = signed_in(Role.ADMINISTRATOR)
    page = url("priority_actions", priority)

    def grow(times: int) -> None:
        priority.actions.add(*(ActionFactory.create() for _ in range(times * 3)))

    grow(1)
    with django_assert_num_queries(5):
        assert client.get(page).status_code == 200
    grow(9)
    with django_assert_num_queries(5):
        assert client.get(page).status_code == 200
