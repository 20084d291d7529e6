"""Several counts in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sightline.accounts.models import Agency
from sightline.accounts.tests.factories import UserFactory
from sightline.core.counting import counts_of

pytestmark = pytest.mark.django_db


def test_each_count_is_its_own_rows_and_all_come_in_one_query():
    person = UserFactory.create()
    Agency.objects.bulk_create(
        [Agency(name=f"Agency {n}", sector="other", is_active=n % 3 != 0) for n in range(7)]
    )
    with CaptureQueriesContext(connection) as captured:
        counts = counts_of(
            type(person).objects.filter(pk=person.pk),
            active=Agency.objects.filter(is_active=True).order_by("name"),
            inactive=Agency.objects.filter(is_active=False),
            none=Agency.objects.filter(name="Nobody"),
        )
    assert counts == {
        "active": Agency.objects.filter(is_active=True).count(),
        "inactive": 3,
        "none": 0,
    }
    assert counts["active"] == 4
    assert len(captured) == 1


def test_nothing_to_count_costs_no_query():
    with CaptureQueriesContext(connection) as captured:
        assert counts_of(Agency.objects.none()) == {}
    assert not captured


@pytest.mark.parametrize("rows", ["distinct", "sliced"])
def test_a_distinct_or_sliced_query_is_refused_rather_than_miscounted(rows):
    person = UserFactory.create()
    query = Agency.objects.all()
    query = query.distinct() if rows == "distinct" else query[:2]
    with pytest.raises(ValueError, match="neither distinct nor sliced"):
        counts_of(type(person).objects.filter(pk=person.pk), agencies=query)
