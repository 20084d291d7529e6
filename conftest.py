"""Fixtures shared by every app's tests."""

import pytest

from sightline.accounts.tests.factories import (
    PASSWORD,
    AgencyFactory,
    MembershipFactory,
    UserFactory,
)
from sightline.core.roles import Role

__all__ = ["PASSWORD"]


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def make_user(db):
    """Make a user holding ``role`` (or none) in ``agency`` (or a new one)."""

    def make(role: Role | None = None, agency=None, **fields):
        user = UserFactory(**fields)
        if role is not None:
            MembershipFactory(user=user, role=role, agency=agency or AgencyFactory())
        return user

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client
