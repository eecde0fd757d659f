"""A record's history: opinions, steps, the path ahead, versions and diffs, withdrawals, urges."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from records.models import (
    Opinion,
    Urge,
    Version,
)
from records.versions import DELETE, EQUAL, INSERT

from .common import ItemSerializer, PersonSerializer, UnitRefSerializer


class OpinionSerializer(serializers.ModelSerializer):
    author = PersonSerializer()
    on_behalf_of = PersonSerializer(allow_null=True)

    class Meta:
        model = Opinion
        fields = ["id", "kind", "text", "author", "on_behalf_of", "version", "created_at", "task"]


class TransferNoteSerializer(serializers.Serializer):
    author = PersonSerializer(help_text=_("Who handed the task over."))
    to = PersonSerializer(allow_null=True, help_text=_("Who took it over."))
    text = serializers.CharField(help_text=_("The reason."))
    created_at = serializers.DateTimeField()


class RecusalSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("Who would have had the step."))
    reason = serializers.CharField()


class CountersignPartSerializer(serializers.Serializer):
    """A participant's part of a countersign step (会签)."""

    round = serializers.IntegerField()
    position = serializers.IntegerField()
    mode = serializers.CharField()
    unit = UnitRefSerializer(allow_null=True)
    status = serializers.CharField(help_text=_("pending, done or not_needed."))
    text = serializers.CharField()
    acted_at = serializers.DateTimeField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    task = serializers.IntegerField(source="task.pk")
    step = serializers.CharField(source="task.flow_task.name")
    title = serializers.CharField(source="step")
    level = serializers.CharField(help_text=_("Level of a level-by-level review, if any."))
    owner = PersonSerializer(allow_null=True)
    on_behalf_of = PersonSerializer(allow_null=True)
    created = serializers.DateTimeField()
    finished = serializers.DateTimeField(allow_null=True)
    is_open = serializers.BooleanField()
    cancelled = serializers.BooleanField(help_text=_("The step was withdrawn or not needed."))
    opinion = OpinionSerializer(allow_null=True)
    transfers = TransferNoteSerializer(source="notes", many=True)
    copied_to = PersonSerializer(source="copies", many=True)
    recused = RecusalSerializer(allow_null=True)
    version = serializers.IntegerField(
        source="version.number", allow_null=True,
        help_text=_("The version this step submitted (draft and analyse steps), else null."))
    part = CountersignPartSerializer(allow_null=True)


class PathStepSerializer(serializers.Serializer):
    title = serializers.CharField()
    person = PersonSerializer(allow_null=True)
    on_behalf_of = PersonSerializer(allow_null=True)
    due = serializers.DateField(allow_null=True)
    is_current = serializers.BooleanField()
    estimated = serializers.BooleanField(help_text=_("The deadline is an estimate."))
    note = serializers.CharField()


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class WithdrawResultSerializer(serializers.Serializer):
    item = ItemSerializer()
    task = serializers.IntegerField(help_text=_("The drafting task it went back to."))


class VersionSerializer(serializers.ModelSerializer):
    submitted_by = PersonSerializer()
    content = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text=_("The frozen fields: work_done, problems, next_steps (a report); "
                    "root_cause, measures, planned_date (a problem's plan)."))
    task = serializers.IntegerField(source="task_id", allow_null=True,
                                    help_text=_("The task that submitted it."))

    class Meta:
        model = Version
        fields = ["number", "content", "submitted_by", "submitted_at", "task"]


class DiffSegmentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[EQUAL, DELETE, INSERT])
    text = serializers.CharField()


class FieldDiffSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    changed = serializers.BooleanField()
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)
    old_segments = DiffSegmentSerializer(many=True, help_text=_(
        "The previous text in pieces; deleted pieces are marked delete."))
    new_segments = DiffSegmentSerializer(many=True, help_text=_(
        "This version's text in pieces; added pieces are marked insert."))
    old_html = serializers.CharField(help_text=_("The previous text, HTML-escaped, with <del>."))
    new_html = serializers.CharField(help_text=_("This version's text, HTML-escaped, with <ins>."))


class VersionDetailSerializer(VersionSerializer):
    previous = serializers.IntegerField(
        allow_null=True, help_text=_("The version compared with (number - 1), if kept."))
    diff = FieldDiffSerializer(many=True, allow_null=True,
                               help_text=_("Field by field, what changed since the previous "
                                           "version; null for the first."))
    opinions = OpinionSerializer(many=True, help_text=_("Opinions given on this version."))

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "previous", "diff", "opinions"]


class UrgeSerializer(serializers.ModelSerializer):
    urged_by = PersonSerializer()
    assignee = PersonSerializer(help_text=_("The owner of the open step who was urged."))
    on_behalf_of = PersonSerializer(allow_null=True,
                                    help_text=_("Whom the assignee acts for, if anyone."))
    step = serializers.CharField(source="task.flow_task.name", allow_null=True, default=None)
    day = serializers.DateField(help_text=_("The working day the urge counts for."))

    class Meta:
        model = Urge
        fields = ["id", "urged_by", "assignee", "on_behalf_of", "task", "step", "message", "day",
                  "created_at"]


class UrgeRequestSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=1000,
                                    help_text=_("Optional words for the assignee."))
