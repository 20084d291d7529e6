"""Destructive actions ask first, say what will happen, and act only when confirmed."""

import datetime

from django.urls import reverse

from sightline.core.models import ClosureDay


def test_removing_a_closure_day_asks_first(admin_client):
    day = ClosureDay.objects.create(date=datetime.date(2026, 12, 29), description="Staff day")
    url = reverse("core:closure_day_remove", args=[day.pk])
    listing = admin_client.get(reverse("core:closure_days")).content.decode()
    assert f'href="{url}"' in listing
    asked = admin_client.get(url)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "Are you sure 29 December 2026 is a working day?" in page
    assert "every deadline is recounted" in page
    assert "govuk-button--warning" in page
    assert f'href="{reverse("core:closure_days")}"' in page
    assert ClosureDay.objects.filter(pk=day.pk).exists()
    response = admin_client.post(url)
    assert response["Location"] == reverse("core:closure_days")
    assert not ClosureDay.objects.filter(pk=day.pk).exists()
