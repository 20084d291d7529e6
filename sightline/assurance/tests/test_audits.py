"""The multi-agency audit programme: planning audits, asking agencies for returns (their
leads emailed once it is saved), the returns, and findings in the learning tracker; the
services, then the pages (who may use them, what they say, and query counts that stay the
same when the rows grow tenfold)."""

import datetime
import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.models import Agency, User
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.assurance.models import Audit, AuditReturn, Group
from sightline.assurance.quarters import Quarter
from sightline.assurance.services.audits import (
    audit_create,
    audit_edit,
    audit_finding_add,
    audit_return_submit,
    audit_returns_request,
)
from sightline.assurance.views import audits as views
from sightline.assurance.vocabulary import AuditStatus
from sightline.core.models import AuditEvent
from sightline.core.roles import Role
from sightline.core.tests.pages import client_for, page_html
from sightline.learning.models import Recommendation
from sightline.learning.tests.factories import ActionFactory, RecommendationFactory
from sightline.learning.vocabulary import SourceType
from sightline.reviews.models import PracticeTheme

from .factories import AuditFactory, AuditReturnFactory

text = page_html

pytestmark = pytest.mark.django_db

VIEWERS = {
    Role.ADMINISTRATOR,
    Role.EXECUTIVE,
    Role.REVIEW_OFFICER,
    Role.REVIEW_GROUP_MEMBER,
    Role.AGENCY_LEAD,
}


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def this_quarter() -> Quarter:
    return Quarter.containing(timezone.localdate())


def audit_data(**changes) -> dict:
    return {
        "title": "Neglect in under 5s",
        "scope": "Families with children under 5 known to two or more agencies.",
        "quarter_start": this_quarter().start,
        "group": None,
        "themes": [],
        "questionnaire": "Was the child seen alone?\n\n  Was the father involved?  ",
        "returns_due_on": days(14),
        "status": AuditStatus.PLANNED,
        "summary": "",
    } | changes


def lead_of(agency: Agency, **fields) -> User:
    return MembershipFactory.create(agency=agency, role=Role.AGENCY_LEAD, **fields).user


# --- Planning and changing audits -------------------------------------------------------


def test_an_audit_is_planned_with_its_audit_event(admin_user):
    themes = list(PracticeTheme.objects.order_by("name")[:2])

    audit = audit_create(actor=admin_user, data=audit_data(themes=themes))

    assert audit.questionnaire == "Was the child seen alone?\nWas the father involved?"
    assert audit.questions == ["Was the child seen alone?", "Was the father involved?"]
    assert audit.status == AuditStatus.PLANNED
    assert set(audit.themes.all()) == set(themes)
    event = AuditEvent.objects.get(object_type="assurance.audit")
    assert event.kind == AuditEvent.Kind.CREATE
    assert event.changes["themes"] == {"from": [], "to": sorted(t.name for t in themes)}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"returns_due_on": days(-1)},
            "returns_due_on",
            "The date returns are due must be today or later",
        ),
        ({"title": "  "}, "title", "Enter the audit's title"),
        (
            {"quarter_start": this_quarter().start + datetime.timedelta(days=1)},
            "quarter_start",
            "Enter the quarter the audit is planned for, like 2025-26 Q1",
        ),
    ],
)
def test_an_audit_that_does_not_add_up_is_refused_and_nothing_is_saved(
    admin_user, changes, field, message
):
    with pytest.raises(ValidationError) as refused:
        audit_create(actor=admin_user, data=audit_data(**changes))
    assert refused.value.message_dict[field] == [message]
    assert not Audit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_past_due_date_may_stay_when_the_audit_changes(admin_user):
    audit = AuditFactory.create(returns_due_on=days(-3))
    audit_edit(
        actor=admin_user, audit=audit, data=audit_data(returns_due_on=days(-3), title="Renamed")
    )
    audit.refresh_from_db()
    assert audit.title == "Renamed"
    with pytest.raises(ValidationError):
        audit_edit(actor=admin_user, audit=audit, data=audit_data(returns_due_on=days(-2)))


