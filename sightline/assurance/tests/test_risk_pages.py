"""The risk register's pages through the test client: who may see and do what, what each page
says, the refusals with their messages (a 4xx, nothing saved), the download and its access
log, and query counts that stay the same when the rows grow tenfold."""

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sightline.assurance.models import Risk, RiskAcceptance, RiskAssessment, RiskSettings
from sightline.assurance.vocabulary import RiskStatus
from sightline.core.models import AccessLogEntry, AuditEvent
from sightline.core.roles import Role
from sightline.core.tests.pages import client_for, page_text
from sightline.learning.tests.factories import ActionFactory

from .factories import (
    RiskAcceptanceFactory,
    RiskAssessmentFactory,
    RiskControlFactory,
    RiskFactory,
)

text = page_text

pytestmark = pytest.mark.django_db

OTHER_ROLES = [
    Role.REVIEW_OFFICER,
    Role.REVIEW_GROUP_MEMBER,
    Role.AGENCY_LEAD,
    Role.TRAINER,
    Role.PRACTITIONER,
]


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMINISTRATOR, full_name="Ada Admin")


@pytest.fixture
def executive(make_user):
    return make_user(Role.EXECUTIVE, full_name="Eve Executive")


@pytest.fixture
def as_admin(admin):
    return client_for(admin)


@pytest.fixture
def as_executive(executive):
    return client_for(executive)


@pytest.fixture
def risk(executive):
    """A risk above appetite (residual 12) owned by the executive member, with history."""
    risk = RiskFactory.create(
        reference="SR-07",
        title="Front door overwhelmed",
        owner=executive,
        residual_likelihood=3,
        residual_impact=4,
        opened_on=timezone.localdate() - days(60),
        last_reviewed_on=timezone.localdate() - days(20),
        next_review_on=timezone.localdate() + days(10),
    )
    RiskAssessmentFactory.create(
        risk=risk,
        assessed_on=timezone.localdate() - days(60),
        residual_likelihood=4,
        residual_impact=4,
        note="Added",
    )
    RiskAssessmentFactory.create(
        risk=risk, assessed_on=timezone.localdate() - days(20), note="Triage team started"
    )
    return risk


def urls_for(risk: Risk) -> dict[str, str]:
    return {
        name: reverse(f"assurance:{name}", kwargs={"pk": risk.pk})
        for name in (
            "risk_detail",
            "risk_edit",
            "risk_review",
            "risk_accept",
            "risk_close",
            "risk_actions",
        )
    }


