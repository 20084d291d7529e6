"""Groups and governance: the groups with their terms of reference, members by agency,
meetings with decisions and linked actions, each group's quarterly assurance return, and the
roll-up to the Executive; who may do what, the refusals, and query counts that do not grow."""

import datetime
import importlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.models import AssuranceReturn, Group, GroupMember, Meeting
from sightline.assurance.quarters import Quarter
from sightline.assurance.selectors import data as data_selectors
from sightline.assurance.selectors import groups as selectors
from sightline.assurance.services import groups as services
from sightline.assurance.vocabulary import AssuranceLevel, Direction, GroupKind
from sightline.core.models import AuditEvent
from sightline.core.roles import Role
from sightline.core.tests.pages import client_for, page_text
from sightline.learning.tests.factories import ActionFactory
from sightline.learning.vocabulary import ActionStatus

from .factories import (
    AssuranceReturnFactory,
    DataPointFactory,
    GroupFactory,
    GroupMemberFactory,
    MeasureFactory,
    MeetingDecisionFactory,
    MeetingFactory,
)

text = page_text

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# 15 November 2025: this quarter is 2025-26 Q3, the last one 2025-26 Q2 (July to September).
NOW = datetime.datetime(2025, 11, 15, 12, 0, tzinfo=LONDON)
Q2 = Quarter(2025, 2)
Q3 = Quarter(2025, 3)
LONG_AGO = datetime.datetime(2024, 1, 1, tzinfo=LONDON)
GROUPS = reverse("assurance:group_list")
ROLLUP = reverse("assurance:assurance_rollup")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def as_admin(admin_user):
    return client_for(admin_user)


@pytest.fixture
def executive(make_user):
    return make_user(Role.EXECUTIVE, full_name="Erin Executive")


@pytest.fixture
def as_executive(executive):
    return client_for(executive)


def group(**fields) -> Group:
    fields.setdefault("created_at", LONG_AGO)
    return GroupFactory.create(**fields)


def return_url(item: Group, quarter: Quarter) -> str:
    return reverse(
        "assurance:assurance_return_submit",
        kwargs={"pk": item.pk, "quarter": quarter.label.replace(" ", "-")},
    )


# --- The list of groups and a group's page -----------------------------------------------


def test_group_list_shows_each_group_with_its_chair_parent_and_latest_assurance(
    as_executive, make_user
):
    chair = make_user(Role.AGENCY_LEAD, full_name="Chris Chair")
    executive_group = group(name="Northshire Executive", kind=GroupKind.EXECUTIVE)
    prg = group(name="Northshire practice review group", chair=chair, reports_to=executive_group)
    GroupMemberFactory.create(group=prg)
    AssuranceReturnFactory.create(group=prg, level=AssuranceLevel.NOT_ASSURED, exceptions="Gaps")
    group(name="Old steering group", is_active=False)

    page = text(as_executive.get(GROUPS))

    assert "Northshire practice review group" in page
    assert "Chris Chair" in page
    assert "Northshire Executive" in page
    assert "Not assured 2025-26 Q2" in page
    assert "Stood down" in page
    assert "Add a group" not in page


def test_group_page_shows_terms_members_by_agency_meetings_returns_and_exceptions(as_admin):
    police = AgencyFactory.create(name="Northshire Police")
    health = AgencyFactory.create(name="Northshire ICB")
    prg = group(
        name="Northshire practice review group",
        terms_of_reference="Meets every month.\n\nQuorate with three partners.",
    )
    GroupMemberFactory.create(
        group=prg, agency=police, user=UserFactory.create(full_name="Pat Police"), role="Vice chair"
    )
    GroupMemberFactory.create(group=prg, agency=health, user=None)
    meeting = MeetingFactory.create(group=prg, held_on=datetime.date(2025, 10, 14))
    MeetingDecisionFactory.create(meeting=meeting, text="Hold a rapid review")
    AssuranceReturnFactory.create(group=prg, level=AssuranceLevel.PARTIAL, exceptions="GP input")
    measure = MeasureFactory.create(
        group=prg, name="Rapid reviews late", threshold=Decimal(2), direction=Direction.ABOVE
    )
    DataPointFactory.create(measure=measure, quarter_start=Q2.start, value=Decimal(5))
    calm = MeasureFactory.create(
        group=prg, name="Referrals", threshold=Decimal(100), direction=Direction.ABOVE
    )
    DataPointFactory.create(measure=calm, quarter_start=Q2.start, value=Decimal(50))

    page = text(as_admin.get(prg.get_absolute_url()))

    assert "Meets every month." in page
    assert "Quorate with three partners." in page
    assert "Northshire ICB" in page
    assert "Seat not yet filled" in page
    assert "Pat Police, Vice chair" in page
    assert "14 October 2025" in page
    assert "Partially assured" in page
    assert "GP input" in page
    assert "Rapid reviews late" in page
    assert "An exception when above 2" in page
    assert "Referrals" not in page
    assert "Give the assurance return for 2025-26 Q2" in page
    assert "Record a meeting" in page


