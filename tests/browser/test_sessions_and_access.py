"""The account page's sign-ins, sign out everywhere, suspension and access reviews: each page
axe-clean and reflowing at 320 CSS pixels, with the demo data."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import PASSWORD
from sightline.accounts.demo import SUSPENDED, demo_email
from sightline.accounts.models import AccessReview, User
from sightline.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo():
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())


def test_the_agency_leads_pages(visitor, demo):
    visitor.sign_in(demo_email(Role.AGENCY_LEAD), PASSWORD)
    review = AccessReview.objects.get(status="open", agency__name="Northshire Constabulary")
    suspended = User.objects.get(email=SUSPENDED[2])
    for path in (
        reverse("accounts:account"),
        reverse("accounts:sign_out_everywhere"),
        reverse("accounts:access_review_list"),
        review.get_absolute_url(),
        reverse("accounts:agency_detail", kwargs={"pk": review.agency_id}),
        reverse("accounts:user_suspension_lift", kwargs={"pk": suspended.pk}),
    ):
        visitor.goto(path)
    visitor.goto(review.get_absolute_url())
    visitor.click(visitor.page.get_by_role("button", name="Keep").first)
    visitor.click(visitor.page.get_by_role("button", name="Remove").first)
    visitor.goto(reverse("accounts:sign_out_everywhere"))
    visitor.click(visitor.page.get_by_role("button", name="Sign out everywhere"))
    assert "/sign-in/" in visitor.page.url


def test_the_administrators_pages_and_the_suspended_sign_in(visitor, demo):
    visitor.sign_in(demo_email(Role.ADMINISTRATOR), PASSWORD)
    done = AccessReview.objects.get(status="done")
    for path in (
        reverse("accounts:access_review_list"),
        done.get_absolute_url(),
        reverse("accounts:user_list") + "?status=suspended",
    ):
        visitor.goto(path)
    visitor.sign_out()
    visitor.goto(reverse("accounts:sign_in"))
    visitor.page.get_by_label("Email address").fill(SUSPENDED[2])
    visitor.page.get_by_label("Password").fill(PASSWORD)
    visitor.click(visitor.page.get_by_role("button", name="Sign in"))
    assert "suspended because it was not used" in visitor.page.content()
