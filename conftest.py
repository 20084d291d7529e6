"""Fixtures shared by every app's tests, and the Hypothesis profiles they run under."""

import datetime
import importlib
import os
from collections.abc import Sequence

import pytest
from django.apps import apps
from django.core import mail
from django.utils import timezone
from hypothesis import HealthCheck, settings

from sightline.accounts.tests.factories import (
    PASSWORD,
    AgencyFactory,
    MembershipFactory,
    UserFactory,
)
from sightline.core.roles import Role

__all__ = ["PASSWORD"]

# No test may depend on the machine's speed: under "ci", the default, Hypothesis neither
# times each example nor fails when generating inputs is slow (both cores busy, say).
# HYPOTHESIS_PROFILE=dev brings back Hypothesis's own deadline and health checks, to find
# a property test that has become slow.
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Spelt out, because Hypothesis's own default differs on a CI machine (CI=true).
settings.register_profile("dev", deadline=200, suppress_health_check=(), derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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


REFERENCE_DATA = [
    "sightline.reviews.migrations.0002_national_standards_and_themes",
    "sightline.assurance.migrations.0002_typical_priorities",
    "sightline.assurance.migrations.0004_partnership_groups",
]


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Put back the rows data migrations load (national standards, practice themes).

    A transactional test (the browser tests) empties every table when it ends; the tests
    after it, in any order, still find the partnership's reference data.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        return
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from sightline.reviews.models import TimelinessStandard

    if not TimelinessStandard.objects.exists():
        for module in REFERENCE_DATA:
            importlib.import_module(module).load(apps, None)


class DeliveredMail(Sequence):
    """The emails people have received once the worker has delivered the outbox.

    A test's transaction is never committed, so the job that delivers after commit never
    starts; reading this list first delivers every message waiting, as the worker would in
    time (whatever time the test travelled to when it wrote them).
    """

    def _delivered(self) -> list:
        from sightline.core.outbox import outbox_deliver_all

        outbox_deliver_all(now=timezone.now() + datetime.timedelta(days=3650))
        return mail.outbox

    def __getitem__(self, index):
        return self._delivered()[index]

    def __len__(self) -> int:
        return len(self._delivered())

    def __eq__(self, other: object) -> bool:
        return list(self._delivered()) == other

    __hash__ = None  # type: ignore[assignment]

    def clear(self) -> None:
        self._delivered().clear()


@pytest.fixture
def mailoutbox(mailoutbox):
    return DeliveredMail()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the timeliness report is cached under a version
    of its inputs), so that no test's query count depends on which tests ran before it."""
    from django.core.cache import cache

    cache.clear()
