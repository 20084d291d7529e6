"""``sightline worker``: runs background jobs, keeps the schedules and delivers the outbox.

One process does all three, so a deployment runs the web server and one worker (or more:
they share out the work through the database) and needs no cron.
"""

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.tasks import task_backends
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from sightline.core import audit_seals
from sightline.core.jobs import background_jobs_recover
from sightline.core.outbox import outbox_deliver_all
from sightline.core.schedules import current_worker_id, schedules_run_due

logger = logging.getLogger("sightline.worker")
RECOVER_EVERY = 60.0  # seconds


class Command(BaseCommand):
    help = "Run background jobs, the schedules (reminders, digests) and the outbox of emails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=2.0,
            help="Seconds to wait when there is nothing to do (default 2)",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do what is due now, then stop (for tests and for running by hand)",
        )

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        if not 0 < interval <= 3600:
            self.stderr.write("--interval must be more than 0 and at most 3600 seconds")
            raise SystemExit(2)
        worker_id = f"worker-{get_random_string(12)}"
        current_worker_id.set(worker_id)
        # django-tasks-db's worker runs the jobs; in batch mode it returns when none is left,
        # so the schedules and the outbox get their turn between batches.
        jobs = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        # With a backend that runs jobs at once (the tests'), none wait in the database.
        queued_jobs = isinstance(task_backends["default"], DatabaseBackend)
        if not once:
            jobs.configure_signals()
        logger.info("Worker %s started", worker_id)
        recovered_at = sealed_at = 0.0
        while jobs.running:
            if not once:
                # As Django does between requests: drop a connection that broke or aged.
                close_old_connections()
            try:
                for run in schedules_run_due():
                    logger.info(
                        "Ran %s for %s: %s", run.schedule, run.slot, run.result or run.error
                    )
                if time.monotonic() - recovered_at >= RECOVER_EVERY:
                    # Jobs whose worker died (no heartbeat) are started again, or failed.
                    background_jobs_recover(now=timezone.now())
                    recovered_at = time.monotonic()
                if time.monotonic() - sealed_at >= audit_seals.SEAL_EVERY:
                    # The audit trail's new events sealed into the hash chain.
                    sealed = audit_seals.seal()
                    if sealed.seals:
                        logger.info("Audit trail sealed: %s", sealed.as_dict())
                    sealed_at = time.monotonic()
                delivered = outbox_deliver_all(worker_id=worker_id)
                if delivered.sent or delivered.dead or delivered.retrying:
                    logger.info("Outbox: %s", delivered.as_dict())
                if queued_jobs:
                    jobs.run()
            except Exception:
                # The database went away, or a job's code failed outside its own handling:
                # note it, drop the connection and carry on; nothing is lost, as the rows say
                # what is still to do.
                logger.exception("Worker %s: a round of work failed; trying again", worker_id)
                if once:
                    raise
                close_old_connections()
            if once:
                return
            time.sleep(interval)
