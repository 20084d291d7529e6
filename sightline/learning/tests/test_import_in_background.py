"""A learning tracker above the size limit is checked and imported by background jobs."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.models import BackgroundJob
from sightline.core.roles import Role
from sightline.core.views import BACKGROUND_IMPORT_LINES
from sightline.learning.models import Action, Recommendation

IMPORT = reverse("learning:import")
HEADER = (
    "recommendation_ref,source_type,source,recommendation,made_date,"
    "action_ref,agency,action,due_date,status"
)
ROWS = BACKGROUND_IMPORT_LINES + 500


def tracker(count: int, agency: str) -> bytes:
    lines = [HEADER] + [
        f"R-{n // 5},other,An audit,Record who lives in the house,2024-01-01,"
        f"R-{n // 5}/A{n},{agency},Update the form,2025-01-01,not_started"
        for n in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_a_large_tracker_goes_through_the_progress_pages(
    client, make_user, django_capture_on_commit_callbacks
):
    agency = AgencyFactory.create(name="Eastmere Police")
    client.force_login(make_user(Role.ADMINISTRATOR))
    content = tracker(ROWS, agency.name)
    with django_capture_on_commit_callbacks(execute=True):
        upload = client.post(IMPORT, {"file": SimpleUploadedFile("tracker.csv", content)})
    check = BackgroundJob.objects.get()
    assert upload["Location"] == check.get_absolute_url()
    assert check.status == BackgroundJob.Status.DONE, check.message
    assert not Action.objects.exists()
    preview = client.get(check.result_url).content.decode()
    assert f"actions: {ROWS} created" in preview
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(IMPORT, {"checked": str(check.pk)})
    run = BackgroundJob.objects.exclude(pk=check.pk).get()
    assert confirm["Location"] == run.get_absolute_url()
    assert run.status == BackgroundJob.Status.DONE, run.message
    assert Action.objects.count() == ROWS
    assert Recommendation.objects.count() == ROWS // 5
    assert Recommendation.objects.get(reference="R-0").agencies.get() == agency
    assert "Go to the learning report" in client.get(run.get_absolute_url()).content.decode()
