"""My tasks, the actions they allow, bulk sign-off, urging and whom a task may go to."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Post
from api import serializers as s
from flows import actions as task_actions
from flows import approvals, steps
from flows.bulk import bulk_sign_off, can_bulk_sign_off
from flows.selectors import record_of_task
from records import kinds, ledger
from records.forms import ReviewForm, bureau_people

from . import steps as step_views
from .common import NoFilters, errors, valid_filters

# -- tasks -----------------------------------------------------------------------------------

def _light(record, lights: ledger.Lights) -> tuple:
    due, is_open = record.step_due, record.is_open
    if not is_open:
        return due, ledger.GREY
    if due is None or due > lights.threshold:
        return due, ledger.GREEN
    return due, ledger.RED if due < lights.today else ledger.YELLOW


def task_row(task: Task, lights: ledger.Lights) -> dict:
    record = record_of_task(task)
    deadline, light = _light(record, lights)
    app_name, step = task_actions.flow_key(task)
    return {
        "id": task.pk, "process": task.process_id, "flow": app_name, "step": step,
        "title": str(task.flow_task.task_title), "item": s.item_of(record), "unit": record.unit,
        "deadline": deadline, "light": light, "created": task.created,
        "deadline_provisional": record.step_due_is_provisional,
        "actions": task_actions.open_actions(task),
    }


class TaskListView(generics.GenericAPIView):
    serializer_class = s.TaskSerializer

    def get_queryset(self):
        return (Task.objects.filter(owner=self.request.user, status=STATUS.ASSIGNED,
                                    flow_task_type="HUMAN")
                .select_related("process").order_by("-created", "-pk"))

    @extend_schema(responses={200: s.TaskSerializer(many=True), **errors(400, 401, 403, 404)},
                   summary="My open tasks (the inbox), with the actions I may take now.")
    def get(self, request):
        valid_filters(NoFilters, request)
        page = self.paginate_queryset(self.get_queryset())
        kinds.attach_records([task.process for task in page])
        lights = ledger.Lights.now()
        rows = [task_row(task, lights) for task in page if record_of_task(task) is not None]
        return self.get_paginated_response(s.TaskSerializer(rows, many=True).data)


ACTION_DESCRIPTION = "\n".join(
    f"- `{steps.key(node)}`: " + ", ".join(
        f"`{name}`" + (" (finishes the task)" if action.completes else "")
        for name, action in steps.actions(node).items())
    for node in steps.every_step())


class TaskActionView(APIView):
    @extend_schema(
        operation_id="tasks_action", deprecated=True,
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH,
                                     enum=steps.action_names(),
                                     description="An action of the task's step.")],
        request={"application/json": s.TaskActionRequestSerializer,
                 "multipart/form-data": s.TaskActionRequestSerializer},
        responses={200: s.TaskActionResultSerializer, **errors(400, 401, 403, 404, 409)},
        summary="Take an action on one of my tasks, validated as on its page.",
        description="Each action has an operation of its own, typed, under "
                    "`steps/<flow>/<step>/<task>/<action>/`; this one takes them all. "
                    "Actions by step:\n" + ACTION_DESCRIPTION)
    def post(self, request, pk, action):
        return step_views.take(request, pk, action)


def _candidates(people) -> list[dict]:
    """Each person with their post today, in two queries whatever their number."""
    posts = {}
    for post in (Post.objects.on(timezone.localdate()).filter(user__in=people)
                 .select_related("unit").order_by("valid_from", "pk")):
        posts.setdefault(post.user_id, f"{post.get_role_display()} · {post.unit.name}")
    return [{"id": person.pk, "username": person.username, "name": str(person),
             "post": posts.get(person.pk, "")} for person in people]


class TaskCandidatesView(APIView):
    @extend_schema(responses={200: s.TaskCandidatesSerializer, **errors(401, 403, 404)},
                   summary="Whom I may hand one of my tasks to (转办), and copy its decision "
                           "to (抄送).")
    def get(self, request, pk):
        task = task_actions.owned_task(pk, request.user)
        record = task.flow_task.flow_class.instance.record_of(task.process)
        actions = task_actions.actions_of(task)
        transfer = approvals.transfer_candidates(task, record) if "transfer" in actions else []
        copies = (bureau_people(record.unit)
                  if any(action.form is ReviewForm for action in actions.values()) else [])
        return Response(s.TaskCandidatesSerializer({
            "transfer": _candidates(transfer), "copy_to": _candidates(copies)}).data)


class BulkSignOffView(APIView):
    @extend_schema(
        operation_id="tasks_bulk_sign_off", request=s.BulkSignOffRequestSerializer,
        responses={200: s.BulkSignOffResultSerializer(many=True), **errors(400, 401, 403)},
        summary="Sign off several quarterly reports at once (one result per task).",
        description="Each task is signed off on its own, as `POST /tasks/{id}/sign_off/` "
                    "would: one that fails (not yours, already handled, busy) does not stop "
                    "the others. A task's own opinion in `opinions` overrides `opinion`.")
    def post(self, request):
        if not can_bulk_sign_off(request.user):
            raise PermissionDenied(_("Only leaders sign off quarterly reports."))
        data = s.BulkSignOffRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        results = bulk_sign_off(user=request.user, task_ids=values["tasks"],
                                opinion=values.get("opinion", ""),
                                opinions=values.get("opinions", {}), request=request._request)
        rows = [{"task": r.task, "ok": r.ok, "error": r.error,
                 "item": s.item_of(r.report) if r.report is not None else None}
                for r in results]
        return Response(s.BulkSignOffResultSerializer(rows, many=True).data)


