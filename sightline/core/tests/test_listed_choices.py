"""Short lists of choices (a filter form's agencies) are read with one plain query."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sightline.accounts.models import Agency
from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.forms import ListedChoiceField

pytestmark = pytest.mark.django_db


def _field() -> ListedChoiceField:
    return ListedChoiceField(queryset=Agency.objects.order_by("name"), empty_label="Any")


def _choices(field: ListedChoiceField) -> Any:
    """The field's choices as a select renders them (Django's stubs type them loosely)."""
    return field.choices


def test_the_choices_are_the_empty_label_then_every_row_in_order():
    second, first = AgencyFactory.create(name="Zeta"), AgencyFactory.create(name="Alpha")
    choices = [(str(value), label) for value, label in _choices(_field())]
    assert choices[0] == ("", "Any")
    names = [label for _, label in choices[1:]]
    assert names.index(first.name) < names.index(second.name)
    assert {str(first.pk), str(second.pk)} <= {value for value, _ in choices}


def test_the_choices_take_one_query_and_no_server_side_cursor():
    AgencyFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        # As the form's select is rendered: iterated (``list()`` would also count them).
        choices = []
        for choice in _choices(_field()):
            choices.append(choice)
    assert len(choices) == 4
    assert len(queries) == 1
    assert not queries[0]["sql"].startswith("DECLARE")


def test_the_choices_read_each_rows_key_and_name_alone():
    """No model instance per row: two columns, not the agency's timestamps and settings."""
    agency = AgencyFactory.create(name="Harbour Trust")
    with CaptureQueriesContext(connection) as queries:
        choices = []
        for choice in _choices(_field()):  # as a select iterates them (list() counts first)
            choices.append(choice)
    assert (agency.pk, "Harbour Trust") in choices
    [sql] = [query["sql"] for query in queries]
    assert '"name"' in sql
    assert '"created_at"' not in sql
    assert '"workforce"' not in sql


def test_a_chosen_row_is_still_checked_against_the_list():
    agency = AgencyFactory.create()
    field = _field()
    assert field.clean(str(agency.pk)) == agency
    with pytest.raises(Exception, match="valid choice"):
        field.clean("999999")
