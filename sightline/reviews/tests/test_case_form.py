"""The case form asks the route first and offers only that route's outcomes and milestones,
in two steps without a script; its messages use labels and plain words."""

import datetime
import re

from django.urls import reverse

from sightline.core.models import AuditEvent
from sightline.reviews.models import Case
from sightline.reviews.tests.factories import CaseFactory
from sightline.reviews.tests.test_cases import form_data
from sightline.reviews.validation import case_problems

D = datetime.date


def _section(page: str, route: str) -> str:
    """The opening tag of one route's questions."""
    match = re.search(rf'<div data-route-fields="{route}"[^>]*>', page)
    assert match, f"no section for {route}"
    return match.group(0)


def test_a_new_case_asks_the_route_first(admin_client):
    page = admin_client.get(reverse("reviews:case_create")).content.decode()
    assert 'name="choose_route"' in page
    assert re.search(r"<div data-route-questions hidden>", page)
    for route in ("child", "adult", "dhr", "local"):
        assert " hidden" in _section(page, route)


def test_continuing_shows_only_the_chosen_routes_questions(admin_client):
    response = admin_client.post(
        reverse("reviews:case_create"), {"route": "adult", "shown_route": "", "choose_route": "yes"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert "hidden" not in _section(page, "adult")
    assert " hidden" in _section(page, "child")
    assert 'name="choose_route"' not in page
    assert 'name="shown_route" value="adult"' in page
    assert "There is a problem" not in page
    adult = page[page.index('data-route-fields="adult"') : page.index('data-route-fields="dhr"')]
    assert "Safeguarding adult review (mandatory)" in adult
    assert "Local child safeguarding practice review" not in adult
    assert "adult-referral_date_day" in adult
    assert "incident_aware_date" not in adult


def test_continuing_without_a_route_asks_only_for_the_route(admin_client):
    response = admin_client.post(
        reverse("reviews:case_create"), {"shown_route": "", "choose_route": "yes"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose the route the case is on" in page
    assert "Enter the case" not in page


def test_changing_the_route_without_a_script_shows_the_new_routes_questions(admin_client):
    case = CaseFactory.create(reference="CR-ROUTE-1")
    data = form_data(reference="CR-ROUTE-1", pseudonym="Kept", route="dhr") | {
        "shown_route": "child"
    }
    response = admin_client.post(reverse("reviews:case_edit", args=[case.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "You have changed the route" in page
    assert "hidden" not in _section(page, "dhr")
    assert 'value="Kept"' in page
    case.refresh_from_db()
    assert case.route == "child"


def test_saving_a_new_route_clears_the_milestones_it_does_not_use(admin_client):
    case = CaseFactory.create(reference="CR-ROUTE-2")
    data = form_data(
        reference="CR-ROUTE-2",
        route="adult",
        referral_date=D(2024, 5, 1),
        decision_date=D(2024, 5, 20),
        outcome="sar_mandatory",
    )
    # A browser with the script sent the child route's hidden answers too: they are ignored.
    data |= {"child-incident_aware_date_day": "4", "child-incident_aware_date_month": "3"}
    response = admin_client.post(reverse("reviews:case_edit", args=[case.pk]), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.route, case.outcome, case.referral_date) == (
        "adult",
        "sar_mandatory",
        D(2024, 5, 1),
    )
    assert case.incident_aware_date is None
    event = AuditEvent.objects.get(object_type="reviews.case", kind="update")
    assert event.changes["incident_aware_date"]["from"] == "2024-03-04"


def test_changing_a_case_keeps_the_answers_the_new_route_shares(admin_client):
    case = CaseFactory.create(
        route="adult",
        incident_aware_date=None,
        panel_notified_date=None,
        referral_date=D(2024, 1, 5),
        outcome="no_sar",
    )
    page = admin_client.get(reverse("reviews:case_edit", args=[case.pk])).content.decode()
    local = page[page.index('data-route-fields="local"') :]
    assert re.search(r'name="local-referral_date_day"[^>]*value="5"', local)
    assert 'value="no_sar" selected' not in local


def test_messages_name_milestones_and_routes_in_words():
    problems = dict(
        case_problems(
            {
                "route": "child",
                "outcome": "no_dhr",
                "referral_date": D(2024, 1, 1),
                "incident_aware_date": D(2030, 1, 2),
            },
            today=D(2026, 12, 3),
        )
    )
    assert problems["outcome"] == (
        "No domestic homicide review is not an outcome of a child serious incident: choose "
        "lcspr for local child safeguarding practice review, no_lcspr for no local review or "
        "national for national review"
    )
    assert problems["referral_date"] == (
        "Referral received is not a milestone of a child serious incident: leave it blank"
    )
    assert problems["incident_aware_date"] == (
        "Local authority aware of the serious incident must be today or in the past "
        "(it says 2 January 2030)"
    )
    assert not any("_date" in message or "'" in message for message in problems.values())


def test_dates_are_checked_even_when_the_route_is_unknown():
    problems = case_problems(
        {"route": "elsewhere", "decision_date": D(2030, 1, 2)}, today=D(2026, 12, 3)
    )
    assert problems == [
        ("route", "Enter the route the case is on: child, adult, dhr or local"),
        ("decision_date", "Decision made must be today or in the past (it says 2 January 2030)"),
    ]
