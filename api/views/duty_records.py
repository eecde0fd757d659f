"""Duty records (履责纪实): my items with their counters, recording what was done, the records
I may read, reviewing them, their evidence."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from api import serializers as s
from api.errors import body
from records.duty_seats import my_counters, seats_on
from records.models import (
    DutyRecord,
    DutyRecordEvidence,
    DutyRecordItem,
    DutyRecordVersion,
)
from records.selectors import (
    current_duty_list,
    duty_record_rows,
    visible_duty_records,
)
from records.services import duties, duty_records
from records.services.evidence import EvidenceTampered, evidence_open

from .common import NoFilters, errors, valid_filters


def _readable(user):
    return visible_duty_records(user).select_related(
        "unit", "author", "reviewed_by", "duty_list").prefetch_related(
        Prefetch("participants", queryset=User.objects.order_by("name", "username")),
        Prefetch("counted", queryset=DutyRecordItem.objects.select_related("item")))


def _record_or_404(user, pk) -> DutyRecord:
    record = get_object_or_404(_readable(user), pk=pk)
    record.full = _sees(user, record)
    return record


_sees = duty_records.sees_talk  # reads the prefetched participants


def _detail(user, pk) -> dict:
    record = _record_or_404(user, pk)
    prefetch_related_objects(
        [record],
        Prefetch("versions", queryset=DutyRecordVersion.objects.select_related(
            "submitted_by", "decided_by").order_by("number")),
        Prefetch("evidence", queryset=DutyRecordEvidence.objects.select_related(
            "uploaded_by")))
    record.can_review = duty_records.can_review(user, record)
    record.can_resubmit = record.author_id == user.pk and record.is_editable
    record.can_add_evidence = (record.author_id == user.pk
                               and record.status != DutyRecord.Status.ACCEPTED)
    return s.DutyRecordDetailSerializer(record).data


def _items(duty_list, numbers: list[int]) -> list:
    wanted = sorted(set(numbers))
    found = list(duty_list.items.filter(number__in=wanted))
    missing = sorted(set(wanted) - {item.number for item in found})
    if missing:
        raise ValidationError({"items": [_("The %(year)s list has no item %(numbers)s.") % {
            "year": duty_list.year, "numbers": ", ".join(map(str, missing))}]})
    return found


def _participants(user, usernames: list[str]) -> list[User]:
    wanted = sorted(set(usernames))
    if not wanted:
        return []
    known = {person.username: person for person in
             User.objects.filter(username__in=wanted, is_active=True)}
    missing = [name for name in wanted if name not in known]
    if missing:
        raise ValidationError({"participants": [
            _("Nobody has the username %(names)s.") % {"names": ", ".join(missing)}]})
    around = {person.pk for person in duty_records.participant_choices(user)}
    outside = [name for name in wanted if known[name].pk not in around]
    if outside:
        raise ValidationError({"participants": [
            _("%(names)s hold no post in the chain today: name them as guests.")
            % {"names": ", ".join(outside)}]})
    return [known[name] for name in wanted]


def _fields(values: dict) -> dict:
    return {name: values[name] for name in duty_records.CONTENT if name in values}


class MyDutyItemsView(APIView):
    @extend_schema(responses={200: s.MyDutiesSerializer, **errors(400, 401, 403, 404)},
                   summary="My duty list: the items of this year's list my posts carry, each "
                           "with its counter, its light and its next deadline.")
    def get(self, request):
        valid_filters(NoFilters, request, paged=False)
        duty_list = current_duty_list() if duties.can_read(request.user) else None
        counters = my_counters(request.user, duty_list, timezone.localdate()) \
            if duty_list else []
        return Response(s.MyDutiesSerializer({"duty_list": duty_list, "items": counters}).data)


class DutyRecordListView(generics.GenericAPIView):
    serializer_class = s.DutyRecordSerializer

    @extend_schema(parameters=[s.DutyRecordFilterSerializer],
                   responses={200: s.DutyRecordSerializer(many=True),
                              **errors(400, 401, 403, 404)},
                   summary="The duty records I may read, of this year's list (or year's), "
                           "newest first; a talk's content only for those who took part and "
                           "its reviewer.")
    def get(self, request):
        filters = valid_filters(s.DutyRecordFilterSerializer, request)
        user = request.user
        duty_list = current_duty_list(filters.pop("year", None))
        rows = duty_record_rows(user, duty_list, rows=_readable(user), **filters)
        page = self.paginate_queryset(rows.order_by("-date", "-pk"))
        for record in page:
            record.full = _sees(user, record)
        return self.get_paginated_response(s.DutyRecordSerializer(page, many=True).data)

    @extend_schema(request=s.DutyRecordWriteSerializer,
                   responses={201: s.DutyRecordDetailSerializer, **errors(400, 401, 403)},
                   summary="Record one thing done, for every item of my posts it counts for "
                           "(against the list of its date's year).")
    def post(self, request):
        user = request.user
        today = timezone.localdate()
        if not duties.can_read(user) or not seats_on(user, today):
            raise PermissionDenied(_("You hold no post that carries duty items."))
        data = s.DutyRecordWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        duty_list = current_duty_list(values["date"].year) or current_duty_list()
        if duty_list is None:
            raise ValidationError({"date": [_("There is no issued duty list for %(year)s.")
                                            % {"year": values["date"].year}]})
        made = duty_records.duty_record_create(
            by=user, duty_list=duty_list, items=_items(duty_list, values["items"]),
            participants=_participants(user, values.get("participants", [])),
            **_fields(values))
        return Response(_detail(user, made.pk), status=status.HTTP_201_CREATED)


class DutyRecordDetailView(APIView):
    @extend_schema(responses={200: s.DutyRecordDetailSerializer, **errors(401, 403, 404)},
                   summary="One duty record with its versions and evidence, and what I may "
                           "do with it.")
    def get(self, request, pk):
        return Response(_detail(request.user, pk))


class DutyRecordReviewView(APIView):
    @extend_schema(request=s.DutyRecordReviewSerializer,
                   responses={200: s.DutyRecordDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Accept a record awaiting my review, or return it with an opinion "
                           "(the reviewer of its first item, or whoever acts for them today).")
    def post(self, request, pk):
        record = _record_or_404(request.user, pk)
        data = s.DutyRecordReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        duty_records.duty_record_review(
            record=record, by=request.user, accept=data.validated_data["decision"] == "accept",
            opinion=data.validated_data.get("opinion", ""))
        return Response(_detail(request.user, record.pk))


class DutyRecordResubmitView(APIView):
    @extend_schema(request=s.DutyRecordWriteSerializer,
                   responses={200: s.DutyRecordDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Correct a record returned to me and submit it again (a new "
                           "version).")
    def post(self, request, pk):
        user = request.user
        record = _record_or_404(user, pk)
        if record.author_id != user.pk:
            raise PermissionDenied(_("Only the person who recorded it changes a record."))
        data = s.DutyRecordWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        duty_records.duty_record_resubmit(
            record=record, by=user, items=_items(record.duty_list, values["items"]),
            participants=_participants(user, values.get("participants", [])),
            **_fields(values))
        return Response(_detail(user, record.pk))


class DutyRecordEvidenceUploadView(APIView):
    @extend_schema(request={"multipart/form-data": s.EvidenceUploadSerializer},
                   responses={201: s.DutyEvidenceSerializer, **errors(400, 401, 403, 404)},
                   summary="Add a file to a record of mine not yet accepted, before its "
                           "quarter locks.")
    def post(self, request, pk):
        record = _record_or_404(request.user, pk)
        evidence = duty_records.duty_record_evidence_add(record=record, by=request.user,
                                                         file=request.FILES.get("file"))
        evidence = DutyRecordEvidence.objects.select_related("uploaded_by").get(pk=evidence.pk)
        return Response(s.DutyEvidenceSerializer(evidence).data,
                        status=status.HTTP_201_CREATED)


class DutyRecordEvidenceDownloadView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                              **errors(401, 403, 404, 409)},
                   summary="Download one of a record's files (checked against its SHA-256; "
                           "audited).")
    def get(self, request, pk, evidence_pk):
        record = _record_or_404(request.user, pk)
        if not record.full:
            raise Http404(_("A talk's content is for those who took part."))
        evidence = get_object_or_404(DutyRecordEvidence, pk=evidence_pk, record=record)
        try:
            handle = evidence_open(evidence=evidence, by=request.user)
        except EvidenceTampered as error:
            return Response(body(str(error)), status=status.HTTP_409_CONFLICT)
        return FileResponse(handle, as_attachment=True, filename=evidence.name,
                            content_type=evidence.content_type)
