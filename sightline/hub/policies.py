"""Who may do what with the hub.

Everyone, signed in or not, reads what is public (the views are public; the selectors show
only what ``PublishableQuerySet.public`` lets through). The business unit (administrators
and review officers) drafts and edits hub content, uploads its documents, finishes
briefings and composes the newsletter. Publishing and withdrawing are decisions of the
partners: administrators and executive members record them. Usage figures are for
administrators.
"""

import rules

from sightline.core.policies import has_role, is_signed_in
from sightline.core.roles import Role

edits = has_role(Role.ADMINISTRATOR, Role.REVIEW_OFFICER)
publishes = has_role(Role.ADMINISTRATOR, Role.EXECUTIVE)
sees_usage = has_role(Role.ADMINISTRATOR)

rules.add_perm("hub.manage", edits | publishes)
rules.add_perm("hub.edit", edits)
rules.add_perm("hub.publish", publishes)
rules.add_perm("hub.view_usage", sees_usage)
# The signed-in search: everyone signed in may use it; what it finds is filtered by the
# same selectors and permissions as the lists it searches.
rules.add_perm("hub.search_records", is_signed_in)
