"""The generated yearly report's page and its PDF and Word downloads (background jobs, the
download written to the access log)."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document

from sightline.core.models import AccessLogEntry, BackgroundJob
from sightline.core.roles import Role
from sightline.core.tests.pdfs import check_accessible_pdf
from sightline.reports.yearly.contents import CHAPTERS
from sightline.reviews.tests.factories import CaseFactory

PAGE = reverse("reports:yearly_report", kwargs={"year": "2023-24"})


@pytest.fixture
def signed_in(client, make_user):
    def sign_in(role: Role):
        client.force_login(make_user(role))
        return client

    return sign_in


def test_page_shows_every_chapter_and_the_downloads(signed_in):
    CaseFactory(reference="IN-YEAR", incident_aware_date=datetime.date(2023, 9, 1))
    response = signed_in(Role.REVIEW_OFFICER).get(PAGE)
    page = response.content.decode()
    assert response.status_code == 200
    positions = [page.index(f'id="{chapter.id}"') for chapter in CHAPTERS]
    assert positions == sorted(positions)
    assert reverse("reports:yearly_pdf", kwargs={"year": "2023-24"}) in page
    assert reverse("reports:yearly_docx", kwargs={"year": "2023-24"}) in page


@pytest.mark.parametrize("label", ["2023", "2023-25", "twenty", "1999-00"])
def test_a_year_that_is_not_one_is_not_found(signed_in, label):
    client = signed_in(Role.ADMINISTRATOR)
    for name in ("reports:yearly_report", "reports:yearly_pdf", "reports:yearly_docx"):
        assert client.get(reverse(name, kwargs={"year": label})).status_code == 404
    assert not BackgroundJob.objects.exists()


def test_practitioners_and_trainers_may_not_see_it(signed_in):
    for role in (Role.PRACTITIONER, Role.TRAINER):
        assert signed_in(role).get(PAGE).status_code == 403


def test_page_queries_do_not_grow_with_the_cases(signed_in, django_assert_max_num_queries):
    client = signed_in(Role.EXECUTIVE)
    CaseFactory(incident_aware_date=datetime.date(2023, 9, 1))
    with django_assert_max_num_queries(200) as few:
        client.get(PAGE)
    CaseFactory.create_batch(10, incident_aware_date=datetime.date(2023, 9, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(PAGE)


@pytest.mark.parametrize(
    ("name", "file_name", "content_type"),
    [
        ("reports:yearly_pdf", "sightline-yearly-report-2023-24.pdf", "application/pdf"),
        (
            "reports:yearly_docx",
            "sightline-yearly-report-2023-24.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_downloads_are_made_by_a_job_and_logged_when_delivered(
    signed_in, django_capture_on_commit_callbacks, name, file_name, content_type
):
    client = signed_in(Role.EXECUTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse(name, kwargs={"year": "2023-24"}))
    job = BackgroundJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.status == BackgroundJob.Status.DONE, job.message
    assert not AccessLogEntry.objects.exists()  # asked for, not yet delivered

    response = client.get(reverse("core:job_download", kwargs={"pk": job.pk}))
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == content_type
    assert file_name in response["Content-Disposition"]
    title = "Northshire Safeguarding Partnership yearly report 2023-24"
    if content_type == "application/pdf":
        check_accessible_pdf(content, title=title, elements=frozenset({"/H1", "/H2", "/Table"}))
    else:
        assert Document(io.BytesIO(content)).core_properties.title == title
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == (
        AccessLogEntry.Action.EXPORT,
        "reports.yearly_report",
        "2023-24",
    )
