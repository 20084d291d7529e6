import pytest
from django.test import Client
from django.urls import reverse

from sightline.core.models import AuditEvent, ScheduleRun


def test_unknown_url_gets_the_not_found_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_forged_form_is_refused_clearly_and_audited(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(reverse("accounts:agency_create"), {"name": "X", "sector": "police"})
    assert response.status_code == 403
    assert "This form could not be sent" in response.content.decode()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CSRF_FAILURE, actor=admin_user).exists()


def test_refused_page_is_audited(client, make_user):
    user = make_user()
    client.force_login(user)
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 403
    assert "You do not have permission" in response.content.decode()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS_DENIED, actor=user).exists()


def test_server_error_page_needs_no_database(rf, db, django_assert_num_queries):
    from sightline.core.views import error_500

    with django_assert_num_queries(0):
        response = error_500(rf.get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_health_check_answers_without_signing_in(client, db):
    ScheduleRun.objects.create(schedule="core.housekeeping", slot="today")
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "header", ["Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"]
)
def test_security_headers_on_every_page(client, db, header):
    assert header in client.get(reverse("accounts:sign_in")).headers


def test_content_security_policy_allows_no_inline_script(client, db):
    policy = client.get(reverse("accounts:sign_in"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_pages_contain_no_inline_script(admin_client):
    html = admin_client.get(reverse("accounts:home")).content.decode()
    for tag in html.split("<script")[1:]:
        assert "src=" in tag.split(">")[0], "every script must be loaded from a file"