# --- Who may do what -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["risk_list", "risk_heatmap", "risk_create", "risk_settings"])
@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused_the_register(make_user, role, name):
    client = client_for(make_user(role))
    assert client.get(reverse(f"assurance:{name}")).status_code == 403
    assert client.get(reverse("assurance:risk_export", kwargs={"fmt": "csv"})).status_code == 403


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused_a_risk(make_user, role, risk):
    client = client_for(make_user(role))
    for url in urls_for(risk).values():
        assert client.get(url).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, risk):
    response = client.get(reverse("assurance:risk_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_an_administrator_may_use_every_page(as_admin, risk):
    for name in ("risk_list", "risk_heatmap", "risk_create", "risk_settings"):
        assert as_admin.get(reverse(f"assurance:{name}")).status_code == 200
    for url in urls_for(risk).values():
        assert as_admin.get(url).status_code == 200


def test_an_executive_member_sees_reviews_and_accepts_but_does_not_keep_the_register(
    as_executive, risk
):
    for name in ("risk_list", "risk_heatmap"):
        assert as_executive.get(reverse(f"assurance:{name}")).status_code == 200
    for name in ("risk_create", "risk_settings"):
        assert as_executive.get(reverse(f"assurance:{name}")).status_code == 403
    urls = urls_for(risk)
    for name in ("risk_detail", "risk_review", "risk_accept", "risk_actions"):
        assert as_executive.get(urls[name]).status_code == 200, name
    for name in ("risk_edit", "risk_close"):
        assert as_executive.get(urls[name]).status_code == 403, name


def test_only_the_owner_among_executive_members_reviews_a_risk(make_user, risk):
    other = client_for(make_user(Role.EXECUTIVE))
    urls = urls_for(risk)
    assert other.get(urls["risk_detail"]).status_code == 200
    assert other.get(urls["risk_accept"]).status_code == 200
    assert other.get(urls["risk_review"]).status_code == 403
    assert other.get(urls["risk_actions"]).status_code == 403
    page = text(other.get(urls["risk_detail"]))
    assert "Review the risk" not in page
    assert "Accept above appetite" in page


def test_an_unknown_risk_is_not_found(as_admin):
    assert as_admin.get(reverse("assurance:risk_detail", kwargs={"pk": 999})).status_code == 404


# --- The register --------------------------------------------------------------------------


def test_the_register_lists_open_risks_with_levels_and_flags(as_admin, risk, executive):
    today = timezone.localdate()
    RiskFactory.create(reference="SR-01", title="Late reviews", next_review_on=today - days(1))
    accepted = RiskFactory.create(
        reference="SR-02",
        title="Budget gap",
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=4,
        residual_impact=5,
    )
    RiskAcceptanceFactory.create(risk=accepted, until=today + days(30))
    RiskFactory.create(
        reference="SR-03", title="Old risk", status=RiskStatus.CLOSED, closed_on=today
    )

    page = text(as_admin.get(reverse("assurance:risk_list")))

    assert "3 risks" in page
    assert "Old risk" not in page
    assert page.index("SR-02") < page.index("SR-07") < page.index("SR-01")
    assert "Review overdue" in page
    assert f"Accepted until {(today + days(30)).day} " in page
    assert "Above appetite" in page  # SR-07, 12, not accepted
    assert "Very high" in page
    assert "Add a risk" in page
    assert "Risk settings" in page


def test_the_register_filters(as_admin, risk):
    RiskFactory.create(reference="SR-01", next_review_on=timezone.localdate() - days(1))
    url = reverse("assurance:risk_list")

    page = text(as_admin.get(url, {"overdue": "on"}))
    assert "1 risk Risks" in page
    assert "SR-01" in page
    assert "SR-07" not in page

    page = text(as_admin.get(url, {"appetite": "unaccepted"}))
    assert "SR-07" in page
    assert "SR-01" not in page

    page = text(as_admin.get(url, {"scores": "residual", "likelihood": "3", "impact": "4"}))
    assert "SR-07" in page
    assert "SR-01" not in page
    assert "Residual likelihood 3: possible and impact 4: major" in page


def test_an_executive_member_sees_no_keeping_links(as_executive, risk):
    page = text(as_executive.get(reverse("assurance:risk_list")))
    assert "SR-07" in page
    assert "Add a risk" not in page
    assert "Risk settings" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"level": "extreme"}, "Choose a level from the list"),
        ({"likelihood": "lots"}, "The likelihood must be a whole number"),
        ({"scores": "gross"}, "Choose inherent or residual scores"),
        ({"owner": "99999"}, "Choose an owner from the list"),
    ],
)
def test_bad_filters_answer_400_saying_what_to_do(as_admin, risk, query, message):
    response = as_admin.get(reverse("assurance:risk_list"), query)
    assert response.status_code == 400
    assert message in text(response)


# --- The heat map --------------------------------------------------------------------------


def test_the_heat_map_counts_open_risks_in_cells_and_in_a_table(as_admin, risk):
    RiskFactory.create(
        inherent_likelihood=5, inherent_impact=5, residual_likelihood=4, residual_impact=5
    )
    RiskFactory.create(status=RiskStatus.CLOSED, closed_on=timezone.localdate())

    response = as_admin.get(reverse("assurance:risk_heatmap"))
    page = text(response)
    assert "2 open risks by their residual scores" in page
    assert "1 open risk, score 20, very high" in page
    assert "1 open risk, score 12, high" in page
    assert "0 open risks, score 25, very high" in page
    link = f"{reverse('assurance:risk_list')}?scores=residual&amp;likelihood=4&amp;impact=5"
    assert link in response.content.decode()
    assert "The same figures as a table" in page
    assert "Cells with no open risks are left out" in page
    assert 'style="' not in response.content.decode()
    assert "<script>" not in response.content.decode()

    page = text(as_admin.get(reverse("assurance:risk_heatmap"), {"scores": "inherent"}))
    assert "by their inherent scores" in page
    assert "1 open risk, score 25, very high" in page
    assert "1 open risk, score 16, very high" in page


