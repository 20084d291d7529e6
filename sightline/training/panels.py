"""The training offer's panel on the home page."""

from typing import Any

from sightline.core.home import Panel
from sightline.core.roles import Role

from . import selectors
from .policies import runs_training


def training_panel(user: Any) -> Panel | None:
    """Everyone: their next places and evaluations to give. Trainers and administrators:
    sessions coming up and registers still to mark."""
    runs = runs_training(user)
    mine = selectors.booking_overview_of(user=user, listed=5)
    context = {
        "places": mine.places.items,
        "waiting": mine.waiting.items,
        "to_evaluate": mine.to_evaluate.items,
        "runs": runs,
        "teaching": selectors.sessions_to_teach(user=user) if runs else [],
        "to_mark": selectors.registers_to_mark(user=user) if runs else [],
    }
    has_news = any(context[key] for key in ("places", "waiting", "to_evaluate"))
    if not runs and not has_news and Role.PRACTITIONER not in user.role_set:
        return None
    return Panel(
        title="Training", template="training/panels/training.html", context=context, order=40
    )