def test_a_reported_audit_says_what_it_found(admin_user):
    audit = AuditFactory.create(status=AuditStatus.IN_PROGRESS)
    with pytest.raises(ValidationError) as refused:
        audit_edit(actor=admin_user, audit=audit, data=audit_data(status=AuditStatus.REPORTED))
    assert refused.value.message_dict["summary"] == [
        "Write what the audit found before marking it reported"
    ]

    audit_edit(
        actor=admin_user,
        audit=audit,
        data=audit_data(status=AuditStatus.REPORTED, summary="Fathers were rarely seen."),
    )
    event = AuditEvent.objects.get(object_type="assurance.audit")
    assert event.changes["status"] == {"from": "in_progress", "to": "reported"}


def test_questions_an_agency_has_answered_cannot_change(admin_user):
    item = AuditReturnFactory.create(returned_on=days(0), answers="1. Q\nA", cases_audited=3)
    with pytest.raises(ValidationError) as refused:
        audit_edit(
            actor=admin_user,
            audit=item.audit,
            data=audit_data(questionnaire="A new question?", status=AuditStatus.IN_PROGRESS),
        )
    assert refused.value.message_dict["questionnaire"] == [
        "An agency has answered these questions, so they cannot change now"
    ]


def test_an_audit_with_returns_asked_for_is_no_longer_planned(admin_user):
    item = AuditReturnFactory.create()
    with pytest.raises(ValidationError) as refused:
        audit_edit(actor=admin_user, audit=item.audit, data=audit_data(status=AuditStatus.PLANNED))
    assert "status" in refused.value.message_dict


def test_renaming_an_audit_renames_its_findings_source(admin_user):
    audit = AuditFactory.create(title="Old audit")
    rec = audit_finding_add(actor=admin_user, audit=audit, data=finding_data())
    audit_edit(actor=admin_user, audit=audit, data=audit_data(title="New audit"))
    rec.refresh_from_db()
    assert rec.source_title == "New audit"


# --- Asking for returns ----------------------------------------------------------------


def test_asking_for_returns_emails_the_leads_once_saved_and_starts_the_audit(
    admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    audit = AuditFactory.create(title="Neglect in under 5s")
    police = AgencyFactory.create(name="Northshire Police")
    health = AgencyFactory.create(name="Northshire ICB")
    lead_of(police, user__email="lead@police.example.test")
    lead_of(police, user__email="gone@police.example.test", user__is_active=False)
    MembershipFactory.create(agency=police, role=Role.PRACTITIONER)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = audit_returns_request(actor=admin_user, audit=audit, agencies=[police, health])
        assert mail.outbox == []  # nothing is sent inside the transaction
    for callback in callbacks:
        callback()

    assert [item.agency for item in created] == [health, police]
    assert all(item.requested_on == timezone.localdate() for item in created)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS
    assert [message.to for message in mailoutbox] == [["lead@police.example.test"]]
    body = mailoutbox[0].body
    assert mailoutbox[0].subject == "Multi-agency audit return requested: Neglect in under 5s"
    assert "1. Was the child seen alone?" in body
    police_return = AuditReturn.objects.get(agency=police)
    assert f"/assurance/audits/returns/{police_return.pk}/" in body
    assert "&#" not in body
    events = AuditEvent.objects.filter(object_type="assurance.auditreturn")
    assert sorted(e.changes["requested from"]["to"] for e in events) == [
        "Northshire ICB",
        "Northshire Police",
    ]
    assert AuditEvent.objects.get(object_type="assurance.audit").changes == {
        "status": {"from": "planned", "to": "in_progress"}
    }


def test_an_agency_already_asked_is_not_asked_twice(
    admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    item = AuditReturnFactory.create()
    lead_of(item.agency)
    other = AgencyFactory.create()

    with django_capture_on_commit_callbacks(execute=True):
        created = audit_returns_request(
            actor=admin_user, audit=item.audit, agencies=[item.agency, other]
        )
    assert [ret.agency for ret in created] == [other]
    assert mailoutbox == []  # the new agency has no lead; the one asked before is not emailed

    with pytest.raises(ValidationError) as refused:
        audit_returns_request(actor=admin_user, audit=item.audit, agencies=[item.agency])
    assert refused.value.message_dict["agencies"] == [
        "Those agencies have already been asked: choose others"
    ]
    assert AuditReturn.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"questionnaire": ""}, "Add the questionnaire to the audit before asking for returns"),
        (
            {"returns_due_on": None},
            "Set the date returns are due, today or later, before asking for returns",
        ),
        (
            {"returns_due_on": days(-1)},
            "Set the date returns are due, today or later, before asking for returns",
        ),
        (
            {"status": AuditStatus.REPORTED, "summary": "Done"},
            "This audit has been reported: it takes no more returns",
        ),
    ],
)
def test_returns_are_asked_for_only_when_the_audit_is_ready_and_nothing_is_half_saved(
    admin_user, mailoutbox, django_capture_on_commit_callbacks, fields, message
):
    audit = AuditFactory.create(**fields)
    agency = AgencyFactory.create()
    lead_of(agency)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as refused,
    ):
        audit_returns_request(actor=admin_user, audit=audit, agencies=[agency])
    assert refused.value.messages == [message]
    assert not AuditReturn.objects.exists()
    assert not AuditEvent.objects.exists()
    assert mailoutbox == []


