"""What the API reads and writes, field by field (each documented in the OpenAPI schema)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Post, Unit, User
from flows.actions import ACTION_NAMES
from records import ledger
from records.models import (
    Circular,
    Evidence,
    ExtensionRequest,
    Notification,
    Opinion,
    Problem,
    ProgressNote,
    QuarterlyReport,
)


class ErrorSerializer(serializers.Serializer):
    """Every error: a message in the request's language, and the message of each field."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.JSONField(), required=False)


# -- people and units ------------------------------------------------------------------------

class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["code", "name"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["username", "name"]


class PostSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()

    class Meta:
        model = Post
        fields = ["role", "unit", "valid_from", "valid_to"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    posts = PostSerializer(many=True, help_text=_("Posts held today."))
    units = serializers.ListField(child=serializers.CharField(),
                                  help_text=_("Codes of the units where I am head or liaison."))
    oversees = serializers.ListField(child=serializers.CharField(),
                                     help_text=_("Codes of the units I oversee as a leader."))
    sees_everything = serializers.BooleanField()
    can_register_problems = serializers.BooleanField()


# -- authentication --------------------------------------------------------------------------

class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False,
                                     style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


# -- tasks -----------------------------------------------------------------------------------

class ItemSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["report", "problem"])
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()


def item_of(record) -> dict:
    return {"type": "report" if isinstance(record, QuarterlyReport) else "problem",
            "id": record.pk, "title": str(record), "status": record.status}


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    process = serializers.IntegerField(help_text=_("The process id."))
    flow = serializers.CharField(help_text=_("quarterlyreport or rectification"))
    step = serializers.CharField(help_text=_("The step (flow node) name, e.g. draft, review."))
    title = serializers.CharField(help_text=_("The step's title."))
    item = ItemSerializer()
    unit = UnitRefSerializer()
    deadline = serializers.DateField(allow_null=True)
    light = serializers.ChoiceField(choices=list(ledger.LIGHTS),
                                    help_text=_("Traffic light of the deadline."))
    created = serializers.DateTimeField()
    actions = serializers.ListField(child=serializers.ChoiceField(choices=ACTION_NAMES))


class TaskActionRequestSerializer(serializers.Serializer):
    """The fields of every action; each action reads its own (see the action's description)."""

    opinion = serializers.CharField(required=False, allow_blank=True, max_length=4000,
                                    help_text=_("sign_off, return, approve_plan, close_out, "
                                                "send_back (required to return or send back)."))
    work_done = serializers.CharField(required=False, allow_blank=True,
                                      help_text=_("save, submit (required to submit)."))
    problems = serializers.CharField(required=False, allow_blank=True, help_text=_("save, submit."))
    next_steps = serializers.CharField(required=False, allow_blank=True,
                                       help_text=_("save, submit."))
    root_cause = serializers.CharField(required=False, help_text=_("analyse."))
    measures = serializers.CharField(required=False, help_text=_("analyse."))
    planned_date = serializers.DateField(required=False, help_text=_("analyse."))
    text = serializers.CharField(required=False, max_length=4000,
                                 help_text=_("progress, submit_part (required)."))
    new_date = serializers.DateField(required=False, help_text=_("request_extension."))
    reason = serializers.CharField(required=False, max_length=2000,
                                   help_text=_("request_extension."))
    file = serializers.FileField(required=False,
                                 help_text=_("evidence, submit_part (multipart/form-data)."))


class TaskActionResultSerializer(serializers.Serializer):
    task = serializers.IntegerField()
    action = serializers.CharField()
    completed = serializers.BooleanField(help_text=_("The task is finished; the flow moved on."))
    item = ItemSerializer()


# -- history ---------------------------------------------------------------------------------

class OpinionSerializer(serializers.ModelSerializer):
    author = PersonSerializer()
    on_behalf_of = PersonSerializer(allow_null=True)

    class Meta:
        model = Opinion
        fields = ["id", "kind", "text", "author", "on_behalf_of", "version", "created_at", "task"]


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
    owner = PersonSerializer(allow_null=True)
    on_behalf_of = PersonSerializer(allow_null=True)
    created = serializers.DateTimeField()
    finished = serializers.DateTimeField(allow_null=True)
    is_open = serializers.BooleanField()
    opinion = OpinionSerializer(allow_null=True)
    part = CountersignPartSerializer(allow_null=True)


# -- reports ---------------------------------------------------------------------------------

class ReportSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    is_overdue = serializers.BooleanField()

    class Meta:
        model = QuarterlyReport
        fields = ["id", "unit", "year", "quarter", "status", "version", "due_date",
                  "step_due_date", "is_overdue", "submitted_at", "signed_off_at", "created_at",
                  "updated_at"]


class ReportDetailSerializer(ReportSerializer):
    history = HistoryEntrySerializer(many=True)
    opinions = OpinionSerializer(many=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "work_done", "problems", "next_steps",
                  "history", "opinions"]


class ReportFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4)
    unit = serializers.CharField(required=False, max_length=40, help_text=_("A unit code."))
    status = serializers.ChoiceField(required=False, choices=QuarterlyReport.Status.choices)


