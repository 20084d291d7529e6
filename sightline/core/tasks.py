"""Jobs for the worker (Django's tasks API). They hold no state of their own: the outbox and
the schedule runs are the record, so a job lost with a killed worker costs nothing."""

from django.tasks import task

from .outbox import outbox_deliver_all
from .schedules import current_worker_id


@task
def deliver_outbox() -> dict[str, int]:
    """Send the emails that are due."""
    return outbox_deliver_all(worker_id=current_worker_id.get()).as_dict()