# --- Returns -------------------------------------------------------------------------------


def test_a_return_answers_each_question_and_is_audited(make_user):
    item = AuditReturnFactory.create()
    lead = lead_of(item.agency)

    audit_return_submit(
        actor=lead,
        item=item,
        answers=["Yes, in 4 of 6 cases.", "Rarely:\nonly in 1 case."],
        cases_audited=6,
    )

    item.refresh_from_db()
    assert item.returned_on == timezone.localdate()
    assert item.returned_by == lead
    assert item.cases_audited == 6
    assert item.answers == (
        "1. Was the child seen alone?\nYes, in 4 of 6 cases.\n\n"
        "2. Was the father involved?\nRarely:\nonly in 1 case."
    )
    assert item.answers_to(item.audit.questions) == [
        "Yes, in 4 of 6 cases.",
        "Rarely:\nonly in 1 case.",
    ]
    event = AuditEvent.objects.get(object_type="assurance.auditreturn")
    assert event.actor == lead
    assert event.changes["cases_audited"] == {"from": None, "to": 6}


def test_a_correction_keeps_the_day_it_was_first_returned(admin_user):
    item = AuditReturnFactory.create(
        returned_on=days(-2),
        answers="1. Was the child seen alone?\nYes\n\n2. Was the father involved?\nNo",
        cases_audited=2,
    )
    audit_return_submit(
        actor=admin_user, item=item, answers=["Yes", "In one case"], cases_audited=2
    )
    item.refresh_from_db()
    assert item.returned_on == days(-2)
    assert item.answers.endswith("In one case")


def test_a_return_needs_every_answer_and_the_audit_still_open(admin_user):
    item = AuditReturnFactory.create()
    with pytest.raises(ValidationError) as refused:
        audit_return_submit(actor=admin_user, item=item, answers=["Yes", "  "], cases_audited=None)
    assert refused.value.message_dict == {
        "answer_2": ["Answer question 2"],
        "cases_audited": ["Enter how many cases your agency audited"],
    }

    item.audit.status = AuditStatus.REPORTED
    item.audit.save()
    with pytest.raises(ValidationError) as refused:
        audit_return_submit(actor=admin_user, item=item, answers=["Yes", "No"], cases_audited=1)
    assert refused.value.messages == [
        "This audit has been reported: its returns can no longer change"
    ]
    item.refresh_from_db()
    assert item.returned_on is None
    assert not AuditEvent.objects.exists()


# --- Findings --------------------------------------------------------------------------------


