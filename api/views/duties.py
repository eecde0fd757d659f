"""The year's duty list: built by the committee, issued by the secretary."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from records.models import DutyItem
from records.selectors import visible_duty_list_or_404 as visible_list_or_404
from records.selectors import visible_duty_lists as visible_lists
from records.services import duties

from .common import NoFilters, errors, valid_filters


def _detail(duty_list) -> dict:
    duty_list.issue_problems = duties.issue_problems(duty_list) if duty_list.is_draft else []
    return s.DutyListDetailSerializer(duty_list).data


class DutyListListView(generics.GenericAPIView):
    serializer_class = s.DutyListSerializer

    @extend_schema(responses={200: s.DutyListSerializer(many=True),
                              **errors(400, 401, 403, 404)},
                   summary="The duty lists I may read, newest year first (drafts: the "
                           "committee and the secretary).")
    def get(self, request):
        valid_filters(NoFilters, request)
        rows = visible_lists(request.user).select_related("issued_by").order_by("-year")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.DutyListSerializer(page, many=True).data)

    @extend_schema(request=s.DutyListBuildSerializer,
                   responses={201: s.DutyListDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Build a year's draft list from the work plan's text, or copy "
                           "another year's (the discipline committee).")
    def post(self, request):
        if not duties.can_build(request.user):
            raise PermissionDenied(_("Only the discipline committee builds the duty list."))
        data = s.DutyListBuildSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("copy_from"):
            source = visible_list_or_404(request.user, values["copy_from"])
            made = duties.duty_list_copy(source=source, year=values["year"], by=request.user)
        else:
            made = duties.duty_list_from_plan(year=values["year"], text=values["text"],
                                              title=values.get("title", ""), by=request.user)
        return Response(_detail(made), status=status.HTTP_201_CREATED)


class DutyListDetailView(APIView):
    @extend_schema(responses={200: s.DutyListDetailSerializer, **errors(401, 403, 404)},
                   summary="One duty list with its items.")
    def get(self, request, pk):
        return Response(_detail(visible_list_or_404(request.user, pk)))


class DutyItemView(APIView):
    @extend_schema(request=s.DutyItemUpdateSerializer,
                   responses={200: s.DutyItemSerializer, **errors(400, 401, 403, 404)},
                   summary="Set an item's target, carriers, period and rules (the committee; "
                           "once issued, a new version with a reason).")
    def patch(self, request, pk, number):
        if not duties.can_build(request.user):
            raise Http404(_("Only the discipline committee changes the duty list."))
        duty_list = visible_list_or_404(request.user, pk)
        item = get_object_or_404(DutyItem, duty_list=duty_list, number=number)
        data = s.DutyItemUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        reason = changes.pop("reason", "")
        updated = duties.duty_item_update(item=item, by=request.user, reason=reason, **changes)
        return Response(s.DutyItemSerializer(updated).data)


class DutyListIssueView(APIView):
    @extend_schema(request=None,
                   responses={200: s.DutyListDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Issue the draft list (the secretary).")
    def post(self, request, pk):
        duty_list = visible_list_or_404(request.user, pk)
        if not duties.can_issue(request.user):
            raise PermissionDenied(_("Only the secretary issues the duty list."))
        return Response(_detail(duties.duty_list_issue(duty_list=duty_list, by=request.user)))