def test_the_heat_map_refuses_unknown_scores(as_admin):
    response = as_admin.get(reverse("assurance:risk_heatmap"), {"scores": "gross"})
    assert response.status_code == 400
    assert "Choose inherent or residual scores" in text(response)


# --- A risk's page -------------------------------------------------------------------------


def test_a_risks_page_shows_scores_controls_actions_acceptance_and_history(as_admin, risk):
    RiskControlFactory.create(risk=risk, description="Daily triage", effectiveness="effective")
    action = ActionFactory.create(reference="R-2024-01/A1")
    risk.actions.add(action)
    RiskAcceptanceFactory.create(risk=risk, reason="Funding agreed")

    response = as_admin.get(reverse("assurance:risk_detail", kwargs={"pk": risk.pk}))
    page = text(response)

    assert "SR-07: Front door overwhelmed" in page
    assert "16 (likelihood 4: likely, impact 4: major)" in page
    assert "12 (likelihood 3: possible, impact 4: major)" in page
    assert "Daily triage" in page
    assert "Effective" in page
    assert "R-2024-01/A1" in page
    assert "Funding agreed" in page
    assert "(in force)" in page
    assert "Accepted until" in page
    assert "Triage team started" in page
    assert "A high risk is reviewed at least every 30 days" in page
    assert "2 assessments from" in page
    assert "The residual score went from 16 to 12" in page
    content = response.content.decode()
    assert "<svg" in content
    assert "<polyline" in content
    assert 'style="' not in content
    for label in ("Review the risk", "Change the risk", "Close the risk", "Mitigating actions"):
        assert label in page


def test_a_closed_risk_offers_no_changes(as_admin, risk):
    Risk.objects.filter(pk=risk.pk).update(status=RiskStatus.CLOSED, closed_on=timezone.localdate())
    page = text(as_admin.get(reverse("assurance:risk_detail", kwargs={"pk": risk.pk})))
    assert "Closed" in page
    for label in ("Review the risk", "Change the risk", "Close the risk", "Accept above appetite"):
        assert label not in page


# --- Adding and changing -------------------------------------------------------------------


def risk_form(owner, /, **overrides: Any) -> dict[str, Any]:
    data = {
        "reference": "SR-30",
        "title": "Missing children not followed up",
        "category": "operational",
        "owner": str(owner.pk),
        "cause": "Return interviews are late.",
        "consequence": "Exploitation is missed.",
        "inherent_likelihood": "4",
        "inherent_impact": "5",
        "residual_likelihood": "3",
        "residual_impact": "3",
        "residual_reason": "",
        "next_review_on_day": "",
        "next_review_on_month": "",
        "next_review_on_year": "",
        "controls-TOTAL_FORMS": "3",
        "controls-INITIAL_FORMS": "0",
        "controls-MIN_NUM_FORMS": "0",
        "controls-MAX_NUM_FORMS": "50",
        "controls-0-description": "Weekly missing panel",
        "controls-0-effectiveness": "partly",
    }
    return data | overrides