def finding_data(**changes) -> dict:
    return {
        "reference": "AUD-NEGLECT/R1",
        "text": "Make sure fathers are seen and assessed.",
        "made_date": timezone.localdate(),
        "lead": None,
        "agencies": [],
    } | changes


def test_a_finding_becomes_a_learning_tracker_recommendation_with_the_audits_themes(admin_user):
    theme = PracticeTheme.objects.get(name__iexact="men and fathers in the family")
    audit = AuditFactory.create(title="Neglect in under 5s")
    audit.themes.add(theme)

    rec = audit_finding_add(actor=admin_user, audit=audit, data=finding_data())

    assert rec.source_type == SourceType.AUDIT
    assert rec.source_title == "Neglect in under 5s"
    assert list(rec.themes.all()) == [theme]
    assert list(audit.recommendations.all()) == [rec]
    assert AuditEvent.objects.get(object_type="assurance.audit").changes == {
        "findings": {"from": None, "to": "AUD-NEGLECT/R1"}
    }


def test_a_finding_that_cannot_be_saved_leaves_nothing_behind(admin_user):
    audit = AuditFactory.create()
    RecommendationFactory.create(reference="AUD-NEGLECT/R1")
    with pytest.raises(ValidationError):
        audit_finding_add(actor=admin_user, audit=audit, data=finding_data())
    with pytest.raises(ValidationError) as refused:
        audit_finding_add(
            actor=admin_user,
            audit=audit,
            data=finding_data(
                reference="NEW/R1", made_date=audit.quarter_start - datetime.timedelta(days=1)
            ),
        )
    assert "start of the audit's quarter" in refused.value.message_dict["made_date"][0]
    assert Recommendation.objects.count() == 1
    assert not audit.recommendations.exists()
    assert not AuditEvent.objects.exists()


# --- Pages: who may use them ------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_everyone_who_steers_the_system_sees_the_programme_and_its_audits(make_user, role):
    audit = AuditFactory.create()
    client = client_for(make_user(role))
    expected = 200 if role in VIEWERS else 403
    for url in (reverse("assurance:audit_list"), audit.get_absolute_url()):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("role", list(Role))
def test_only_administrators_plan_audits_ask_for_returns_and_record_findings(make_user, role):
    audit = AuditFactory.create()
    agency = AgencyFactory.create()
    client = client_for(make_user(role))
    expected = 200 if role == Role.ADMINISTRATOR else 403
    for url in (
        reverse("assurance:audit_create"),
        reverse("assurance:audit_edit", kwargs={"pk": audit.pk}),
        reverse("assurance:audit_finding_create", kwargs={"pk": audit.pk}),
    ):
        assert client.get(url).status_code == expected, url
    response = client.post(
        reverse("assurance:audit_request_returns", kwargs={"pk": audit.pk}),
        {"agencies": [agency.pk]},
    )
    assert response.status_code == (302 if role == Role.ADMINISTRATOR else 403)
    assert AuditReturn.objects.exists() is (role == Role.ADMINISTRATOR)


def test_asking_for_returns_is_a_post(admin_client):
    audit = AuditFactory.create()
    url = reverse("assurance:audit_request_returns", kwargs={"pk": audit.pk})
    assert admin_client.get(url).status_code == 405


def test_an_agencys_return_is_made_by_its_leads_or_an_administrator(make_user, admin_client):
    item = AuditReturnFactory.create()
    url = reverse("assurance:audit_return_submit", kwargs={"pk": item.pk})
    own_lead = client_for(lead_of(item.agency))
    other_lead = client_for(make_user(Role.AGENCY_LEAD))
    officer_in_agency = make_user(Role.REVIEW_OFFICER, agency=item.agency)

    assert own_lead.get(url).status_code == 200
    assert admin_client.get(url).status_code == 200
    assert other_lead.get(url).status_code == 403
    assert client_for(officer_in_agency).get(url).status_code == 403
    assert (
        other_lead.post(url, {"cases_audited": 1, "answer_1": "x", "answer_2": "y"}).status_code
        == 403
    )
    item.refresh_from_db()
    assert item.returned_on is None
    assert (
        admin_client.get(reverse("assurance:audit_return_submit", kwargs={"pk": 999})).status_code
        == 404
    )


