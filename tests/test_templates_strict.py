"""A template that reads a missing name fails in the tests (a misspelt key cannot render
blank), while the GOV.UK Frontend macros still test their own optional parameters."""

import logging

import pytest
from django.template import engines
from jinja2 import DictLoader, UndefinedError

from config.jinja2 import LenientProjectUndefined, ProjectUndefined


@pytest.fixture
def env():
    """The project's Jinja2 environment, with extra project templates in memory."""
    environment = engines["jinja2"].env  # type: ignore[attr-defined]
    loader = environment.loader
    environment.loader = type(loader)(
        [
            DictLoader(
                {
                    "project/typo.html": "Hello {{ persn.name }}",
                    "project/attribute.html": "Hello {{ person.nmae }}",
                    "project/truth.html": "{% if shwo %}shown{% endif %}",
                    "project/loop.html": "{% for row in rwos %}{{ row }}{% endfor %}",
                    "project/optional.html": "{% if started is defined and started %}"
                    "started{% endif %}{{ note|default('no note') }}",
                    "project/button.html": '{% from "govuk_frontend_jinja/components/'
                    'button/macro.html" import govukButton %}{{ govukButton({"text": "Save"}) }}',
                    "project/input.html": '{% from "govuk_frontend_jinja/components/input/'
                    'macro.html" import govukInput %}'
                    '{{ govukInput({"label": {"text": "Name"}, "id": "name", "name": "name"}) }}',
                }
            ),
            *loader.loaders,
        ]
    )
    yield environment
    environment.loader = loader


def test_the_test_settings_use_the_strict_undefined(env):
    assert env.undefined is ProjectUndefined


@pytest.mark.parametrize(
    ("name", "context", "missing"),
    [
        ("project/typo.html", {"person": {"name": "Ann"}}, "persn"),
        ("project/attribute.html", {"person": {"name": "Ann"}}, "nmae"),
        ("project/truth.html", {"show": True}, "shwo"),
        ("project/loop.html", {"rows": [1]}, "rwos"),
    ],
)
def test_a_project_template_reading_a_missing_name_fails(env, name, context, missing):
    with pytest.raises(UndefinedError, match=missing) as error:
        env.get_template(name).render(context)
    assert name in str(error.value)


def test_defined_tests_and_defaults_still_work(env):
    template = env.get_template("project/optional.html")
    assert template.render({}) == "no note"
    assert template.render({"started": True, "note": "A"}) == "startedA"


def test_govuk_macros_called_without_optional_params_work(env):
    button = env.get_template("project/button.html").render({})
    assert "govuk-button" in button
    assert "Save" in button
    field = env.get_template("project/input.html").render({})
    assert 'id="name"' in field
    assert "govuk-hint" not in field


def test_production_logs_a_missing_name_and_renders_blank(env, caplog):
    env.undefined = LenientProjectUndefined
    try:
        with caplog.at_level(logging.WARNING, logger="sightline.templates"):
            assert env.get_template("project/truth.html").render({}) == ""
    finally:
        env.undefined = ProjectUndefined
    assert "project/truth.html" in caplog.text
    assert "shwo" in caplog.text


def test_production_stays_quiet_about_the_govuk_macros_optional_parameters(env, caplog):
    env.undefined = LenientProjectUndefined
    try:
        with caplog.at_level(logging.WARNING, logger="sightline.templates"):
            page = env.get_template("project/input.html").render({})
    finally:
        env.undefined = ProjectUndefined
    assert 'name="name"' in page
    assert caplog.text == ""
