"""What the pages' forms share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def show_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal on the form: under the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
