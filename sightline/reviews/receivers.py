from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sightline.core.models import ClosureDay
from sightline.core.signals import working_days_changed

from .models import Case, TimelinessStandard
from .services import deadlines_refresh, timeliness_changed


@receiver(working_days_changed)
def recount_deadlines(sender: Any, **kwargs: Any) -> None:
    """Closure days moved some due dates: recount every case's deadlines."""
    deadlines_refresh()


@receiver([post_save, post_delete], sender=Case)
@receiver([post_save, post_delete], sender=TimelinessStandard)
@receiver([post_save, post_delete], sender=ClosureDay)
def timeliness_inputs_changed(sender: Any, **kwargs: Any) -> None:
    """Any save of a case, standard or closure day (the services' and any other) gives the
    timeliness report's inputs a new version; bulk writes go through deadlines_refresh,
    which does the same."""
    timeliness_changed()
