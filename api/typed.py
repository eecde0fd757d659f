"""Each task action's request body, typed.

The API's actions are validated by the forms their pages use (flows/actions.py), and a
Django form turns whatever it is given into text: ``{"opinion": {"text": "x"}}`` would
pass as the opinion "{'text': 'x'}". So the body is first checked against a serializer
derived from the same form, field by field — text must be a string, a date an ISO date,
people a list of ids — and a wrong type is a 400 naming the field, before anything runs.
Deriving it from the form keeps one declaration of each action's fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class Text(serializers.CharField):
    """A string, and only a string: numbers, lists and objects are refused rather than
    turned into their text; so is a lone surrogate, which no database can store."""

    default_error_messages = {
        "invalid": _("Send text (a JSON string) here."),
        "surrogate": _("The text contains an invalid character (a lone surrogate)."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if not is_encodable(data):
            self.fail("surrogate")
        return super().to_internal_value(data)


@extend_schema_field({"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string"}],
                     "description": "A person's id or username."})
class PersonRef(serializers.Field):
    """A person, named by id (a positive integer) or by username (a string)."""

    default_error_messages = {
        "invalid": _("Name a person by id (a number) or by username (a string)."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)) or data in ("", 0):
            self.fail("invalid")
        if isinstance(data, int) and data < 1 or isinstance(data, str) and not is_encodable(data):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


def is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _field(form_field: forms.Field) -> serializers.Field:
    common = {"required": form_field.required,
              "help_text": form_field.help_text or form_field.label or None}
    if isinstance(form_field, forms.FileField):
        return serializers.FileField(**common)
    if isinstance(form_field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=PersonRef(), **common)
    if isinstance(form_field, forms.ModelChoiceField):
        return PersonRef(**common)
    if isinstance(form_field, forms.CharField):
        return Text(allow_blank=not form_field.required, max_length=form_field.max_length,
                    trim_whitespace=False, **common)
    raise TypeError(f"No API type for the form field {type(form_field).__name__}")


@cache
def request_serializer(form_class: type[forms.BaseForm] | None) -> type[serializers.Serializer]:
    """The typed body of an action validated by ``form_class`` (None: an action without
    fields)."""
    # the fields as a form made now has them (its __init__ may require some)
    fields = {} if form_class is None else {
        name: _field(field) for name, field in form_class().fields.items()}
    # named after the form ("ReviewInput"; the schema adds "Request"): actions sharing a
    # form share its body
    name = (form_class.__name__.removesuffix("Form") if form_class else "NoFields") + "Input"
    return type(name, (serializers.Serializer,), fields)


def check_types(form_class, data) -> None:
    """Raise a DRF ValidationError (400) when a field of ``data`` (the request's body, a
    JSON object or a form with its files) has the wrong type."""
    if not isinstance(data, Mapping):
        raise serializers.ValidationError({"non_field_errors": [
            _("Send the fields as an object.")]})
    request_serializer(form_class)(data=data).is_valid(raise_exception=True)