def test_a_group_unknown_is_not_found(as_admin):
    assert as_admin.get(reverse("assurance:group_detail", kwargs={"pk": 999})).status_code == 404


# --- Adding and changing groups --------------------------------------------------------------


def test_administrator_adds_a_group_and_the_audit_trail_records_it(as_admin, admin_user):
    parent = group(name="The Executive", kind=GroupKind.EXECUTIVE)
    response = as_admin.post(
        reverse("assurance:group_create"),
        {
            "name": "  Babies   steering group ",
            "kind": GroupKind.SUBGROUP,
            "purpose": "Safer sleep",
            "terms_of_reference": "Meets quarterly",
            "chair": admin_user.pk,
            "reports_to": parent.pk,
        },
    )

    made = Group.objects.get(name="Babies steering group")
    assert response.status_code == 302
    assert response["Location"] == made.get_absolute_url()
    assert made.reports_to == parent
    assert made.chair == admin_user
    event = AuditEvent.objects.get(object_type="assurance.group", object_id=str(made.pk))
    assert event.kind == AuditEvent.Kind.CREATE
    assert event.changes["name"]["to"] == "Babies steering group"


def test_a_group_name_already_taken_is_refused_whatever_its_case(as_admin):
    group(name="Northshire domestic abuse board")
    response = as_admin.post(
        reverse("assurance:group_create"),
        {"name": "NORTHSHIRE DOMESTIC ABUSE BOARD", "kind": GroupKind.BOARD},
    )
    assert response.status_code == 400
    assert "There is already a group called NORTHSHIRE DOMESTIC ABUSE BOARD" in text(response)
    assert Group.objects.filter(name__iexact="northshire domestic abuse board").count() == 1


def test_a_group_cannot_report_to_one_of_its_own_subgroups(admin_user):
    top = group(name="Top")
    middle = group(name="Middle", reports_to=top)
    bottom = group(name="Bottom", reports_to=middle)
    with pytest.raises(ValidationError) as refused:
        services.group_update(actor=admin_user, group=top, reports_to=bottom)
    assert "Bottom reports to Top" in str(refused.value)
    with pytest.raises(ValidationError, match="cannot report to itself"):
        services.group_update(actor=admin_user, group=top, reports_to=top)
    top.refresh_from_db()
    assert top.reports_to is None


def test_changing_a_group_audits_what_changed_and_standing_it_down_keeps_it(as_admin, admin_user):
    item = group(name="Schools safeguarding committee", terms_of_reference="Old terms")
    form = as_admin.get(reverse("assurance:group_edit", kwargs={"pk": item.pk}))
    assert "Old terms" in text(form)

    response = as_admin.post(
        reverse("assurance:group_edit", kwargs={"pk": item.pk}),
        {
            "name": "Schools safeguarding committee",
            "kind": GroupKind.SUBGROUP,
            "terms_of_reference": "New terms",
        },
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.terms_of_reference == "New terms"
    assert item.is_active is False
    event = AuditEvent.objects.filter(object_type="assurance.group").latest("occurred_at")
    assert event.changes["terms_of_reference"] == {"from": "Old terms", "to": "New terms"}
    assert event.changes["is_active"] == {"from": True, "to": False}
    assert "Stood down" in text(as_admin.get(item.get_absolute_url()))


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.AGENCY_LEAD, Role.REVIEW_OFFICER])
def test_only_administrators_manage_groups(make_user, role):
    client = client_for(make_user(role))
    item = group()
    assert client.get(reverse("assurance:group_create")).status_code == 403
    assert client.get(reverse("assurance:group_edit", kwargs={"pk": item.pk})).status_code == 403
    assert client.get(item.get_absolute_url()).status_code == 200