# -- problems --------------------------------------------------------------------------------

class ProblemSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    assignee = serializers.SerializerMethodField()
    light = serializers.ChoiceField(choices=list(ledger.LIGHTS))
    step_title = serializers.CharField()

    class Meta:
        model = Problem
        fields = ["id", "unit", "source", "category", "description", "person_concerned",
                  "found_on", "registered_at", "status", "step", "step_title", "assignee",
                  "due_date", "planned_date", "approved_date", "light", "problem_list"]

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

    class Meta:
        model = ExtensionRequest
        fields = ["id", "requested_by", "requested_at", "current_date", "new_date", "reason",
                  "decision", "decided_by", "decided_at"]


class ProblemDetailSerializer(ProblemSerializer):
    co_units = UnitRefSerializer(many=True)
    registered_by = PersonSerializer()
    history = HistoryEntrySerializer(many=True)
    opinions = OpinionSerializer(many=True)
    evidence = EvidenceSerializer(many=True)
    progress_notes = ProgressNoteSerializer(many=True)
    extensions = ExtensionRequestSerializer(many=True)

    class Meta(ProblemSerializer.Meta):
        fields = [*ProblemSerializer.Meta.fields, "co_units", "registered_by", "root_cause",
                  "measures",
                  "rectified_at", "closed_at", "filed_at", "history", "opinions", "evidence",
                  "progress_notes", "extensions"]


class ProblemFilterSerializer(serializers.Serializer):
    unit = serializers.CharField(required=False, max_length=40, help_text=_("A unit code."))
    category = serializers.ChoiceField(required=False, choices=Problem.Category.choices)
    source = serializers.ChoiceField(required=False, choices=Problem.Source.choices)
    status = serializers.ChoiceField(required=False, choices=Problem.Status.choices)
    light = serializers.ChoiceField(required=False, choices=list(ledger.LIGHTS))
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    sort = serializers.ChoiceField(
        required=False, choices=[*ledger.SORTS, *(f"-{key}" for key in ledger.SORTS)])


class ProblemItemSerializer(serializers.Serializer):
    unit = serializers.SlugRelatedField(
        slug_field="code", queryset=Unit.objects.filter(is_active=True).exclude(
            kind=Unit.Kind.BUREAU), help_text=_("The responsible unit's code."))
    category = serializers.ChoiceField(choices=Problem.Category.choices)
    description = serializers.CharField(max_length=4000)
    person_concerned = serializers.CharField(required=False, allow_blank=True, max_length=100)
    co_units = serializers.SlugRelatedField(
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
    decision = serializers.ChoiceField(choices=["grant", "refuse"])
    opinion = serializers.CharField(required=False, allow_blank=True, max_length=4000,
                                    help_text=_("Required to refuse."))


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("PDF, Word, Excel or images."))


# -- notifications and circulars -------------------------------------------------------------

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


@extend_schema_field(OpenApiTypes.BINARY)
class BinaryField(serializers.Field):
    pass
