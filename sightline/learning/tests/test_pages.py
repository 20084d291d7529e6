import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sightline.accounts.tests.factories import AgencyFactory
from sightline.core.roles import Role
from sightline.learning.models import Action, Recommendation
from sightline.learning.tests.factories import ActionFactory
from tests.contract import EXAMPLES


@pytest.fixture
def cases(db):
    from django.core.management import call_command

    call_command("import_reviews", str(EXAMPLES / "cases.csv"))


def test_upload_previews_then_imports(admin_client, cases):
    upload = SimpleUploadedFile("learning.csv", (EXAMPLES / "learning.csv").read_bytes())
    preview = admin_client.post(
        reverse("learning:import"), {"file": upload, "create_agencies": "on"}
    )
    page = preview.content.decode()
    assert "recommendations: 5 created" in page
    assert "agencies created: Eastmere Council Children&#39;s Services" in page
    assert not Recommendation.objects.exists()
    token = page.split('name="token" value="')[1].split('"')[0]
    done = admin_client.post(reverse("learning:import"), {"token": token, "create_agencies": "on"})
    assert done["Location"] == reverse("learning:report")
    assert Action.objects.count() == 5
    rec = Recommendation.objects.get(reference="EX-2023-01/R1")
    assert sorted(rec.agencies.values_list("name", flat=True)) == [
        "Eastmere Council Children's Services",
        "Eastmere Police",
    ]


def test_upload_lists_problems_with_a_4xx(admin_client, cases):
    upload = SimpleUploadedFile("learning.csv", (EXAMPLES / "learning.csv").read_bytes())
    response = admin_client.post(reverse("learning:import"), {"file": upload})
    assert response.status_code == 400
    assert "is not an agency Sightline knows" in response.content.decode()
    assert not Recommendation.objects.exists()


def test_report_page_shows_the_figures_and_reasons(admin_client, cases):
    from django.core.management import call_command

    call_command("import_learning", str(EXAMPLES / "learning.csv"), "--create-agencies")
    page = admin_client.get(
        reverse("learning:report"), {"as_at_day": "30", "as_at_month": "4", "as_at_year": "2025"}
    ).content.decode()
    assert "5: 2 accepted, 1 accepted in part, 1 not accepted, 1 not decided yet" in page
    assert "5: 2 complete (1 on time), 1 closed without completion, 2 overdue, 0 open" in page
    assert (
        "NR-2021-1/R2 (The myth of invisible men (2021)): Covered by the existing pre-birth protocol"
        in page
    )


def test_report_page_query_count_does_not_grow(admin_client, cases, tmp_path):
    from django.core.management import call_command

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("learning:report")).status_code == 200
        return len(captured)

    call_command("import_learning", str(EXAMPLES / "learning.csv"), "--create-agencies")
    small = queries()
    header = (EXAMPLES / "learning.csv").read_text().splitlines()[0]
    rows = [
        f"X-{n}/R1,other,Audit {n},Text,2024-01-01,accepted,,X-{n}/R1/A1,Eastmere Police,Do,,2024-02-01,on_track,,,Briefing,"
        for n in range(30)
    ]
    extra = tmp_path / "more.csv"
    extra.write_text("\n".join([header, *rows]) + "\n")
    call_command("import_learning", str(extra))
    assert queries() == small


@pytest.mark.django_db
def test_my_agencys_actions_count_the_overdue_of_my_agencies_only(client, make_user):
    home, other = AgencyFactory.create(name="Home Agency"), AgencyFactory.create(name="Elsewhere")
    lead = make_user(Role.AGENCY_LEAD, agency=home)
    past = datetime.date.today() - datetime.timedelta(days=10)
    ActionFactory.create(agency=home, due_date=past, status="on_track")
    ActionFactory.create_batch(2, agency=other, due_date=past, status="not_started")
    client.force_login(lead)
    address = reverse("learning:action_list")

    def panel(query: str) -> str:
        page = client.get(address + query).content.decode()
        return page.split("Overdue by agency", 1)[1].split("</ul>", 1)[0]

    mine = panel("?mine=1")
    assert "Home Agency</a>: 1" in mine
    assert "Elsewhere" not in mine
    every = panel("")
    assert "Home Agency</a>: 1" in every
    assert "Elsewhere</a>: 2" in every
