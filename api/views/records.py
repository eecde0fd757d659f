"""What the API offers for every kind of record (records.kinds), built from its entry:
withdraw, urge, its versions, its approval sheet — and, for a kind without views of its
own, its list and one record. ``routes(kind)`` names them "<key>_withdraw" …, under
/api/v1/<namespace>/ ("reports", "problems", "annual-reports")."""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.errors import body
from flows import approvals
from flows.path import path_ahead
from flows.selectors import history, visible_or_404
from records import permissions, versions
from records.documents.sheet_pdf import SheetUnavailable
from records.models import Opinion, Urge
from records.services import sheets
from records.services import urges as urging

from .common import errors, valid_filters

UNAVAILABLE = {503: OpenApiResponse(
    s.ErrorSerializer,
    description="The font set in DUTYCHAIN_PDF_FONT is missing or cannot be embedded.")}

URGE_RULES = (
    "Allowed for the item's submitter (when it waits on someone else), the supervising "
    "leader of its unit and the discipline committee; at most once per item per working day "
    "(a day off counts as the next working day). The assignee (and whom they act for) is "
    "notified.")


def segment(kind) -> str:
    """The kind's place under /api/v1/: "reports", "annual-reports"."""
    return kind.namespace.replace("_", "-")


def _noun(kind) -> str:
    return kind.key.replace("_", " ")


class RecordView(APIView):
    """A view of one record of ``model``: 404 for whoever may not read it."""

    model = None

    def record(self, request, pk):
        return visible_or_404(request.user, self.model, pk)


def _withdraw(kind):
    class WithdrawView(RecordView):
        model = kind.model

        @extend_schema(
            request=s.WithdrawSerializer,
            responses={200: s.WithdrawResultSerializer, **errors(400, 401, 403, 404, 409)},
            summary=f"Withdraw the {_noun(kind)} I submitted, while its reviewer has not "
                    f"acted yet (撤回).")
        def post(self, request, pk):
            record = self.record(request, pk)
            data = s.WithdrawSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            task = approvals.withdraw(record=record, by=request.user,
                                      reason=data.validated_data.get("reason", ""))
            record.refresh_from_db()
            return Response(s.WithdrawResultSerializer(
                {"item": s.item_of(record), "task": task.pk}).data)

    return WithdrawView


def _urge(kind):
    class UrgeView(RecordView):
        model = kind.model

        @extend_schema(request=s.UrgeRequestSerializer,
                       responses={201: s.UrgeSerializer, **errors(400, 401, 403, 404)},
                       summary=f"Urge (催办) the current assignee of a {_noun(kind)}.",
                       description=URGE_RULES)
        def post(self, request, pk):
            record = self.record(request, pk)
            data = s.UrgeRequestSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            urged = urging.urge_create(record=record, by=request.user,
                                       message=data.validated_data.get("message", ""))
            urged = Urge.objects.select_related(
                "urged_by", "assignee", "on_behalf_of", "task").get(pk=urged.pk)
            return Response(s.UrgeSerializer(urged).data, status=status.HTTP_201_CREATED)

    return UrgeView


def _versions(kind):
    class VersionListView(RecordView):
        model = kind.model

        @extend_schema(responses={200: s.VersionSerializer(many=True), **errors(401, 403, 404)},
                       summary=f"Every submitted version of a {_noun(kind)}, oldest first.")
        def get(self, request, pk):
            return Response(s.VersionSerializer(
                versions.versions_of(self.record(request, pk)), many=True).data)

    class VersionDetailView(RecordView):
        model = kind.model

        @extend_schema(responses={200: s.VersionDetailSerializer, **errors(401, 403, 404)},
                       summary=f"One version of a {_noun(kind)}, with what changed since the "
                               f"one before.")
        def get(self, request, pk, number):
            record = self.record(request, pk)
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
            version.opinions = list(Opinion.objects.of(record).filter(version=number)
                                    .select_related("author", "on_behalf_of"))
            return Response(s.VersionDetailSerializer(version).data)

    return VersionListView, VersionDetailView


