"""Every URL the project defines, tried by each role and signed out.

A new view with no entry in RULES fails ``test_every_url_has_a_rule``: decide who may use it.
"""

from dataclasses import dataclass, field

import pytest
from django.core import checks
from django.urls import get_resolver, reverse

from sightline.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.core.checks import iter_patterns
from sightline.core.roles import Role

ANONYMOUS = "anonymous"
EVERYONE = frozenset(Role)
ADMIN = frozenset({Role.ADMINISTRATOR})


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[Role] | None  # None: public
    method: str = "get"
    kwargs: tuple[str, ...] = ()  # names of objects in the world fixture
    denied_status: int = 403
    extra: dict = field(default_factory=dict)


RULES: dict[str, Rule] = {
    "health": Rule(allowed=None),
    "accounts:sign_in": Rule(allowed=None),
    "accounts:password_reset": Rule(allowed=None),
    "accounts:password_reset_done": Rule(allowed=None),
    "accounts:password_reset_confirm": Rule(allowed=None, extra={"uidb64": "MQ", "token": "x-y"}),
    "accounts:password_reset_complete": Rule(allowed=None),
    "accounts:home": Rule(allowed=EVERYONE),
    "accounts:sign_out": Rule(allowed=EVERYONE, method="post"),
    "accounts:account": Rule(allowed=EVERYONE),
    "accounts:password_change": Rule(allowed=EVERYONE),
    "accounts:user_list": Rule(allowed=ADMIN),
    "accounts:user_create": Rule(allowed=ADMIN),
    "accounts:user_detail": Rule(allowed=ADMIN, kwargs=("pk:target",)),
    "accounts:user_edit": Rule(allowed=ADMIN, kwargs=("pk:target",)),
    "accounts:user_deactivate": Rule(allowed=ADMIN, kwargs=("pk:target",)),
    "accounts:user_reactivate": Rule(allowed=ADMIN, method="post", kwargs=("pk:target",)),
    "accounts:user_password_link": Rule(allowed=ADMIN, method="post", kwargs=("pk:target",)),
    "accounts:membership_add": Rule(allowed=ADMIN, kwargs=("pk:target",)),
    "accounts:membership_remove": Rule(
        allowed=ADMIN, method="post", kwargs=("pk:target", "membership_pk:target_membership")
    ),
    "accounts:agency_list": Rule(allowed=ADMIN),
    "accounts:agency_create": Rule(allowed=ADMIN),
    # Every caller's own agency: its lead may see it, other roles may know of it but not see it.
    "accounts:agency_detail": Rule(
        allowed=frozenset({Role.ADMINISTRATOR, Role.AGENCY_LEAD}), kwargs=("pk:home_agency",)
    ),
    "accounts:agency_edit": Rule(allowed=ADMIN, kwargs=("pk:home_agency",)),
    "core:audit_trail": Rule(allowed=ADMIN),
    "core:audit_trail_export": Rule(allowed=ADMIN),
    "core:access_log": Rule(allowed=ADMIN),
}

CALLERS = [ANONYMOUS, *Role]


def test_every_url_has_a_rule():
    names = {name for _, name, _ in iter_patterns(get_resolver())}
    assert "" not in names, "Every URL pattern needs a name so that it can have a rule."
    assert names - RULES.keys() == set(), "Add these URLs to RULES with who may use them."
    assert RULES.keys() - names == set(), "These RULES name URLs that no longer exist."


def test_system_check_finds_every_view_guarded(db):
    errors = [m for m in checks.run_checks() if m.id == "sightline.E001"]
    assert errors == []


@pytest.fixture
def world(db):
    home_agency = AgencyFactory(name="Home Agency")
    target = UserFactory(full_name="Target Person")
    target_membership = MembershipFactory(user=target, agency=home_agency, role=Role.PRACTITIONER)
    return {"home_agency": home_agency, "target": target, "target_membership": target_membership}


def _url(name: str, rule: Rule, world: dict) -> str:
    kwargs = dict(rule.extra)
    for spec in rule.kwargs:
        key, _, obj = spec.partition(":")
        kwargs[key] = world[obj].pk
    return reverse(name, kwargs=kwargs or None)


@pytest.mark.parametrize("caller", CALLERS, ids=str)
@pytest.mark.parametrize("name", sorted(RULES))
def test_access(client, world, name, caller):
    rule = RULES[name]
    if caller != ANONYMOUS:
        user = UserFactory()
        MembershipFactory(user=user, agency=world["home_agency"], role=caller)
        # Keep an administrator besides the caller so no "last administrator" rule interferes.
        MembershipFactory(agency=world["home_agency"], role=Role.ADMINISTRATOR)
        client.force_login(user)
    response = getattr(client, rule.method)(_url(name, rule, world))

    if rule.allowed is None:
        assert response.status_code in {200, 302}, response.status_code
        assert "/sign-in/?next=" not in response.get("Location", "")
    elif caller == ANONYMOUS:
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=")
    elif caller in rule.allowed:
        expected = 302 if rule.method == "post" else 200
        assert response.status_code == expected, response.content[:500]
    else:
        assert response.status_code == rule.denied_status
