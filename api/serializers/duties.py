"""The year's duty list and its items."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from records.models import Carrier, DutyItem, DutyList

from .common import PersonSerializer


class DutyItemSerializer(serializers.ModelSerializer):
    carriers = serializers.ListField(child=serializers.ChoiceField(choices=Carrier.choices))

    class Meta:
        model = DutyItem
        fields = ["number", "section", "title", "text", "target_needed", "target", "as_needed",
                  "period", "carriers", "deadline_working_days", "evidence_required",
                  "reviewer", "sample_percent"]


class DutyListSerializer(serializers.ModelSerializer):
    issued_by = PersonSerializer(allow_null=True)

    class Meta:
        model = DutyList
        fields = ["id", "year", "title", "status", "version", "issued_by", "issued_at"]


class DutyListDetailSerializer(DutyListSerializer):
    items = DutyItemSerializer(many=True)
    issue_problems = serializers.ListField(
        child=serializers.CharField(), help_text=_("What stops a draft from being issued."))

    class Meta(DutyListSerializer.Meta):
        fields = [*DutyListSerializer.Meta.fields, "items", "issue_problems"]


class DutyListBuildSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    text = serializers.CharField(
        required=False, max_length=200_000,
        help_text=_("The year's work plan: each numbered item (“1.…”) becomes a duty item."))
    copy_from = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Start from this list (last year's) instead."))

    def validate(self, values):
        if bool(values.get("text")) == bool(values.get("copy_from")):
            raise serializers.ValidationError(
                {"text": _("Send the plan's text, or the list to copy (copy_from).")})
        return values


class DutyItemUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=200)
    text = serializers.CharField(required=False, max_length=4000)
    target = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                      max_value=1000)
    as_needed = serializers.BooleanField(required=False)
    period = serializers.ChoiceField(required=False, choices=DutyItem.Period.choices)
    carriers = serializers.ListField(required=False,
                                     child=serializers.ChoiceField(choices=Carrier.choices))
    deadline_working_days = serializers.IntegerField(required=False, min_value=0,
                                                     max_value=60)
    evidence_required = serializers.BooleanField(required=False)
    reviewer = serializers.ChoiceField(required=False, choices=DutyItem.Reviewer.choices)
    sample_percent = serializers.IntegerField(required=False, min_value=0, max_value=100)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                   help_text=_("Needed once the list is issued (a new "
                                               "version)."))
