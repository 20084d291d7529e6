"""Every field of every form says what to do in Sightline's own words, never Django's default
("This field is required.", "Enter a whole number."): a new form cannot bring them back."""

import datetime
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django import forms
from django.core import validators

import sightline

CHECKED = ("required", "invalid", "min_value", "max_value")


def _form_modules() -> Iterator[str]:
    for module in pkgutil.walk_packages(sightline.__path__, "sightline."):
        leaf = module.name.rsplit(".", 1)[-1]
        if ".tests" in module.name or ".migrations" in module.name:
            continue
        if leaf.startswith("forms") or ".forms." in module.name:
            yield module.name


def form_classes() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for name in _form_modules():
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__.startswith("sightline."):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[key] for key in sorted(found)]


def django_defaults(field: forms.Field, key: str) -> set[str]:
    """Django's own messages for ``key`` on this kind of field and its validators."""
    defaults = {
        str(klass.__dict__["default_error_messages"][key])
        for klass in type(field).__mro__
        if key in klass.__dict__.get("default_error_messages", {})
    }
    for validator in (validators.MinValueValidator, validators.MaxValueValidator):
        if validator.code == key:
            defaults.add(str(validator.message))
    return defaults


def applicable(field: forms.Field, key: str) -> bool:
    if key == "required":
        return field.required and not isinstance(field.widget, forms.HiddenInput)
    if key in ("min_value", "max_value"):
        kinds = {
            "min_value": validators.MinValueValidator,
            "max_value": validators.MaxValueValidator,
        }
        return any(isinstance(each, kinds[key]) for each in field.validators)
    # "invalid" matters where typing can make a value that is not one: numbers, dates, emails,
    # web addresses (choices and plain text cannot be typed wrong).
    typed = not isinstance(
        field, forms.ChoiceField | forms.CharField | forms.BooleanField | forms.FileField
    ) or isinstance(field, forms.EmailField | forms.URLField)
    return key in field.error_messages and typed


def django_messages(name: str, field: forms.Field) -> list[str]:
    """The checked messages this field leaves to Django: its default, or none of its own (a
    range validator then speaks for itself)."""
    return [
        f"{name}: {key}"
        for key in CHECKED
        if applicable(field, key)
        and (
            key not in field.error_messages
            or str(field.error_messages[key]) in django_defaults(field, key)
        )
    ]


def test_the_walk_finds_the_projects_forms():
    names = {form.__name__ for form in form_classes()}
    assert {"CaseForm", "RouteDetailsForm", "AuditFilterForm", "EvaluationForm"} <= names
    assert len(names) > 50


def _samples() -> dict[str, Any]:
    from sightline.accounts.models import User
    from sightline.assurance.scoring import Matrix

    delegate = SimpleNamespace(full_name="Ada Attender", email="ada@example.org")
    return {
        "agencies": [],
        "questions": ["Was the plan followed?"],
        "today": datetime.date(2026, 12, 3),
        "matrix": Matrix(),
        "number": 1,
        "owners": [],
        "trainers": User.objects.none(),
        "bookings": [SimpleNamespace(pk=1, delegate=delegate, attendance="")],
        "years": [2024],
        "route": "child",
        "codes": ["child.notification"],
        "object_types": [],
        "options": {"agencies": [], "groups": [], "leads": [], "themes": []},
        "datasets": ["Contacts"],
        "groups": [],
        "creating": True,
        "sectors": [("health", "Health")],
        "current": {},
        "meetings": [],
        "reviews": [],
        "candidates": [],
        "themes": [],
    }


def make_form(form_class: type[forms.BaseForm]) -> forms.BaseForm:
    """The form as a page makes it, so fields added or changed when it is made are walked."""
    samples = _samples()
    needed = {
        name: samples[name]
        for name, parameter in inspect.signature(form_class.__init__).parameters.items()
        if parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty
    }
    return form_class(**needed)


@pytest.mark.parametrize("form_class", form_classes(), ids=lambda form: form.__qualname__)
def test_every_field_has_sightlines_own_messages(db, form_class):
    form = make_form(form_class)
    leaks = [
        problem for name, field in form.fields.items() for problem in django_messages(name, field)
    ]
    assert not leaks, f"{form_class.__qualname__} shows Django's own messages for {leaks}"


