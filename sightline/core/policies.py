"""Who may use the shared kernel's pages, and the predicates every app's policies build on.

A user's roles and agencies come from ``user.role_set`` and ``user.agency_ids`` (loaded once
per request by the accounts app); this module needs nothing else from the user.
"""

from typing import Any

import rules

from .roles import Role


def has_role(*roles: Role) -> rules.Predicate:
    """True when the user holds any of ``roles`` in any agency."""
    wanted = frozenset(roles)
    names = "_or_".join(role.value for role in roles)

    @rules.predicate(name=f"has_role_{names}")
    def predicate(user: Any) -> bool:
        return bool(user.is_authenticated and user.is_active and wanted & user.role_set)

    return predicate


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


is_administrator = has_role(Role.ADMINISTRATOR)

rules.add_perm("core.view_audit_trail", is_administrator)
rules.add_perm("core.export_audit_trail", is_administrator)
rules.add_perm("core.view_access_log", is_administrator)
rules.add_perm("core.manage_closure_days", is_administrator)
rules.add_perm("core.manage_background_work", is_administrator)
rules.add_perm("core.manage_retention", is_administrator)


@rules.predicate
def may_open_a_settings_page(user: Any) -> bool:
    from .navigation import settings_pages_for

    return bool(settings_pages_for(user))


rules.add_perm("core.view_settings", is_signed_in & may_open_a_settings_page)
# The role guides say what each role may do; nothing in them is confidential.
rules.add_perm("core.view_help", is_signed_in)


@rules.predicate
def asked_for_job(user: Any, job: Any) -> bool:
    return job is not None and job.user_id == user.pk


# A job (an import, a PDF) is seen by the person who asked for it and by administrators; its
# file is delivered only to the person who asked, whose download the access log records.
rules.add_perm("core.view_background_job", is_signed_in & (asked_for_job | is_administrator))
rules.add_perm("core.download_background_job_result", is_signed_in & asked_for_job)
