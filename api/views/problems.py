"""Problems: the ledger, registration, evidence, extension decisions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.errors import body
from flows import actions as task_actions
from flows import extensions
from flows.extensions import pending_extension_or_404, visible_problem_or_404
from flows.selectors import open_task_of
from records import ledger, permissions
from records.documents.ledger_export import XLSX, ledger_export
from records.models import (
    Evidence,
    ExtensionRequest,
    Problem,
    ProgressNote,
)
from records.services.evidence import EvidenceTampered, evidence_open

from .common import NoFilters, errors, valid_filters
from .records import with_history

# -- problems --------------------------------------------------------------------------------

class ProblemListView(generics.GenericAPIView):
    serializer_class = s.ProblemSerializer

    @extend_schema(parameters=[s.ProblemFilterSerializer],
                   responses={200: s.ProblemSerializer(many=True), **errors(400, 401, 403, 404)},
                   summary="The problem ledger: every problem I may see, with its traffic "
                           "light.")
    def get(self, request):
        values = valid_filters(s.ProblemFilterSerializer, request)
        filters = ledger.LedgerFilters(**values)
        lights = ledger.Lights.now()
        page = self.paginate_queryset(ledger.ledger_rows(request.user, filters, lights))
        rows = [ledger.decorate(problem, lights) for problem in page]
        return self.get_paginated_response(s.ProblemSerializer(rows, many=True).data)

    @extend_schema(request=s.ProblemRegisterSerializer,
                   responses={201: s.ProblemSerializer(many=True), **errors(400, 401, 403)},
                   summary="Register one problem, or a problem list from one check.")
    def post(self, request):
        from flows.registration import register_problems

        if not permissions.can_register_problems(request.user):
            raise PermissionDenied(_("Only the discipline committee and leaders register "
                                     "problems."))
        data = s.ProblemRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        items = [dict(item) for item in values["items"]]
        created = register_problems(by=request.user, source=values["source"],
                                    found_on=values["found_on"], items=items,
                                    title=values.get("title", "") if len(items) > 1 else "")
        lights = ledger.Lights.now()
        rows = [ledger.decorate(problem, lights) for problem in
                Problem.objects.filter(pk__in=[p.pk for p in created])
                .select_related("unit", "assignee").order_by("pk")]
        return Response(s.ProblemSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class ProblemExportView(APIView):
    @extend_schema(parameters=[s.ProblemFilterSerializer],
                   responses={(200, XLSX): OpenApiTypes.BINARY, **errors(400, 401, 403)},
                   summary="The ledger as an .xlsx workbook: every problem I may see under the "
                           "ledger's filters (all pages; audited).")
    def get(self, request):
        values = valid_filters(s.ProblemFilterSerializer, request, paged=False)
        export = ledger_export(by=request.user, filters=ledger.LedgerFilters(**values),
                               lights=ledger.Lights.now())
        response = FileResponse(export.file, content_type=XLSX)
        response["Content-Disposition"] = export.content_disposition
        return response


class ProblemDetailView(APIView):
    @extend_schema(responses={200: s.ProblemDetailSerializer, **errors(401, 403, 404)},
                   summary="One problem with its history, opinions, evidence, progress and "
                           "extension requests.")
    def get(self, request, pk):
        problem = visible_problem_or_404(request.user, pk)
        ledger.decorate(problem, ledger.Lights.now())
        with_history(problem)
        prefetch_related_objects(
            [problem],
            Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by")),
            Prefetch("progress_notes",
                     queryset=ProgressNote.objects.select_related("author")),
            Prefetch("extensions", queryset=ExtensionRequest.objects.select_related(
                "requested_by", "decided_by", "unit", "decider")))
        return Response(s.ProblemDetailSerializer(problem).data)


class EvidenceUploadView(APIView):
    @extend_schema(request={"multipart/form-data": s.EvidenceUploadSerializer},
                   responses={201: s.EvidenceSerializer, **errors(400, 401, 403, 404, 409)},
                   summary="Upload evidence while the unit rectifies (the owner of the "
                           "rectify task, or of a unit's part of a joint rectification).")
    def post(self, request, pk):
        problem = visible_problem_or_404(request.user, pk)
        task = open_task_of(problem, request.user)
        if task is None or "evidence" not in task_actions.actions_of(task):
            raise PermissionDenied(_("Evidence is uploaded by the unit while it rectifies, "
                                     "from its rectify task (or its part of a joint one)."))
        _task, _record, evidence = task_actions.take(
            task_pk=task.pk, name="evidence", user=request.user, data=request.data,
            files=request.FILES, request=request._request)
        evidence = Evidence.objects.select_related("uploaded_by").get(pk=evidence.pk)
        return Response(s.EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceDownloadView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                              **errors(401, 403, 404, 409)},
                   summary="Download one evidence file (checked against its SHA-256; "
                           "audited).")
    def get(self, request, pk, evidence_pk):
        problem = visible_problem_or_404(request.user, pk)
        evidence = get_object_or_404(Evidence, pk=evidence_pk, problem=problem)
        try:
            handle = evidence_open(evidence=evidence, by=request.user)
        except EvidenceTampered as error:
            return Response(body(str(error)), status=status.HTTP_409_CONFLICT)
        return FileResponse(handle, as_attachment=True, filename=evidence.name,
                             content_type=evidence.content_type)


class ExtensionDecisionView(APIView):
    @extend_schema(request=s.ExtensionDecisionSerializer,
                   responses={200: s.ExtensionRequestSerializer,
                              **errors(400, 401, 403, 404)},
                   summary="Grant or refuse a pending extension request (whoever decides the "
                           "problem's plan today, recusal applied).")
    def post(self, request, pk):
        problem = visible_problem_or_404(request.user, pk)
        data = s.ExtensionDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pending = pending_extension_or_404(request.user, problem,
                                           data.validated_data.get("extension"))
        decided = extensions.decide(
            extension=pending, by=request.user, grant=data.validated_data["decision"] == "grant",
            opinion=data.validated_data.get("opinion", ""))
        decided = ExtensionRequest.objects.select_related(
            "requested_by", "decided_by", "unit", "decider").get(pk=decided.pk)
        return Response(s.ExtensionRequestSerializer(decided).data)


class ExtensionsToDecideView(APIView):
    @extend_schema(responses={200: s.ExtensionToDecideSerializer(many=True),
                              **errors(400, 401, 403)},
                   summary="The extension requests waiting for my decision (as the post "
                           "holder, or acting for them today), the earliest due first: the "
                           "inbox's 延期申请待审批.")
    def get(self, request):
        valid_filters(NoFilters, request)
        return Response(s.ExtensionToDecideSerializer(
            extensions.awaiting_decision(request.user), many=True).data)


