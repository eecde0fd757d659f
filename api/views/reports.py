"""Quarterly reports, their history and their frozen versions."""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from flows.extensions import visible_problem_or_404
from flows.path import path_ahead
from flows.selectors import history
from records import selectors, versions
from records.models import (
    Opinion,
)
from records.services import urges as urging

from .common import errors, valid_filters, visible_report_or_404

# -- reports ---------------------------------------------------------------------------------

class ReportListView(generics.GenericAPIView):
    serializer_class = s.ReportSerializer

    @extend_schema(parameters=[s.ReportFilterSerializer],
                   responses={200: s.ReportSerializer(many=True), **errors(400, 401, 403, 404)},
                   summary="Quarterly reports I may see.")
    def get(self, request):
        filters = valid_filters(s.ReportFilterSerializer, request)
        reports = selectors.report_list(request.user, **filters)
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(s.ReportSerializer(page, many=True).data)




class ReportDetailView(APIView):
    @extend_schema(responses={200: s.ReportDetailSerializer, **errors(401, 403, 404)},
                   summary="One report with its content, history and opinions.")
    def get(self, request, pk):
        report = visible_report_or_404(request.user, pk)
        report.history = history(report)
        report.path_ahead = path_ahead(report)
        report.urge_list = urging.urges_of(report)
        prefetch_related_objects([report], Prefetch(
            "opinions", queryset=Opinion.objects.select_related("author", "on_behalf_of")))
        return Response(s.ReportDetailSerializer(report).data)



# -- versions --------------------------------------------------------------------------------

def _version_list(record):
    return Response(s.VersionSerializer(versions.versions_of(record), many=True).data)


def _version_detail(record, number):
    if not 1 <= number <= 2**31 - 1:  # beyond the column's range: no such version
        raise Http404(_("No such version."))
    found = {v.number: v for v in versions.versions_of(record).filter(
        number__in=[number - 1, number])}
    version = found.get(number)
    if version is None:
        raise Http404(_("No such version."))
    previous = found.get(number - 1)
    version.previous = previous.number if previous else None
    version.diff = versions.diff(previous, version) if previous else None
    version.opinions = list(record.opinions.filter(version=number)
                            .select_related("author", "on_behalf_of"))
    return Response(s.VersionDetailSerializer(version).data)


class ReportVersionListView(APIView):
    @extend_schema(responses={200: s.VersionSerializer(many=True), **errors(401, 403, 404)},
                   summary="Every submitted version of a report, oldest first.")
    def get(self, request, pk):
        return _version_list(visible_report_or_404(request.user, pk))


class ReportVersionDetailView(APIView):
    @extend_schema(responses={200: s.VersionDetailSerializer, **errors(401, 403, 404)},
                   summary="One version of a report, with what changed since the one before.")
    def get(self, request, pk, number):
        return _version_detail(visible_report_or_404(request.user, pk), number)


class ProblemVersionListView(APIView):
    @extend_schema(responses={200: s.VersionSerializer(many=True), **errors(401, 403, 404)},
                   summary="Every submitted version of a problem's plan, oldest first.")
    def get(self, request, pk):
        return _version_list(visible_problem_or_404(request.user, pk))


class ProblemVersionDetailView(APIView):
    @extend_schema(responses={200: s.VersionDetailSerializer, **errors(401, 403, 404)},
                   summary="One version of a problem's plan, with what changed since the one "
                           "before.")
    def get(self, request, pk, number):
        return _version_detail(visible_problem_or_404(request.user, pk), number)