@pytest.mark.parametrize("form_class", form_classes(), ids=lambda form: form.__qualname__)
def test_every_number_field_reads_numbers_as_people_write_them(db, form_class):
    from sightline.core.forms import DecimalNumberField, WholeNumberField

    form = make_form(form_class)
    plain = [
        name
        for name, field in form.fields.items()
        if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField)
        and not isinstance(field, WholeNumberField | DecimalNumberField)
        and not isinstance(field.widget, forms.HiddenInput)
    ]
    assert not plain, (
        f"{form_class.__qualname__}: use WholeNumberField or DecimalNumberField for {plain}"
    )


def test_the_check_catches_djangos_defaults():
    assert django_messages("count", forms.IntegerField(min_value=1)) == [
        "count: required",
        "count: invalid",
        "count: min_value",
    ]
    assert django_messages("when", forms.DateField(required=False)) == ["when: invalid"]


@pytest.mark.parametrize(
    ("typed", "value"), [("1,200", 1200), ("1 200", 1200), (" 12 ", 12), ("1\u00a0200", 1200)]
)
def test_whole_numbers_are_read_as_people_write_them(typed, value):
    from sightline.core.forms import WholeNumberField

    assert WholeNumberField(what="the number of cases audited").clean(typed) == value


def test_whole_number_messages_say_what_to_enter():
    from sightline.core.forms import WholeNumberField

    field = WholeNumberField(what="the number of cases audited", min_value=0, max_value=500)
    for typed, message in [
        ("", "Enter the number of cases audited, like 12"),
        ("twelve", "Enter the number of cases audited as a whole number, like 12"),
        ("12.5", "Enter the number of cases audited as a whole number, like 12"),
        ("-1", "The number of cases audited must be 0 or more"),
        ("1,200", "The number of cases audited must be 500 or less"),
    ]:
        with pytest.raises(forms.ValidationError) as raised:
            field.clean(typed)
        assert raised.value.messages == [message]
    assert 'inputmode="numeric"' in str(field.widget.render("n", ""))
    assert "min=" not in str(field.widget.render("n", ""))


def test_decimal_numbers_drop_thousands_separators():
    from decimal import Decimal

    from sightline.core.forms import DecimalNumberField

    field = DecimalNumberField(what="the threshold", max_digits=12, decimal_places=2)
    assert field.clean("1,200.50") == Decimal("1200.50")
    with pytest.raises(forms.ValidationError) as raised:
        field.clean("1.234")
    assert raised.value.messages == ["The threshold has too many numbers after the decimal point"]


DATE_LIKE = re.compile(
    r"\b\d{1,2} \d{1,2} (?P<a>\d{4})\b"  # a date input's example, like 27 3 2026
    r"|(?<![-\w])(?P<b>\d{4})-\d{2}\b"  # a financial year, like 2026-27
    r"|(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December) (?P<c>\d{4})"
)


@pytest.mark.parametrize("form_class", form_classes(), ids=lambda form: form.__qualname__)
def test_hints_with_dates_are_worked_out_from_today(db, form_class):
    with time_machine.travel(datetime.datetime(2031, 6, 15, 12, tzinfo=datetime.UTC)):
        form = make_form(form_class)
        hints = {name: str(field.help_text) for name, field in form.fields.items()}
    stale = {
        name: hint
        for name, hint in hints.items()
        for match in DATE_LIKE.finditer(hint)
        if not 2030 <= int(match.group("a") or match.group("b") or match.group("c")) <= 2033
    }
    assert not stale, f"{form_class.__qualname__} has hints with fixed dates: {stale}"


def test_a_hint_follows_the_date_it_is_shown_on():
    from sightline.core.forms import date_hint, financial_year_hint

    hint = date_hint(days=90, before="At most 12 months from today.")
    fy = financial_year_hint(quarter=True)
    with time_machine.travel(datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC)):
        assert str(hint) == "At most 12 months from today. For example, 3 3 2027"
        assert str(fy) == "For example 2026-27 Q1"
    with time_machine.travel(datetime.datetime(2027, 2, 1, 12, tzinfo=datetime.UTC)):
        assert str(hint) == "At most 12 months from today. For example, 2 5 2027"
        assert str(fy) == "For example 2026-27 Q1"
