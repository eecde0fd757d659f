"""Every API error is JSON: {"detail": message, "errors": {field: [messages]}}.

Messages follow the request's language (Accept-Language under /api/, see
config/middleware.py).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from viewflow.workflow.exceptions import FlowLockFailed

from accounts.chain import ChainGap
from flows.actions import TaskConflict

logger = logging.getLogger(__name__)


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


def _too_large() -> str:
    return _("The request is too large. Send less at once (files go one at a time, each "
             "within the size limit).")


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        return Response(body(_too_large()), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
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
        # anything else is our fault: logged with its traceback, answered as JSON
        logger.error("API error", exc_info=exc, extra={"request": context.get("request")})
        return Response(body(_("Something went wrong on the server; nothing was changed. "
                               "Try again, or tell the administrator if it keeps "
                               "happening.")), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
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


# Django's own error pages, for what goes wrong before or outside an API view (a body too
# large for the CSRF check to read, a failure in a middleware): JSON under /api/.

def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None, **kwargs):
    if not _is_api(request):
        return defaults.bad_request(request, exception, **kwargs)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(body(_too_large()), status=413)
    return JsonResponse(body(_("The request could not be read.")), status=400)


def permission_denied(request, exception=None, **kwargs):
    if not _is_api(request):
        return defaults.permission_denied(request, exception, **kwargs)
    message = str(exception.args[0]) if exception is not None and exception.args else \
        str(exceptions.PermissionDenied.default_detail)
    return JsonResponse(body(message), status=403)


def page_not_found(request, exception=None, **kwargs):
    if not _is_api(request):
        return defaults.page_not_found(request, exception, **kwargs)
    return JsonResponse(body(_("Not found.")), status=404)


def server_error(request, **kwargs):
    if not _is_api(request):
        return defaults.server_error(request, **kwargs)
    return JsonResponse(body(_("Something went wrong on the server; nothing was changed. Try "
                               "again, or tell the administrator if it keeps happening.")),
                        status=500)
