"""Issue 12's "Done means": a new administrator signed in with a password alone reaches no
page of Sightline's but setting up a second factor (and signing out, help, public pages)."""

import pytest
from django.urls import reverse

from conftest import PASSWORD
from sightline.accounts.mfa.middleware import ALLOWED
from sightline.accounts.tests.factories import MembershipFactory, UserFactory
from sightline.core.models import AuditEvent
from sightline.core.roles import Role
from tests.test_access_matrix import RULES, _url, world  # noqa: F401  (world is a fixture)

GUARDED = sorted(name for name, rule in RULES.items() if rule.allowed is not None)


@pytest.mark.parametrize("enforced", [True, False])
def test_a_new_administrator_with_a_password_alone_reaches_nothing(
    db, client, request, settings, enforced
):
    objects = request.getfixturevalue("world")
    settings.SIGHTLINE_MFA_ENFORCED = enforced
    admin = UserFactory.create(email="new.admin@example.test")
    MembershipFactory(user=admin, agency=objects["home_agency"], role=Role.ADMINISTRATOR)
    response = client.post(
        reverse("accounts:sign_in"), {"email": admin.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    writes = AuditEvent.objects.exclude(
        kind__in=[AuditEvent.Kind.SIGN_IN, AuditEvent.Kind.ACCESS_DENIED]
    ).count()
    reached = []
    for name in GUARDED:
        if name in ALLOWED:
            continue
        rule = RULES[name]
        form = {key: objects[obj].pk for key, _, obj in (spec.partition(":") for spec in rule.form)}
        response = getattr(client, rule.method)(_url(name, rule, objects), form | rule.data)
        location = response.get("Location", "")
        if not (response.status_code == 302 and location.startswith(reverse("accounts:mfa_setup"))):
            reached.append((name, response.status_code, location))
    if enforced:
        assert reached == []
        assert (
            AuditEvent.objects.exclude(
                kind__in=[AuditEvent.Kind.SIGN_IN, AuditEvent.Kind.ACCESS_DENIED]
            ).count()
            == writes
        )
        assert len(GUARDED) > 150
    else:
        # The same requests without enforcement reach their pages: the test is not vacuous.
        assert len(reached) > 150
