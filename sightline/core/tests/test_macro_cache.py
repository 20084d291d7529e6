"""GOV.UK choice components rendered once for each set of parameters (core/macro_cache.py):
the same markup as the library's macro, for every parameter, and a fresh render whenever
anything in the parameters differs."""

import collections

from django import forms
from django.template import engines
from django.utils.functional import lazy
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from sightline.core.govuk import field_params
from sightline.core.macro_cache import freeze, remembered, thaw

ENV = engines["jinja2"].env  # type: ignore[attr-defined]


def library(name: str, macro: str):
    return getattr(
        ENV.get_template(f"govuk_frontend_jinja/components/{name}/macro.html").module, macro
    )


class Filters(forms.Form):
    agency = forms.ChoiceField(
        choices=[("", "Any agency"), ("1", "Northshire Police"), ("2", "A & B <Trust>")],
        required=False,
        help_text="Whose actions",
    )
    themes = forms.MultipleChoiceField(
        choices=[("neglect", "Neglect"), ("online", "Online harm")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    route = forms.ChoiceField(
        choices=[("child", "Child"), ("adult", "Adult")], widget=forms.RadioSelect
    )


def rendered_both_ways(data: dict) -> list[tuple[str, str]]:
    form = Filters(data=data)
    form.is_valid()
    pairs = []
    for name in form.fields:
        component, params = field_params(form[name], size="s")
        macro = {"select": "govukSelect", "radios": "govukRadios"}.get(component, "govukCheckboxes")
        pairs.append(
            (ENV.globals[f"remembered_{component}"](params), library(component, macro)(params))
        )
    return pairs


def test_the_remembered_markup_is_the_librarys_for_each_choice_component():
    for data in ({}, {"agency": "2", "themes": ["online"], "route": "adult"}, {"agency": "9"}):
        for remembered_html, library_html in rendered_both_ways(data):
            assert remembered_html == library_html
    # Asked again, each comes from the cache, still the same, escaped once.
    hits = ENV.globals["remembered_select"].cache_info().hits
    (select, _), *others = rendered_both_ways({"agency": "9"})
    assert ENV.globals["remembered_select"].cache_info().hits == hits + 1
    assert "A &amp; B &lt;Trust&gt;" in select
    assert 'class="govuk-error-message"' in select  # "9" is not a choice
    assert all(remembered_html == library_html for remembered_html, library_html in others)


def paragraph_macro(calls: list):
    """A macro of one paragraph that notes each time it renders."""

    def macro():
        def render(params):
            calls.append(params)
            return Markup("<p>{}</p>").format(params["text"])

        return render

    return macro


def test_what_differs_is_rendered_afresh_and_what_is_the_same_is_not():
    calls: list = []
    component = remembered(paragraph_macro(calls), size=4)
    assert component({"text": "<b>"}) == "<p>&lt;b&gt;</p>"
    assert component({"text": "<b>"}) == "<p>&lt;b&gt;</p>"
    assert len(calls) == 1
    # Markup is another value than the same text as str: escaped differently.
    assert component({"text": Markup("<b>")}) == "<p><b></p>"
    assert len(calls) == 2
    # Beyond its size the oldest is forgotten, and rendered again when asked for.
    for n in range(4):
        component({"text": str(n)})
    component({"text": "<b>"})
    assert len(calls) == 7


def test_parameters_that_cannot_be_a_key_are_rendered_every_time():
    calls: list = []
    component = remembered(paragraph_macro(calls))
    point = collections.namedtuple("point", "x y")
    assert component({"text": str(point(1, 2))}) == "<p>point(x=1, y=2)</p>"
    assert len(calls) == 1
    # A named tuple, a dictionary's subclass: not a key (thawed, they would change type).
    component({"text": "x", "at": point(1, 2)})
    component({"text": "x", "at": point(1, 2)})
    component({"text": "x", "more": collections.OrderedDict(a=1)})
    component({"text": "x", "more": collections.OrderedDict(a=1)})
    assert len(calls) == 5
    calls.clear()
    text = lazy(lambda: "Later", str)()
    assert component({"text": text}) == component({"text": text}) == "<p>Later</p>"
    assert len(calls) == 2


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.text(max_size=8).map(Markup),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(values)
def test_freezing_keeps_every_value_and_its_type(value):
    frozen = freeze(value)
    hash(frozen)
    back = thaw(frozen)
    assert back == value
    assert repr(back) == repr(value)  # lists stay lists, Markup stays Markup, True stays True


@given(values, values)
def test_different_values_freeze_to_different_keys(one, other):
    if repr(one) != repr(other):
        assert freeze(one) != freeze(other)
