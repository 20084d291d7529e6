from typing import Any

from django.dispatch import receiver

from sightline.core.signals import working_days_changed

from .services import deadlines_refresh


@receiver(working_days_changed)
def recount_deadlines(sender: Any, **kwargs: Any) -> None:
    """Closure days moved some due dates: recount every case's deadlines."""
    deadlines_refresh()
