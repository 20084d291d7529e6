"""Heavy work off the request: imports above a size, PDFs and other files.

A view creates a ``BackgroundJob`` (``job_create``) and sends the person to its progress page;
after commit the worker runs ``run_background_job``, which calls the job's *kind*, a function
registered by the app that owns the work (``register_job_kind``), with a ``JobProgress`` to
report how far it has got. The kind returns a ``JobOutcome``: a message, perhaps a file to
download (kept in storage until the job expires) or the address of the next step. Core
imports no other app: apps register their kinds when they are ready.

The job row, not the tasks backend, is the durable record: a running job writes a heartbeat,
and ``background_jobs_recover`` (called by the scheduler) starts again, or fails with a
message saying what to do, any job whose heartbeat stopped because its worker died.
``background_jobs_prune`` (called daily) deletes the files of expired jobs and old rows.
"""

import contextlib
import dataclasses
import datetime
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from .exceptions import NotVisibleError
from .job_models import BackgroundJob
from .models import AccessLogEntry
from .policies import is_administrator
from .services import access_log_record

logger = logging.getLogger(__name__)

Status = BackgroundJob.Status

FOLDER = "jobs"
# How long a result (a file to download, an import's preview) is kept once the job is done.
KEEP_RESULT = datetime.timedelta(hours=24)
# How long the record of a job is kept, for the person's and the administrators' reference.
KEEP_RECORD = datetime.timedelta(days=30)
# A running job writes a heartbeat every HEARTBEAT seconds; one silent for STALLED is taken
# to have lost its worker. Generous, because on SQLite the heartbeat cannot be written while
# the job's own transaction holds the database's one write lock.
HEARTBEAT = 10.0
STALLED = datetime.timedelta(minutes=10)
# A job still waiting after this long is put on the queue again (the first may be lost).
WAITING_TOO_LONG = datetime.timedelta(minutes=15)
MAX_ATTEMPTS = 2

STOPPED_MESSAGE = (
    "This stopped before it finished, because the service was restarted. Nothing was saved. "
    "Start it again."
)
BROKEN_MESSAGE = (
    "Something went wrong and this did not finish. Nothing was saved. Try again; if it "
    "happens again, tell your partnership administrator."
)


@dataclasses.dataclass
class JobOutcome:
    """What a finished job gives the person: a message, and a file or a next step."""

    message: str
    url: str = ""
    file: bytes | None = None
    file_name: str = ""
    file_type: str = ""
    data: dict[str, Any] = dataclasses.field(default_factory=dict)
    # The kind recorded its outcome itself (``job_finish``) inside the transaction of its
    # work, as an import does: nothing is left to record.
    recorded: bool = False