def test_people_outside_system_assurance_cannot_see_groups(make_user):
    client = client_for(make_user(Role.PRACTITIONER))
    assert client.get(GROUPS).status_code == 403


# --- Members ----------------------------------------------------------------------------


def test_administrator_adds_a_member_from_the_agency_and_removes_them(as_admin):
    police = AgencyFactory.create(name="Northshire Police")
    officer = UserFactory.create(full_name="Sam Sergeant")
    MembershipFactory.create(user=officer, agency=police, role=Role.AGENCY_LEAD)
    item = group(name="Missing and exploited group")

    response = as_admin.post(
        reverse("assurance:group_member_add", kwargs={"pk": item.pk}),
        {"agency": police.pk, "user": officer.pk, "role": "Vice chair"},
    )

    assert response.status_code == 302
    seat = GroupMember.objects.get(group=item)
    assert (seat.agency, seat.user, seat.role) == (police, officer, "Vice chair")
    assert "Sam Sergeant, Vice chair" in text(as_admin.get(item.get_absolute_url()))

    again = as_admin.post(
        reverse("assurance:group_member_add", kwargs={"pk": item.pk}),
        {"agency": police.pk, "user": officer.pk},
    )
    assert again.status_code == 400
    assert "Sam Sergeant is already on the group for Northshire Police" in text(again)

    remove = reverse("assurance:group_member_remove", kwargs={"pk": item.pk, "member_pk": seat.pk})
    asked = text(as_admin.get(remove))
    assert f"Are you sure you want to take Sam Sergeant off {item}?" in asked
    assert GroupMember.objects.filter(group=item).exists()
    removed = as_admin.post(remove)
    assert removed.status_code == 302
    assert not GroupMember.objects.filter(group=item).exists()
    kinds = list(
        AuditEvent.objects.filter(object_type="assurance.groupmember")
        .order_by("occurred_at", "pk")
        .values_list("kind", flat=True)
    )
    assert kinds == [AuditEvent.Kind.CREATE, AuditEvent.Kind.DELETE]


def test_a_member_must_work_for_the_agency_whose_seat_they_fill(as_admin):
    police = AgencyFactory.create(name="Northshire Police")
    outsider = UserFactory.create(full_name="Olly Outsider")
    item = group()
    response = as_admin.post(
        reverse("assurance:group_member_add", kwargs={"pk": item.pk}),
        {"agency": police.pk, "user": outsider.pk},
    )
    assert response.status_code == 400
    assert "Olly Outsider does not work for Northshire Police in Sightline" in text(response)
    assert not GroupMember.objects.exists()


def test_removing_a_member_of_another_group_is_not_found(as_admin):
    seat = GroupMemberFactory.create()
    other = group()
    response = as_admin.post(
        reverse("assurance:group_member_remove", kwargs={"pk": other.pk, "member_pk": seat.pk})
    )
    assert response.status_code == 404
    assert GroupMember.objects.filter(pk=seat.pk).exists()


def test_opening_the_remove_link_only_asks(as_admin):
    seat = GroupMemberFactory.create()
    url = reverse(
        "assurance:group_member_remove", kwargs={"pk": seat.group.pk, "member_pk": seat.pk}
    )
    assert as_admin.get(url).status_code == 200
    assert GroupMember.objects.filter(pk=seat.pk).exists()


# --- Meetings ---------------------------------------------------------------------------


def test_a_meeting_records_decisions_and_links_tracker_actions_by_reference(as_admin):
    item = group(name="Northshire practice review group")
    action = ActionFactory.create(reference="LR-2025-01/A1", status=ActionStatus.AT_RISK)
    ActionFactory.create(reference="LR-2025-01/A2")

    response = as_admin.post(
        reverse("assurance:meeting_create", kwargs={"pk": item.pk}),
        {
            "held_on_day": "14",
            "held_on_month": "10",
            "held_on_year": "2025",
            "notes": "Six partners attended.",
            "decisions": "Hold a rapid review\n\n  Write to the Panel  ",
            "action_references": "lr-2025-01/a1",
        },
    )

    meeting = Meeting.objects.get(group=item)
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert list(meeting.decisions.values_list("text", flat=True)) == [
        "Hold a rapid review",
        "Write to the Panel",
    ]
    assert list(meeting.actions.all()) == [action]
    assert meeting.recorded_by is not None
    page = text(as_admin.get(meeting.get_absolute_url()))
    assert "Meeting on 14 October 2025" in page
    assert "Write to the Panel" in page
    assert "LR-2025-01/A1" in page
    assert "At risk" in page
    assert "LR-2025-01/A2" not in page


