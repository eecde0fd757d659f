"""Quarterly reports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from records.models import (
    QuarterlyReport,
)

from .common import PROVISIONAL, UnitRefSerializer
from .trail import HistoryEntrySerializer, OpinionSerializer, PathStepSerializer, UrgeSerializer


class ReportSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    is_overdue = serializers.BooleanField()
    due_date_provisional = serializers.BooleanField(source="due_date_is_provisional",
                                                    help_text=PROVISIONAL)
    step_due_date_provisional = serializers.BooleanField(source="step_due_date_is_provisional",
                                                         help_text=PROVISIONAL)

    class Meta:
        model = QuarterlyReport
        fields = ["id", "unit", "year", "quarter", "status", "version", "due_date",
                  "due_date_provisional", "step_due_date", "step_due_date_provisional",
                  "is_overdue", "submitted_at", "signed_off_at", "created_at", "updated_at"]


class ReportDetailSerializer(ReportSerializer):
    history = HistoryEntrySerializer(many=True)
    path_ahead = PathStepSerializer(many=True)
    opinions = OpinionSerializer(many=True)
    urges = UrgeSerializer(many=True, source="urge_list")

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "work_done", "problems", "next_steps",
                  "history", "path_ahead", "opinions", "urges"]


class ReportFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4)
    unit = serializers.CharField(required=False, max_length=40, help_text=_("A unit code."))
    status = serializers.ChoiceField(required=False, choices=QuarterlyReport.Status.choices)
