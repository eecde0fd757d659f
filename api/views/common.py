"""What every API view shares: the documented errors, filters, a JSON 404."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from api import serializers as s
from records import permissions
from records.models import (
    QuarterlyReport,
)

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Invalid input."),
    401: OpenApiResponse(s.ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(s.ErrorSerializer, description="Not allowed."),
    404: OpenApiResponse(s.ErrorSerializer, description="Not found (or not yours to see)."),
}
CONFLICT = {409: OpenApiResponse(s.ErrorSerializer,
                                 description="Already handled, or someone else is acting on it.")}


def errors(*codes):
    return {code: ERRORS[code] if code in ERRORS else CONFLICT[code] for code in codes}


# what a paginated list takes besides its filters
PAGING = ("page",)


def valid_filters(serializer_class, request, *, paged: bool = True) -> dict:
    """The query string's filters, validated; a parameter the list does not take is a 400
    naming the ones it takes (a misspelt filter must not silently return everything)."""
    filters = serializer_class(data=request.query_params)
    allowed = [*filters.fields, *(PAGING if paged else ())]
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise ValidationError({"filters": [
            _("Unknown filter: %(names)s. This list takes: %(allowed)s.")
            % {"names": ", ".join(unknown), "allowed": ", ".join(allowed)}]})
    filters.is_valid(raise_exception=True)
    return filters.validated_data


class NoFilters(serializers.Serializer):
    """A list that takes no filters (only its page)."""


class NotFoundView(APIView):
    """Any other path under /api/v1/: a JSON 404, not the site's page."""

    schema = None
    permission_classes = [AllowAny]

    def handle(self, request, *args, **kwargs):
        raise Http404(_("No such API path."))

    get = post = put = patch = delete = handle

def visible_report_or_404(user, pk) -> QuarterlyReport:
    report = get_object_or_404(QuarterlyReport.objects.select_related("unit"), pk=pk)
    if not permissions.can_view(user, report):
        raise Http404(_("No such report."))
    return report