def test_unknown_action_references_refuse_the_meeting_and_nothing_is_saved(as_admin):
    item = group()
    ActionFactory.create(reference="LR-1/A1")
    response = as_admin.post(
        reverse("assurance:meeting_create", kwargs={"pk": item.pk}),
        {
            "held_on_day": "14",
            "held_on_month": "10",
            "held_on_year": "2025",
            "decisions": "Something",
            "action_references": "LR-1/A1, LR-9/A9; NOPE",
        },
    )
    assert response.status_code == 400
    assert "LR-9/A9, NOPE are not actions in the learning tracker" in text(response)
    assert not Meeting.objects.exists()


def test_a_group_meets_once_a_day(as_admin):
    item = group()
    MeetingFactory.create(group=item, held_on=datetime.date(2025, 10, 14))
    response = as_admin.post(
        reverse("assurance:meeting_create", kwargs={"pk": item.pk}),
        {"held_on_day": "14", "held_on_month": "10", "held_on_year": "2025"},
    )
    assert response.status_code == 400
    assert "already has a meeting on 14 October 2025" in text(response)


def test_changing_a_meeting_replaces_its_decisions_and_actions_and_audits_them(
    as_admin, admin_user
):
    first, second = ActionFactory.create(reference="A-1"), ActionFactory.create(reference="A-2")
    meeting = services.meeting_create(
        actor=admin_user,
        group=group(),
        held_on=datetime.date(2025, 10, 14),
        decisions=["Old decision"],
        action_references=["A-1"],
    )
    form = text(as_admin.get(reverse("assurance:meeting_edit", kwargs={"pk": meeting.pk})))
    assert "Old decision" in form
    assert "A-1" in form

    response = as_admin.post(
        reverse("assurance:meeting_edit", kwargs={"pk": meeting.pk}),
        {
            "held_on_day": "14",
            "held_on_month": "10",
            "held_on_year": "2025",
            "decisions": "New decision",
            "action_references": "A-2",
        },
    )

    assert response.status_code == 302
    assert list(meeting.decisions.values_list("text", flat=True)) == ["New decision"]
    assert list(meeting.actions.all()) == [second]
    assert first.meetings.count() == 0
    event = AuditEvent.objects.filter(
        object_type="assurance.meeting", kind=AuditEvent.Kind.UPDATE
    ).get()
    assert event.changes["decisions"] == {"from": ["Old decision"], "to": ["New decision"]}
    assert event.changes["actions"] == {"from": ["A-1"], "to": ["A-2"]}


def test_meeting_pages_are_for_administrators_to_change(make_user):
    meeting = MeetingFactory.create(group=group())
    client = client_for(make_user(Role.AGENCY_LEAD))
    assert client.get(meeting.get_absolute_url()).status_code == 200
    edit = reverse("assurance:meeting_edit", kwargs={"pk": meeting.pk})
    assert client.get(edit).status_code == 403
    create = reverse("assurance:meeting_create", kwargs={"pk": meeting.group.pk})
    assert client.get(create).status_code == 403


# --- Assurance returns ------------------------------------------------------------------


@pytest.fixture
def member_lead(make_user):
    """An agency lead who sits on the adults' system assurance group."""
    lead = make_user(Role.AGENCY_LEAD, full_name="Lee Lead")
    adults = group(name="Adults' assurance subgroup")
    GroupMemberFactory.create(group=adults, user=lead, agency=AgencyFactory.create())
    return lead, adults


