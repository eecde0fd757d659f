"""Every text a person writes has a limit that fits its use (a report's sections, a plan,
an opinion): the model field says how long, and the message says so."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def limited_text(model, field: str, value, key: str = "") -> str:
    """``value`` stripped, refused with a clear message (on ``key``, else ``field``) when
    longer than the model's ``field`` allows: a report's sections, a problem's plan, an
    opinion, each has a limit that fits its use."""
    text = (value or "").strip()
    limit = model._meta.get_field(field).max_length
    if limit and len(text) > limit:
        raise ValidationError({key or field: _("This text has %(length)s characters; at most "
                                        "%(limit)s are accepted.")
                               % {"length": len(text), "limit": limit}})
    return text
