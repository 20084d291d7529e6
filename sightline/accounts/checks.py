"""Startup checks of the single sign-on configuration against the database."""

from typing import Any

from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.database)
def check_sso_agencies(app_configs: Any, databases: Any = None, **kwargs: Any) -> list[Any]:
    """Each provider's SIGHTLINE_OIDC_<KEY>_AGENCIES must name agencies that exist (run by
    migrate and ``check --database default``)."""
    if not databases:
        return []
    from .models import Agency
    from .sso import providers
    from .sso_selectors import unknown_provider_agencies

    try:
        if not Agency.objects.exists():  # before the first migrate, or no agencies added yet
            return []
    except DatabaseError:
        return []
    errors: list[Any] = []
    for provider in providers():
        unknown = unknown_provider_agencies(provider=provider)
        if unknown:
            variable = f"SIGHTLINE_OIDC_{provider.key.upper().replace('-', '_')}_AGENCIES"
            errors.append(
                checks.Error(
                    f"{variable} names agencies Sightline does not have: {'; '.join(unknown)}.",
                    hint="Name each agency exactly as its page in Sightline does, separated by "
                    "semicolons (case does not matter).",
                    id="sightline.E301",
                )
            )
    return errors