def test_adding_a_risk(as_admin, admin, executive):
    response = as_admin.post(reverse("assurance:risk_create"), risk_form(executive))
    risk = Risk.objects.get(reference="SR-30")
    assert response.status_code == 302
    assert response["Location"] == risk.get_absolute_url()
    assert risk.residual_score == 9
    assert risk.next_review_on == timezone.localdate() + days(90)
    assert list(risk.controls.values_list("description", flat=True)) == ["Weekly missing panel"]
    assert risk.assessments.count() == 1
    page = text(as_admin.get(risk.get_absolute_url()))
    assert "SR-30 has been saved" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"inherent_likelihood": "6"}, "Enter an inherent likelihood from 1 to 5"),
        ({"residual_impact": "0"}, "Enter a residual impact from 1 to 5"),
        ({"residual_impact": "high"}, "Enter a residual impact from 1 to 5"),
        ({"inherent_impact": ""}, "Enter an inherent impact from 1 to 5"),
        (
            {"residual_likelihood": "5", "residual_impact": "5"},
            "The residual score (25) is above the inherent score (20): give the reason, or "
            "lower the residual likelihood or impact",
        ),
        ({"title": ""}, "Enter the risk's title"),
        ({"owner": ""}, "Choose who owns the risk"),
        ({"controls-1-description": "No rating"}, "Choose how effective control 2 is"),
        ({"controls-2-effectiveness": "effective"}, "Describe control 3, or leave it blank"),
    ],
)
def test_adding_a_risk_with_bad_input_answers_400_and_saves_nothing(
    as_admin, executive, overrides, message
):
    events = AuditEvent.objects.count()
    response = as_admin.post(reverse("assurance:risk_create"), risk_form(executive, **overrides))
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert message in page
    assert not Risk.objects.exists()
    assert not RiskAssessment.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_review_date_in_the_past_on_creation_answers_400(as_admin, executive):
    past = timezone.localdate() - days(1)
    response = as_admin.post(
        reverse("assurance:risk_create"),
        risk_form(
            executive,
            next_review_on_day=str(past.day),
            next_review_on_month=str(past.month),
            next_review_on_year=str(past.year),
        ),
    )
    assert response.status_code == 400
    assert "The next review date must be today or in the future" in text(response)
    assert not Risk.objects.exists()


def test_every_problem_on_the_form_is_shown_at_once(as_admin, executive):
    past = timezone.localdate() - days(1)
    response = as_admin.post(
        reverse("assurance:risk_create"),
        risk_form(
            executive,
            title="",
            inherent_likelihood="9",
            next_review_on_day=str(past.day),
            next_review_on_month=str(past.month),
            next_review_on_year=str(past.year),
            **{"controls-0-effectiveness": ""},
        ),
    )
    assert response.status_code == 400
    page = text(response)
    for message in (
        "Enter the risk's title",
        "Enter an inherent likelihood from 1 to 5",
        "The next review date must be today or in the future",
        "Choose how effective control 1 is",
    ):
        assert message in page
    content = response.content.decode()
    assert 'href="#id_inherent_likelihood"' in content
    assert 'href="#id_next_review_on_day"' in content
    assert 'href="#id_controls-0-effectiveness"' in content


def test_a_duplicate_reference_ignoring_case_answers_400(as_admin, executive, risk):
    response = as_admin.post(
        reverse("assurance:risk_create"), risk_form(executive, reference="sr-07")
    )
    assert response.status_code == 400
    assert "A risk with the reference sr-07 already exists" in text(response)
    assert Risk.objects.count() == 1


def test_changing_a_risk_keeps_its_scores_and_edits_its_controls(as_admin, risk, executive):
    control = RiskControlFactory.create(risk=risk, description="Old control")
    url = reverse("assurance:risk_edit", kwargs={"pk": risk.pk})
    page = text(as_admin.get(url))
    assert "Old control" in page
    assert "Inherent likelihood" not in page

    data = {
        "reference": "SR-07",
        "title": "Front door still overwhelmed",
        "category": "operational",
        "owner": str(executive.pk),
        "cause": risk.cause,
        "consequence": risk.consequence,
        "controls-TOTAL_FORMS": "3",
        "controls-INITIAL_FORMS": "1",
        "controls-MIN_NUM_FORMS": "0",
        "controls-MAX_NUM_FORMS": "50",
        "controls-0-pk": str(control.pk),
        "controls-0-description": "Old control",
        "controls-0-effectiveness": "partly",
        "controls-0-remove": "on",
        "controls-1-description": "New control",
        "controls-1-effectiveness": "effective",
    }
    response = as_admin.post(url, data)
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.title == "Front door still overwhelmed"
    assert risk.residual_score == 12
    assert list(risk.controls.values_list("description", flat=True)) == ["New control"]


# --- Reviews, acceptance, closing ----------------------------------------------------------


