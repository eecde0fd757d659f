"""Flow building blocks shared by every flow of the chain.

Every node mounts only the pages the product supports: a human step's own page (its
``execute`` route) and a link to it (``index``). viewflow's generic task pages — detail,
undo, cancel, revive, and a gate's manual re-execution — change a process without the
product's services and audit trail, so no node of ours mounts them (404).
"""

from functools import update_wrapper

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views import generic
from viewflow import this
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


class Unmounted:
    """Mixed into a viewflow node: none of viewflow's generic task pages are mounted."""

    index_view_class = None
    detail_view_class = None
    undo_view_class = None
    cancel_view_class = None
    revive_view_class = None
    execute_view_class = None


class StartHandle(Unmounted, flow.StartHandle):
    pass


class Switch(Unmounted, flow.Switch):
    pass


class If(Unmounted, flow.If):
    pass


class Function(Unmounted, flow.Function):
    pass


class Split(Unmounted, flow.Split):
    pass


class Join(Unmounted, flow.Join):
    pass


class End(Unmounted, flow.End):
    pass


class TaskIndexView(generic.View):
    """A link to a step (the inbox's, an archived task's): its page while it is the
    visitor's to do, else the record's page for whoever may see it, else 404."""

    flow_task = None

    def get(self, request, process_pk: int, task_pk: int):
        flow_class = self.flow_task.flow_class
        task = get_object_or_404(flow_class.task_class.objects.select_related("process"),
                                 pk=task_pk, process_id=process_pk)
        if task.owner_id == request.user.pk and task.status == "ASSIGNED":
            return redirect(self.flow_task.reverse("execute", args=[process_pk, task_pk]))
        flow = flow_class.instance
        record = flow.record_of(task.process)
        if record is None or not flow.has_view_permission(request.user, task.process):
            raise Http404
        return redirect(flow.detail_url, pk=record.pk)


class ChainView(Unmounted, flow.View):
    """A human step whose owner comes from the chain.

    The owner is resolved when the task is created and never changes by a
    click: viewflow's self-service assign/unassign would let a task fall out
    of the chain into a shared queue, so they are switched off.
    """

    assign_view_class = None
    unassign_view_class = None
    _holders = None

    def _resolve(self, instance):
        super()._resolve(instance)
        created = self._on_create

        def on_create(activation):
            # the flow's own callback first (it sets the record's step and deadline), then
            # the owner hears of the new task at once
            if created is not None:
                created(activation)
            instance.announce(activation)

        self._on_create = on_create

    def Holders(self, holders):  # noqa: N802  (viewflow's node options are capitalised)
        """Who holds the step's post today: ``holders(record, task)`` gives the people (or
        None for a post nobody holds). Whoever acts on the step must be one of them, or act
        for one under a delegation valid today (flows/qualification.py)."""
        self._holders = holders
        return self

    step = None

    def Step(self, step):  # noqa: N802  (viewflow's node options are capitalised)
        """What the step does: its actions, deadline and configuration (flows/steps.py)."""
        self.step = step
        return self

    def holders(self, record, task) -> list:
        holders = this.resolve(self.flow_class.instance, self._holders)
        return [person for person in holders(record, task) if person is not None]

    @property
    def index_path(self):
        return path(f"<int:process_pk>/{self.name}/<int:task_pk>/",
                    TaskIndexView.as_view(flow_task=self), name="index")

    @property
    def view_path(self):
        return path(f"<int:process_pk>/{self.name}/<int:task_pk>/execute/",
                    wrap_execute_view(self, self.view), name="execute")
