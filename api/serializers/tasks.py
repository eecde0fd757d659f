"""Tasks, their actions and bulk sign-off."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.typed import PersonRef
from flows import steps
from records import ledger

from .common import PROVISIONAL, ItemSerializer, UnitRefSerializer


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
