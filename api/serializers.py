"""What the API reads and writes, field by field (each documented in the OpenAPI schema)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Post, Unit, User
from api.typed import PersonRef
from flows import steps
from records import kinds, ledger
from records.models import (
    Circular,
    Evidence,
    ExtensionRequest,
    Notification,
    Opinion,
    Problem,
    ProgressNote,
    QuarterlyReport,
    Urge,
    Version,
)
from records.versions import DELETE, EQUAL, INSERT


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
    type = serializers.ChoiceField(choices=list(kinds.KINDS),
                                   help_text=_("The kind of record (report, problem …)."))
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()


def item_of(record) -> dict:
    return {"type": kinds.kind_of(record).key,
            "id": record.pk, "title": str(record), "status": record.status}


PROVISIONAL = _("The deadline beside it was counted Monday to Friday in a year whose holidays "
                "are not entered yet; it is counted again once they are.")


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    process = serializers.IntegerField(help_text=_("The process id."))
    flow = serializers.CharField(help_text=_("quarterlyreport or rectification"))
    step = serializers.CharField(help_text=_("The step (flow node) name, e.g. draft, review."))
    title = serializers.CharField(help_text=_("The step's title."))
    item = ItemSerializer()
    unit = UnitRefSerializer()
    deadline = serializers.DateField(allow_null=True)
    deadline_provisional = serializers.BooleanField(help_text=PROVISIONAL)
    light = serializers.ChoiceField(choices=list(ledger.LIGHTS),
                                    help_text=_("Traffic light of the deadline."))
    created = serializers.DateTimeField()
    actions = serializers.ListField(child=serializers.ChoiceField(choices=steps.action_names()))


class TaskActionRequestSerializer(serializers.Serializer):
    """The fields of every action; each action reads its own (see the action's description)."""

    opinion = serializers.CharField(required=False, allow_blank=True, max_length=4000,
                                    help_text=_("sign_off, pass_up, return, approve_plan, "
                                                "close_out, send_back (required to return or "
                                                "send back)."))
    copy_to = serializers.ListField(
        child=PersonRef(), required=False,
        help_text=_("sign_off, pass_up, return, approve_plan, close_out, send_back: ids or "
                    "usernames of people to copy the decision to (抄送), besides the "
                    "configured ones (GET tasks/{id}/candidates/ lists them)."))
    to = PersonRef(required=False,
                   help_text=_("transfer: the id or username of the person taking it over "
                               "(GET tasks/{id}/candidates/ lists them)."))
    work_done = serializers.CharField(required=False, allow_blank=True,
                                      help_text=_("save, submit (required to submit)."))
    problems = serializers.CharField(required=False, allow_blank=True, help_text=_("save, submit."))
    next_steps = serializers.CharField(required=False, allow_blank=True,
                                       help_text=_("save, submit."))
    root_cause = serializers.CharField(required=False, help_text=_("save (a draft), analyse."))
    measures = serializers.CharField(required=False, help_text=_("save (a draft), analyse."))
    planned_date = serializers.DateField(required=False,
                                         help_text=_("save (a draft), analyse."))
    text = serializers.CharField(required=False, max_length=4000,
                                 help_text=_("progress, submit_part (required)."))
    new_date = serializers.DateField(required=False, help_text=_("request_extension."))
    reason = serializers.CharField(required=False, max_length=2000,
                                   help_text=_("request_extension, transfer (required)."))
    file = serializers.FileField(required=False,
                                 help_text=_("evidence, submit_part (multipart/form-data)."))


class CandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    post = serializers.CharField(allow_blank=True,
                                 help_text=_("The person's post today (role, unit)."))


class TaskCandidatesSerializer(serializers.Serializer):
    transfer = CandidateSerializer(many=True, help_text=_(
        "Who may take the task over (转办): send one as `to` of the transfer action."))
    copy_to = CandidateSerializer(many=True, help_text=_(
        "Who may be copied on the step's decision (抄送): send them as `copy_to`."))


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


# -- versions --------------------------------------------------------------------------------

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


class BulkSignOffRequestSerializer(serializers.Serializer):
    tasks = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1,
                                  max_length=200,
                                  help_text=_("Ids of my review tasks of quarterly reports."))
    opinion = serializers.CharField(required=False, allow_blank=True, max_length=4000,
                                    help_text=_("The opinion for every task without its own."))
    opinions = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=4000), required=False,
        help_text=_("Task id → its own opinion (overrides the common one)."))

    def validate_opinions(self, value):
        cleaned = {}
        for key, text in value.items():
            try:
                cleaned[int(key)] = text
            except (TypeError, ValueError):
                raise serializers.ValidationError(
                    _("“%(key)s” is not a task id.") % {"key": key}) from None
        return cleaned

    def validate(self, attrs):
        extra = set(attrs.get("opinions", {})) - set(attrs["tasks"])
        if extra:
            raise serializers.ValidationError({"opinions": [
                _("Opinions given for tasks not selected: %(ids)s.")
                % {"ids": ", ".join(str(pk) for pk in sorted(extra))}]})
        return attrs


class BulkSignOffResultSerializer(serializers.Serializer):
    task = serializers.IntegerField()
    ok = serializers.BooleanField(help_text=_("Signed off."))
    error = serializers.CharField(allow_blank=True, help_text=_("Why not, when not."))
    item = ItemSerializer(allow_null=True)


# -- reports ---------------------------------------------------------------------------------

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


# -- problems --------------------------------------------------------------------------------

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

    class Meta:
        model = ExtensionRequest
        fields = ["id", "requested_by", "requested_at", "unit", "current_date", "new_date",
                  "reason", "decision", "decided_by", "decided_at"]


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
    sort = serializers.ChoiceField(
        required=False, choices=[*ledger.SORTS, *(f"-{key}" for key in ledger.SORTS)])


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