def review_form(**overrides: str) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "assessed_on_day": str(today.day),
        "assessed_on_month": str(today.month),
        "assessed_on_year": str(today.year),
        "inherent_likelihood": "4",
        "inherent_impact": "4",
        "residual_likelihood": "5",
        "residual_impact": "4",
        "residual_reason": "The triage team left.",
        "note": "Staff left; the risk grew.",
    }
    return data | overrides


def test_the_owner_records_a_review(as_executive, risk):
    url = reverse("assurance:risk_review", kwargs={"pk": risk.pk})
    page = text(as_executive.get(url))
    assert "Residual score now" in page
    response = as_executive.post(url, review_form())
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.residual_score == 20
    assert risk.next_review_on == timezone.localdate() + days(14)
    assert risk.assessments.count() == 3
    assert "The review has been recorded" in text(as_executive.get(risk.get_absolute_url()))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"residual_likelihood": "7"}, "Enter a residual likelihood from 1 to 5"),
        (
            {"residual_reason": ""},
            "The residual score (20) is above the inherent score (16): give the reason",
        ),
        ({"note": ""}, "Say what the review found"),
        ({"assessed_on_year": "2999"}, "Date of the review must be today or in the past"),
    ],
)
def test_a_bad_review_answers_400_and_saves_nothing(as_executive, risk, overrides, message):
    response = as_executive.post(
        reverse("assurance:risk_review", kwargs={"pk": risk.pk}), review_form(**overrides)
    )
    assert response.status_code == 400
    assert message in text(response)
    assert risk.assessments.count() == 2
    assert Risk.objects.get(pk=risk.pk).residual_score == 12


def date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def test_an_executive_member_accepts_a_risk_above_appetite(as_executive, executive, risk):
    url = reverse("assurance:risk_accept", kwargs={"pk": risk.pk})
    until = timezone.localdate() + days(60)
    response = as_executive.post(
        url, {"reason": "Funding agreed from April"} | date_fields("until", until)
    )
    assert response.status_code == 302
    acceptance = RiskAcceptance.objects.get(risk=risk)
    assert (acceptance.accepted_by, acceptance.until) == (executive, until)
    page = text(as_executive.get(risk.get_absolute_url()))
    assert "The acceptance has been recorded" in page
    assert "accepted by Eve Executive until" in page


@pytest.mark.parametrize(
    ("months", "reason", "message"),
    [
        (13, "Funding", "An acceptance lasts at most 12 months"),
        (0, "Funding", "The date the acceptance lasts until must be in the future"),
        (2, "", "Give the reason the partnership accepts this risk"),
    ],
)
def test_a_bad_acceptance_answers_400(as_executive, risk, months, reason, message):
    from sightline.assurance.scoring import add_months

    until = add_months(timezone.localdate(), months)
    response = as_executive.post(
        reverse("assurance:risk_accept", kwargs={"pk": risk.pk}),
        {"reason": reason} | date_fields("until", until),
    )
    assert response.status_code == 400
    assert message in text(response)
    assert not RiskAcceptance.objects.exists()


def test_a_risk_within_appetite_is_not_accepted(as_executive, executive):
    risk = RiskFactory.create(owner=executive)
    url = reverse("assurance:risk_accept", kwargs={"pk": risk.pk})
    assert "within the appetite: it does not need accepting" in text(as_executive.get(url))
    response = as_executive.post(
        url, {"reason": "Why"} | date_fields("until", timezone.localdate() + days(5))
    )
    assert response.status_code == 400
    assert "only a risk above appetite needs accepting" in text(response)


def test_closing_a_risk(as_admin, risk):
    url = reverse("assurance:risk_close", kwargs={"pk": risk.pk})
    response = as_admin.post(
        url, {"reason": "Merged into SR-01"} | date_fields("closed_on", timezone.localdate())
    )
    assert response.status_code == 302
    assert Risk.objects.get(pk=risk.pk).status == RiskStatus.CLOSED
    refused = as_admin.post(
        url, {"reason": "Again"} | date_fields("closed_on", timezone.localdate())
    )
    assert refused.status_code == 400
    assert "This risk is already closed" in text(refused)


