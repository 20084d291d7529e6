"""Reads for the executive member's dashboard and home page panel, through the domain apps'
selectors: a fixed number of queries whatever the size of the register or the tracker."""

import datetime
from typing import Any

from sightline.assurance.quarters import Quarter
from sightline.assurance.selectors.groups import escalations_for_quarters
from sightline.assurance.selectors.plan import priority_statuses_for_quarter
from sightline.assurance.selectors.risks import (
    risk_appetite,
    risks_awaiting_acceptance,
    risks_owned_by,
)

from .. import executive
from .trends import current_trends, quarter_figures


def executive_dashboard(*, user: Any, today: datetime.date) -> executive.ExecutiveDashboard:
    """The dashboard for ``user``: the trends up to today's quarter, the risks they own and
    the decisions waiting for the Executive (escalations from this quarter's returns and the
    last quarter's, newest first)."""
    quarter = Quarter.containing(today)
    appetite = risk_appetite()
    return executive.assemble(
        today=today,
        appetite=appetite,
        trends=current_trends(today=today),
        owned=risks_owned_by(user=user, appetite=appetite, today=today),
        user_pk=user.pk,
        to_accept=risks_awaiting_acceptance(appetite=appetite, today=today, limit=executive.LISTED),
        priorities=priority_statuses_for_quarter(quarter=quarter),
        escalations=escalations_for_quarters(quarters=[quarter, quarter.previous()]),
    )


def executive_headlines(
    *, user: Any, today: datetime.date
) -> tuple[list[executive.Figure], list[executive.Figure]]:
    """For the home page panel: the partnership's figures for today's quarter, and those of
    the risks ``user`` owns."""
    appetite = risk_appetite()
    (figures,) = quarter_figures(
        quarters=[Quarter.containing(today)], today=today, appetite=appetite
    )
    owned = risks_owned_by(user=user, appetite=appetite, today=today)
    return executive.glance(figures), executive.owned_figures(owned, user_pk=user.pk)