def test_a_member_gives_the_groups_return_and_it_rolls_up(member_lead):
    lead, adults = member_lead
    client = client_for(lead)
    form = client.get(return_url(adults, Q2))
    assert form.status_code == 200
    assert "Assurance return for 2025-26 Q2" in text(form)

    response = client.post(
        return_url(adults, Q2),
        {
            "level": AssuranceLevel.PARTIAL,
            "summary": "We audited hospital discharge.",
            "exceptions": "Discharge planning is late.",
            "escalations": "Ask the ICB to report back.",
        },
    )

    assert response.status_code == 302
    item = AssuranceReturn.objects.get(group=adults, quarter_start=Q2.start)
    assert (item.level, item.submitted_by) == (AssuranceLevel.PARTIAL, lead)
    page = text(client.get(ROLLUP, {"quarter": "2025-26 Q2"}))
    assert "Partially assured" in page
    assert "Discharge planning is late." in page
    assert "Ask the ICB to report back." in page


def test_a_group_not_fully_assured_must_give_its_exceptions(member_lead):
    lead, adults = member_lead
    response = client_for(lead).post(
        return_url(adults, Q2), {"level": AssuranceLevel.NOT_ASSURED, "summary": "Concerns"}
    )
    assert response.status_code == 400
    assert "Describe the exceptions: a group that is not assured must say where" in text(response)
    assert not AssuranceReturn.objects.exists()


def test_the_service_refuses_a_return_without_exceptions_or_for_a_quarter_to_come(admin_user):
    item = group()
    with pytest.raises(ValidationError) as refused:
        services.assurance_return_submit(
            actor=admin_user, group=item, quarter=Q2, level=AssuranceLevel.PARTIAL, summary="S"
        )
    assert "exceptions" in refused.value.error_dict
    with pytest.raises(ValidationError, match="has not begun yet"):
        services.assurance_return_submit(
            actor=admin_user,
            group=item,
            quarter=Q3.next(),
            level=AssuranceLevel.ASSURED,
            summary="S",
        )
    assert not AssuranceReturn.objects.exists()


def test_giving_the_return_again_replaces_it_and_the_audit_trail_keeps_the_first(member_lead):
    lead, adults = member_lead
    client = client_for(lead)
    client.post(return_url(adults, Q2), {"level": AssuranceLevel.ASSURED, "summary": "Fine"})
    form = text(client.get(return_url(adults, Q2)))
    assert "Saving replaces it" in form

    client.post(
        return_url(adults, Q2),
        {"level": AssuranceLevel.NOT_ASSURED, "summary": "Fine", "exceptions": "Late"},
    )

    item = AssuranceReturn.objects.get()
    assert item.level == AssuranceLevel.NOT_ASSURED
    update = AuditEvent.objects.get(object_type="assurance.assurancereturn", kind="update")
    assert update.changes["level"] == {"from": "assured", "to": "not_assured"}


def test_only_the_groups_chair_members_and_administrators_give_its_return(make_user, member_lead):
    _, adults = member_lead
    outsider = client_for(make_user(Role.AGENCY_LEAD))
    assert outsider.get(return_url(adults, Q2)).status_code == 403
    chair = make_user(Role.EXECUTIVE)
    adults.chair = chair
    adults.save()
    assert client_for(chair).get(return_url(adults, Q2)).status_code == 200
    page = text(outsider.get(adults.get_absolute_url()))
    assert "Give the assurance return" not in page


@pytest.mark.parametrize("slug", ["2026-27-Q1", "next-quarter", "2025-27-Q1", "2025-26-Q5"])
def test_a_return_for_a_quarter_to_come_or_not_a_quarter_is_not_found(as_admin, slug):
    item = group()
    url = reverse("assurance:assurance_return_submit", kwargs={"pk": item.pk, "quarter": slug})
    assert as_admin.get(url).status_code == 404


def test_the_executive_gives_no_return_of_its_own(as_admin, admin_user):
    board = group(name="Northshire Executive", kind=GroupKind.EXECUTIVE)
    assert "Give the assurance return" not in text(as_admin.get(board.get_absolute_url()))
    assert as_admin.get(return_url(board, Q2)).status_code == 404
    with pytest.raises(ValidationError, match="The Executive receives the groups' returns"):
        services.assurance_return_submit(
            actor=admin_user, group=board, quarter=Q2, level=AssuranceLevel.ASSURED, summary="S"
        )


def test_the_return_form_lists_the_data_exceptions_raised_to_the_group(as_admin):
    item = group()
    measure = MeasureFactory.create(
        group=item, name="Concerns about neglect", threshold=Decimal(10), direction="above"
    )
    DataPointFactory.create(measure=measure, quarter_start=Q2.start, value=Decimal(12))
    page = text(as_admin.get(return_url(item, Q2)))
    assert "Concerns about neglect: 12 (an exception when above 10)" in page