# --- Pages: what they do and say ---------------------------------------------------------------


def test_planning_an_audit_on_its_page(admin_client):
    label = this_quarter().label
    response = admin_client.post(
        reverse("assurance:audit_create"),
        {
            "title": "Neglect in under 5s",
            "scope": "Families with children under 5.",
            "quarter_start": label,
            "questionnaire": "Was the child seen alone?",
        },
    )
    audit = Audit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == audit.get_absolute_url()
    assert audit.quarter_start == this_quarter().start
    page = text(admin_client.get(audit.get_absolute_url()))
    assert "Neglect in under 5s has been saved." in page
    assert f"{label} ({this_quarter().months})" in page
    assert "Was the child seen alone?" in page


def test_the_audit_form_says_what_to_fix_and_saves_nothing(admin_client):
    past = days(-1)
    response = admin_client.post(
        reverse("assurance:audit_create"),
        {
            "title": "",
            "scope": "Scope",
            "quarter_start": "autumn",
            "returns_due_on_day": past.day,
            "returns_due_on_month": past.month,
            "returns_due_on_year": past.year,
        },
    )
    page = text(response)
    assert response.status_code == 400
    assert "Enter the audit's title" in page
    assert "'autumn' is not a quarter: write it like 2025-26 Q1" in page
    assert not Audit.objects.exists()

    response = admin_client.post(
        reverse("assurance:audit_create"),
        {
            "title": "Audit",
            "scope": "Scope",
            "quarter_start": this_quarter().label,
            "returns_due_on_day": past.day,
            "returns_due_on_month": past.month,
            "returns_due_on_year": past.year,
        },
    )
    assert response.status_code == 400
    assert "The date returns are due must be today or later" in text(response)
    assert not Audit.objects.exists()


def test_changing_an_audit_shows_its_quarter_as_a_label_and_can_report_it(admin_client):
    audit = AuditFactory.create(status=AuditStatus.IN_PROGRESS)
    url = reverse("assurance:audit_edit", kwargs={"pk": audit.pk})
    assert f'value="{this_quarter().label}"' in text(admin_client.get(url))

    response = admin_client.post(
        url,
        {
            "title": audit.title,
            "scope": audit.scope,
            "quarter_start": this_quarter().label,
            "questionnaire": audit.questionnaire,
            "status": "reported",
            "summary": "",
        },
    )
    assert response.status_code == 400
    assert "Write what the audit found before marking it reported" in text(response)


def test_asking_for_returns_on_the_audits_page(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    audit = AuditFactory.create()
    police = AgencyFactory.create(name="Northshire Police")
    AgencyFactory.create(name="Closed agency", is_active=False)
    lead_of(police, user__email="lead@police.example.test")
    url = reverse("assurance:audit_request_returns", kwargs={"pk": audit.pk})

    offered = re.compile(f'name="agencies" type="[a-z]+" value="{police.pk}"')
    page = text(admin_client.get(audit.get_absolute_url()))
    assert offered.search(page)
    assert "Closed agency" not in page

    refused = admin_client.post(url, {})
    assert refused.status_code == 400
    assert "Choose the agencies to ask for a return" in text(refused)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"agencies": [police.pk]})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["lead@police.example.test"]]
    page = text(admin_client.get(audit.get_absolute_url()))
    assert "1 agency has been asked for a return. Their agency leads have been emailed." in page
    assert "Nobody was emailed" not in page
    assert "1 asked for, 0 returned, 1 outstanding." in page
    assert not offered.search(page)

    again = admin_client.post(url, {"agencies": [police.pk]})
    assert again.status_code == 400
    assert "Choose from the agencies listed: an agency already asked is not asked again" in text(
        again
    )
    assert AuditReturn.objects.count() == 1

    leaderless = AgencyFactory.create(name="Northshire Hospice")
    admin_client.post(url, {"agencies": [leaderless.pk]})
    page = text(admin_client.get(audit.get_absolute_url()))
    assert "Nobody was emailed at Northshire Hospice: add an agency lead there" in page


