"""Background jobs: the services that run them, recover them and prune them, and the
progress page, its status and its file."""

import datetime
import json
import time

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from sightline.core import jobs
from sightline.core.jobs import (
    BROKEN_MESSAGE,
    STOPPED_MESSAGE,
    JobFailed,
    JobOutcome,
    JobSuperseded,
    background_jobs_prune,
    background_jobs_recover,
    job_create,
    job_create_next,
    job_finish,
    register_job_kind,
    run_background_job,
)
from sightline.core.models import AccessLogEntry, BackgroundJob, ClosureDay
from sightline.core.roles import Role

Status = BackgroundJob.Status
RUNS: list[str] = []


@register_job_kind("test.file")
def _file_kind(job, progress):
    RUNS.append(str(job.pk))
    progress.stage("Counting", total=10)
    progress.advance(10)
    return JobOutcome(
        message="Your file is ready.",
        file=b"hello",
        file_name="hello.txt",
        file_type="text/plain",
    )


@register_job_kind("test.refused")
def _refused_kind(job, progress):
    raise JobFailed("The file has problems: correct them.", ["line 2, column a: wrong"])


@register_job_kind("test.broken")
def _broken_kind(job, progress):
    raise RuntimeError("a bug")


@register_job_kind("test.atomic", atomic=True)
def _atomic_kind(job, progress):
    ClosureDay.objects.create(date=datetime.date(2031, 1, 2), description="Half done")
    raise JobFailed("Stopped half way.")


@pytest.fixture
def owner(make_user):
    return make_user(Role.EXECUTIVE)


@pytest.fixture
def run_now(django_capture_on_commit_callbacks):
    """Create a job and run it at once, as the worker would after commit."""

    def run(owner, kind="test.file", **params):
        with django_capture_on_commit_callbacks(execute=True):
            job = job_create(user=owner, kind=kind, label="A test job", params=params)
        job.refresh_from_db()
        return job

    return run


# --- Services ------------------------------------------------------------------------------


