"""The actions someone owns (their home page's panel): read without the visibility rules,
which hold every action its owner owns, they are exactly what those rules give, with the
same marks for a source case the owner may not see."""

import pytest
from django.utils import timezone

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.roles import Role
from sightline.learning.selectors import actions_for, actions_owned_by
from sightline.learning.vocabulary import OPEN_STATUSES, ActionStatus, SourceType
from sightline.reviews.policies import sees_every_case
from sightline.reviews.selectors import visible_cases
from sightline.reviews.tests.factories import CaseFactory

from .factories import ActionFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_owned_actions_are_those_the_rules_show_the_owner(make_user, role):
    home, other = AgencyFactory.create(), AgencyFactory.create()
    owner = make_user(role, agency=home)
    hidden_case, shared_case = CaseFactory.create_batch(2)
    hidden_case.agencies.add(other)
    shared_case.agencies.add(home)
    from_hidden = RecommendationFactory.create(
        source_type=SourceType.CASE_REVIEW, source_case=hidden_case
    )
    from_shared = RecommendationFactory.create(
        source_type=SourceType.CASE_REVIEW, source_case=shared_case
    )
    for recommendation in (from_hidden, from_shared, RecommendationFactory.create()):
        ActionFactory.create(recommendation=recommendation, agency=other, owner=owner)
    ActionFactory.create(recommendation=from_hidden, agency=other)  # not theirs
    ActionFactory.create(
        owner=owner, status=ActionStatus.COMPLETE, completed_date=timezone.localdate()
    )  # not open

    owned = list(actions_owned_by(user=owner))
    ruled = list(
        actions_for(user=owner)
        .filter(owner_id=owner.pk, status__in=OPEN_STATUSES)
        .order_by("due_date", "reference")
    )
    assert owned == ruled
    assert len(owned) == 3
    # An annotation of the query (withheld_annotations), not a field of the model.
    marks = [getattr(action, "case_withheld") for action in owned]  # noqa: B009
    assert marks == [getattr(action, "case_withheld") for action in ruled]  # noqa: B009
    withheld = {action.recommendation_id: mark for action, mark in zip(owned, marks, strict=True)}
    assert withheld[from_hidden.pk] == (not sees_every_case(owner))
    seen = visible_cases(user=owner).filter(pk=shared_case.pk).exists()
    assert withheld[from_shared.pk] == (not seen)
