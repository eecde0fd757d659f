"""The API's JSON parser: a body that no view could use is a 400, never a 500.

A lone surrogate ("\\ud800") decodes to a Python string that no database can store, and
a body nested thousands deep makes the decoder recurse until it fails: both are refused
here, with a message, before any view sees them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from api.typed import is_encodable

MAX_DEPTH = 32


def _check(data) -> None:
    """Walk the parsed body without recursion: depth, and every string (keys too)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise ParseError(_("The JSON body is nested too deeply (more than %(depth)s "
                               "levels).") % {"depth": MAX_DEPTH})
        if isinstance(value, str):
            if not is_encodable(value):
                raise ParseError(_("The JSON body contains an invalid character (a lone "
                                   "surrogate)."))
        elif isinstance(value, dict):
            pending.extend((key, depth) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply (more than %(depth)s "
                               "levels).") % {"depth": MAX_DEPTH}) from None
        _check(data)
        return data
