"""One operation per action of every step (flows/steps.py), each with its own request body
typed by the form its page uses: ``POST /api/v1/steps/<flow>/<step>/<task>/<action>/``
(``quarterlyreport_review_sign_off``), so that a client generated from the schema knows
what each action needs. ``POST /api/v1/tasks/<task>/<action>/`` takes the same actions
for clients written before."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api import typed
from flows import actions as task_actions
from flows import steps

from .common import errors


def take(request, pk: int, name: str, node=None) -> Response:
    """Take action ``name`` on task ``pk`` (of the step ``node``, when given): its body is
    checked against the action's types first, then validated as on its page."""

    def check(action):
        if node is not None and task_actions.owned_task(pk, request.user).flow_task is not node:
            raise Http404(_("No such task."))
        typed.check_types(action.form, request.data)

    task, record, _result = task_actions.take(
        task_pk=pk, name=name, user=request.user, data=request.data, files=request.FILES,
        request=request._request, check=check)
    return Response(s.TaskActionResultSerializer({
        "task": task.pk, "action": name,
        "completed": task_actions.actions_of(task)[name].completes,
        "item": s.item_of(record)}).data)


def _view(node, action) -> type[APIView]:
    flow = task_actions.flow_name(node.flow_class)
    body = typed.request_serializer(action.form)
    required = [name for name, field in body().fields.items() if field.required]

    class StepActionView(APIView):
        @extend_schema(
            operation_id=f"{flow}_{node.name}_{action.name}", tags=[flow],
            request={"application/json": body, "multipart/form-data": body},
            responses={200: s.TaskActionResultSerializer, **errors(400, 401, 403, 404, 409)},
            summary=f"{node.task_title}: {action.label}",
            description=(f"Step `{steps.key(node)}`, action `{action.name}`"
                         + (" (finishes the task)" if action.completes else "")
                         + (f"; required: {', '.join(required)}." if required else ".")))
        def post(self, request, pk):
            return take(request, pk, action.name, node)

    StepActionView.__name__ = f"{flow.title()}{node.name.title()}{action.name.title()}View"
    return StepActionView


def urls() -> list:
    """A route for each action of each step of each flow."""
    found = []
    for node in steps.every_step():
        flow = task_actions.flow_name(node.flow_class)
        for action in steps.actions(node).values():
            found.append(path(f"steps/{flow}/{node.name}/<int:pk>/{action.name}/",
                              _view(node, action).as_view(),
                              name=f"step_{flow}_{node.name}_{action.name}"))
    return found