# --- The roll-up to the Executive ---------------------------------------------------------


def test_rollup_gives_each_groups_level_flags_missing_returns_and_lists_exceptions(as_executive):
    board = group(name="Northshire Executive", kind=GroupKind.EXECUTIVE)
    children = group(name="Children's assurance subgroup", reports_to=board)
    under_ones = group(name="Babies steering group", reports_to=board)
    group(name="Stood-down group", is_active=False)
    group(name="Formed after the quarter", created_at=NOW)
    AssuranceReturnFactory.create(
        group=children,
        quarter_start=Q2.start,
        level=AssuranceLevel.NOT_ASSURED,
        exceptions="Child protection plans ended too soon.",
        escalations="Ask the local authority for a deep dive.",
    )
    AssuranceReturnFactory.create(group=under_ones, quarter_start=Q3.start)
    measure = MeasureFactory.create(
        group=children,
        name="Child protection plans ending within 3 months",
        threshold=Decimal(15),
        direction=Direction.ABOVE,
        unit="%",
    )
    DataPointFactory.create(measure=measure, quarter_start=Q2.start, value=Decimal("22.5"))
    exec_measure = MeasureFactory.create(
        group=board, name="Partner contributions", threshold=Decimal(100), direction="below"
    )
    DataPointFactory.create(measure=exec_measure, quarter_start=Q2.start, value=Decimal(90))

    response = as_executive.get(ROLLUP)
    page = text(response)

    assert response.status_code == 200
    assert "Assurance returns for 2025-26 Q2" in page
    assert "Children's assurance subgroup Not assured" in page
    assert "Child protection plans ended too soon." in page
    assert "Ask the local authority for a deep dive." in page
    assert "Babies steering group No return" in page
    assert "Child protection plans ending within 3 months: 22.5%" in page
    assert "Other data exceptions" in page
    assert "Partner contributions (Northshire Executive): 90, an exception when below 100" in page
    assert "Stood-down group" not in page
    assert "Formed after the quarter" not in page
    assert "Give the return" not in page  # an executive member gives no group's return

    later = text(as_executive.get(ROLLUP, {"quarter": "2025-26 Q3"}))
    assert "Babies steering group Assured" in later
    assert "Formed after the quarter No return" in later


def test_rollup_refuses_a_quarter_it_cannot_read(as_executive):
    response = as_executive.get(ROLLUP, {"quarter": "last spring"})
    assert response.status_code == 400
    assert "is not a quarter: write it like 2025-26 Q1" in text(response)


def test_rollup_offers_administrators_the_missing_returns(as_admin):
    item = group(name="Learning and development group")
    page = as_admin.get(ROLLUP).content.decode()
    assert return_url(item, Q2) in page


def test_returns_for_quarter_gives_every_active_group_with_its_return_or_none():
    board = group(name="Northshire Executive", kind=GroupKind.EXECUTIVE)
    given = group(name="Alpha group", reports_to=board)
    group(name="Beta group", reports_to=board)
    AssuranceReturnFactory.create(
        group=given,
        quarter_start=Q2.start,
        level=AssuranceLevel.PARTIAL,
        exceptions="Some",
        escalations="Up",
    )

    rows = {
        row["group"].name: row
        for row in selectors.returns_for_quarter(quarter=Q2)
        if row["group"].name in {"Alpha group", "Beta group", "Northshire Executive"}
    }

    assert set(rows) == {"Alpha group", "Beta group"}
    assert rows["Alpha group"]["level"] == AssuranceLevel.PARTIAL
    assert rows["Alpha group"]["level_label"] == "Partially assured"
    assert (rows["Alpha group"]["exceptions"], rows["Alpha group"]["escalations"]) == ("Some", "Up")
    assert rows["Alpha group"]["missing"] is False
    assert rows["Beta group"]["missing"] is True
    assert rows["Beta group"]["level_label"] == "No return"
    assert rows["Beta group"]["return"] is None


