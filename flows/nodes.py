"""Flow building blocks shared by every flow of the chain."""

from functools import update_wrapper

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow import flow


def wrap_execute_view(flow_task, origin_view):
    """viewflow's wrapper of a task page (viewflow.workflow.flow.utils.wrap_view), reading
    the task with its process and owner in one query, and only with the process named in
    the URL (so a GET needs no guard of its own: flows/middleware.py)."""

    def view(request, *args, **kwargs):
        process_pk, task_pk = kwargs["process_pk"], kwargs["task_pk"]

        def call_with_activation():
            task = get_object_or_404(
                flow_task.flow_class.task_class.objects.select_related("process", "owner"),
                pk=task_pk, process_id=process_pk)
            if task.process.flow_class != flow_task.flow_class:
                raise Http404("No task matches the given query.")
            request.activation = flow_task.activation_class(task)
            if not flow_task.can_execute(request.user, task=task):
                raise PermissionDenied
            request.activation.start(request)
            return origin_view(request, *args, **kwargs)

        try:
            if request.method == "POST":
                with flow_task.flow_class.lock(process_pk), transaction.atomic():
                    return call_with_activation()
            return call_with_activation()
        except TransitionNotAllowed as e:
            raise PermissionDenied(",".join(e.args)) from e

    update_wrapper(view, origin_view)
    view.reads_task_with_its_process = True
    return view


class ChainView(flow.View):
    """A human step whose owner comes from the chain.

    The owner is resolved when the task is created and never changes by a
    click: viewflow's self-service assign/unassign would let a task fall out
    of the chain into a shared queue, so they are switched off.
    """

    assign_view_class = None
    unassign_view_class = None

    @property
    def view_path(self):
        return path(f"<int:process_pk>/{self.name}/<int:task_pk>/execute/",
                    wrap_execute_view(self, self.view), name="execute")
