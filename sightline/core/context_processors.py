from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .navigation import navigation_for


def layout(request: HttpRequest) -> dict[str, Any]:
    """What the page layout needs: the partnership's name and this user's navigation."""
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "partnership_name": settings.SIGHTLINE_PARTNERSHIP_NAME,
        "navigation": navigation_for(user, request.path) if signed_in else [],
        "signed_in_user": user if signed_in else None,
    }
