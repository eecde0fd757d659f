"""Notifications and circulars."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from records import permissions, selectors
from records.documents import circulars as circular_docx
from records.models import (
    Circular,
    Notification,
    Problem,
)
from records.services import circulars

from .common import NoFilters, errors, valid_filters

# -- notifications ---------------------------------------------------------------------------

class NotificationListView(generics.GenericAPIView):
    serializer_class = s.NotificationSerializer

    @extend_schema(parameters=[s.NotificationFilterSerializer],
                   responses={200: s.NotificationSerializer(many=True), **errors(400, 401, 403, 404)},
                   summary="My notifications, newest first.")
    def get(self, request):
        filters = valid_filters(s.NotificationFilterSerializer, request)
        rows = Notification.objects.filter(recipient=request.user)
        if filters.get("unread"):
            rows = rows.filter(read_at__isnull=True)
        page = self.paginate_queryset(rows.order_by("-created_at", "-pk"))
        return self.get_paginated_response(s.NotificationSerializer(page, many=True).data)


class NotificationReadView(APIView):
    @extend_schema(request=None, responses={200: s.NotificationSerializer,
                                            **errors(401, 403, 404)},
                   summary="Mark one of my notifications read.")
    def post(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(s.NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    @extend_schema(request=None, responses={200: s.ReadAllSerializer, **errors(401, 403)},
                   summary="Mark all my notifications read.")
    def post(self, request):
        marked = Notification.objects.filter(recipient=request.user, read_at__isnull=True) \
            .update(read_at=timezone.now())
        return Response({"marked": marked})



# -- circulars -------------------------------------------------------------------------------

def _require_reader(user):
    if not circulars.can_read(user):
        raise Http404(_("Circulars are for members of the bureau."))


class CircularListView(generics.GenericAPIView):
    serializer_class = s.CircularSerializer

    @extend_schema(responses={200: s.CircularSerializer(many=True), **errors(400, 401, 403, 404)},
                   summary="Circulars, newest first (every member of the bureau reads them).")
    def get(self, request):
        _require_reader(request.user)
        valid_filters(NoFilters, request)
        rows = Circular.objects.annotate(problem_count=Count("problems")).order_by(
            "-year", "-number")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.CircularSerializer(page, many=True).data)

    @extend_schema(request=s.CircularIssueSerializer,
                   responses={201: s.CircularDetailSerializer, **errors(400, 401, 403)},
                   summary="Issue a circular (通报) naming problems: numbered in its year's "
                           "sequence (the discipline committee).")
    def post(self, request):
        if not circulars.can_issue(request.user):
            raise PermissionDenied(_("Only the discipline committee issues circulars."))
        data = s.CircularIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        circular = circulars.circular_issue(
            by=request.user, title=values["title"], body=values.get("body", ""),
            issuer=values.get("issuer", ""), issued_on=values.get("issued_on"),
            problems=values["problems"])
        circular = Circular.objects.annotate(problem_count=Count("problems")).get(pk=circular.pk)
        return Response(_circular_detail(request, circular), status=201)


def _readable_circular(request, pk) -> Circular:
    _require_reader(request.user)
    return get_object_or_404(Circular.objects.annotate(problem_count=Count("problems")), pk=pk)


class CircularDetailView(APIView):
    @extend_schema(responses={200: s.CircularDetailSerializer, **errors(401, 403, 404)},
                   summary="One circular with the problems it names, by unit.")
    def get(self, request, pk):
        return Response(_circular_detail(request, _readable_circular(request, pk)))


def _circular_detail(request, circular: Circular) -> dict:
    named = [p for group in selectors.circular_problems(circular) for p in group.problems]
    visible = set(permissions.visible(request.user, Problem)
                  .filter(pk__in=[p.pk for p in named]).values_list("pk", flat=True))
    rows = [{"id": p.pk, "unit": p.unit, "category": p.category,
             "description": p.description, "found_on": p.found_on, "status": p.status,
             "visible": p.pk in visible} for p in named]
    return s.CircularDetailSerializer(circular, context={"problems": rows}).data


class CircularDocxView(APIView):
    @extend_schema(
        responses={(200, circular_docx.DOCX_CONTENT_TYPE): OpenApiTypes.BINARY,
                   **errors(401, 403, 404)},
        summary="The circular as a .docx (GB/T 9704 layout; audited).")
    def get(self, request, pk):
        circular = _readable_circular(request, pk)
        content = circulars.circular_download(circular=circular, by=request.user)
        response = HttpResponse(content, content_type=circular_docx.DOCX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=circular_docx.docx_filename(circular))
        return response