def test_linking_and_unlinking_mitigating_actions(as_executive, risk):
    action = ActionFactory.create(reference="R-2024-01/A1")
    url = reverse("assurance:risk_actions", kwargs={"pk": risk.pk})

    refused = as_executive.post(url, {"reference": "R-1999/A9"})
    assert refused.status_code == 400
    assert "There is no learning action with the reference R-1999/A9" in text(refused)

    assert as_executive.post(url, {"reference": "r-2024-01/a1"}).status_code == 302
    assert list(risk.actions.all()) == [action]
    page = text(as_executive.get(url))
    assert "R-2024-01/A1 is now linked to this risk" in page
    assert "Unlink R-2024-01/A1" in page

    assert as_executive.post(url, {"unlink": str(action.pk)}).status_code == 302
    assert not risk.actions.exists()
    assert as_executive.post(url, {"unlink": "abc"}).status_code == 404
    assert as_executive.post(url, {"unlink": str(action.pk)}).status_code == 404


# --- Settings ------------------------------------------------------------------------------


def settings_form(**overrides: str) -> dict[str, str]:
    data = {
        "likelihood_levels": "5",
        "impact_levels": "5",
        "appetite": "9",
        "low_max": "4",
        "medium_max": "9",
        "high_max": "15",
        "review_days_low": "180",
        "review_days_medium": "90",
        "review_days_high": "30",
        "review_days_very_high": "14",
    }
    return data | overrides


def test_an_administrator_changes_the_settings(as_admin):
    url = reverse("assurance:risk_settings")
    response = as_admin.post(url, settings_form(appetite="12"))
    assert response.status_code == 302
    assert RiskSettings.current().appetite == 12
    assert "The risk settings have been saved" in text(as_admin.get(url))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"likelihood_levels": "4", "high_max": "12"}, "Open risks are scored up to likelihood 4"),
        ({"appetite": "x"}, "Enter the appetite as a whole number"),
        ({"appetite": "30"}, "Enter the appetite as a score from 1 to 25"),
        (
            {"review_days_high": ""},
            "Enter the days between reviews of a high risk, like 30",
        ),
    ],
)
def test_bad_settings_answer_400_and_change_nothing(as_admin, risk, overrides, message):
    if "likelihood_levels" in overrides:
        overrides = overrides | {"likelihood_levels": "3", "impact_levels": "5", "high_max": "12"}
        message = "Open risks are scored up to likelihood 4: the matrix needs at least 4 levels"
    response = as_admin.post(reverse("assurance:risk_settings"), settings_form(**overrides))
    assert response.status_code == 400
    assert message in text(response)
    assert RiskSettings.current().likelihood_levels == 5
    assert RiskSettings.current().appetite == 9


# --- The download --------------------------------------------------------------------------


