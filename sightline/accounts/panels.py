"""The accounts' panel on the home page: an agency lead's open access reviews."""

from typing import Any

from sightline.core.home import Panel
from sightline.core.roles import Role

from . import selectors


def access_reviews_panel(user: Any) -> Panel | None:
    if not user.agency_ids_with_role(Role.AGENCY_LEAD):
        return None
    reviews = selectors.access_reviews_open_for(user=user)
    if not reviews:
        return None
    return Panel(
        title="Access reviews to finish",
        template="accounts/panels/access_reviews.html",
        context={"reviews": reviews},
        order=5,
    )
