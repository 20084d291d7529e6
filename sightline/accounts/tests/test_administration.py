import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from markupsafe import escape

from conftest import PASSWORD
from sightline.accounts import services
from sightline.accounts.models import Agency, Membership, User
from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.models import AuditEvent
from sightline.core.roles import Role


def test_administrator_adds_a_user_who_is_emailed_a_link(
    admin_client, agency, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("accounts:user_create"),
            {
                "full_name": "Ada Brook",
                "email": "Ada.Brook@Example.test",
                "agency": agency.pk,
                "role": "trainer",
            },
        )
    user = User.objects.get(email="ada.brook@example.test")
    assert response["Location"] == user.get_absolute_url()
    assert user.role_set == {Role.TRAINER}
    assert not user.has_usable_password()
    assert mailoutbox[0].to == ["ada.brook@example.test"]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CREATE, object_type="accounts.user")
    assert event.changes["email"] == {"from": None, "to": "ada.brook@example.test"}


def test_duplicate_email_is_refused_with_nothing_saved(admin_client, agency, make_user, mailoutbox):
    existing = make_user(email="taken@example.test")
    response = admin_client.post(
        reverse("accounts:user_create"),
        {
            "full_name": "Copy",
            "email": "TAKEN@example.test",
            "agency": agency.pk,
            "role": "trainer",
        },
    )
    assert response.status_code == 400
    assert "A user with this email address already exists" in response.content.decode()
    assert User.objects.filter(email__iexact="taken@example.test").get() == existing
    assert mailoutbox == []


def test_missing_fields_are_named(admin_client):
    page = admin_client.post(reverse("accounts:user_create"), {}).content.decode()
    for message in ["Enter the person&#39;s full name", "Choose the agency", "Choose a role"]:
        assert message in page


def test_editing_a_user_audits_what_changed(admin_client, make_user):
    user = make_user(full_name="Old Name")
    admin_client.post(
        reverse("accounts:user_edit", args=[user.pk]),
        {"full_name": "New Name", "email": user.email, "job_title": ""},
    )
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.UPDATE, object_id=str(user.pk))
    assert event.changes == {"full_name": {"from": "Old Name", "to": "New Name"}}


def test_deactivating_a_user_ends_their_sessions(admin_client, make_user):
    user = make_user(Role.TRAINER)
    client = Client()
    client.post(reverse("accounts:sign_in"), {"email": user.email, "password": PASSWORD})
    assert client.get(reverse("accounts:home")).status_code == 200
    sessions_before = Session.objects.count()

    admin_client.post(reverse("accounts:user_deactivate", args=[user.pk]))

    user.refresh_from_db()
    assert not user.is_active
    assert Session.objects.count() == sessions_before - 1
    assert client.get(reverse("accounts:home")).status_code == 302
    assert (
        "1 open session ended"
        in AuditEvent.objects.get(kind=AuditEvent.Kind.UPDATE, object_id=str(user.pk)).detail
    )


def test_administrators_cannot_deactivate_themselves(admin_client, admin_user):
    response = admin_client.post(reverse("accounts:user_deactivate", args=[admin_user.pk]))
    assert response.status_code == 400
    assert "You cannot deactivate your own account" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_the_last_administrator_role_cannot_be_removed(admin_user):
    membership = admin_user.memberships.get()
    with pytest.raises(ValidationError, match="last partnership administrator"):
        services.membership_remove(actor=admin_user, membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_roles_are_added_once_and_removed_with_audit(admin_client, make_user, agency):
    user = make_user()
    url = reverse("accounts:membership_add", args=[user.pk])
    admin_client.post(url, {"agency": agency.pk, "role": "agency_lead"})
    again = admin_client.post(url, {"agency": agency.pk, "role": "agency_lead"})
    assert again.status_code == 400
    assert "already has this role" in again.content.decode()
    membership = user.memberships.get()
    remove = reverse("accounts:membership_remove", args=[user.pk, membership.pk])
    user_page = admin_client.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()
    assert f'href="{remove}"' in user_page
    asked = admin_client.get(remove).content.decode()
    assert f"Are you sure you want to remove this role from {user.full_name}?" in asked
    assert "Remove the role" in asked
    assert "Keep the role" in asked
    assert user.memberships.exists()
    admin_client.post(remove)
    assert not user.memberships.exists()
    changes = [
        event.changes["roles"]
        for event in AuditEvent.objects.filter(object_id=str(user.pk)).order_by("occurred_at", "id")
        if "roles" in event.changes
    ]
    role = f"Agency lead, {agency.name}"
    assert changes == [{"from": [], "to": [role]}, {"from": [role], "to": []}]
    history = admin_client.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()
    assert f"Roles</strong>: none → {escape(role)}" in history.split("History")[-1]
    assert f"Roles</strong>: {escape(role)} → none" in history.split("History")[-1]


def test_agency_names_are_unique_whatever_their_case(admin_client, agency):
    before = Agency.objects.count()
    response = admin_client.post(
        reverse("accounts:agency_create"), {"name": f"  {agency.name.upper()} ", "sector": "police"}
    )
    assert response.status_code == 400
    assert "An agency with this name already exists" in response.content.decode()
    assert Agency.objects.count() == before


def test_unknown_sector_is_refused(admin_client, db):
    response = admin_client.post(
        reverse("accounts:agency_create"), {"name": "X", "sector": "aliens"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_agency_lead_sees_own_agency_but_not_another(client, make_user, agency):
    lead = make_user(Role.AGENCY_LEAD, agency=agency)
    other = AgencyFactory.create()
    client.force_login(lead)
    assert client.get(reverse("accounts:agency_detail", args=[agency.pk])).status_code == 200
    refused = client.get(reverse("accounts:agency_detail", args=[other.pk]))
    assert refused.status_code == 404
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS_DENIED, actor=lead).exists()
    assert client.get(reverse("accounts:agency_detail", args=[other.pk + 1000])).status_code == 404


def test_malformed_ids_are_not_found(admin_client):
    assert admin_client.get("/users/abc/").status_code == 404
    assert admin_client.get(reverse("accounts:user_detail", args=[999999])).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url_name", ["accounts:user_list", "accounts:agency_list", "accounts:home"]
)
def test_list_query_counts_do_not_grow_with_the_data(admin_client, url_name):
    def grow(n):
        for _ in range(n):
            agency = AgencyFactory()
            MembershipFactory(agency=agency, user=UserFactory(), role=Role.TRAINER)

    grow(2)
    small = _queries(admin_client, reverse(url_name))
    grow(20)
    assert _queries(admin_client, reverse(url_name)) == small


def test_agency_page_query_count_does_not_grow(admin_client, agency):
    MembershipFactory(agency=agency)
    small = _queries(admin_client, reverse("accounts:agency_detail", args=[agency.pk]))
    for _ in range(10):
        MembershipFactory(agency=agency)
    assert _queries(admin_client, reverse("accounts:agency_detail", args=[agency.pk])) == small


def test_user_list_filters(admin_client, make_user, agency):
    lead = make_user(Role.AGENCY_LEAD, agency=agency, full_name="Lead Person")
    make_user(Role.TRAINER, full_name="Trainer Person")
    page = admin_client.get(reverse("accounts:user_list"), {"role": "agency_lead"}).content.decode()
    assert lead.full_name in page
    assert "Trainer Person" not in page