def test_several_agencies_can_be_chosen_at_once(admin_client):
    audit = AuditFactory.create()
    page = text(admin_client.get(audit.get_absolute_url()))
    assert 'name="agencies" type="checkbox"' in page


def test_asking_before_the_questionnaire_is_written_says_so(admin_client):
    audit = AuditFactory.create(questionnaire="")
    agency = AgencyFactory.create()
    response = admin_client.post(
        reverse("assurance:audit_request_returns", kwargs={"pk": audit.pk}),
        {"agencies": [agency.pk]},
    )
    assert response.status_code == 400
    assert "Add the questionnaire to the audit before asking for returns" in text(response)
    assert not AuditReturn.objects.exists()


def test_a_lead_makes_the_return_and_everyone_sees_the_answers(make_user):
    item = AuditReturnFactory.create(audit__title="Neglect in under 5s")
    lead = lead_of(item.agency, user__full_name="Lena Lead")
    client = client_for(lead)
    url = reverse("assurance:audit_return_submit", kwargs={"pk": item.pk})

    page = text(client.get(item.audit.get_absolute_url()))
    assert "Make the return" in page

    page = text(client.get(url))
    assert "1. Was the child seen alone?" in page
    refused = client.post(url, {"cases_audited": "-1", "answer_1": "Yes", "answer_2": ""})
    assert refused.status_code == 400
    assert "Answer question 2" in text(refused)
    assert "Enter 0 or more" in text(refused)

    response = client.post(
        url, {"cases_audited": "5", "answer_1": "Yes, mostly.", "answer_2": "Not often."}
    )
    assert response.status_code == 302
    assert response["Location"] == item.audit.get_absolute_url()

    page = text(client_for(make_user(Role.EXECUTIVE)).get(item.audit.get_absolute_url()))
    assert "1 asked for, 1 returned, 0 outstanding." in page
    assert "Answers from " + item.agency.name in page
    assert "Not often." in page
    assert "by Lena Lead" in page
    assert "Make the return" not in page
    assert 'value="Not often."' not in page
    assert "Not often." in text(client.get(url))


def test_a_finding_is_added_and_its_actions_follow_in_the_learning_tracker(admin_client):
    audit = AuditFactory.create(title="Neglect in under 5s")
    url = reverse("assurance:audit_finding_create", kwargs={"pk": audit.pk})
    page = text(admin_client.get(url))
    assert "Add a finding" in page
    assert f'value="AUD{audit.pk}/R1"' in page
    today = timezone.localdate()

    response = admin_client.post(
        url,
        {
            "reference": f"AUD{audit.pk}/R1",
            "text": "Fathers are rarely seen.",
            "made_date_day": today.day,
            "made_date_month": today.month,
            "made_date_year": today.year,
        },
    )
    rec = Recommendation.objects.get()
    assert response["Location"] == reverse("learning:recommendation_detail", kwargs={"pk": rec.pk})
    ActionFactory.create(recommendation=rec, reference="AUD/A1", due_date=days(-2))

    page = text(admin_client.get(audit.get_absolute_url()))
    assert "Fathers are rarely seen." in page
    assert "AUD/A1" in page
    assert "Overdue" in page


def test_the_programme_shows_a_year_quarter_by_quarter(make_user):
    quarter = this_quarter()
    AuditFactory.create(title="This quarter's audit")
    AuditFactory.create(title="Last year's audit", quarter_start=Quarter(quarter.year - 1, 1).start)
    client = client_for(make_user(Role.REVIEW_OFFICER))
    year = f"{quarter.year}-{(quarter.year + 1) % 100:02d}"

    page = text(client.get(reverse("assurance:audit_list")))
    assert f"Multi-agency audit programme {year}" in page
    assert "This quarter's audit" in page
    assert "Last year's audit" not in page
    assert page.count("No audits are planned for this quarter.") == 3
    assert "Plan an audit" not in page

    previous = f"{quarter.year - 1}-{quarter.year % 100:02d}"
    page = text(client.get(reverse("assurance:audit_list"), {"year": previous}))
    assert "Last year's audit" in page


