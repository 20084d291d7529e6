from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sightline.core.signals import working_days_changed

from .models import Case
from .services import deadlines_refresh, timeliness_changed


@receiver(working_days_changed)
def recount_deadlines(sender: Any, **kwargs: Any) -> None:
    """Closure days moved some due dates: recount every case's deadlines."""
    deadlines_refresh()


@receiver([post_save, post_delete], sender=Case)
def timeliness_inputs_changed(sender: Any, **kwargs: Any) -> None:
    """Any save or deletion of a case, by the services or not, gives the timeliness report's
    inputs a new version. Bulk writes, standards and closure days go through
    deadlines_refresh, which does the same as its last write: so every path locks the
    version's row after the cases it writes, never before (no deadlock between them)."""
    timeliness_changed()
