"""Turns Django form fields into the parameters of GOV.UK Frontend's Jinja macros."""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.boundfield import BoundField

from .forms import GovukDateInput


def _label(field: BoundField, *, is_page_heading: bool, size: str | None) -> dict[str, Any]:
    label: dict[str, Any] = {"text": field.label}
    if is_page_heading:
        label.update(isPageHeading=True, classes=f"govuk-label--{size or 'l'}")
    elif size:
        label["classes"] = f"govuk-label--{size}"
    return label


def _legend(field: BoundField, *, is_page_heading: bool, size: str | None) -> dict[str, Any]:
    legend: dict[str, Any] = {"text": field.label}
    if is_page_heading:
        legend.update(isPageHeading=True, classes=f"govuk-fieldset__legend--{size or 'l'}")
    else:
        legend["classes"] = f"govuk-fieldset__legend--{size or 's'}"
    return legend


def _selected(field: BoundField) -> set[str]:
    value = field.value()
    if value is None:
        return set()
    if isinstance(value, list | tuple | set):
        return {str(item) for item in value}
    return {str(value)}


def error_summary(form: forms.BaseForm) -> list[dict[str, str]]:
    """The error summary's list: each message linked to the field it belongs to."""
    items = [{"text": str(message), "href": "#main-content"} for message in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            continue
        bound = form[name]
        anchor = bound.id_for_label or bound.auto_id
        if isinstance(bound.field.widget, GovukDateInput):
            anchor = f"{bound.auto_id}_day"
        items.extend({"text": str(message), "href": f"#{anchor}"} for message in errors)
    return items


def field_params(
    field: BoundField,
    *,
    is_page_heading: bool = False,
    size: str | None = None,
    classes: str = "",
    hint: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """``(component, params)`` for one bound field: the component names a GOV.UK macro."""
    widget = field.field.widget
    params: dict[str, Any] = {"id": field.auto_id, "name": field.html_name}
    hint_text = hint if hint is not None else field.help_text
    if hint_text:
        params["hint"] = {"text": str(hint_text)}
    if field.errors:
        params["errorMessage"] = {"text": " ".join(str(e) for e in field.errors)}
    attributes = {
        key: value
        for key, value in widget.attrs.items()
        if key not in {"class", "id", "name", "type"} and value not in (None, False)
    }
    if field.field.disabled:
        attributes["disabled"] = "disabled"
    if classes:
        params["classes"] = classes

    if isinstance(widget, GovukDateInput):
        parts = (
            field.value()
            if isinstance(field.value(), list | tuple)
            else widget.decompress(field.value())
        )
        names = ("day", "month", "year")
        # Django's MultiWidget reads name_day, name_month and name_year; GOV.UK's namePrefix
        # would join with a hyphen, so each item carries its full name instead.
        params.pop("name")
        params["fieldset"] = {"legend": _legend(field, is_page_heading=is_page_heading, size=size)}
        error_class = " govuk-input--error" if field.errors else ""
        params["items"] = [
            {
                "id": f"{field.auto_id}_{name}",
                "name": f"{field.html_name}_{name}",
                "label": name.capitalize(),
                "value": parts[index] if parts and parts[index] is not None else "",
                "classes": ("govuk-input--width-4" if name == "year" else "govuk-input--width-2")
                + error_class,
            }
            for index, name in enumerate(names)
        ]
        params["id"] = field.auto_id
        return "dateInput", params

    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        selected = _selected(field)
        params.pop("id")
        params["idPrefix"] = field.auto_id
        params["fieldset"] = {"legend": _legend(field, is_page_heading=is_page_heading, size=size)}
        # A field may describe each choice (``item_hints``): shown as the item's hint.
        item_hints = getattr(field.field, "item_hints", {})
        params["items"] = [
            {"value": str(value), "text": str(label), "checked": str(value) in selected}
            | ({"hint": {"text": item_hints[str(value)]}} if str(value) in item_hints else {})
            for value, label in getattr(field.field, "choices", ())
            if str(value) != ""
        ]
        # CheckboxSelectMultiple is a subclass of RadioSelect: ask about it first.
        component = "checkboxes" if isinstance(widget, forms.CheckboxSelectMultiple) else "radios"
        return component, params

    if isinstance(widget, forms.CheckboxInput):
        params.pop("id")
        params["idPrefix"] = field.auto_id
        params["items"] = [
            {
                "value": "on",
                "text": field.label,
                "checked": bool(field.value()),
                "id": field.auto_id,
            }
        ]
        return "checkboxes", params

    params["label"] = _label(field, is_page_heading=is_page_heading, size=size)
    if attributes:
        params["attributes"] = attributes

    if isinstance(widget, forms.Select):
        selected = _selected(field)
        params["items"] = [
            {"value": str(value), "text": str(label), "selected": str(value) in selected}
            for value, label in getattr(field.field, "choices", ())
        ]
        return "select", params
    if isinstance(widget, forms.Textarea):
        params["value"] = field.value() or ""
        params["rows"] = widget.attrs.get("rows", 5)
        return "textarea", params
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "fileUpload", params
    if isinstance(widget, forms.PasswordInput):
        params["type"] = "password"
        return "input", params

    value = field.value()
    params["value"] = "" if value is None else value
    input_type = getattr(widget, "input_type", "text")
    if input_type == "number":
        params["inputmode"] = "numeric"
        params["spellcheck"] = False
    else:
        params["type"] = input_type
    if input_type == "email":
        params["spellcheck"] = False
    return "input", params