def test_the_register_downloads_as_csv_and_xlsx_and_each_download_is_logged(
    as_executive, executive, risk
):
    RiskFactory.create(reference="=SUM(A1)", title="Formula")
    response = as_executive.get(
        reverse("assurance:risk_export", kwargs={"fmt": "csv"}), {"appetite": "above"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # a byte-order mark, for Excel
    body = response.content.decode("utf-8-sig")
    assert body.startswith("Reference,Title,Category,Owner")
    assert "SR-07" in body
    assert "SUM" not in body  # within appetite, so filtered out

    response = as_executive.get(reverse("assurance:risk_export", kwargs={"fmt": "xlsx"}))
    sheet = load_workbook(io.BytesIO(response.content)).active
    references = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert references == ["SR-07", "'=SUM(A1)"]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:W3")
    opened = [cell.value for cell in sheet["Q"]]
    assert opened[0] == "Opened"
    assert all(isinstance(value, datetime.datetime) for value in opened[1:])
    assert sheet["Q2"].number_format == "DD/MM/YYYY"

    entries = AccessLogEntry.objects.filter(user=executive, action=AccessLogEntry.Action.EXPORT)
    assert entries.count() == 2
    assert {entry.object_repr for entry in entries} == {
        "Risk register (CSV)",
        "Risk register (XLSX)",
    }


def test_the_download_refuses_other_formats_and_bad_filters(as_admin):
    assert as_admin.get(reverse("assurance:risk_export", kwargs={"fmt": "pdf"})).status_code == 404
    response = as_admin.get(
        reverse("assurance:risk_export", kwargs={"fmt": "csv"}), {"level": "extreme"}
    )
    assert response.status_code == 400
    assert "Choose a level from the list" in text(response)
    assert not AccessLogEntry.objects.exists()


# --- Query counts --------------------------------------------------------------------------


def assert_queries_flat(
    client: Client, url: str, grow: Callable[[int], None], expected: int, assert_num_queries
) -> None:
    """The page takes ``expected`` queries with a few rows and with ten times as many."""
    grow(1)
    with assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow(9)
    with assert_num_queries(expected):
        assert client.get(url).status_code == 200


def grow_register(times: int) -> None:
    today = timezone.localdate()
    for n in range(times * 3):
        owner_risk = RiskFactory.create(next_review_on=today - days(n % 2))
        RiskAssessmentFactory.create(risk=owner_risk)
        RiskControlFactory.create(risk=owner_risk)
        accepted = RiskFactory.create(
            inherent_likelihood=5, inherent_impact=5, residual_likelihood=4, residual_impact=4
        )
        RiskAcceptanceFactory.create(risk=accepted)
        RiskFactory.create(residual_likelihood=3, residual_impact=4)  # above, not accepted
        RiskFactory.create(status=RiskStatus.CLOSED, closed_on=today)


@pytest.fixture
def settings_row(db):
    return RiskSettings.current()


# Every signed-in request reads the session, the user and their memberships: three of each
# page's count (the session is written back at most once a minute, not within these tests).


def test_register_queries_do_not_grow(as_admin, settings_row, django_assert_num_queries):
    assert_queries_flat(
        as_admin, reverse("assurance:risk_list"), grow_register, 7, django_assert_num_queries
    )


@pytest.mark.parametrize(
    "query",
    [
        "?appetite=above&level=very_high&page=2",
        "?overdue=on&category=operational&status=open",
        "?appetite=unaccepted&status=all",
        "?scores=inherent&likelihood=5&impact=5",
    ],
)
def test_filtered_register_queries_do_not_grow(
    as_admin, settings_row, django_assert_num_queries, query
):
    url = reverse("assurance:risk_list") + query
    assert_queries_flat(as_admin, url, grow_register, 7, django_assert_num_queries)


def test_heat_map_queries_do_not_grow(as_executive, settings_row, django_assert_num_queries):
    assert_queries_flat(
        as_executive,
        reverse("assurance:risk_heatmap"),
        grow_register,
        5,
        django_assert_num_queries,
    )


def test_risk_page_queries_do_not_grow(as_admin, risk, settings_row, django_assert_num_queries):
    def grow(times: int) -> None:
        for n in range(times * 2):
            RiskAssessmentFactory.create(risk=risk, assessed_on=timezone.localdate() - days(n))
            RiskControlFactory.create(risk=risk)
            risk.actions.add(ActionFactory.create())
            RiskAcceptanceFactory.create(risk=risk)

    assert_queries_flat(as_admin, risk.get_absolute_url(), grow, 9, django_assert_num_queries)


def test_mitigating_actions_page_queries_do_not_grow(
    as_admin, risk, settings_row, django_assert_num_queries
):
    def grow(times: int) -> None:
        for _ in range(times * 2):
            risk.actions.add(ActionFactory.create())

    url = reverse("assurance:risk_actions", kwargs={"pk": risk.pk})
    assert_queries_flat(as_admin, url, grow, 5, django_assert_num_queries)


def test_export_queries_do_not_grow(as_admin, settings_row, django_assert_num_queries):
    def grow(times: int) -> None:
        grow_register(times)
        for item in Risk.objects.all()[: times * 2]:
            item.actions.add(ActionFactory.create())

    url = reverse("assurance:risk_export", kwargs={"fmt": "csv"}) + "?status=all"
    assert_queries_flat(as_admin, url, grow, 9, django_assert_num_queries)
