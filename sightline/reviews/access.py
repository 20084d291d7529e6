"""Reviews' need-to-know lists (who is on each case, and so may see its restricted details),
registered with the accounts app's access reviews: each agency's lead confirms every six
months that their people on these lists still need to be."""

from collections.abc import Iterable
from typing import Any

from sightline.accounts.access_sources import AccessGrant, AccessSource, access_source_register

from . import services
from .models import CaseAssignment


def need_to_know_grants(*, user_ids: list[int]) -> Iterable[AccessGrant]:
    assignments = CaseAssignment.objects.filter(user_id__in=user_ids).select_related("case")
    return [
        AccessGrant(
            user_id=assignment.user_id,
            ref=str(assignment.pk),
            label=f"On the need-to-know list of case {assignment.case.reference}",
        )
        for assignment in assignments.order_by("case__reference", "pk")
    ]


def need_to_know_remove(*, ref: str, actor: Any) -> None:
    assignment = CaseAssignment.objects.select_related("case", "user").filter(pk=ref).first()
    if assignment is not None:
        services.assignment_remove(actor=actor, assignment=assignment)


def register() -> None:
    access_source_register(
        AccessSource(
            key="reviews.need_to_know",
            label="Need-to-know lists of restricted case details",
            grants_for=need_to_know_grants,
            remove=need_to_know_remove,
        )
    )
