"""Home page panels: each role's headline figures from its dashboard, and the way there.

The existing panels list the items themselves (the deadlines, the actions, the places
booked); these give the counts across everything and lead to the dashboard behind them, so
they show only what those panels do not."""

from typing import Any

from django.urls import reverse

from sightline.core.home import Panel
from sightline.core.policies import has_role
from sightline.core.roles import Role

from ..selectors import dashboards as selectors

TEMPLATE = "reports/panels/figures.html"
is_review_group_member = has_role(Role.REVIEW_GROUP_MEMBER)
is_trainer = has_role(Role.TRAINER)


def business_unit_panel(user: Any) -> Panel | None:
    """Administrators and review officers: whatever is overdue across the service."""
    if not user.has_perm("reports.view_business_unit_dashboard"):
        return None
    dashboard = selectors.business_unit_dashboard(user=user)
    return Panel(
        title="Overdue across the partnership",
        template=TEMPLATE,
        context={
            "figures": dashboard.headline,
            "empty": "Nothing is overdue across the partnership.",
            "href": reverse("reports:business_unit_dashboard"),
            "link_text": "See everything overdue or due soon",
        },
        order=5,
    )


def agency_panel(user: Any) -> Panel | None:
    """Agency leads: each of their agencies' scorecard in four figures."""
    agencies = user.agency_ids_with_role(Role.AGENCY_LEAD)
    if not agencies:
        return None
    scores = [row for row in selectors.partnership_scores().scores if row.agency.pk in agencies]
    return Panel(
        title="Your agency's scorecard" if len(scores) == 1 else "Your agencies' scorecards",
        template="reports/panels/agencies.html",
        context={"scores": scores},
        order=6,
    )


def review_group_panel(user: Any) -> Panel | None:
    if not is_review_group_member(user):
        return None
    dashboard = selectors.review_group_dashboard(user=user)
    return Panel(
        title="Practice review group",
        template=TEMPLATE,
        context={
            "figures": dashboard.sections[1].figures,
            "empty": "",
            "href": reverse("reports:review_group_dashboard"),
            "link_text": "See what the group needs next",
        },
        order=7,
    )


def trainer_panel(user: Any) -> Panel | None:
    """Trainers: what the training panel's sessions and registers do not say."""
    if not is_trainer(user):
        return None
    return Panel(
        title="Running training",
        template=TEMPLATE,
        context={
            "figures": selectors.trainer_follow_up(user=user),
            "empty": "",
            "href": reverse("reports:trainer_dashboard"),
            "link_text": "See your training dashboard",
        },
        order=41,
    )


def practitioner_panel(user: Any) -> Panel | None:
    """Practitioners: impact surveys to answer and certificates, beside the training
    panel's places and evaluations."""
    if Role.PRACTITIONER not in user.role_set:
        return None
    # The figures alone: the training panel beside this one lists the bookings.
    dashboard = selectors.practitioner_dashboard(user=user, listed=0)
    return Panel(
        title="Your training record",
        template=TEMPLATE,
        context={
            "figures": dashboard.figures[2:],
            "empty": "",
            "href": reverse("reports:practitioner_dashboard"),
            "link_text": "See all your training",
        },
        order=42,
    )
