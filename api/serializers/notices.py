"""Notifications and circulars."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from records import selectors
from records.models import (
    Circular,
    Notification,
)

from .common import UnitRefSerializer


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "key", "day", "deadline", "title", "body", "url", "created_at",
                  "read_at"]


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, help_text=_("Only unread ones."))


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many were marked read."))


class CircularSerializer(serializers.ModelSerializer):
    document_number = serializers.CharField()
    problem_count = serializers.IntegerField()

    class Meta:
        model = Circular
        fields = ["id", "year", "number", "document_number", "title", "issuer", "issued_on",
                  "problem_count"]


class CircularIssueSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, max_length=8000,
                                 help_text=_("The opening text."))
    issuer = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                   help_text=_("Who issues it (the bureau's discipline "
                                               "committee unless given)."))
    issued_on = serializers.DateField(required=False, help_text=_("Today unless given."))
    problems = serializers.PrimaryKeyRelatedField(
        many=True, queryset=selectors.issuable_problems(), allow_empty=False,
        help_text=_("The ids of the problems it names (from the ledger)."))

    def validate_issued_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The date of issue cannot be in the future."))
        return value


class CircularProblemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = UnitRefSerializer()
    category = serializers.CharField()
    description = serializers.CharField()
    found_on = serializers.DateField()
    status = serializers.CharField()
    visible = serializers.BooleanField(help_text=_("Whether I may open the problem itself."))


class CircularDetailSerializer(CircularSerializer):
    problems = serializers.SerializerMethodField()

    class Meta(CircularSerializer.Meta):
        fields = [*CircularSerializer.Meta.fields, "body", "problems"]

    @extend_schema_field(CircularProblemSerializer(many=True))
    def get_problems(self, circular):
        return CircularProblemSerializer(self.context["problems"], many=True).data
