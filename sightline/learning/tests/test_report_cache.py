"""The learning report is counted once for each version of the tracker's records, and any
write to them is seen at once."""

import datetime

import pytest
from django.db import transaction

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.models import FiguresVersion
from sightline.core.selectors import figures_version
from sightline.learning.selectors import LEARNING_FIGURES, learning_report
from sightline.learning.vocabulary import ActionStatus

from .factories import ActionFactory, RecommendationFactory

pytestmark = pytest.mark.django_db
AS_AT = datetime.date.today()


def test_a_repeated_report_is_one_read_of_the_version(django_assert_num_queries):
    ActionFactory.create_batch(3)
    first = learning_report(as_at=AS_AT)
    with django_assert_num_queries(1):
        assert learning_report(as_at=AS_AT) == first


def complete(action):
    action.status, action.completed_date = ActionStatus.COMPLETE, AS_AT
    action.save()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda action: ActionFactory.create(), id="a new action"),
        pytest.param(complete, id="an action completed"),
        pytest.param(lambda action: action.delete(), id="an action deleted"),
        pytest.param(lambda action: RecommendationFactory.create(), id="a new recommendation"),
        pytest.param(lambda action: action.agency.save(), id="an agency renamed"),
        pytest.param(lambda action: AgencyFactory.create(), id="a new agency"),
    ],
)
def test_every_write_to_the_records_gives_a_new_version(change):
    action = ActionFactory.create()
    learning_report(as_at=AS_AT)
    before = figures_version(LEARNING_FIGURES)
    change(action)
    assert figures_version(LEARNING_FIGURES) != before


def test_a_change_is_in_the_next_report_at_once():
    ActionFactory.create(recommendation__made_date=AS_AT - datetime.timedelta(days=30))
    first = learning_report(as_at=AS_AT)
    ActionFactory.create(recommendation__made_date=AS_AT - datetime.timedelta(days=30))
    assert learning_report(as_at=AS_AT) != first


def test_a_rolled_back_change_leaves_the_version_as_it_was():
    ActionFactory.create()
    before = figures_version(LEARNING_FIGURES)
    with transaction.atomic():
        ActionFactory.create()
        transaction.set_rollback(True)
    assert figures_version(LEARNING_FIGURES) == before
    assert FiguresVersion.objects.filter(topic=LEARNING_FIGURES).count() == 1


def test_an_import_written_in_bulk_gives_a_new_version():
    from sightline.learning.services import import_learning
    from sightline.learning.tests.test_import_in_bulk import tracker

    AgencyFactory.create(name="Police")
    learning_report(as_at=AS_AT)
    before = figures_version(LEARNING_FIGURES)
    import_learning(actor=None, name="tracker.csv", content=tracker(0, 3))
    assert figures_version(LEARNING_FIGURES) != before