def test_a_job_waits_for_the_commit_then_runs(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        job = job_create(user=owner, kind="test.file", label="A test job")
    assert BackgroundJob.objects.get().status == Status.WAITING
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert job.message == "Your file is ready."
    assert (job.progress_done, job.progress_total, job.attempts) == (10, 10, 1)
    assert job.result_name == "hello.txt"
    assert job.result_file.startswith(f"jobs/{job.pk}/")
    with default_storage.open(job.result_file) as handle:
        assert handle.read() == b"hello"
    assert job.expires_at is not None
    assert job.finished_at is not None
    assert job.expires_at - job.finished_at == datetime.timedelta(hours=24)


def test_a_kind_nobody_registered_is_refused_at_once(owner):
    with pytest.raises(KeyError):
        job_create(user=owner, kind="test.nobody", label="Nothing")
    assert not BackgroundJob.objects.exists()


def test_a_refused_job_says_what_to_correct(owner, run_now):
    job = run_now(owner, kind="test.refused")
    assert job.status == Status.FAILED
    assert job.message == "The file has problems: correct them."
    assert job.result_data == {"problems": ["line 2, column a: wrong"]}
    assert job.result_file == ""


def test_a_broken_job_fails_with_plain_words_not_the_error(owner, run_now):
    job = run_now(owner, kind="test.broken")
    assert job.status == Status.FAILED
    assert job.message == BROKEN_MESSAGE
    assert "a bug" not in job.message


def test_an_atomic_job_that_fails_leaves_nothing_half_saved(owner, run_now):
    job = run_now(owner, kind="test.atomic")
    assert job.status == Status.FAILED
    assert not ClosureDay.objects.filter(description="Half done").exists()


def test_a_job_queued_twice_runs_once(owner, run_now):
    job = run_now(owner)
    runs = RUNS.count(str(job.pk))
    run_background_job.call(str(job.pk))
    assert RUNS.count(str(job.pk)) == runs == 1


def test_an_attempt_that_lost_its_job_undoes_its_file(owner, run_now):
    job = run_now(owner)
    stale = BackgroundJob.objects.get(pk=job.pk)
    stale.attempts = 0  # an earlier attempt, taken over since
    before = set(default_storage.listdir(f"jobs/{job.pk}")[1])
    with pytest.raises(JobSuperseded):
        job_finish(job=stale, outcome=JobOutcome(message="x", file=b"y", file_name="other.txt"))
    assert set(default_storage.listdir(f"jobs/{job.pk}")[1]) == before


def test_the_next_step_is_made_once_however_often_it_is_asked_for(owner, run_now):
    first = run_now(owner)
    one = job_create_next(previous=first, kind="test.file", label="Next")
    two = job_create_next(previous=first, kind="test.file", label="Next")
    assert one.pk == two.pk
    assert BackgroundJob.objects.count() == 2


def _running(owner, *, attempts, silent_for):
    now = timezone.now()
    return BackgroundJob.objects.create(
        user=owner,
        kind="test.file",
        label="Running",
        status=Status.RUNNING,
        attempts=attempts,
        started_at=now - silent_for,
        heartbeat_at=now - silent_for,
    )


def test_a_job_whose_worker_died_is_started_again(owner, django_capture_on_commit_callbacks):
    dead = _running(owner, attempts=1, silent_for=jobs.STALLED + datetime.timedelta(seconds=1))
    alive = _running(owner, attempts=1, silent_for=datetime.timedelta(seconds=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert background_jobs_recover(now=timezone.now()) == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, dead.attempts, dead.message) == (Status.DONE, 2, "Your file is ready.")
    assert alive.status == Status.RUNNING


def test_a_job_that_died_too_often_fails_and_says_to_start_again(owner):
    dead = _running(owner, attempts=jobs.MAX_ATTEMPTS, silent_for=datetime.timedelta(hours=1))
    background_jobs_recover(now=timezone.now())
    dead.refresh_from_db()
    assert (dead.status, dead.message) == (Status.FAILED, STOPPED_MESSAGE)
    assert dead.expires_at is not None


def test_a_job_left_waiting_is_queued_again(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():  # the first queueing is lost
        job = job_create(user=owner, kind="test.file", label="Lost")
    BackgroundJob.objects.filter(pk=job.pk).update(
        queued_at=timezone.now() - jobs.WAITING_TOO_LONG - datetime.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert background_jobs_recover(now=timezone.now()) == 1
        assert background_jobs_recover(now=timezone.now()) == 0  # queued again once only
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == Status.DONE


def test_prune_deletes_expired_files_then_old_records(owner, run_now):
    kept, expired, old = run_now(owner), run_now(owner), run_now(owner)
    now = timezone.now()
    BackgroundJob.objects.filter(pk=expired.pk).update(expires_at=now - datetime.timedelta(1))
    BackgroundJob.objects.filter(pk=old.pk).update(
        expires_at=now - jobs.KEEP_RECORD, finished_at=now - jobs.KEEP_RECORD * 2
    )
    assert background_jobs_prune(now=now) == 2
    expired.refresh_from_db()
    assert expired.result_file == ""
    assert not default_storage.exists(f"jobs/{expired.pk}/hello.txt")
    assert default_storage.exists(BackgroundJob.objects.get(pk=kept.pk).result_file)
    assert not BackgroundJob.objects.filter(pk=old.pk).exists()


# --- Pages ---------------------------------------------------------------------------------


def test_a_waiting_job_has_a_check_progress_link_that_needs_no_script(
    client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        job = job_create(user=owner, kind="test.file", label="Make a file")
    client.force_login(owner)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Make a file" in page
    assert "Waiting to start" in page
    assert f'href="{job.get_absolute_url()}"' in page  # "Check progress" reloads the page
    assert "Check progress" in page
    assert f'data-status-url="{reverse("core:job_status", kwargs={"pk": job.pk})}"' in page
    assert 'aria-live="polite"' in page
    assert "<script>" not in page  # the script is a static module: the CSP allows no inline


def test_the_status_says_how_far_the_job_has_got(client, owner):
    job = BackgroundJob.objects.create(
        user=owner,
        kind="test.file",
        label="Counting",
        status=Status.RUNNING,
        message="Reading the file",
        progress_done=1500,
        progress_total=6000,
    )
    client.force_login(owner)
    state = json.loads(client.get(reverse("core:job_status", kwargs={"pk": job.pk})).content)
    assert (state["status"], state["finished"], state["done"], state["total"]) == (
        "running",
        False,
        1500,
        6000,
    )
    assert "1,500 of 6,000 rows (25%)" in state["html"]
    assert "1,500 of 6,000 rows (25%)" in client.get(job.get_absolute_url()).content.decode()


def test_a_done_job_offers_its_file_and_logs_the_delivery(client, owner, run_now):
    job = run_now(
        owner, export={"object_type": "test.thing", "object_id": "1", "object_repr": "A thing"}
    )
    client.force_login(owner)
    page = client.get(job.get_absolute_url()).content.decode()
    download = reverse("core:job_download", kwargs={"pk": job.pk})
    assert f'href="{download}"' in page
    assert "Download hello.txt" in page
    assert not AccessLogEntry.objects.exists()
    response = client.get(download)
    assert b"".join(response.streaming_content) == b"hello"
    assert 'filename="hello.txt"' in response["Content-Disposition"]
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.object_repr) == (owner, "export", "A thing")


def test_a_failed_job_shows_an_error_summary_and_the_problems(client, owner, run_now):
    job = run_now(owner, kind="test.refused")
    client.force_login(owner)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "<title>Error: " in page
    assert "govuk-error-summary" in page
    assert "The file has problems: correct them." in page
    assert "line 2, column a: wrong" in page
    assert "Check progress" not in page


def test_an_expired_file_is_not_delivered(client, owner, run_now):
    job = run_now(owner)
    BackgroundJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    client.force_login(owner)
    assert client.get(reverse("core:job_download", kwargs={"pk": job.pk})).status_code == 404
    assert "no longer kept" in client.get(job.get_absolute_url()).content.decode()


def test_only_the_person_who_asked_and_administrators_see_a_job(client, owner, make_user, run_now):
    job = run_now(owner)
    download = reverse("core:job_download", kwargs={"pk": job.pk})
    client.force_login(make_user(Role.EXECUTIVE))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("core:job_status", kwargs={"pk": job.pk})).status_code == 404
    client.force_login(make_user(Role.ADMINISTRATOR))
    assert client.get(job.get_absolute_url()).status_code == 200
    assert client.get(download).status_code == 403
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_running_job_writes_its_progress_and_heartbeat_from_its_own_thread(make_user):
    owner = make_user(Role.EXECUTIVE)
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    job = BackgroundJob.objects.create(
        user=owner, kind="test.file", label="Live", status=Status.RUNNING, heartbeat_at=long_ago
    )
    progress = jobs.JobProgress(job)
    try:
        progress.stage("Reading the file", total=100)
        progress.advance(40)
        for _ in range(50):
            job.refresh_from_db()
            if job.progress_done == 40:
                break
            time.sleep(0.1)
    finally:
        progress.close()
    assert (job.message, job.progress_done, job.progress_total) == ("Reading the file", 40, 100)
    assert job.heartbeat_at is not None
    assert job.heartbeat_at > long_ago
