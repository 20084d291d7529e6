"""``visible_case_exists`` and ``visible_case_probe`` (a case at a time, for a page's rows)
and ``visible_case_filter`` (every case at once) say the same of every case, for every
role."""

import pytest
from django.db import models
from django.db.models import ExpressionWrapper, OuterRef

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.roles import Role
from sightline.reviews.models import Case, CaseAssignment
from sightline.reviews.policies import sees_every_case
from sightline.reviews.selectors import visible_case_exists, visible_case_probe, visible_cases
from sightline.reviews.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_both_forms_keep_the_same_cases(make_user, role):
    home, other = AgencyFactory.create(), AgencyFactory.create()
    user = make_user(role, agency=home)
    theirs, assigned, elsewhere, unrelated = CaseFactory.create_batch(4)
    theirs.agencies.add(home)
    elsewhere.agencies.add(other)
    CaseAssignment.objects.create(case=assigned, user=user)
    assert unrelated.pk  # involves no agency and no one: only those who see every case
    # Empty (no condition) for those who see every case: then every case is shown.
    all_at_once = set(visible_cases(user=user).values_list("pk", flat=True))
    for form in (visible_case_exists, visible_case_probe):
        shown = ExpressionWrapper(
            form(user=user, case=OuterRef("pk")) or models.Q(pk__isnull=False),
            output_field=models.BooleanField(),
        )
        one_at_a_time = set(
            Case.objects.annotate(shown=shown).filter(shown=True).values_list("pk", flat=True)
        )
        assert one_at_a_time == all_at_once, form.__name__
        # And as a filter, as a list under a LIMIT uses it.
        filtered = Case.objects.filter(form(user=user, case=OuterRef("pk")))
        assert set(filtered.values_list("pk", flat=True)) == all_at_once, form.__name__
    assert assigned.pk in all_at_once
    if not sees_every_case(user):
        assert elsewhere.pk not in all_at_once
        assert unrelated.pk not in all_at_once
