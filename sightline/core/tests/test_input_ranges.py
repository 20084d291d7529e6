"""Every input has a range: the five causes of a 500 the fuzzing found, each answered with a
message instead, and the central limits that answer them."""

import datetime
from typing import Any

import pytest
from django import forms
from django.urls import reverse

from conftest import PASSWORD
from sightline.accounts.models import Agency
from sightline.assurance.models import AuditReturn
from sightline.assurance.tests.factories import AuditReturnFactory
from sightline.core import cell_limits, ranges
from sightline.core.forms import GovukDateField, WholeNumberField
from sightline.core.roles import Role
from sightline.core.tabular import ImportRejected
from sightline.learning.models import Recommendation
from sightline.learning.services import import_learning
from sightline.reviews import services as review_services
from sightline.reviews.models import Case

# --- Redirect targets ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "abc",
        "accounts:home",
        "//evil.example/",
        "/\\evil.example",
        "/no/such/page/",
        "/a\x00b",
        "/users/\r\nSet-Cookie: x=1",
        "https://evil.example/",
        "/" + "x" * 3000,
    ],
)
def test_a_sign_in_sent_anywhere_but_a_page_here_goes_home(client, make_user, target):
    page = client.get(reverse("accounts:sign_in"), {"next": target})
    assert page.status_code == 200
    user = make_user(Role.ADMINISTRATOR)
    response = client.post(
        reverse("accounts:sign_in"), {"email": user.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")


def test_a_sign_in_sent_to_a_page_here_goes_there(client, make_user):
    user = make_user(Role.ADMINISTRATOR)
    response = client.post(
        reverse("accounts:sign_in"),
        {"email": user.email, "password": PASSWORD, "next": "/users/?page=2"},
    )
    assert response["Location"] == "/users/?page=2"


# --- Dates ---------------------------------------------------------------------------------


class DateForm(forms.Form):
    day = GovukDateField(label="The day")


def date_errors(day: str, month: str, year: str) -> list[str]:
    form = DateForm({"day_day": day, "day_month": month, "day_year": year})
    assert not form.is_valid()
    return [str(error) for error in form.errors["day"]]


@pytest.mark.parametrize(("day", "month"), [("1" * 20, "1"), ("1", "9" * 20), ("9" * 20, "9" * 20)])
def test_a_20_digit_day_or_month_is_not_a_real_date(day, month):
    assert date_errors(day, month, "2024") == ["The day must be a real date"]


@pytest.mark.parametrize("year", ["0001", "1899", "2101", "9999"])
def test_a_year_outside_1900_to_2100_is_refused(year):
    assert date_errors("1", "1", year) == ["The day: the year must be between 1900 and 2100"]


@pytest.mark.parametrize("year", ["1900", "2100"])
def test_the_years_at_each_end_are_accepted(year):
    form = DateForm({"day_day": "1", "day_month": "1", "day_year": year})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(int(year), 1, 1)


# --- Whole numbers -------------------------------------------------------------------------


class NumberForm(forms.Form):
    plain = forms.IntegerField(required=False)
    narrow = forms.IntegerField(required=False, min_value=1, max_value=5)
    written = WholeNumberField(what="the number", required=False)


@pytest.mark.parametrize("field", ["plain", "written"])
@pytest.mark.parametrize("value", ["2147483648", "-2147483649", "9" * 20])
def test_every_whole_number_field_stops_at_the_integer_columns_range(field, value):
    form = NumberForm({field: value})
    assert not form.is_valid()
    assert field in form.errors


@pytest.mark.parametrize("field", ["plain", "written"])
def test_the_integer_columns_own_limits_are_accepted(field):
    form = NumberForm({field: "2147483647"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data[field] == ranges.INTEGER_MAX


def test_a_fields_own_narrower_range_is_kept():
    field: Any = NumberForm().fields["narrow"]
    assert (field.min_value, field.max_value) == (1, 5)
    written: Any = NumberForm().fields["written"]
    assert written.max_value == ranges.INTEGER_MAX


def test_the_written_number_says_its_limit_in_words():
    form = NumberForm({"written": "2,147,483,648"})
    assert form.errors["written"] == ["The number must be 2,147,483,647 or less"]


def test_integer_bounds_narrow_only_what_is_beyond_the_column():
    assert ranges.integer_bounds(None, None) == (ranges.INTEGER_MIN, ranges.INTEGER_MAX)
    assert ranges.integer_bounds(0, 10**30) == (0, ranges.INTEGER_MAX)
    assert ranges.integer_bounds(-(10**30), 7) == (ranges.INTEGER_MIN, 7)


def test_cases_audited_beyond_the_column_is_a_message_not_a_500(make_user):
    item = AuditReturnFactory.create()
    lead = make_user(Role.AGENCY_LEAD, agency=item.agency)
    from django.test import Client

    client = Client()
    client.force_login(lead)
    url = reverse("assurance:audit_return_submit", kwargs={"pk": item.pk})
    response = client.post(
        url, {"cases_audited": "2147483648", "answer_1": "Yes", "answer_2": "No"}
    )
    assert response.status_code == 400
    assert "or less" in response.content.decode()
    assert AuditReturn.objects.get(pk=item.pk).returned_on is None


class AgencyChoice(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.all())
    agencies = forms.ModelMultipleChoiceField(queryset=Agency.objects.all(), required=False)


@pytest.mark.parametrize("number", ["9" * 20, "-" + "9" * 20, str(2**63)])
def test_a_record_number_no_key_could_have_is_not_one_of_the_choices(db, agency, number):
    form = AgencyChoice({"agency": number, "agencies": [str(agency.pk), number]})
    assert not form.is_valid()
    assert str(form.errors["agency"][0]).startswith("Select a valid choice")
    assert str(form.errors["agencies"][0]).startswith("Select a valid choice")


def test_a_record_number_in_range_is_still_chosen(db, agency):
    form = AgencyChoice({"agency": str(agency.pk), "agencies": [str(agency.pk)]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["agency"] == agency


# --- Imported cells ------------------------------------------------------------------------


def test_each_cell_is_checked_against_the_field_it_is_stored_in():
    fields = cell_limits.fields_of(Case, {"pseudonym": "pseudonym", "day": "incident_aware_date"})
    row = {"pseudonym": "P" * 300, "day": datetime.date(1, 1, 1)}
    assert cell_limits.cell_problems(7, row, fields) == [
        "line 7, column pseudonym: this is 300 characters long: the most is 80",
        "line 7, column day: the year must be between 1900 and 2100",
    ]
    assert cell_limits.cell_problems(7, row, fields, skip={"day", "pseudonym"}) == []
    fine = {"pseudonym": "P" * 80, "day": datetime.date(2100, 12, 31)}
    assert cell_limits.cell_problems(7, fine, fields) == []


def test_text_without_a_length_of_its_own_is_bounded_in_imports():
    field = Recommendation._meta.get_field("text")
    assert cell_limits.value_problem(field, "x" * cell_limits.TEXT_MAX_LENGTH) is None
    assert "the most is 10,000" in str(
        cell_limits.value_problem(field, "x" * (cell_limits.TEXT_MAX_LENGTH + 1))
    )


def test_a_case_file_with_a_300_character_pseudonym_or_year_0001_is_refused(db):
    content = (
        "reference,route,pseudonym,incident_aware_date\n"
        f"CR-1,child,{'P' * 300},2021-04-03\n"
        "CR-2,child,Child Q,0001-01-01\n"
    ).encode()
    with pytest.raises(ImportRejected) as raised:
        review_services.import_cases(actor=None, name="cases.csv", content=content)
    assert "line 2, column pseudonym: this is 300 characters long: the most is 80" in (
        raised.value.problems
    )
    # The case rules name an implausible year first; the cell is named once, not twice.
    [year] = [p for p in raised.value.problems if p.startswith("line 3, column incident")]
    assert "check the year" in year
    assert not Case.objects.exists()


def test_a_learning_tracker_with_over_long_cells_is_refused(db):
    header = (
        "recommendation_ref,source_type,source,recommendation,made_date,action_ref,agency,"
        "action,due_date,status"
    )
    row = f"{'R' * 61},other,Audit,Text,0001-01-01,R1/A1,{'A' * 300},Do it,2024-06-30,on_track"
    with pytest.raises(ImportRejected) as raised:
        import_learning(
            actor=None,
            name="t.csv",
            content=f"{header}\n{row}\n".encode(),
            create_agencies=True,
        )
    problems = raised.value.problems
    assert "line 2, column recommendation_ref: this is 61 characters long: the most is 60" in (
        problems
    )
    assert "line 2, column made_date: the year must be between 1900 and 2100" in problems
    assert any(p.startswith("line 2, column agency: this is 300 characters long") for p in problems)
    assert not Recommendation.objects.exists()