def test_a_year_that_is_not_one_is_refused_with_how_to_write_it(admin_client):
    response = admin_client.get(reverse("assurance:audit_list"), {"year": "2025-27"})
    assert response.status_code == 400
    assert "2025-27 is not a financial year: write it like 2025-26" in text(response)


# --- Query counts ----------------------------------------------------------------------------


def assert_queries_flat(
    client: Client, url: str, grow: Callable[[int], object], expected: int, assert_num_queries
) -> None:
    """The page takes ``expected`` queries with a few rows and with ten times as many."""
    grow(1)
    with assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow(9)
    with assert_num_queries(expected):
        assert client.get(url).status_code == 200


def _audit_with_everything(audit: Audit) -> None:
    AuditReturnFactory.create(audit=audit)
    AuditReturnFactory.create(
        audit=audit,
        returned_on=timezone.localdate(),
        answers="1. Was the child seen alone?\nYes\n\n2. Was the father involved?\nNo",
        cases_audited=2,
        returned_by=UserFactory.create(),
    )
    finding = RecommendationFactory.create(source_type=SourceType.AUDIT, lead=UserFactory.create())
    audit.recommendations.add(finding)
    ActionFactory.create(recommendation=finding, due_date=days(-1))
    ActionFactory.create(recommendation=finding)


def test_drawing_the_pages_runs_no_query(admin_client, monkeypatch, django_assert_num_queries):
    """Every query is made before the template is drawn (by the selectors)."""
    audit = AuditFactory.create(
        status=AuditStatus.IN_PROGRESS, group=Group.objects.create(name="QA")
    )
    audit.themes.set(PracticeTheme.objects.all()[:2])
    _audit_with_everything(audit)
    item = audit.returns.get(returned_on__isnull=True)
    draw = views.render

    def guarded(*args, **kwargs):
        with django_assert_num_queries(0):
            return draw(*args, **kwargs)

    monkeypatch.setattr(views, "render", guarded)
    for url in (
        reverse("assurance:audit_list"),
        audit.get_absolute_url(),
        reverse("assurance:audit_edit", kwargs={"pk": audit.pk}),
        reverse("assurance:audit_finding_create", kwargs={"pk": audit.pk}),
        reverse("assurance:audit_return_submit", kwargs={"pk": item.pk}),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_programme_queries_do_not_grow(admin_client, django_assert_num_queries):
    def grow(times: int) -> None:
        for _ in range(times * 2):
            group = Group.objects.create(name=f"Quality assurance subgroup {Group.objects.count()}")
            audit = AuditFactory.create(status=AuditStatus.IN_PROGRESS, group=group)
            _audit_with_everything(audit)

    assert_queries_flat(
        admin_client, reverse("assurance:audit_list"), grow, 4, django_assert_num_queries
    )


def test_audit_page_queries_do_not_grow(admin_client, django_assert_num_queries):
    audit = AuditFactory.create(status=AuditStatus.IN_PROGRESS)
    audit.themes.set(PracticeTheme.objects.all()[:2])

    def grow(times: int) -> None:
        for _ in range(times * 2):
            _audit_with_everything(audit)
            AgencyFactory.create()

    assert_queries_flat(admin_client, audit.get_absolute_url(), grow, 9, django_assert_num_queries)


def test_return_page_queries_do_not_grow(admin_client, django_assert_num_queries):
    item = AuditReturnFactory.create()
    url = reverse("assurance:audit_return_submit", kwargs={"pk": item.pk})

    def grow(times: int) -> None:
        for _ in range(times * 2):
            AuditReturnFactory.create(audit=item.audit)

    assert_queries_flat(admin_client, url, grow, 4, django_assert_num_queries)
