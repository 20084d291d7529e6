"""A case file above the size limit is checked and imported by background jobs, through
the progress page, the preview and the import's own progress page."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sightline.core.models import AuditEvent, BackgroundJob
from sightline.core.roles import Role
from sightline.core.views import BACKGROUND_IMPORT_LINES
from sightline.reviews import services
from sightline.reviews.models import Case

IMPORT = reverse("reviews:import")
HEADER = "reference,route,pseudonym,outcome,incident_aware_date"
ROWS = BACKGROUND_IMPORT_LINES + 500


def case_file(count: int, *, bad: int | None = None) -> bytes:
    lines = [HEADER] + [
        f"BIG-{n:06d},{'boat' if n == bad else 'child'},,,2021-04-03" for n in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


class Recorder:
    def __init__(self) -> None:
        self.stages: list[tuple[str, int | None]] = []
        self.done: list[int] = []

    def stage(self, message: str, *, total: int | None = None, done: int = 0) -> None:
        self.stages.append((message, total))

    def advance(self, done: int) -> None:
        self.done.append(done)


@pytest.fixture
def uploader(client, make_user):
    user = make_user(Role.REVIEW_OFFICER)
    client.force_login(user)
    return client


def test_the_import_reports_its_progress_row_by_row(db):
    progress = Recorder()
    services.import_cases(
        actor=None, name="big.csv", content=case_file(ROWS), dry_run=True, progress=progress
    )
    assert progress.stages[:2] == [
        ("Reading the file", ROWS),
        ("Comparing the rows with the cases Sightline holds", ROWS),
    ]
    assert len(progress.done) > 10
    assert max(progress.done) >= ROWS - 250


def test_a_large_file_goes_through_the_progress_pages(uploader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload = uploader.post(IMPORT, {"file": SimpleUploadedFile("big.csv", case_file(ROWS))})
    check = BackgroundJob.objects.get()
    assert upload["Location"] == check.get_absolute_url()
    assert (check.kind, check.status) == ("reviews.import.check", BackgroundJob.Status.DONE)
    assert Case.objects.count() == 0

    page = uploader.get(check.get_absolute_url()).content.decode()
    assert f"{ROWS} cases would be created" in page
    preview_url = f"{IMPORT}?checked={check.pk}"
    assert f'href="{preview_url}"' in page
    preview = uploader.get(preview_url).content.decode()
    assert f"New cases ({ROWS:,})" in preview
    assert "BIG-000000, BIG-000001" in preview
    assert f'name="checked" value="{check.pk}"' in preview

    with django_capture_on_commit_callbacks(execute=True):
        confirm = uploader.post(IMPORT, {"checked": str(check.pk)})
    run = BackgroundJob.objects.exclude(pk=check.pk).get()
    assert confirm["Location"] == run.get_absolute_url()
    assert (run.kind, run.status) == ("reviews.import.run", BackgroundJob.Status.DONE)
    assert Case.objects.count() == ROWS
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).count() == 1
    page = uploader.get(run.get_absolute_url()).content.decode()
    assert f"Import finished: {ROWS} cases were created" in page
    assert f'href="{reverse("reviews:case_list")}"' in page
    assert not default_storage.exists(f"imports/{check.params['token']}")

    again = uploader.post(IMPORT, {"checked": str(check.pk)})
    assert again["Location"] == run.get_absolute_url()
    assert BackgroundJob.objects.count() == 2


def test_a_large_file_with_problems_lists_them_and_saves_nothing(
    uploader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        uploader.post(IMPORT, {"file": SimpleUploadedFile("big.csv", case_file(ROWS, bad=7))})
    check = BackgroundJob.objects.get()
    assert check.status == BackgroundJob.Status.FAILED
    page = uploader.get(check.get_absolute_url()).content.decode()
    assert "govuk-error-summary" in page
    assert "Correct these problems in the file and upload it again" in page
    assert "line 9, column route: &#39;boat&#39; is not a route" in page
    assert f'href="{IMPORT}"' in page
    assert uploader.get(f"{IMPORT}?checked={check.pk}")["Location"] == IMPORT
    assert Case.objects.count() == 0


def test_a_small_file_is_still_checked_in_the_request(uploader):
    response = uploader.post(IMPORT, {"file": SimpleUploadedFile("small.csv", case_file(5))})
    assert response.status_code == 200
    assert "5 cases would be created" in response.content.decode()
    assert not BackgroundJob.objects.exists()


def test_no_one_else_can_import_a_file_someone_checked(
    uploader, client, make_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        uploader.post(IMPORT, {"file": SimpleUploadedFile("big.csv", case_file(ROWS))})
    check = BackgroundJob.objects.get()
    client.force_login(make_user(Role.ADMINISTRATOR))
    assert client.get(f"{IMPORT}?checked={check.pk}")["Location"] == IMPORT
    assert client.post(IMPORT, {"checked": str(check.pk)})["Location"] == IMPORT
    assert BackgroundJob.objects.count() == 1
    assert Case.objects.count() == 0


def test_the_import_job_records_its_outcome_in_the_imports_transaction(
    uploader, django_capture_on_commit_callbacks, monkeypatch
):
    """Taken over while it writes (its worker was thought dead and the job started again):
    the import's rows are rolled back with it, so the job never imports twice."""
    from sightline.core import views as core_views
    from sightline.core.jobs import JobSuperseded

    with django_capture_on_commit_callbacks(execute=True):
        uploader.post(IMPORT, {"file": SimpleUploadedFile("big.csv", case_file(ROWS))})
    check = BackgroundJob.objects.get()
    stages: list[str] = []

    def superseded(*, job, outcome):
        # Called inside the import's write transaction, after the rows were written.
        stages.append(f"{Case.objects.count()} cases")
        raise JobSuperseded(str(job.pk))

    monkeypatch.setattr(core_views, "job_finish", superseded)
    with django_capture_on_commit_callbacks(execute=True):
        uploader.post(IMPORT, {"checked": str(check.pk)})
    run = BackgroundJob.objects.exclude(pk=check.pk).get()
    assert stages == [f"{ROWS} cases"]
    assert Case.objects.count() == 0
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).exists()
    assert run.status == BackgroundJob.Status.RUNNING  # left to whoever took it over
