"""Quarterly reports (their versions, urges and sheets: api/views/records.py)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from records import selectors

from .common import errors, valid_filters, visible_report_or_404
from .records import with_history

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
        report = with_history(visible_report_or_404(request.user, pk))
        return Response(s.ReportDetailSerializer(report).data)



