"""Second factors: who must have one, and how a session shows it has completed one.

The contract with the rest of Sightline: a session has completed its second factor when
``request.session[SECOND_FACTOR_SESSION_KEY]`` is set, to the method's name ("app",
"passkey", "recovery", or "sso" when single sign-on trusts the provider's own check).
"""

from typing import Any

from django.conf import settings

from sightline.core.roles import Role

from ..access_sources import grants_for

SECOND_FACTOR_SESSION_KEY = "sightline_second_factor"
# What the verify views set it to; single sign-on sets "sso".
METHOD_APP = "app"
METHOD_PASSKEY = "passkey"
METHOD_RECOVERY = "recovery"
METHOD_SSO = "sso"
# In a demonstration (SIGHTLINE_DEMO), only the demo accounts may go on without one.
DEMO_EMAIL_DOMAIN = "@demo.sightline.test"
# Wrong codes in one session before the session is signed out.
MAX_WRONG_CODES = 5
WRONG_CODES_SESSION_KEY = "sightline_second_factor_failures"


def second_factor_required(user: Any) -> bool:
    """Whether ``user`` must complete a second factor to use Sightline: everyone (the setting
    says "everyone"), or everyone who can see case data: a role beyond practitioner, or a
    place on a case's need-to-know list; never a demo account in a demonstration."""
    if not getattr(user, "is_authenticated", False):
        return False
    if settings.SIGHTLINE_DEMO and user.email.lower().endswith(DEMO_EMAIL_DOMAIN):
        return False
    if settings.SIGHTLINE_MFA_REQUIRED == "everyone":
        return True
    return bool(user.role_set - {Role.PRACTITIONER}) or bool(grants_for(user_ids=[user.pk]))


def second_factor_done(session: Any) -> bool:
    return bool(session.get(SECOND_FACTOR_SESSION_KEY))