def test_exceptions_for_quarter_lists_figures_beyond_their_thresholds():
    item = group(name="Adults' group")
    above = MeasureFactory.create(group=item, threshold=Decimal(10), direction=Direction.ABOVE)
    below = MeasureFactory.create(group=item, threshold=Decimal(10), direction=Direction.BELOW)
    none = MeasureFactory.create(group=item)
    DataPointFactory.create(measure=above, quarter_start=Q2.start, value=Decimal(11))
    DataPointFactory.create(measure=above, quarter_start=Q3.start, value=Decimal(20))
    DataPointFactory.create(measure=below, quarter_start=Q2.start, value=Decimal(10))
    DataPointFactory.create(measure=none, quarter_start=Q2.start, value=Decimal(1000))

    found = data_selectors.exceptions_for_quarter(quarter=Q2)

    assert [(row["measure"], row["value"]) for row in found] == [(above, Decimal(11))]
    row = found[0]
    assert (row["group"], row["threshold"], row["direction"]) == (item, Decimal(10), "above")


# --- The standard groups ------------------------------------------------------------------


def test_the_standard_groups_load_once_reporting_to_the_executive():
    migration = importlib.import_module("sightline.assurance.migrations.0004_partnership_groups")
    migration.load(apps, None)
    migration.load(apps, None)

    names = [name for name, *_ in migration.GROUPS]
    groups = {item.name: item for item in Group.objects.filter(name__in=names)}
    assert set(groups) == set(names)
    executive = groups["Executive"]
    assert executive.kind == GroupKind.EXECUTIVE
    assert groups["Domestic abuse board"].kind == GroupKind.BOARD
    assert groups["Practice review group"].reports_to == executive
    assert (
        groups["Exploitation operational group"].reports_to
        == groups["Exploitation strategic group"]
    )


# --- Query counts -------------------------------------------------------------------------


def assert_queries_flat(client, url, grow, expected, assert_num_queries) -> None:
    """The page takes ``expected`` queries with a few rows and with ten times as many."""
    grow(1)
    with assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow(9)
    with assert_num_queries(expected):
        assert client.get(url).status_code == 200


def _busy_group(**fields) -> Group:
    item = group(**fields)
    GroupMemberFactory.create(group=item)
    meeting = MeetingFactory.create(group=item)
    MeetingDecisionFactory.create(meeting=meeting)
    meeting.actions.add(ActionFactory.create())
    AssuranceReturnFactory.create(group=item, quarter_start=Q2.start)
    measure = MeasureFactory.create(group=item, threshold=Decimal(1), direction="above")
    DataPointFactory.create(measure=measure, quarter_start=Q2.start, value=Decimal(5))
    return item


def test_group_list_queries_do_not_grow(as_executive, django_assert_num_queries):
    def grow(times: int) -> None:
        for _ in range(times * 3):
            _busy_group(chair=UserFactory.create(), reports_to=group())

    assert_queries_flat(as_executive, GROUPS, grow, 4, django_assert_num_queries)


def test_group_page_queries_do_not_grow(as_executive, django_assert_num_queries):
    item = group(chair=UserFactory.create())

    def grow(times: int) -> None:
        for _ in range(times * 3):
            GroupMemberFactory.create(group=item)
            GroupMemberFactory.create(group=item, user=None)
            meeting = MeetingFactory.create(group=item)
            MeetingDecisionFactory.create(meeting=meeting)
            meeting.actions.add(ActionFactory.create())
            measure = MeasureFactory.create(group=item, threshold=Decimal(1), direction="above")
            DataPointFactory.create(measure=measure, value=Decimal(5))
            group(reports_to=item)

    assert_queries_flat(as_executive, item.get_absolute_url(), grow, 11, django_assert_num_queries)


def test_meeting_page_queries_do_not_grow(as_executive, django_assert_num_queries):
    meeting = MeetingFactory.create(group=group())

    def grow(times: int) -> None:
        for _ in range(times * 3):
            MeetingDecisionFactory.create(meeting=meeting)
            meeting.actions.add(ActionFactory.create())

    assert_queries_flat(
        as_executive, meeting.get_absolute_url(), grow, 6, django_assert_num_queries
    )


def test_rollup_queries_do_not_grow(as_executive, django_assert_num_queries):
    def grow(times: int) -> None:
        for _ in range(times * 3):
            _busy_group()
            group()

    assert_queries_flat(as_executive, ROLLUP, grow, 6, django_assert_num_queries)