class JobFailed(Exception):
    """The work cannot be done (an import's file has problems): said in plain words."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class JobSuperseded(Exception):
    """The job was taken over (recovered and started again) while this attempt ran."""


@dataclasses.dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable[[BackgroundJob, "JobProgress"], JobOutcome]
    # Run the work and record its outcome in one transaction: all or nothing, so a job
    # started again after its worker died never does the work twice.
    atomic: bool = False


_KINDS: dict[str, JobKind] = {}


def register_job_kind(
    name: str, *, atomic: bool = False
) -> Callable[[Callable[[BackgroundJob, "JobProgress"], JobOutcome]], Any]:
    """Register the function that does one kind of job (called from an app's ``ready``)."""

    def decorator(run: Callable[[BackgroundJob, "JobProgress"], JobOutcome]) -> Any:
        _KINDS[name] = JobKind(name=name, run=run, atomic=atomic)
        return run

    return decorator


def job_kind(name: str) -> JobKind:
    return _KINDS[name]


# --- Progress -------------------------------------------------------------------------------


class JobProgress:
    """How far a job has got, written to its row so the progress page can show it.

    In the worker a small thread writes the latest figures (at most once a second) and the
    heartbeat through its own database connection, so progress shows even while the work holds
    a transaction open (on PostgreSQL; SQLite allows one writer, so there the figures wait
    until the transaction ends). Run inside a transaction already (the tests' immediate
    backend), it writes on the job's own connection instead.
    """

    def __init__(self, job: BackgroundJob) -> None:
        self.job_id, self.attempt = job.pk, job.attempts
        self._lock = threading.Lock()
        self._fields: dict[str, Any] = {}
        self._last_write = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if not connection.in_atomic_block:
            self._thread = threading.Thread(target=self._beat, daemon=True)
            self._thread.start()

    def stage(self, message: str, *, total: int | None = None, done: int = 0) -> None:
        """A new step: what is happening now and, if known, how many rows it has."""
        self._set(
            {"message": message[:300], "progress_total": total, "progress_done": done}, now=True
        )

    def advance(self, done: int) -> None:
        """Rows done so far in this step (cheap: call it as often as you like)."""
        self._set({"progress_done": done}, now=False)

    def _set(self, fields: dict[str, Any], *, now: bool) -> None:
        with self._lock:
            total = fields.get("progress_total", self._fields.get("progress_total"))
            if total is not None and fields.get("progress_done", 0) > total:
                fields["progress_done"] = total
            self._fields.update(fields)
        if self._thread is None and (now or time.monotonic() - self._last_write > 1.0):
            self._write()

    def _write(self) -> None:
        with self._lock:
            fields, self._fields = self._fields, {}
        self._last_write = time.monotonic()
        try:
            BackgroundJob.objects.filter(
                pk=self.job_id, status=Status.RUNNING, attempts=self.attempt
            ).update(heartbeat_at=timezone.now(), **fields)
        except DatabaseError:
            # SQLite: the job's own transaction holds the write lock. Keep the figures.
            logger.info("Progress of job %s not written: the database is busy.", self.job_id)
            with self._lock:
                self._fields = fields | self._fields

    def _beat(self) -> None:
        try:
            while not self._stop.wait(1.0):
                if self._fields or time.monotonic() - self._last_write >= HEARTBEAT:
                    self._write()
        finally:
            connection.close()  # this thread's own connection

    def close(self) -> None:
        """Stop the thread and write the last figures (on the job's own connection)."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=30)
            self._thread = None
        if self._fields:
            self._write()


# --- Writes ---------------------------------------------------------------------------------


def _enqueue_after_commit(job_id: uuid.UUID) -> None:
    transaction.on_commit(lambda: run_background_job.enqueue(str(job_id)))


def job_create(
    *, user: Any, kind: str, label: str, params: dict[str, Any] | None = None
) -> BackgroundJob:
    """Record a job for ``user`` and put it on the queue once the transaction commits."""
    job_kind(kind)  # a kind nobody registered is a programming error: fail here, not later
    job = BackgroundJob.objects.create(
        user=user, kind=kind, label=label[:200], params=params or {}, message="Waiting to start."
    )
    _enqueue_after_commit(job.pk)
    return job


@transaction.atomic
def job_create_next(
    *, previous: BackgroundJob, kind: str, label: str, params: dict[str, Any] | None = None
) -> BackgroundJob:
    """The step after ``previous`` (an import after its check), made once however many times
    it is asked for: a second click of the button finds the job the first one made."""
    locked = BackgroundJob.objects.select_for_update().get(pk=previous.pk)
    if locked.next_job_id is not None:
        return BackgroundJob.objects.get(pk=locked.next_job_id)
    job = job_create(user=previous.user, kind=kind, label=label, params=params)
    BackgroundJob.objects.filter(pk=previous.pk).update(next_job=job)
    return job


def job_start(*, job_id: str) -> BackgroundJob | None:
    """Mark a waiting job as running (one attempt more). None when it is not waiting: another
    worker has it, or it was already done, so this copy of the task does nothing."""
    now = timezone.now()
    started = BackgroundJob.objects.filter(pk=job_id, status=Status.WAITING).update(
        status=Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        message="Started.",
    )
    return BackgroundJob.objects.get(pk=job_id) if started else None


def _store(job: BackgroundJob, outcome: JobOutcome) -> str:
    if outcome.file is None:
        return ""
    return default_storage.save(f"{FOLDER}/{job.pk}/{outcome.file_name}", ContentFile(outcome.file))


def job_finish(*, job: BackgroundJob, outcome: JobOutcome) -> None:
    """Record the outcome of this attempt; ``JobSuperseded`` if the job is no longer its own."""
    now = timezone.now()
    path = _store(job, outcome)
    done = BackgroundJob.objects.filter(
        pk=job.pk, status=Status.RUNNING, attempts=job.attempts
    ).update(
        status=Status.DONE,
        message=outcome.message[:300],
        result_data=outcome.data,
        result_file=path,
        result_name=outcome.file_name if path else "",
        result_type=outcome.file_type if path else "",
        result_url=outcome.url,
        heartbeat_at=now,
        finished_at=now,
        expires_at=now + KEEP_RESULT,
    )
    if not done:
        if path:
            default_storage.delete(path)
        raise JobSuperseded(str(job.pk))


def job_fail(*, job: BackgroundJob, message: str, problems: list[str] | None = None) -> None:
    now = timezone.now()
    BackgroundJob.objects.filter(pk=job.pk, status=Status.RUNNING, attempts=job.attempts).update(
        status=Status.FAILED,
        message=message[:300],
        result_data={"problems": problems or []},
        heartbeat_at=now,
        finished_at=now,
        expires_at=now + KEEP_RESULT,
    )


@task
def run_background_job(job_id: str) -> None:
    """The one task every job runs through: start, do the kind's work, record the outcome."""
    job = job_start(job_id=job_id)
    if job is None:
        return
    kind = job_kind(job.kind)
    progress = JobProgress(job)
    try:
        with transaction.atomic() if kind.atomic else contextlib.nullcontext():
            outcome = kind.run(job, progress)
            progress.close()
            if not outcome.recorded:
                job_finish(job=job, outcome=outcome)
    except JobFailed as failure:
        job_fail(job=job, message=failure.message, problems=failure.problems)
    except JobSuperseded:
        logger.warning("Job %s was started again elsewhere: this attempt's work undone.", job_id)
    except Exception:
        logger.exception("Job %s (%s) failed.", job_id, job.kind)
        job_fail(job=job, message=BROKEN_MESSAGE)
    finally:
        progress.close()


def job_result_deliver(*, job: BackgroundJob, user: Any) -> None:
    """Record the delivery of the job's file: an export, when the job's params say what of
    (``{"export": {"object_type": ..., "object_id": ..., "object_repr": ..., "detail": ...}}``)."""
    export = (job.params or {}).get("export")
    if export:
        access_log_record(user=user, action=AccessLogEntry.Action.EXPORT, **export)


def background_jobs_recover(*, now: datetime.datetime) -> int:
    """Jobs whose worker died (heartbeat silent for ``STALLED``) go back on the queue, or fail
    after ``MAX_ATTEMPTS`` with a message saying to start again; jobs waiting too long are put
    on the queue again (a job already running ignores the copy). Returns how many changed.
    For the scheduler, every few minutes."""
    changed = 0
    stalled = BackgroundJob.objects.filter(status=Status.RUNNING, heartbeat_at__lt=now - STALLED)
    for job in stalled.only("pk", "attempts"):
        still = BackgroundJob.objects.filter(
            pk=job.pk, status=Status.RUNNING, attempts=job.attempts, heartbeat_at__lt=now - STALLED
        )
        with transaction.atomic():
            if job.attempts < MAX_ATTEMPTS:
                if still.update(
                    status=Status.WAITING,
                    queued_at=now,
                    message="This stopped unexpectedly and has been started again.",
                ):
                    _enqueue_after_commit(job.pk)
                    changed += 1
            else:
                changed += still.update(
                    status=Status.FAILED,
                    message=STOPPED_MESSAGE,
                    finished_at=now,
                    expires_at=now + KEEP_RESULT,
                )
    waiting = BackgroundJob.objects.filter(
        status=Status.WAITING, queued_at__lt=now - WAITING_TOO_LONG
    ).values_list("pk", flat=True)
    for pk in waiting:
        if BackgroundJob.objects.filter(pk=pk, status=Status.WAITING).update(queued_at=now):
            _enqueue_after_commit(pk)
            changed += 1
    return changed


def background_jobs_prune(*, now: datetime.datetime) -> int:
    """Delete the files of jobs past their expiry, and the records of jobs finished more than
    ``KEEP_RECORD`` ago. Returns how many files were deleted. For the scheduler, daily."""
    deleted = 0
    expired = BackgroundJob.objects.filter(expires_at__lt=now).exclude(result_file="")
    for job in expired.only("pk", "result_file"):
        default_storage.delete(job.result_file)
        BackgroundJob.objects.filter(pk=job.pk).update(result_file="", result_data={})
        deleted += 1
    BackgroundJob.objects.filter(expires_at__lt=now).exclude(result_data={}).update(result_data={})
    BackgroundJob.objects.filter(finished_at__lt=now - KEEP_RECORD).delete()
    return deleted


# --- Reads ----------------------------------------------------------------------------------


def background_job_get_for(*, user: Any, pk: uuid.UUID) -> BackgroundJob:
    """The job, if ``user`` asked for it or is an administrator: anyone else may not know it
    exists (404)."""
    job = BackgroundJob.objects.filter(pk=pk).first()
    if job is None or (job.user_id != user.pk and not is_administrator(user)):
        raise NotVisibleError("No such job.")
    return job


def job_result_is_ready(job: BackgroundJob, *, now: datetime.datetime) -> bool:
    return bool(
        job.status == Status.DONE
        and job.result_file
        and (job.expires_at is None or job.expires_at > now)
    )