def _sheet(kind, fmt):
    label = ("PDF (a TrueType Chinese font embedded where the server has one)" if fmt == "pdf"
             else ".docx")

    class SheetView(RecordView):
        model = kind.model

        @extend_schema(
            operation_id=f"{kind.namespace}_sheet_{fmt}",
            responses={(200, sheets.FORMATS[fmt]): OpenApiTypes.BINARY,
                       **errors(401, 403, 404), **(UNAVAILABLE if fmt == "pdf" else {})},
            summary=f"The {_noun(kind)}'s approval sheet (审批单) as {label}: every step, "
                    f"person, date and opinion (audited).")
        def get(self, request, pk):
            record = self.record(request, pk)
            try:
                content, content_type, filename = sheets.sheet_print(
                    record=record, steps=history(record), by=request.user, fmt=fmt)
            except SheetUnavailable as error:
                return Response(body(error.message),
                                status=status.HTTP_503_SERVICE_UNAVAILABLE)
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = content_disposition_header(
                as_attachment=True, filename=filename)
            return response

    return SheetView


def with_history(record):
    """One record read for its detail: its history, path ahead, urges and opinions."""
    record.history = history(record)
    record.path_ahead = path_ahead(record)
    record.urge_list = urging.urges_of(record)
    prefetch_related_objects([record], Prefetch(
        "opinions", queryset=Opinion.objects.select_related("author", "on_behalf_of")))
    return record


def _list_and_detail(kind):
    listed, detail = s.record_serializers(kind)
    related = [f.name for f in kind.model._meta.concrete_fields
               if f.is_relation and f.name != "process"]
    statuses = kind.model._meta.get_field("status").choices

    class ListView(generics.GenericAPIView):
        serializer_class = listed

        @extend_schema(parameters=[s.RecordFilterSerializer],
                       responses={200: listed(many=True), **errors(400, 401, 403, 404)},
                       summary=f"The {_noun(kind)}s I may see, newest first.",
                       description="status: " + ", ".join(code for code, _l in statuses) + ".")
        def get(self, request):
            filters = valid_filters(s.RecordFilterSerializer, request)
            rows = permissions.visible(request.user, kind.model).select_related(*related)
            if "status" in filters:
                if filters["status"] not in dict(statuses):
                    raise ValidationError({"status": [_("Unknown status: %(status)s.")
                                                      % {"status": filters["status"]}]})
                rows = rows.filter(status=filters["status"])
            if "year" in filters:
                rows = rows.filter(year=filters["year"])
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(listed(page, many=True).data)

    class DetailView(RecordView):
        model = kind.model

        @extend_schema(responses={200: detail, **errors(401, 403, 404)},
                       summary=f"One {_noun(kind)} with its content, history and opinions.")
        def get(self, request, pk):
            return Response(detail(with_history(self.record(request, pk))).data)

    return ListView, DetailView


def routes(kind, *, own_views: bool = False) -> list:
    """The kind's routes; its list and detail too unless it has views of its own."""
    at, name = segment(kind), kind.key
    version_list, version_detail = _versions(kind)
    found = []
    if not own_views:
        listing, detail = _list_and_detail(kind)
        found += [path(f"{at}/", listing.as_view(), name=f"{name}s"),
                  path(f"{at}/<int:pk>/", detail.as_view(), name=name)]
    return found + [
        path(f"{at}/<int:pk>/withdraw/", _withdraw(kind).as_view(), name=f"{name}_withdraw"),
        path(f"{at}/<int:pk>/urge/", _urge(kind).as_view(), name=f"{name}_urge"),
        path(f"{at}/<int:pk>/versions/", version_list.as_view(), name=f"{name}_versions"),
        path(f"{at}/<int:pk>/versions/<int:number>/", version_detail.as_view(),
             name=f"{name}_version"),
        path(f"{at}/<int:pk>/sheet/pdf/", _sheet(kind, "pdf").as_view(),
             name=f"{name}_sheet_pdf"),
        path(f"{at}/<int:pk>/sheet/docx/", _sheet(kind, "docx").as_view(),
             name=f"{name}_sheet_docx"),
    ]
