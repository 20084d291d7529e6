"""No lost update on an action: a change must say which version it started from; a missing
or stale version gets the conflict page (409) and the saved action is left as it was."""

import datetime

import pytest
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.roles import Role
from sightline.learning import services
from sightline.learning.models import Action, Recommendation

D = datetime.date


@pytest.fixture
def action(db):
    agency = AgencyFactory.create(name="Northshire Police")
    rec = Recommendation.objects.create(
        reference="NLU-1/R1",
        source_type="audit",
        source_title="Neglect audit 2024",
        text="Improve the use of the neglect toolkit.",
        made_date=D(2024, 1, 10),
    )
    return services.action_save(
        actor=None,
        action=None,
        recommendation=rec,
        data={
            "reference": "NLU-1/R1/A1",
            "agency": agency,
            "description": "Train staff",
            "due_date": D(2024, 6, 30),
        },
    )


def change(action: Action, **fields) -> dict:
    return {
        "agency": action.agency_id,
        "description": "Changed",
        "due_date_day": "31",
        "due_date_month": "7",
        "due_date_year": "2024",
        **fields,
    }


def test_a_change_without_its_version_is_a_conflict_not_an_overwrite(admin_client, action):
    url = reverse("learning:action_edit", args=[action.pk])
    response = admin_client.post(url, change(action))
    assert response.status_code == 409
    page = response.content.decode()
    assert "did not say which version of this action you started from" in page
    assert "The action as it is saved now" in page
    assert f'name="version" value="{action.version}"' in page
    saved = Action.objects.get(pk=action.pk)
    assert (saved.description, saved.version) == ("Train staff", action.version)


def test_a_change_from_a_stale_version_is_a_conflict(admin_client, make_user, action):
    lead = make_user(Role.ADMINISTRATOR)
    opened = action.version
    services.progress_record(
        actor=lead, action=action, status="at_risk", note="Slipping", on=D(2024, 3, 1)
    )
    url = reverse("learning:action_edit", args=[action.pk])
    response = admin_client.post(url, change(action, version=opened))
    assert response.status_code == 409
    assert "Someone else changed this action after you opened it" in response.content.decode()
    saved = Action.objects.get(pk=action.pk)
    assert saved.description == "Train staff"
    assert saved.version == opened + 1


def test_a_change_from_the_current_version_is_saved_and_moves_the_version(admin_client, action):
    url = reverse("learning:action_edit", args=[action.pk])
    assert admin_client.post(url, change(action, version=action.version)).status_code == 302
    saved = Action.objects.get(pk=action.pk)
    assert (saved.description, saved.version) == ("Changed", action.version + 1)


@pytest.mark.parametrize("version", ["abc", "0", "-1", "99999999999"])
def test_a_version_that_is_not_one_is_refused_clearly(admin_client, action, version):
    url = reverse("learning:action_edit", args=[action.pk])
    response = admin_client.post(url, change(action, version=version))
    assert response.status_code == 400
    assert "The form was changed: reload the page and try again" in response.content.decode()
    assert Action.objects.get(pk=action.pk).description == "Train staff"


def test_the_service_refuses_a_change_without_a_version(action):
    with pytest.raises(services.StaleActionError) as refused:
        services.action_save(
            actor=None,
            action=action,
            recommendation=action.recommendation,
            data={"agency": action.agency, "description": "X", "due_date": action.due_date},
        )
    assert refused.value.current.pk == action.pk
    assert Action.objects.get(pk=action.pk).description == "Train staff"


def test_the_edit_form_carries_the_version_it_shows(admin_client, action):
    page = admin_client.get(reverse("learning:action_edit", args=[action.pk])).content.decode()
    assert f'name="version" value="{action.version}"' in page
