"""Problems, their evidence, progress and extensions, and registering them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Unit
from records import ledger
from records.models import (
    Evidence,
    ExtensionRequest,
    Problem,
    ProgressNote,
)

from .common import PROVISIONAL, PersonSerializer, UnitRefSerializer
from .trail import HistoryEntrySerializer, OpinionSerializer, PathStepSerializer, UrgeSerializer


class ProblemSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    assignee = serializers.SerializerMethodField()
    light = serializers.ChoiceField(choices=list(ledger.LIGHTS))
    step_title = serializers.CharField()
    due_date_provisional = serializers.BooleanField(source="due_date_is_provisional",
                                                    help_text=PROVISIONAL)

    class Meta:
        model = Problem
        fields = ["id", "unit", "source", "category", "description", "person_concerned",
                  "found_on", "registered_at", "status", "step", "step_title", "assignee",
                  "due_date", "due_date_provisional", "planned_date", "approved_date", "light",
                  "problem_list"]

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_assignee(self, problem):
        if not problem.is_open or problem.assignee is None:
            return None
        return PersonSerializer(problem.assignee).data


class EvidenceSerializer(serializers.ModelSerializer):
    uploaded_by = PersonSerializer()

    class Meta:
        model = Evidence
        fields = ["id", "name", "size", "content_type", "sha256", "uploaded_by", "uploaded_at"]


class ProgressNoteSerializer(serializers.ModelSerializer):
    author = PersonSerializer()

    class Meta:
        model = ProgressNote
        fields = ["id", "text", "author", "created_at"]


class ExtensionRequestSerializer(serializers.ModelSerializer):
    requested_by = PersonSerializer()
    decided_by = PersonSerializer(allow_null=True)
    unit = UnitRefSerializer(allow_null=True,
                             help_text=_("A joint problem: the unit whose part it extends."))

    decider = PersonSerializer(allow_null=True, help_text=_(
        "Who decides it by today's chain (whoever acts for them decides while they are away)."))

    class Meta:
        model = ExtensionRequest
        fields = ["id", "requested_by", "requested_at", "unit", "current_date", "new_date",
                  "reason", "decision", "decided_by", "decided_at", "decider", "decide_by"]


class ExtensionToDecideSerializer(ExtensionRequestSerializer):
    problem = serializers.IntegerField(source="problem_id")
    problem_title = serializers.CharField(source="problem.__str__")
    problem_unit = UnitRefSerializer(source="problem.unit")

    class Meta(ExtensionRequestSerializer.Meta):
        fields = [*ExtensionRequestSerializer.Meta.fields, "problem", "problem_title",
                  "problem_unit"]


class ProblemDetailSerializer(ProblemSerializer):
    co_units = UnitRefSerializer(many=True)
    registered_by = PersonSerializer()
    history = HistoryEntrySerializer(many=True)
    path_ahead = PathStepSerializer(many=True)
    opinions = OpinionSerializer(many=True)
    evidence = EvidenceSerializer(many=True)
    progress_notes = ProgressNoteSerializer(many=True)
    extensions = ExtensionRequestSerializer(many=True)
    urges = UrgeSerializer(many=True, source="urge_list")

    class Meta(ProblemSerializer.Meta):
        fields = [*ProblemSerializer.Meta.fields, "co_units", "registered_by", "root_cause",
                  "measures", "rectified_at", "closed_at", "filed_at", "history", "path_ahead",
                  "opinions", "evidence", "progress_notes", "extensions", "urges"]


class ProblemFilterSerializer(serializers.Serializer):
    unit = serializers.CharField(required=False, max_length=40, help_text=_("A unit code."))
    category = serializers.ChoiceField(required=False, choices=Problem.Category.choices)
    source = serializers.ChoiceField(required=False, choices=Problem.Source.choices)
    status = serializers.ChoiceField(required=False, choices=Problem.Status.choices)
    light = serializers.ChoiceField(required=False, choices=list(ledger.LIGHTS))
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    check = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        help_text=_("The check that found them: a problem list's id (a problem's "
                    "`problem_list`)."))
    found_from = serializers.DateField(required=False, help_text=_("Found on or after."))
    found_to = serializers.DateField(required=False, help_text=_("Found on or before."))
    sort = serializers.ChoiceField(
        required=False, choices=[*ledger.SORTS, *(f"-{key}" for key in ledger.SORTS)])

    def validate(self, values):
        start, end = values.get("found_from"), values.get("found_to")
        for name in ("found_from", "found_to"):
            if values.get(name) and not 2000 <= values[name].year <= 2100:
                raise serializers.ValidationError({name: _("Give a date between 2000 and "
                                                           "2100.")})
        if start and end and start > end:
            raise serializers.ValidationError(
                {"found_to": _("The end of the range is before its start.")})
        return values


class UnitCodeField(serializers.SlugRelatedField):
    """A unit by its code; text no code can be (a NUL byte, say) is "no such unit" without
    reaching the database (PostgreSQL refuses NUL in text)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


class ProblemItemSerializer(serializers.Serializer):
    unit = UnitCodeField(
        slug_field="code", queryset=Unit.objects.filter(is_active=True).exclude(
            kind=Unit.Kind.BUREAU), help_text=_("The responsible unit's code."))
    category = serializers.ChoiceField(choices=Problem.Category.choices)
    description = serializers.CharField(max_length=4000)
    person_concerned = serializers.CharField(required=False, allow_blank=True, max_length=100)
    co_units = UnitCodeField(
        many=True, required=False, slug_field="code",
        queryset=Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.BUREAU),
        help_text=_("Codes of the other units involved: each unit's head writes its part "
                    "of the rectification (countersign)."))


class ProblemRegisterSerializer(serializers.Serializer):
    """One problem, or a problem list from one check (up to 50): one flow per problem."""

    source = serializers.ChoiceField(choices=Problem.Source.choices)
    found_on = serializers.DateField()
    title = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                  help_text=_("The check, when there are several problems."))
    items = ProblemItemSerializer(many=True, allow_empty=False, max_length=50)


class ExtensionDecisionSerializer(serializers.Serializer):
    extension = serializers.IntegerField(
        required=False, min_value=1,
        help_text=_("The request to decide (its id); may be left out when only one waits for "
                    "you. A joint problem's units each ask for their own part."))
    decision = serializers.ChoiceField(choices=["grant", "refuse"])
    opinion = serializers.CharField(required=False, allow_blank=True, max_length=4000,
                                    help_text=_("Required to refuse."))


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("PDF, Word, Excel or images."))
