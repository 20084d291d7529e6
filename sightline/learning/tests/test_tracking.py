"""Recording recommendations and actions in the browser's forms, through the services."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.models import AppendOnlyError, AuditEvent
from sightline.core.roles import Role
from sightline.learning import services
from sightline.learning.models import Action, ProgressUpdate, Recommendation, SignOff

D = datetime.date


@pytest.fixture
def agency(db):
    return AgencyFactory.create(name="Northshire Police")


@pytest.fixture
def rec(db):
    return Recommendation.objects.create(
        reference="AUD-1/R1",
        source_type="audit",
        source_title="Neglect audit 2024",
        text="Improve the use of the neglect toolkit.",
        made_date=D(2024, 1, 10),
    )


def dated(prefix: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def make_action(rec, agency, **fields) -> Action:
    return services.action_save(
        actor=None,
        action=None,
        recommendation=rec,
        data={
            "reference": "AUD-1/R1/A1",
            "agency": agency,
            "description": "Train staff",
            "due_date": D(2024, 6, 30),
            **fields,
        },
    )


def test_recommendation_form_needs_a_reason_when_not_accepted(admin_client):
    data = {
        "reference": "X/R1",
        "source_type": "other",
        "source": "A review",
        "text": "Do better",
        "decision": "not_accepted",
        **dated("made_date", D(2024, 1, 1)),
    }
    response = admin_client.post(reverse("learning:recommendation_create"), data)
    assert response.status_code == 400
    assert "Give the reason the recommendation was not accepted" in response.content.decode()
    assert not Recommendation.objects.exists()
    data["decision_reason"] = "Already in place"
    assert admin_client.post(reverse("learning:recommendation_create"), data).status_code == 302


def test_case_review_source_must_be_a_case(admin_client):
    data = {
        "reference": "X/R1",
        "source_type": "case_review",
        "source": "NO-SUCH",
        "text": "Do better",
        **dated("made_date", D(2024, 1, 1)),
    }
    response = admin_client.post(reverse("learning:recommendation_create"), data)
    assert "NO-SUCH is not a case in Sightline" in response.content.decode()


def test_action_needs_an_agency_and_a_due_date_not_before_the_recommendation(
    admin_client, rec, agency
):
    url = reverse("learning:action_create", args=[rec.pk])
    missing = admin_client.post(url, {"reference": "A1", "description": "Do"})
    assert missing.status_code == 400
    page = missing.content.decode()
    assert "Choose the agency that owns the action" in page
    assert "Enter the date the action is due" in page
    early = admin_client.post(
        url,
        {
            "reference": "A1",
            "description": "Do",
            "agency": agency.pk,
            **dated("due_date", D(2023, 12, 1)),
        },
    )
    assert "must be on or after the day the recommendation was made" in early.content.decode()
    assert not Action.objects.exists()


def test_concurrent_edits_are_detected_and_both_versions_shown(admin_client, rec, agency):
    action = make_action(rec, agency)
    url = reverse("learning:action_edit", args=[action.pk])
    form = {
        "agency": agency.pk,
        "description": "First edit",
        "version": action.version,
        **dated("due_date", D(2024, 7, 31)),
    }
    assert admin_client.post(url, form).status_code == 302
    stale = admin_client.post(url, form | {"description": "Second edit"})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Someone else changed this action after you opened it" in page
    assert "First edit" in page
    action.refresh_from_db()
    assert action.description == "First edit"


def test_progress_updates_are_an_append_only_history(make_user, rec, agency):
    lead = make_user(Role.AGENCY_LEAD, agency=agency)
    action = make_action(rec, agency)
    update = services.progress_record(
        actor=lead, action=action, status="at_risk", note="Slipping", on=D(2024, 3, 1)
    )
    action.refresh_from_db()
    assert action.status == "at_risk"
    with pytest.raises(AppendOnlyError):
        update.delete()
    with pytest.raises(ValidationError, match="use Close the action"):
        services.progress_record(
            actor=lead, action=action, status="complete", note="x", on=D(2024, 3, 1)
        )
    assert ProgressUpdate.objects.count() == 1


def test_closing_needs_evidence_and_someone_other_than_the_owner(make_user, rec, agency):
    owner = make_user(Role.AGENCY_LEAD, agency=agency)
    admin = make_user(Role.ADMINISTRATOR)
    officer = make_user(Role.REVIEW_OFFICER)
    action = make_action(rec, agency, owner=owner)

    with pytest.raises(ValidationError, match="Record evidence"):
        services.action_close(actor=admin, action=action, outcome="complete", on=D(2024, 6, 1))
    services.evidence_record(
        actor=owner,
        action=action,
        kind="dissemination",
        description="Briefings",
        dated=D(2024, 5, 1),
        method="briefing",
        staff_reached=40,
    )
    with pytest.raises(ValidationError, match="never the action's owner"):
        services.action_close(actor=owner, action=action, outcome="complete", on=D(2024, 6, 1))
    with pytest.raises(ValidationError, match="never the action's owner"):
        services.action_close(actor=officer, action=action, outcome="complete", on=D(2024, 6, 1))

    sign_off = services.action_close(
        actor=admin, action=action, outcome="complete", on=D(2024, 6, 1)
    )
    action.refresh_from_db()
    assert (action.status, action.completed_date, action.completion_imported) == (
        "complete",
        D(2024, 6, 1),
        False,
    )
    assert sign_off.signed_by == admin
    assert sign_off.snapshot["status"] == "complete"
    assert sign_off.snapshot["description"] == "Train staff"
    assert AuditEvent.objects.filter(
        object_type="learning.action", detail__contains="Signed off"
    ).exists()


def test_the_recommendations_lead_may_sign_off(make_user, rec, agency):
    lead = make_user(Role.REVIEW_GROUP_MEMBER)
    rec.lead = lead
    rec.save()
    action = make_action(rec, agency)
    services.action_close(
        actor=lead,
        action=action,
        outcome="closed_incomplete",
        on=D(2024, 6, 1),
        reason="Superseded",
    )
    assert SignOff.objects.get(action=action).signed_by == lead


def test_the_owner_is_not_offered_closing_and_is_told_who_can(client, make_user, rec, agency):
    owner = make_user(Role.AGENCY_LEAD, agency=agency)
    signer = make_user(Role.REVIEW_GROUP_MEMBER, full_name="Rita Lead")
    rec.lead = signer
    rec.save()
    make_user(Role.ADMINISTRATOR, full_name="Alan Admin")
    action = make_action(rec, agency, owner=owner)
    client.force_login(owner)
    page = client.get(reverse("learning:action_detail", args=[action.pk])).content.decode()
    assert "Close the action" not in page
    assert "ask Alan Admin or Rita Lead to close it and sign it off" in page
    refused = client.post(
        reverse("learning:close", args=[action.pk]),
        {
            "outcome": "closed_incomplete",
            "reason": "No longer needed",
            **dated("on", D(2024, 6, 1)),
        },
    )
    assert refused.status_code == 403
    client.force_login(signer)
    page = client.get(reverse("learning:action_detail", args=[action.pk])).content.decode()
    assert "Close the action" in page
    assert "to close it and sign it off" not in page


def test_export_round_trips_through_the_import(admin_client, rec, agency):
    make_action(rec, agency)
    body = admin_client.get(reverse("learning:export", args=["csv"])).content
    result = services.import_learning(actor=None, name="again.csv", content=body)
    assert result.recommendations == {"created": 0, "updated": 0, "unchanged": 1}
    assert result.actions == {"created": 0, "updated": 0, "unchanged": 1}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url_name", ["learning:recommendation_list", "learning:action_list", "learning:themes"]
)
def test_list_query_counts_do_not_grow(admin_client, agency, url_name):
    from sightline.reviews.models import PracticeTheme

    theme = PracticeTheme.objects.order_by("pk")[0]

    def grow(start, count):
        for n in range(start, start + count):
            rec = Recommendation.objects.create(
                reference=f"G-{n}",
                source_type="other",
                source_title="S",
                text="T",
                made_date=D(2024, 1, 1),
            )
            rec.themes.add(theme)
            Action.objects.create(
                reference=f"G-{n}/A1",
                recommendation=rec,
                agency=agency,
                description="D",
                due_date=D(2024, 2, 1),
            )

    grow(0, 3)
    small = _queries(admin_client, reverse(url_name))
    grow(3, 30)
    assert _queries(admin_client, reverse(url_name)) == small


def test_agency_leads_see_their_agencys_actions(client, make_user, rec, agency):
    other = AgencyFactory.create(name="Other Agency")
    make_action(rec, agency)
    services.action_save(
        actor=None,
        action=None,
        recommendation=rec,
        data={
            "reference": "AUD-1/R1/A2",
            "agency": other,
            "description": "Elsewhere",
            "due_date": D(2024, 6, 30),
        },
    )
    lead = make_user(Role.AGENCY_LEAD, agency=agency)
    client.force_login(lead)
    page = client.get(reverse("learning:action_list"), {"mine": "1"}).content.decode()
    assert "AUD-1/R1/A1" in page
    assert "AUD-1/R1/A2" not in page


def test_the_database_refuses_to_rewrite_progress(make_user, rec, agency):
    from django.db import DatabaseError, connection, transaction

    lead = make_user(Role.AGENCY_LEAD, agency=agency)
    update = services.progress_record(
        actor=lead,
        action=make_action(rec, agency),
        status="on_track",
        note="Fine",
        on=D(2024, 3, 1),
    )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE learning_progressupdate SET note = 'rewritten' WHERE id = %s", [update.pk]
        )


def test_a_signed_off_completion_survives_a_round_trip(admin_client, make_user, rec, agency):
    admin = make_user(Role.ADMINISTRATOR)
    action = make_action(rec, agency)
    services.evidence_record(
        actor=admin, action=action, kind="impact", description="Re-audit", dated=D(2024, 5, 1)
    )
    services.action_close(actor=admin, action=action, outcome="complete", on=D(2024, 6, 1))
    body = admin_client.get(reverse("learning:export", args=["csv"])).content
    services.import_learning(actor=None, name="again.csv", content=body)
    action.refresh_from_db()
    assert action.completion_imported is False


def test_closing_without_completion_keeps_its_date(make_user, rec, agency):
    admin = make_user(Role.ADMINISTRATOR)
    action = make_action(rec, agency)
    sign_off = services.action_close(
        actor=admin,
        action=action,
        outcome="closed_incomplete",
        on=D(2024, 5, 2),
        reason="Superseded",
    )
    action.refresh_from_db()
    assert action.closed_date == D(2024, 5, 2)
    assert sign_off.snapshot["closed_date"] == "2024-05-02"


def test_after_a_conflict_sending_again_replaces_the_saved_version(admin_client, rec, agency):
    action = make_action(rec, agency)
    url = reverse("learning:action_edit", args=[action.pk])
    form = {
        "agency": agency.pk,
        "description": "First",
        "version": action.version,
        **dated("due_date", D(2024, 7, 31)),
    }
    admin_client.post(url, form)
    stale = admin_client.post(url, form | {"description": "Second"})
    page = stale.content.decode()
    version = page.split('name="version" value="')[1].split('"')[0]
    assert (
        admin_client.post(url, form | {"description": "Second", "version": version}).status_code
        == 302
    )
    action.refresh_from_db()
    assert action.description == "Second"


@pytest.mark.parametrize("role", [Role.TRAINER, Role.PRACTITIONER])
def test_an_owner_without_sight_of_the_tracker_sees_and_updates_only_their_action(
    client, make_user, rec, agency, role
):
    owner = make_user(role)
    action = make_action(rec, agency, owner=owner)
    someone_elses = make_action(rec, agency, reference="R1/A2")
    client.force_login(owner)

    page = client.get(reverse("learning:action_detail", args=[action.pk]))
    assert page.status_code == 200
    assert rec.text in page.content.decode()
    assert reverse("learning:progress", args=[action.pk]) in page.content.decode()
    for name in ("progress", "evidence"):
        assert client.get(reverse(f"learning:{name}", args=[action.pk])).status_code == 200
    # Never a sign-off, and nothing else in the tracker.
    assert client.get(reverse("learning:close", args=[action.pk])).status_code == 403
    assert client.get(reverse("learning:action_detail", args=[someone_elses.pk])).status_code == 403
    assert client.get(reverse("learning:action_list")).status_code == 403
    assert not owner.has_perm("learning.sign_off", action)
    # Their home page leads them to it.
    home = client.get(reverse("accounts:home")).content.decode()
    assert f'href="{reverse("learning:action_detail", args=[action.pk])}"' in home
    assert f'href="{reverse("learning:action_detail", args=[someone_elses.pk])}"' not in home


@pytest.mark.parametrize(
    ("status", "is_open"),
    [
        ("not_started", True),
        ("on_track", True),
        ("at_risk", True),
        ("complete", False),
        ("closed_incomplete", False),
    ],
)
def test_an_action_is_open_until_complete_or_closed(status, is_open):
    from sightline.learning.models import Action

    assert Action(status=status).is_open is is_open


@pytest.mark.django_db
def test_actions_are_found_by_reference_whatever_the_letter_case():
    from sightline.learning.selectors import actions_by_reference
    from sightline.learning.tests.factories import ActionFactory

    action = ActionFactory.create(reference="CR-2024-01/R1/A1")
    ActionFactory.create(reference="CR-2024-01/R1/A2")

    found = actions_by_reference(references=[" cr-2024-01/r1/a1 ", "NOPE/A9", ""])

    assert found == {"CR-2024-01/R1/A1": action}


@pytest.mark.parametrize(
    ("status", "due", "overdue"),
    [
        ("on_track", datetime.date(2026, 3, 30), True),
        ("at_risk", datetime.date(2026, 3, 31), False),  # due today: not yet overdue
        ("not_started", datetime.date(2026, 4, 1), False),
        ("complete", datetime.date(2026, 1, 1), False),
        ("closed_incomplete", datetime.date(2026, 1, 1), False),
    ],
)
def test_an_action_is_overdue_only_while_open_and_past_its_due_date(status, due, overdue):
    from sightline.learning.models import Action

    assert Action(status=status, due_date=due).is_overdue_on(datetime.date(2026, 3, 31)) is overdue
