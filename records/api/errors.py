"""Every API error is JSON: {"detail": message, "errors": {field: [messages]}}.

Messages follow the request's language (Accept-Language under /api/, see
config/middleware.py).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from viewflow.workflow.exceptions import FlowLockFailed

from accounts.chain import ChainGap
from flows.actions import TaskConflict


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [str(detail)]


def _django_errors(error: DjangoValidationError) -> tuple[str, dict]:
    if hasattr(error, "error_dict"):
        errors = {("non_field_errors" if field == "__all__" else field): messages
                  for field, messages in error.message_dict.items()}
        return " ".join(m for messages in errors.values() for m in messages), errors
    return " ".join(error.messages), {}


def body(detail: str, errors: dict | None = None) -> dict:
    return {"detail": detail, "errors": errors or {}}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail, errors = _django_errors(exc)
        return Response(body(detail, errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (FlowLockFailed,)):
        return Response(body(_("Someone else is acting on this item right now. Wait a moment "
                               "and try again.")), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, TaskConflict):
        return Response(body(str(exc)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ChainGap):
        return Response(body(str(exc)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        # the message says what was not found, never whose it is
        message = str(exc.args[0]) if exc.args and exc.args[0] else _("Not found.")
        return Response(body(message), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        message = str(exc.args[0]) if exc.args and exc.args[0] else \
            str(exceptions.PermissionDenied.default_detail)
        return Response(body(message), status=status.HTTP_403_FORBIDDEN)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        messages = _flatten(errors)
        response.data = body(messages[0] if len(messages) == 1 else
                             _("Check the fields: %(messages)s")
                             % {"messages": " ".join(messages)}, errors)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = body(" ".join(_flatten(detail)))
    return response
